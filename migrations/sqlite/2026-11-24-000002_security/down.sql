DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE rate_limits;
DROP TABLE auth_tokens;
DROP TABLE sessions;
