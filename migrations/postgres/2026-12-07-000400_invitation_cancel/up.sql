-- An invitation that still waits can be cancelled (by an organization administrator, or the
-- global administrator for an administrator invitation): status 'cancelled'.
ALTER TABLE invitations DROP CONSTRAINT invitations_status_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_status_check CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled'));
