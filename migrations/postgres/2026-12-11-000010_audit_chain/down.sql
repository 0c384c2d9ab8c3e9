-- Entries appended since cannot get their links back into audit_log (it refuses updates):
-- they keep empty hashes, and the old verification reports the chain broken from the first.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
DROP TABLE audit_pending;
DROP TABLE audit_chain;
ALTER TABLE audit_log ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE audit_log_seq;
