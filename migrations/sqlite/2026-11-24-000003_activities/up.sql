-- Peer mentors, the people they support, and what they do together.
CREATE TABLE peer_mentors (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    status TEXT NOT NULL DEFAULT 'active',
    started_on DATE NOT NULL,
    availability TEXT,
    languages TEXT,
    max_contacts INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (status IN ('active', 'paused', 'suspended', 'deactivated'))
);
CREATE UNIQUE INDEX idx_peer_mentors_user_org ON peer_mentors (user_id, organization_id);
CREATE INDEX idx_peer_mentors_org_status ON peer_mentors (organization_id, status);

CREATE TABLE peer_mentor_status_log (
    id TEXT PRIMARY KEY NOT NULL,
    peer_mentor_id TEXT NOT NULL REFERENCES peer_mentors (id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_peer_mentor_status_log_mentor ON peer_mentor_status_log (peer_mentor_id, changed_at);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    birth_year INTEGER,
    phone TEXT,
    phone_key TEXT,
    email TEXT,
    municipality TEXT,
    interest_group TEXT,
    sensitive_notes TEXT,
    consent_given BOOLEAN NOT NULL DEFAULT FALSE,
    consent_on DATE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_contacts_org_association ON contacts (organization_id, local_association_id, name_key);
CREATE INDEX idx_contacts_org_name ON contacts (organization_id, name_key, birth_year);
CREATE INDEX idx_contacts_org_phone ON contacts (organization_id, phone_key);

CREATE TABLE contact_mentors (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    assigned_by TEXT REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX idx_contact_mentors_user ON contact_mentors (user_id, ended_at);
CREATE INDEX idx_contact_mentors_contact ON contact_mentors (contact_id, ended_at);

CREATE TABLE caregivers (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    may_contact BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_caregivers_contact ON caregivers (contact_id);

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_notes_contact ON notes (contact_id, created_at);

CREATE TABLE activity_types (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    bufdir_category TEXT,
    requires_duration BOOLEAN NOT NULL DEFAULT TRUE,
    requires_participants BOOLEAN NOT NULL DEFAULT FALSE,
    requires_contact BOOLEAN NOT NULL DEFAULT FALSE,
    allows_expenses BOOLEAN NOT NULL DEFAULT TRUE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (kind IN ('one_to_one', 'phone', 'group', 'training', 'social', 'other')),
    CHECK (bufdir_category IS NULL OR bufdir_category IN ('outreach', 'group', 'training'))
);
CREATE UNIQUE INDEX idx_activity_types_org_name ON activity_types (organization_id, name_key);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    activity_type_id TEXT REFERENCES activity_types (id),
    title TEXT NOT NULL,
    description TEXT,
    place TEXT,
    starts_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL,
    capacity INTEGER,
    status TEXT NOT NULL DEFAULT 'planned',
    activity_id TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_events_org_start ON events (organization_id, starts_at);
CREATE INDEX idx_events_association_start ON events (local_association_id, starts_at);

CREATE TABLE event_attendees (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    marked_at TIMESTAMP,
    marked_by TEXT REFERENCES users (id),
    CHECK (status IN ('registered', 'cancelled', 'attended', 'no_show'))
);
CREATE UNIQUE INDEX idx_event_attendees_event_user ON event_attendees (event_id, user_id);
CREATE INDEX idx_event_attendees_user ON event_attendees (user_id);

CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    activity_type_id TEXT NOT NULL REFERENCES activity_types (id),
    mentor_id TEXT NOT NULL REFERENCES users (id),
    registered_by TEXT NOT NULL REFERENCES users (id),
    is_proxy BOOLEAN NOT NULL DEFAULT FALSE,
    occurred_on DATE NOT NULL,
    duration_minutes INTEGER,
    contact_id TEXT REFERENCES contacts (id),
    participants INTEGER,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'registered',
    bufdir_counts BOOLEAN NOT NULL DEFAULT FALSE,
    bufdir_reason TEXT NOT NULL,
    event_id TEXT REFERENCES events (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (status IN ('draft', 'registered', 'cancelled'))
);
CREATE INDEX idx_activities_org_date ON activities (organization_id, occurred_on, id);
CREATE INDEX idx_activities_association_date ON activities (local_association_id, occurred_on, id);
CREATE INDEX idx_activities_mentor_date ON activities (mentor_id, occurred_on, id);
CREATE INDEX idx_activities_type ON activities (activity_type_id);
CREATE INDEX idx_activities_contact ON activities (contact_id);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    activity_id TEXT NOT NULL REFERENCES activities (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_documents_activity ON documents (activity_id);

CREATE TRIGGER peer_mentor_status_log_no_update BEFORE UPDATE ON peer_mentor_status_log
BEGIN
    SELECT RAISE(ABORT, 'peer_mentor_status_log is append-only');
END;
CREATE TRIGGER peer_mentor_status_log_no_delete BEFORE DELETE ON peer_mentor_status_log
BEGIN
    SELECT RAISE(ABORT, 'peer_mentor_status_log is append-only');
END;
