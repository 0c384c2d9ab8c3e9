-- Start pages and search: users get the same lower-cased search key as contacts and local
-- associations (computed in Rust for new and renamed users; filled here for existing rows by
-- folding the Norwegian and the common accented capitals, which SQLite's lower() leaves alone),
-- and the start page's "last activity per contact" reads an index on (contact, date).
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET name_key = lower(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        trim(name),
        'Æ', 'æ'), 'Ø', 'ø'), 'Å', 'å'), 'Ä', 'ä'), 'Ö', 'ö'), 'Ü', 'ü'),
        'É', 'é'), 'È', 'è'), 'Á', 'á'), 'Ó', 'ó'));
DROP INDEX idx_activities_contact;
CREATE INDEX idx_activities_contact_date ON activities (contact_id, occurred_on);
