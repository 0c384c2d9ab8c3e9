DROP INDEX idx_events_activity;
ALTER TABLE events DROP COLUMN cancel_reason;
ALTER TABLE events DROP COLUMN seats_taken;
