-- Reports (issue 15): the Bufdir grant report's versions (a draft is recomputed on demand; a
-- final or submitted version keeps the figures it was finalized with as a JSON snapshot, so
-- later edits to activities do not change it), and the mentors' yearly summaries ("Wrapped"),
-- computed by a job.
CREATE TABLE bufdir_reports (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    snapshot TEXT,
    previous_id TEXT REFERENCES bufdir_reports (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    finalized_by TEXT REFERENCES users (id),
    finalized_at TIMESTAMP,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_bufdir_reports_version ON bufdir_reports (organization_id, year, version);

-- The report reads counting and not-counting activities of an organization and a period from
-- this one index without touching the rows: the category comes from the type, the figures
-- from the rest.
CREATE INDEX idx_activities_bufdir_report ON activities
    (organization_id, bufdir_counts, occurred_on, local_association_id, activity_type_id,
     mentor_id, contact_id, participants, duration_minutes, bufdir_reason);

CREATE TABLE annual_summaries (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    year INTEGER NOT NULL,
    activities BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    contacts BIGINT NOT NULL,
    events BIGINT NOT NULL,
    busiest_month INTEGER,
    badges TEXT NOT NULL,
    previous_activities BIGINT NOT NULL,
    previous_minutes BIGINT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_annual_summaries_user_year ON annual_summaries (organization_id, user_id, year);
CREATE INDEX idx_annual_summaries_org_year ON annual_summaries (organization_id, year);
