UPDATE courses SET local_association_id = (
    SELECT MIN(ca.local_association_id) FROM course_associations ca WHERE ca.course_id = courses.id
);
DROP TABLE course_associations;
