use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::model::{AuditEntry, AuditRow};
use crate::db::{new_id, now, DbConn, Tx};
use crate::schema::{audit_log, users};
use crate::web::pagination::{PageOf, Paging};

/// What happened, by whom, to what. `detail` is a small JSON object.
#[derive(Clone, Debug, Default)]
pub struct Event<'a> {
    pub organization_id: Option<&'a str>,
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub detail: Option<serde_json::Value>,
    pub ip: Option<&'a str>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn digest(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
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

/// Appends an entry, chained to the previous one, inside the transaction of the change it records
/// (it takes the `Tx` that only `db::tx` hands out, which retries when two writers race for the
/// same sequence number).
pub fn append(tx: &mut Tx<'_>, ev: Event<'_>) -> QueryResult<()> {
    let conn = &mut *tx.conn;
    if let DbConn::Postgres(pg) = conn {
        // Serialize appends on PostgreSQL so the chain never forks; released at commit.
        diesel::connection::SimpleConnection::batch_execute(
            pg,
            "SELECT pg_advisory_xact_lock(727275)",
        )?;
    }
    let last: Option<(i64, String)> = audit_log::table
        .select((audit_log::seq, audit_log::hash))
        .order(audit_log::seq.desc())
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut entry = AuditEntry {
        id: new_id(),
        seq,
        organization_id: ev.organization_id.map(str::to_string),
        actor_user_id: ev.actor_user_id.map(str::to_string),
        action: ev.action.to_string(),
        target_type: ev.target_type.map(str::to_string),
        target_id: ev.target_id.map(str::to_string),
        detail: ev.detail.map(|d| d.to_string()),
        ip: ev.ip.map(str::to_string),
        created_at: now(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = digest(&entry);
    diesel::insert_into(audit_log::table)
        .values(&entry)
        .execute(conn)?;
    Ok(())
}

/// Walks the whole chain in batches; returns the first sequence number whose hash or link is
/// wrong, or `None` when the chain is intact.
pub fn verify_chain(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    loop {
        let batch: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(1000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if batch.is_empty() {
            return Ok(None);
        }
        for e in &batch {
            if e.seq != after + 1 || e.prev_hash != prev || digest(e) != e.hash {
                return Ok(Some(e.seq));
            }
            prev = e.hash.clone();
            after = e.seq;
        }
    }
}

/// The newest entries first; `organization` limits to one organization (org admins),
/// `None` shows all (global admin).
pub fn list(
    conn: &mut DbConn,
    organization: Option<&str>,
    paging: &Paging,
) -> QueryResult<PageOf<AuditRow>> {
    let mut count = audit_log::table.into_boxed();
    let mut q = audit_log::table.left_join(users::table).into_boxed();
    if let Some(org) = organization {
        count = count.filter(audit_log::organization_id.eq(org.to_string()));
        q = q.filter(audit_log::organization_id.eq(org.to_string()));
    }
    let total: i64 = count.count().get_result(conn)?;
    let rows: Vec<(AuditEntry, Option<String>)> = q
        .order(audit_log::seq.desc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((AuditEntry::as_select(), users::name.nullable()))
        .load(conn)?;
    Ok(PageOf {
        rows: rows
            .into_iter()
            .map(|(entry, actor_name)| AuditRow { entry, actor_name })
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}
