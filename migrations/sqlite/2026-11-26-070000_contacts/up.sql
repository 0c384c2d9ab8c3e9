-- Contacts on activities: a contact's activities newest first, in one ordered index range
-- (the contact filter of the activity list and the contact's history page).
DROP INDEX idx_activities_contact;
CREATE INDEX idx_activities_contact_date ON activities (contact_id, occurred_on, id);
