-- Start pages and search: users get the same lower-cased search key as contacts and local
-- associations (computed in Rust for new and renamed users; filled here for existing rows by
-- folding the Norwegian and the common accented capitals, which SQLite's lower() leaves alone),
-- and the start page's figures (counts, minutes, distinct mentors and contacts of an
-- organization or its associations over a month or a year) are read from one covering index
-- without touching the rows.
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE users SET name_key = lower(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        trim(name),
        'Æ', 'æ'), 'Ø', 'ø'), 'Å', 'å'), 'Ä', 'ä'), 'Ö', 'ö'), 'Ü', 'ü'),
        'É', 'é'), 'È', 'è'), 'Á', 'á'), 'Ó', 'ó'));
CREATE INDEX idx_activities_org_figures ON activities
    (organization_id, status, occurred_on, local_association_id, bufdir_counts, mentor_id, contact_id, duration_minutes);
