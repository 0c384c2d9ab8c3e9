-- Users can be deactivated (kept for history, hidden from choices, sign-in refused) and change
-- their e-mail address only once the new one is confirmed through a mailed link.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE users ADD COLUMN pending_email TEXT;
