DROP INDEX idx_activities_org_figures;
ALTER TABLE users DROP COLUMN name_key;
