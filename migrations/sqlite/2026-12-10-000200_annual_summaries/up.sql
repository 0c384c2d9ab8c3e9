-- The mentors' annual summaries ("Wrapped"): the table made by 2026-12-09-000200 was never
-- written, so it is made again with what the job computes (courses, badge count, the busiest
-- month's count, last year's contacts) and without the badge-name list (the page reads the
-- year's badges with their icons through engagement::badges::badges_in_year).
DROP TABLE annual_summaries;
CREATE TABLE annual_summaries (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    year INTEGER NOT NULL,
    activities INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    contacts INTEGER NOT NULL,
    events INTEGER NOT NULL,
    courses INTEGER NOT NULL,
    badges INTEGER NOT NULL,
    busiest_month INTEGER,
    busiest_month_activities INTEGER NOT NULL,
    previous_activities INTEGER NOT NULL,
    previous_minutes INTEGER NOT NULL,
    previous_contacts INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_annual_summaries_user_year ON annual_summaries (organization_id, user_id, year);
CREATE INDEX idx_annual_summaries_org_year ON annual_summaries (organization_id, year);
