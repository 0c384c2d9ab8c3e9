-- The team report (issue 15): registered activities of some associations in a period, grouped
-- by mentor, by type and per month, read from this index without touching the rows; and the
-- expense lines of an association (or an organization) spent in a period.
CREATE INDEX idx_activities_team_report ON activities
    (local_association_id, status, occurred_on, mentor_id, activity_type_id, contact_id, duration_minutes);
CREATE INDEX idx_expenses_association_spent ON expenses (local_association_id, spent_on);
CREATE INDEX idx_expenses_org_spent ON expenses (organization_id, spent_on);
