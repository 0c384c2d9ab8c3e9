-- Contacts on activities: a contact's activities newest first, in one ordered index range
-- (the contact filter of the activity list and the contact's history page).
DROP INDEX idx_activities_contact;
CREATE INDEX idx_activities_contact_date ON activities (contact_id, occurred_on, id);

-- Contacts: an address for home visits, and when a contact was erased on request (personal data
-- removed, the row kept so that activities and report counts stay).
ALTER TABLE contacts ADD COLUMN street_address TEXT;
ALTER TABLE contacts ADD COLUMN postal_code TEXT;
ALTER TABLE contacts ADD COLUMN postal_place TEXT;
ALTER TABLE contacts ADD COLUMN erased_at TIMESTAMP;
