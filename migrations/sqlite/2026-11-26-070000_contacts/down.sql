ALTER TABLE contacts DROP COLUMN erased_at;
ALTER TABLE contacts DROP COLUMN postal_place;
ALTER TABLE contacts DROP COLUMN postal_code;
ALTER TABLE contacts DROP COLUMN street_address;
DROP INDEX idx_activities_contact_date;
CREATE INDEX idx_activities_contact ON activities (contact_id);
