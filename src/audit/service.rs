use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{AuditEntry, AuditRow, NewPgEntry};
use crate::db::{new_id, now, DbConn, Tx};
use crate::schema::{audit_log, audit_pending, users};
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

/// Walks the chain: see `chain::verify`.
pub fn verify_chain(conn: &mut DbConn) -> QueryResult<Option<i64>> {
    super::chain::verify(conn)
}

/// Appends an entry inside the transaction of the change it records (it takes the `Tx` that only
/// `db::tx` hands out), and marks it pending for the chainer, which links it into the hash chain
/// (`audit::chain`) just after the commit. No lock is taken: on PostgreSQL the sequence number
/// comes from the database's sequence, so audited writes commit side by side; on SQLite the
/// writer lock orders them and the number is the last one plus one (`db::tx` retries the
/// rare collision).
pub fn append(tx: &mut Tx<'_>, ev: Event<'_>) -> QueryResult<()> {
    let id = new_id();
    let detail = ev.detail.map(|d| d.to_string());
    match &mut *tx.conn {
        DbConn::Postgres(pg) => {
            diesel::insert_into(audit_log::table)
                .values(NewPgEntry {
                    id: &id,
                    organization_id: ev.organization_id,
                    actor_user_id: ev.actor_user_id,
                    action: ev.action,
                    target_type: ev.target_type,
                    target_id: ev.target_id,
                    detail: detail.as_deref(),
                    ip: ev.ip,
                    created_at: now(),
                })
                .execute(pg)?;
        }
        DbConn::Sqlite(lite) => {
            let last: Option<i64> = audit_log::table
                .select(diesel::dsl::max(audit_log::seq))
                .first(lite)?;
            diesel::insert_into(audit_log::table)
                .values(AuditEntry {
                    id: id.clone(),
                    seq: last.unwrap_or(0) + 1,
                    organization_id: ev.organization_id.map(str::to_string),
                    actor_user_id: ev.actor_user_id.map(str::to_string),
                    action: ev.action.to_string(),
                    target_type: ev.target_type.map(str::to_string),
                    target_id: ev.target_id.map(str::to_string),
                    detail,
                    ip: ev.ip.map(str::to_string),
                    created_at: now(),
                })
                .execute(lite)?;
        }
    }
    diesel::insert_into(audit_pending::table)
        .values(audit_pending::entry_id.eq(&id))
        .execute(tx.conn)?;
    super::chain::wake();
    Ok(())
}

/// What the audit page is narrowed to: a person (part of a name or e-mail), one kind of event
/// (its action key) and a period of days in Norway.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub who: String,
    pub kind: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The UTC instant at which a day starts in Norway.
fn day_start(d: NaiveDate) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Oslo
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(local)
}

define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The newest entries first; `organization` limits to one organization (org admins),
/// `None` shows all (global admin). One page of at most `per_page` rows, with the names of
/// the people and records they name, loaded by id for that page only.
pub fn list(
    conn: &mut DbConn,
    organization: Option<&str>,
    filter: &Filter,
    paging: &Paging,
) -> QueryResult<PageOf<AuditRow>> {
    macro_rules! narrowed {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(org) = organization {
                q = q.filter(audit_log::organization_id.eq(org.to_string()));
            }
            if !filter.kind.is_empty() {
                q = q.filter(audit_log::action.eq(filter.kind.clone()));
            }
            if let Some(from) = filter.from {
                q = q.filter(audit_log::created_at.ge(day_start(from)));
            }
            if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
                q = q.filter(audit_log::created_at.lt(day_start(to)));
            }
            let who = filter.who.trim();
            if !who.is_empty() {
                let exact = crate::web::forms::like_contains(who);
                let folded = exact.to_lowercase();
                // The actor's row is joined: a person filter is a filter on it.
                q = q.filter(
                    lower(users::name.nullable())
                        .like(folded.clone())
                        .escape('\\')
                        .or(users::name.nullable().like(exact).escape('\\'))
                        .or(users::email.nullable().like(folded).escape('\\')),
                );
            }
            q
        }};
    }
    let total: i64 = narrowed!(audit_log::table.left_join(users::table).into_boxed())
        .count()
        .get_result(conn)?;
    let rows: Vec<(AuditEntry, Option<String>)> =
        narrowed!(audit_log::table.left_join(users::table).into_boxed())
            .order(audit_log::seq.desc())
            .limit(paging.per_page)
            .offset(paging.offset())
            .select((AuditEntry::as_select(), users::name.nullable()))
            .load(conn)?;
    let names = names_for(conn, &rows)?;
    Ok(paging.page_of(
        rows.into_iter()
            .map(|(entry, actor_name)| AuditRow {
                entry,
                actor_name,
                names: names.clone(),
            })
            .collect(),
        total,
    ))
}

/// The human names of the records one page of entries names (targets, and people,
/// associations and activities in their details), by `"<type>:<id>"`; one query per type.
fn names_for(
    conn: &mut DbConn,
    rows: &[(AuditEntry, Option<String>)],
) -> QueryResult<Arc<HashMap<String, String>>> {
    use crate::schema::{
        activities, activity_types, contacts, events, local_associations, organizations,
        peer_mentors, regions,
    };
    let mut ids: HashMap<&'static str, Vec<String>> = HashMap::new();
    for (e, _) in rows {
        if let (Some(t), Some(id)) = (e.target_type.as_deref(), e.target_id.as_deref()) {
            let kind = match t {
                "setting" => "user",
                other => super::model::known_target(other).unwrap_or(""),
            };
            if !kind.is_empty() {
                ids.entry(kind).or_default().push(id.to_string());
            }
        }
        if let Some(serde_json::Value::Object(m)) = e
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
        {
            for (key, kind) in [
                ("user_id", "user"),
                ("local_association_id", "local_association"),
            ] {
                if let Some(id) = m.get(key).and_then(|v| v.as_str()) {
                    ids.entry(kind).or_default().push(id.to_string());
                }
            }
        }
    }
    let mut names = HashMap::new();
    for (kind, list) in ids {
        let found: Vec<(String, String)> = match kind {
            "user" => users::table
                .filter(users::id.eq_any(list))
                .select((users::id, users::name))
                .load(conn)?,
            "contact" => contacts::table
                .filter(contacts::id.eq_any(list))
                .select((contacts::id, contacts::name))
                .load(conn)?,
            "peer_mentor" => peer_mentors::table
                .inner_join(users::table)
                .filter(peer_mentors::id.eq_any(list))
                .select((peer_mentors::id, users::name))
                .load(conn)?,
            "local_association" => local_associations::table
                .filter(local_associations::id.eq_any(list))
                .select((local_associations::id, local_associations::name))
                .load(conn)?,
            "event" => events::table
                .filter(events::id.eq_any(list))
                .select((events::id, events::title))
                .load(conn)?,
            "activity" => activities::table
                .inner_join(activity_types::table)
                .filter(activities::id.eq_any(list))
                .select((
                    activities::id,
                    activity_types::name,
                    activities::occurred_on,
                ))
                .load::<(String, String, NaiveDate)>(conn)?
                .into_iter()
                .map(|(id, t, d)| (id, format!("{t} {}", d.format("%d.%m.%Y"))))
                .collect(),
            "activity_type" => activity_types::table
                .filter(activity_types::id.eq_any(list))
                .select((activity_types::id, activity_types::name))
                .load(conn)?,
            "region" => regions::table
                .filter(regions::id.eq_any(list))
                .select((regions::id, regions::name))
                .load(conn)?,
            "organization" => organizations::table
                .filter(organizations::id.eq_any(list))
                .select((organizations::id, organizations::name))
                .load(conn)?,
            _ => Vec::new(),
        };
        for (id, name) in found {
            names.insert(format!("{kind}:{id}"), name);
        }
    }
    Ok(Arc::new(names))
}
