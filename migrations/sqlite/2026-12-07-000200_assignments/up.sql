-- Encrypted assignment dispatch (issue 12).

-- The master keys' versions, each with a check value: a fixed text sealed under that key, so
-- start-up can tell a wrong key from the right one before showing anything.
CREATE TABLE encryption_keys (
    version INTEGER PRIMARY KEY NOT NULL,
    check_value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

-- Per organization: assignments on or off, the most open assignments a mentor may hold, and
-- how many days the details of a closed assignment are kept.
CREATE TABLE assignment_settings (
    organization_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (id),
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    max_open_per_mentor INTEGER NOT NULL DEFAULT 3,
    retention_days INTEGER NOT NULL DEFAULT 90,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- An assignment: who, where, its state and due date in the clear; the personal details only as
-- ciphertext (`details`), sealed with a data key of its own that is kept wrapped by the master
-- key of `key_version`. All three are emptied when the details are erased.
CREATE TABLE assignments (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    contact_id TEXT REFERENCES contacts (id),
    mentor_id TEXT NOT NULL REFERENCES users (id),
    dispatched_by TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    due_on DATE NOT NULL,
    key_version INTEGER,
    wrapped_key TEXT,
    details TEXT,
    dispatched_at TIMESTAMP NOT NULL,
    status_changed_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    closed_at TIMESTAMP,
    details_erased_at TIMESTAMP
);
CREATE INDEX idx_assignments_association ON assignments (local_association_id, status, due_on);
CREATE INDEX idx_assignments_mentor ON assignments (mentor_id, status, due_on);
CREATE INDEX idx_assignments_org_closed ON assignments (organization_id, closed_at);
CREATE INDEX idx_assignments_org_completed ON assignments (organization_id, completed_at);
CREATE INDEX idx_assignments_key_version ON assignments (key_version);

-- The status trail: one row per transition, never changed or removed.
CREATE TABLE assignment_status_log (
    id TEXT PRIMARY KEY NOT NULL,
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    from_status TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    changed_by TEXT REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_assignment_status_log ON assignment_status_log (assignment_id, changed_at);

-- Periodic jobs (src/jobs): one row per job, its lease (`locked_by` until `locked_until`) and
-- its last run, so that several instances run a job once per interval.
CREATE TABLE job_runs (
    name TEXT PRIMARY KEY NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_started_at TIMESTAMP,
    last_finished_at TIMESTAMP,
    last_ok BOOLEAN,
    last_message TEXT
);

CREATE TRIGGER assignment_status_log_no_update BEFORE UPDATE ON assignment_status_log
BEGIN
    SELECT RAISE(ABORT, 'assignment_status_log is append-only');
END;
CREATE TRIGGER assignment_status_log_no_delete BEFORE DELETE ON assignment_status_log
BEGIN
    SELECT RAISE(ABORT, 'assignment_status_log is append-only');
END;
