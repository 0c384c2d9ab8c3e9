DROP INDEX idx_invitations_organization;
DROP INDEX idx_invitations_user;
DROP TABLE invitations;
