-- The audit chain moves out of the request's transaction (issue 10): see the PostgreSQL
-- migration. On SQLite the writer lock already orders appends; the sequence number stays
-- max + 1, and the chainer links entries in batches all the same, so both backends keep one
-- mechanism.
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
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
BEGIN
    SELECT RAISE(ABORT, 'audit_chain is append-only');
END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN
    SELECT RAISE(ABORT, 'audit_chain is append-only');
END;

-- Entries appended and not linked yet; the chainer takes them in the entries' order.
CREATE TABLE audit_pending (
    entry_id TEXT PRIMARY KEY NOT NULL REFERENCES audit_log (id)
);

ALTER TABLE audit_log DROP COLUMN prev_hash;
ALTER TABLE audit_log DROP COLUMN hash;
