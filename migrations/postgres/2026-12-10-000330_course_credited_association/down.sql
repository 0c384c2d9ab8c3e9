UPDATE courses SET local_association_id = NULL;
