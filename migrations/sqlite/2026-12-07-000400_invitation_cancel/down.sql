-- Back to three statuses; a cancelled invitation reads as declined.
UPDATE invitations SET status = 'declined' WHERE status = 'cancelled';
-- SQLite cannot change a CHECK constraint: the table is rebuilt (nothing references it).
CREATE TABLE invitations_new (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    email TEXT NOT NULL,
    role_id TEXT NOT NULL REFERENCES roles (id),
    local_association_id TEXT REFERENCES local_associations (id),
    invited_by TEXT NOT NULL REFERENCES users (id),
    new_account BOOLEAN NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP,
    CHECK (status IN ('pending', 'accepted', 'declined')),
    CHECK (role_id <> 'global_admin')
);
INSERT INTO invitations_new (id, organization_id, user_id, email, role_id, local_association_id, invited_by, new_account, status, created_at, expires_at, answered_at)
SELECT id, organization_id, user_id, email, role_id, local_association_id, invited_by, new_account, status, created_at, expires_at, answered_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE INDEX idx_invitations_user ON invitations (user_id, status);
CREATE INDEX idx_invitations_organization ON invitations (organization_id, status);
