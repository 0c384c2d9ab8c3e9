ALTER TABLE users DROP COLUMN pending_email;
ALTER TABLE users DROP COLUMN deactivated_at;
