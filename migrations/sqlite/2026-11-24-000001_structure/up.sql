-- Organization → region → local association, with the accounts and roles that are scoped to them.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    org_number TEXT,
    default_locale TEXT NOT NULL DEFAULT 'nb',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_organizations_name ON organizations (name);
CREATE UNIQUE INDEX idx_organizations_short_name ON organizations (short_name);

CREATE TABLE regions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    code TEXT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_regions_organization_name ON regions (organization_id, name);

CREATE TABLE local_associations (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    region_id TEXT REFERENCES regions (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    short_code TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    address TEXT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    external_id TEXT,
    metadata TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_local_associations_organization_id ON local_associations (organization_id);
CREATE INDEX idx_local_associations_organization_name ON local_associations (organization_id, name);
CREATE UNIQUE INDEX idx_local_associations_external_id ON local_associations (organization_id, external_id);
CREATE INDEX idx_local_associations_is_active ON local_associations (is_active);
CREATE UNIQUE INDEX idx_local_associations_name_key ON local_associations (organization_id, name_key);
CREATE INDEX idx_local_associations_region_id ON local_associations (region_id);

CREATE TABLE roles (
    id TEXT PRIMARY KEY NOT NULL,
    level INTEGER NOT NULL,
    scope TEXT NOT NULL
);
INSERT INTO roles (id, level, scope) VALUES
    ('peer_mentor', 1, 'association'),
    ('coordinator', 2, 'association'),
    ('org_admin', 3, 'organization'),
    ('global_admin', 4, 'global');

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    password_hash TEXT,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_users_email ON users (email);

CREATE TABLE user_organization_roles (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT REFERENCES organizations (id),
    role_id TEXT NOT NULL REFERENCES roles (id),
    local_association_id TEXT REFERENCES local_associations (id),
    granted_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users (id),
    CHECK ((role_id = 'global_admin') = (organization_id IS NULL))
);
CREATE INDEX idx_uor_user ON user_organization_roles (user_id, revoked_at);
CREATE INDEX idx_uor_organization_role ON user_organization_roles (organization_id, role_id);
CREATE INDEX idx_uor_association ON user_organization_roles (local_association_id);

CREATE TABLE settings (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    language TEXT NOT NULL DEFAULT 'nb',
    notify_email BOOLEAN NOT NULL DEFAULT TRUE,
    notify_in_app BOOLEAN NOT NULL DEFAULT TRUE,
    larger_text BOOLEAN NOT NULL DEFAULT FALSE,
    high_contrast BOOLEAN NOT NULL DEFAULT FALSE,
    reduced_motion BOOLEAN NOT NULL DEFAULT FALSE,
    calendar_week_start TEXT NOT NULL DEFAULT 'monday',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE organization_labels (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    locale TEXT NOT NULL,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_organization_labels_key ON organization_labels (organization_id, locale, key);
