-- Events: a seat counter taken with one conditional update (capacity holds under concurrency),
-- and the reason an event was cancelled.
ALTER TABLE events ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN cancel_reason TEXT;
CREATE INDEX idx_events_activity ON events (activity_id);
