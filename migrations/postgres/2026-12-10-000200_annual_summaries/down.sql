DROP TABLE annual_summaries;
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
