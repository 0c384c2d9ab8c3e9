-- Issue 13: Blindeforbundet's multi-day group mentoring and career workshops. A program runs
-- on several days (`mentor_program_sessions`); its participants are peer mentors (a user) or
-- invited members (a contact of the same organization), each once; attendance is marked per
-- day and participant. `local_association_id` NULL means the program is the whole
-- organization's (an administrator's); else a coordinator of that association arranges it.
-- `starts_at` is the first day's start (kept with the days), for the list's order.
CREATE TABLE mentor_programs (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT REFERENCES local_associations (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT,
    online_url TEXT,
    status TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (kind IN ('group_mentoring', 'career_workshop')),
    CHECK (status IN ('planned', 'cancelled'))
);
CREATE INDEX idx_mentor_programs_org_start ON mentor_programs (organization_id, starts_at);

-- One day of a program.
CREATE TABLE mentor_program_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    program_id TEXT NOT NULL REFERENCES mentor_programs (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX idx_mentor_program_sessions_program ON mentor_program_sessions (program_id, starts_at);

-- A participant: a mentor (user_id) or an invited member (contact_id), exactly one of them.
CREATE TABLE workshop_participants (
    id TEXT PRIMARY KEY NOT NULL,
    program_id TEXT NOT NULL REFERENCES mentor_programs (id),
    user_id TEXT REFERENCES users (id),
    contact_id TEXT REFERENCES contacts (id),
    added_by TEXT REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (contact_id IS NULL))
);
CREATE UNIQUE INDEX idx_workshop_participants_user ON workshop_participants (program_id, user_id);
CREATE UNIQUE INDEX idx_workshop_participants_contact ON workshop_participants (program_id, contact_id);
CREATE INDEX idx_workshop_participants_mine ON workshop_participants (user_id, program_id);

-- Attendance per day and participant: present or absent (no row: not marked yet).
CREATE TABLE workshop_attendance (
    session_id TEXT NOT NULL REFERENCES mentor_program_sessions (id),
    participant_id TEXT NOT NULL REFERENCES workshop_participants (id),
    attended BOOLEAN NOT NULL,
    marked_by TEXT REFERENCES users (id),
    marked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX idx_workshop_attendance_participant ON workshop_attendance (participant_id);
