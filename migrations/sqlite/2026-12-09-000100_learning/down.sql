DROP TABLE certifications;
DROP TABLE course_attendance;
DROP TABLE course_enrollments;
DROP TABLE course_days;
DROP TABLE courses;
