DROP INDEX idx_expenses_org_spent;
DROP INDEX idx_expenses_association_spent;
DROP INDEX idx_activities_team_report;
