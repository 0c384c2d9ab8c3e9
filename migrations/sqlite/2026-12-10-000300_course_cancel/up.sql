-- Issue 13: a coordinator cancels a course with a reason (kept to show on the course page;
-- everyone enrolled or waitlisted is told).
ALTER TABLE courses ADD COLUMN cancel_reason TEXT;
