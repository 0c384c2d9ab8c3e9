-- Back to three statuses; a cancelled invitation reads as declined.
UPDATE invitations SET status = 'declined' WHERE status = 'cancelled';
ALTER TABLE invitations DROP CONSTRAINT invitations_status_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_status_check CHECK (status IN ('pending', 'accepted', 'declined'));
