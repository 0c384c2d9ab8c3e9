DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE rate_limits;
DROP TABLE auth_tokens;
DROP TABLE sessions;
