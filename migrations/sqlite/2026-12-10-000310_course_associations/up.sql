-- Issue 13: a course's audience is a set of local associations (none: the whole organization).
-- The one association a course had moves here; `courses.local_association_id` is left NULL and
-- unused (SQLite cannot drop a column with a foreign key).
CREATE TABLE course_associations (
    course_id TEXT NOT NULL REFERENCES courses (id),
    local_association_id TEXT NOT NULL REFERENCES local_associations (id),
    PRIMARY KEY (course_id, local_association_id)
);
CREATE INDEX idx_course_associations_association ON course_associations (local_association_id, course_id);
INSERT INTO course_associations (course_id, local_association_id)
    SELECT id, local_association_id FROM courses WHERE local_association_id IS NOT NULL;
UPDATE courses SET local_association_id = NULL;
