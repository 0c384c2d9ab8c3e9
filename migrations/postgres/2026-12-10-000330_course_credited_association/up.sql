-- The association a course's Bufdir training days are credited to: the only one of its audience
-- (`course_associations`), none when the audience is the whole organization or several
-- associations (then the days count in the organization's total only). Kept by
-- `learning::courses::service::set_audience`.
UPDATE courses SET local_association_id = (
    SELECT min(ca.local_association_id) FROM course_associations ca WHERE ca.course_id = courses.id
) WHERE (SELECT count(*) FROM course_associations ca WHERE ca.course_id = courses.id) = 1;
