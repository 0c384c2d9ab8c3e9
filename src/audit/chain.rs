//! The hash chain over the audit log, made outside the requests' transactions (issue 10).
//!
//! `service::append` writes an entry and a row in `audit_pending` in the transaction of the
//! change it records, and takes no lock. The chainer links pending entries, oldest first, into
//! `audit_chain`: each link holds its position, the hash of the link before and its own hash
//! over the position, that previous hash and every field of the entry. A batch of up to 500
//! is one transaction and one flush; on PostgreSQL chainers of several instances take turns
//! under an advisory lock that only they take, so requests never wait for the chain.
//!
//! It runs in a thread of the server, woken by every append (and every two seconds), in the
//! `audit.chain` job of `likeperson run-jobs`, and before every verification. An entry is
//! pending for a few milliseconds after its commit; `verify` links what is pending first, then
//! walks the chain and checks that every entry of the log is linked.

use std::sync::LazyLock;
use std::time::Duration;

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::model::{AuditEntry, ChainLink};
use crate::db::{now, DbConn, Pool, Tx};
use crate::jobs::Nudge;
use crate::schema::{audit_chain, audit_log, audit_pending};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most entries one transaction links.
const BATCH: i64 = 500;

static WAKE: LazyLock<Nudge> = LazyLock::new(Nudge::default);

/// Tells the chainer that an entry was appended (it links it once the entry's transaction has
/// committed, or at its next look).
pub fn wake() {
    WAKE.poke();
}

/// The hash of the link at `pos` after `prev` for entry `e`. Every part is length-prefixed, so
/// no two different entries hash the same bytes. (Links made before the chain had a table of
/// its own hashed the entry's sequence number where this hashes the position; they moved over
/// with position = sequence number, so the formula is the same.)
fn digest(pos: i64, prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &pos.to_string(),
        &e.id,
        e.organization_id.as_deref().unwrap_or(""),
        e.actor_user_id.as_deref().unwrap_or(""),
        &e.action,
        e.target_type.as_deref().unwrap_or(""),
        e.target_id.as_deref().unwrap_or(""),
        e.detail.as_deref().unwrap_or(""),
        e.ip.as_deref().unwrap_or(""),
        &e.created_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Links every pending entry, a batch per transaction; returns how many it linked.
pub fn run(conn: &mut DbConn) -> QueryResult<usize> {
    let mut total = 0;
    loop {
        let n = crate::db::tx(conn, link_batch)?;
        total += n;
        if n < BATCH as usize {
            return Ok(total);
        }
    }
}

fn link_batch(tx: &mut Tx<'_>) -> QueryResult<usize> {
    let conn = &mut *tx.conn;
    if let DbConn::Postgres(pg) = conn {
        // Chainers take turns (released at commit); appends never take this lock.
        diesel::connection::SimpleConnection::batch_execute(
            pg,
            "SELECT pg_advisory_xact_lock(727275)",
        )?;
    }
    let entries: Vec<AuditEntry> = audit_pending::table
        .inner_join(audit_log::table)
        .order(audit_log::seq.asc())
        .limit(BATCH)
        .select(AuditEntry::as_select())
        .load(conn)?;
    if entries.is_empty() {
        return Ok(0);
    }
    let head: Option<(i64, String)> = audit_chain::table
        .select((audit_chain::pos, audit_chain::hash))
        .order(audit_chain::pos.desc())
        .first(conn)
        .optional()?;
    let (mut pos, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
    let at = now();
    let links: Vec<ChainLink> = entries
        .iter()
        .map(|e| {
            pos += 1;
            let hash = digest(pos, &prev, e);
            ChainLink {
                pos,
                entry_id: e.id.clone(),
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
                chained_at: at,
            }
        })
        .collect();
    match conn {
        DbConn::Postgres(pg) => diesel::insert_into(audit_chain::table)
            .values(&links)
            .execute(pg)?,
        DbConn::Sqlite(lite) => diesel::insert_into(audit_chain::table)
            .values(&links)
            .execute(lite)?,
    };
    let ids: Vec<&str> = links.iter().map(|l| l.entry_id.as_str()).collect();
    diesel::delete(audit_pending::table.filter(audit_pending::entry_id.eq_any(ids)))
        .execute(conn)?;
    Ok(links.len())
}

/// Links what is pending, then walks the whole chain in batches: returns the first position
/// whose link or hash is wrong, or that is missing (an entry of the log neither linked nor
/// pending), or `None` when the chain is intact.
pub fn verify(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    run(conn)?;
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    loop {
        let batch: Vec<(ChainLink, AuditEntry)> = audit_chain::table
            .inner_join(audit_log::table)
            .filter(audit_chain::pos.gt(after))
            .order(audit_chain::pos.asc())
            .limit(1000)
            .select((ChainLink::as_select(), AuditEntry::as_select()))
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for (link, e) in &batch {
            if link.pos != after + 1
                || link.prev_hash != prev
                || digest(link.pos, &prev, e) != link.hash
            {
                return Ok(Some(link.pos));
            }
            prev = link.hash.clone();
            after = link.pos;
        }
    }
    // One statement, one snapshot: the entries that are neither linked nor waiting to be.
    // (Linking an entry and clearing its pending row commit together.)
    let (entries, linked, pending): (i64, i64, i64) = diesel::select((
        audit_log::table.count().single_value().assume_not_null(),
        audit_chain::table.count().single_value().assume_not_null(),
        audit_pending::table
            .count()
            .single_value()
            .assume_not_null(),
    ))
    .get_result(conn)?;
    Ok((entries != linked + pending).then_some(after + 1))
}

/// Starts the server's chainer: a thread that links pending entries whenever an append woke it
/// (after a few milliseconds, so the entry's transaction has committed and its neighbours join
/// the batch), and every two seconds in any case.
pub fn spawn(pool: Pool) {
    std::thread::spawn(move || loop {
        WAKE.wait(Duration::from_secs(2));
        std::thread::sleep(Duration::from_millis(5));
        if let Ok(mut conn) = pool.get() {
            if let Err(e) = run(&mut conn) {
                log::warn!("audit chain: {e}");
            }
        }
    });
}
