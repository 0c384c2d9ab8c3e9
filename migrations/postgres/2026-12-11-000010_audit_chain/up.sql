-- The audit chain moves out of the request's transaction (issue 10). An audited change now
-- appends its entry and a row in `audit_pending`, with no lock: the sequence number comes from
-- a database sequence. The chainer (`audit::chain`) links pending entries into `audit_chain` in
-- batches, one transaction and one flush per batch, under the advisory lock that only chainers
-- take. `audit_log` stays append-only; so is `audit_chain`. The links made so far move over
-- unchanged: position = the entry's old sequence number, same hashes.
CREATE SEQUENCE audit_log_seq;
SELECT setval('audit_log_seq', COALESCE((SELECT max(seq) FROM audit_log), 0) + 1, false);
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq');
ALTER SEQUENCE audit_log_seq OWNED BY audit_log.seq;

CREATE TABLE audit_chain (
    pos BIGINT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES audit_log (id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    chained_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idx_audit_chain_entry ON audit_chain (entry_id);
INSERT INTO audit_chain (pos, entry_id, prev_hash, hash, chained_at)
    SELECT seq, id, prev_hash, hash, created_at FROM audit_log;
CREATE TRIGGER audit_chain_no_update_delete BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Entries appended and not linked yet; the chainer takes them in the entries' order.
CREATE TABLE audit_pending (
    entry_id TEXT PRIMARY KEY NOT NULL REFERENCES audit_log (id)
);

ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN hash;
