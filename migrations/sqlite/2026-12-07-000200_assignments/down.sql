DROP TABLE job_runs;
DROP TRIGGER assignment_status_log_no_delete;
DROP TRIGGER assignment_status_log_no_update;
DROP TABLE assignment_status_log;
DROP TABLE assignments;
DROP TABLE assignment_settings;
DROP TABLE encryption_keys;
