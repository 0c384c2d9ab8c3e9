DROP TABLE job_runs;
DROP TABLE assignment_status_log;
DROP FUNCTION assignment_status_log_append_only();
DROP TABLE assignments;
DROP TABLE assignment_settings;
DROP TABLE encryption_keys;
