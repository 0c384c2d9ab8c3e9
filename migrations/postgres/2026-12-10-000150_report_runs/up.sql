-- Long report runs (issue 15): one row per organization, kind, year and scope, claimed with a
-- conditional UPDATE so that two people asking at once compute the report once; the claimant
-- writes its progress (polled by the page) and the result (JSON) that the others then read.
CREATE TABLE report_runs (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    scope_key TEXT NOT NULL,
    status TEXT NOT NULL,
    ticket TEXT,
    progress INTEGER NOT NULL,
    step TEXT NOT NULL,
    result TEXT,
    runs INTEGER NOT NULL,
    started_by TEXT REFERENCES users (id),
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_report_runs_key ON report_runs (organization_id, kind, year, scope_key);
