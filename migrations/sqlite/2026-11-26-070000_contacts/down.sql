DROP INDEX idx_activities_contact_date;
CREATE INDEX idx_activities_contact ON activities (contact_id);
