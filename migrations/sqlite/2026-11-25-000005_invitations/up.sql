-- Invitations: an organization administrator invites an e-mail address to a role; the grant is
-- made only when the person accepts (an existing account after signing in, a new account by
-- choosing a password through the invitation link), so no account is attached without consent.
CREATE TABLE invitations (
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
CREATE INDEX idx_invitations_user ON invitations (user_id, status);
CREATE INDEX idx_invitations_organization ON invitations (organization_id, status);
