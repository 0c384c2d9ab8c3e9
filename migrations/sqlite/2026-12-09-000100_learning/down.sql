ALTER TABLE events DROP COLUMN requires_approval;
DROP TABLE requirement_records;
DROP TABLE approval_requirements;
DROP TABLE certifications;
DROP TABLE course_attendance;
DROP TABLE course_enrollments;
DROP TABLE course_days;
DROP TABLE courses;
