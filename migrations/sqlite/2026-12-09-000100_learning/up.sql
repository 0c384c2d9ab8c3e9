-- Learning (issue 13): courses with their days, enrollments with a waitlist, attendance per
-- day, certifications with a verification token, and the organizations' approval requirements.

-- A course: seats are held like an event's (`seats_taken` moved by one conditional update,
-- src/seats.rs). `local_association_id` NULL means the whole organization is the audience.
-- `starts_at` is the first day's start (kept with the days), when enrollment and seats close.
CREATE TABLE courses (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    local_association_id TEXT REFERENCES local_associations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT,
    online_url TEXT,
    capacity INTEGER NOT NULL,
    seats_taken INTEGER NOT NULL DEFAULT 0,
    enrollment_deadline TIMESTAMP NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    certification_name TEXT,
    validity_months INTEGER,
    bufdir_training BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (seats_taken >= 0 AND seats_taken <= capacity)
);
CREATE INDEX idx_courses_org_start ON courses (organization_id, starts_at);

CREATE TABLE course_days (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_course_days_course ON course_days (course_id, starts_at);

-- registered, waitlisted (ordered by waitlisted_at, then id), attended, no_show, withdrawn.
CREATE TABLE course_enrollments (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    waitlisted_at TIMESTAMP,
    enrolled_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_course_enrollments_once ON course_enrollments (course_id, user_id);
CREATE INDEX idx_course_enrollments_queue ON course_enrollments (course_id, status, waitlisted_at);
CREATE INDEX idx_course_enrollments_user ON course_enrollments (user_id);

CREATE TABLE course_attendance (
    course_day_id TEXT NOT NULL REFERENCES course_days (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    attended BOOLEAN NOT NULL,
    marked_by TEXT REFERENCES users (id),
    marked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (course_day_id, user_id)
);

-- A certification held: from a course, or entered by hand. Its status (active, expiring,
-- expired) is computed from the dates; `revoked_at` with a reason overrides. `verify_token` is
-- a random value for the public verification link, never the id.
CREATE TABLE certifications (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    course_id TEXT REFERENCES courses (id),
    name TEXT NOT NULL,
    issued_on DATE NOT NULL,
    expires_on DATE,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    verify_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_certifications_token ON certifications (verify_token);
CREATE UNIQUE INDEX idx_certifications_course_user ON certifications (course_id, user_id);
CREATE INDEX idx_certifications_org_user ON certifications (organization_id, user_id);
CREATE INDEX idx_certifications_expiry ON certifications (expires_on);

-- Mentor approval requirements per organization: what a peer mentor must hold to be active and
-- eligible for assignments. `kind`: course (a certification from a course, by its name),
-- certification (held, by name), declaration (signed), police_certificate (seen: the date
-- only, never the document), follow_up (the yearly talk), refresher. `validity_months` NULL
-- means it does not expire.
CREATE TABLE approval_requirements (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    certification_name TEXT,
    validity_months INTEGER,
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_approval_requirements_name ON approval_requirements (organization_id, name);

-- A requirement met by a mentor on a date (the newest record counts), recorded by a coordinator.
CREATE TABLE requirement_records (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    requirement_id TEXT NOT NULL REFERENCES approval_requirements (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    fulfilled_on DATE NOT NULL,
    recorded_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_requirement_records_user ON requirement_records (user_id, requirement_id, fulfilled_on);

-- Events may demand that only approved mentors (every approval requirement met) register.
ALTER TABLE events ADD COLUMN requires_approval BOOLEAN NOT NULL DEFAULT FALSE;
