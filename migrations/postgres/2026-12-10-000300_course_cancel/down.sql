ALTER TABLE courses DROP COLUMN cancel_reason;
