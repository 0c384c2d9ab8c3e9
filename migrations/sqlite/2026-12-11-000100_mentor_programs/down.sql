DROP TABLE workshop_attendance;
DROP TABLE workshop_participants;
DROP TABLE mentor_program_sessions;
DROP TABLE mentor_programs;
