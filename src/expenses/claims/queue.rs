//! The coordinator's approval queue and the decisions. A decision is one conditional UPDATE
//! (`… WHERE id = ? AND status = 'submitted' AND user_id <> me`): its affected-row count
//! decides, so of two coordinators deciding at once exactly one succeeds and the other is told
//! who decided. Nobody decides their own claim.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::expenses::audit_event;
use crate::expenses::entry::service as entry;
use crate::expenses::model::*;
use crate::expenses::money;
use crate::schema::{
    local_associations as la, reimbursement_approvals as ra, reimbursements as rb,
    user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

pub const PAGE_SIZE: i64 = 50;

/// (id, name) pairs a filter offers.
pub type Choices = Vec<(String, String)>;

/// Reasons a claim waits for a person, as the queue filters them.
pub const REASONS: [&str; 6] = [
    "receipts",
    "exclusions",
    "max_line",
    "max_claim",
    "threshold",
    "spot_check",
];

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct QueueFilter {
    pub association: String,
    pub mentor: String,
    /// Least amount, in kroner.
    pub min: String,
    /// Most amount, in kroner.
    pub max: String,
    /// Waiting at least this many days.
    pub age: String,
    pub reason: String,
    /// Keyset cursor: "<submitted_at>~<id>".
    pub after: String,
}

impl QueueFilter {
    pub fn query(&self) -> String {
        let pairs = [
            ("association", &self.association),
            ("mentor", &self.mentor),
            ("min", &self.min),
            ("max", &self.max),
            ("age", &self.age),
            ("reason", &self.reason),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::web::urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// One claim in the queue.
#[derive(Clone, Debug)]
pub struct QueueRow {
    pub c: Reimbursement,
    pub mentor: String,
    pub association: String,
}

impl QueueRow {
    pub fn waiting_days(&self) -> i64 {
        self.c.submitted_at.map_or(0, |s| (now() - s).num_days())
    }
    pub fn reasons(&self) -> Vec<String> {
        let mut r: Vec<String> = self.c.reasons().iter().map(|s| s.to_string()).collect();
        if self.c.spot_check == "pending" {
            r.push("spot_check".into());
        }
        r
    }
}

fn parse_cursor(s: &str) -> Option<Key> {
    let (t, id) = s.split_once('~')?;
    let t = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some((t, crate::db::parse_id(id)?))
}

/// Rows of a range that a page filtered by amount or reason reads at most (per association):
/// those filters have no index, so a filter that matches little would otherwise read every
/// waiting claim. When the read stops there, the page holds what it found and its next link
/// goes on from where it stopped.
pub const FILTER_WINDOW: u32 = 2_000;

type Key = (NaiveDateTime, String);

/// The filter narrows the range by a condition no index serves (amount, a review reason).
fn residual(f: &QueueFilter) -> bool {
    (f.reason != "spot_check" && REASONS.contains(&f.reason.as_str()))
        || money::parse_kroner(&f.min, i64::MAX / 1000).is_some()
        || money::parse_kroner(&f.max, i64::MAX / 1000).is_some()
}

/// The claims after `key` in queue order. The plain `>=` on the time bounds the index range
/// (an `OR` alone is no index condition, so every earlier claim would be read and dropped).
fn after(
    q: rb::BoxedQuery<'static, crate::db::DbConnBackend>,
    (t, id): &Key,
) -> rb::BoxedQuery<'static, crate::db::DbConnBackend> {
    q.filter(rb::submitted_at.ge(*t)).filter(
        rb::submitted_at
            .gt(*t)
            .or(rb::submitted_at.eq(*t).and(rb::id.gt(id.clone()))),
    )
}

/// The queue's rows for the filter in one range, ordered oldest first: scoped to the
/// organization, never the actor's own, a coordinator's to their associations. `range` is one
/// association of a coordinator's (its index range alone, as an equality); `None` when the
/// range is empty (an association outside the coordinator's). Without `residual`, only the
/// conditions its index holds (the range a bounded read counts its rows in).
fn filtered(
    actor: &Actor,
    f: &QueueFilter,
    range: Option<&str>,
    cursor: Option<&Key>,
    residual: bool,
) -> AppResult<Option<rb::BoxedQuery<'static, crate::db::DbConnBackend>>> {
    let association = range.or((!f.association.is_empty()).then_some(f.association.as_str()));
    let coordinator = actor.role() == Role::Coordinator;
    if association.is_some_and(|a| coordinator && !actor.associations.iter().any(|x| x == a)) {
        return Ok(None);
    }
    let mut q = rb::table.into_boxed();
    // A coordinator's association is one of the active organization's: the range is the
    // association's index range alone (with the organization as well, PostgreSQL's generic plan
    // preferred the organization's index and filtered it).
    if !(coordinator && association.is_some()) {
        q = q.filter(rb::organization_id.eq(actor.org()?.to_string()));
    }
    // Without `residual` this is where a bounded read ends, read from the index alone (the
    // window may count the actor's own claims and spot checks already exported: it only bounds
    // the read).
    if residual {
        q = q.filter(rb::user_id.ne(actor.user_id.clone()));
    }
    let spot = f.reason == "spot_check";
    if spot {
        q = q.filter(rb::spot_check.eq("pending"));
        if residual {
            q = q
                .filter(rb::status.eq("approved"))
                .filter(rb::export_id.is_null());
        }
    } else {
        q = q.filter(rb::status.eq("submitted"));
        if residual && REASONS.contains(&f.reason.as_str()) {
            q = q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>("(' ' || review_reasons || ' ') LIKE ")
                    .bind::<diesel::sql_types::Text, _>(format!("% {} %", f.reason)),
            );
        }
    }
    match association {
        Some(a) => q = q.filter(rb::local_association_id.eq(a.to_string())),
        None if coordinator => {
            q = q.filter(rb::local_association_id.eq_any(actor.associations.clone()))
        }
        None => {}
    }
    if !f.mentor.is_empty() {
        q = q.filter(rb::user_id.eq(f.mentor.clone()));
    }
    if residual {
        if let Some(min) = money::parse_kroner(&f.min, i64::MAX / 1000) {
            q = q.filter(rb::total_ore.ge(min));
        }
        if let Some(max) = money::parse_kroner(&f.max, i64::MAX / 1000) {
            q = q.filter(rb::total_ore.le(max));
        }
    }
    if let Some(days) = f
        .age
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=3650).contains(d))
    {
        q = q.filter(rb::submitted_at.le(now() - Duration::days(days)));
    }
    if let Some(key) = cursor {
        q = after(q, key);
    }
    Ok(Some(q.order((rb::submitted_at.asc(), rb::id.asc()))))
}

/// A page of the claims waiting for the actor (oldest first): submitted ones, and automatic
/// approvals drawn for a spot check; never the actor's own. A coordinator's page is one ordered
/// index range per association (`idx_reimbursements_association`, or
/// `idx_reimbursements_association_spot` for spot checks), merged here, so it costs the same
/// with 100 or 100,000 claims waiting, where one `IN (...)` query would sort them all; the
/// ranges are one statement (`db::UnionAll`, the limit a constant). An amount or reason filter
/// reads at most `FILTER_WINDOW` claims of each range: first one statement finds where each
/// range's window ends (`LIMIT 1 OFFSET 1999` of the unfiltered range, read from the index),
/// then the filtered ranges stop there; the page then may hold fewer rows than `PAGE_SIZE`,
/// and its next link goes on from the earliest window end.
pub fn page(
    conn: &mut DbConn,
    actor: &Actor,
    f: &QueueFilter,
) -> AppResult<(Vec<QueueRow>, Option<String>)> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let cursor = parse_cursor(&f.after);
    // A mentor's claims are one range of `idx_reimbursements_mentor_queue` (split by
    // association, the ranges of the associations without their claims would each read all of
    // them under PostgreSQL's generic plan).
    let ranges: Vec<Option<String>> =
        if actor.role() == Role::Coordinator && f.association.is_empty() && f.mentor.is_empty() {
            actor.associations.iter().cloned().map(Some).collect()
        } else {
            vec![None]
        };
    // Where each range's window ends (none: the range ends within it).
    let mut stops: Vec<Option<Key>> = vec![None; ranges.len()];
    if residual(f) {
        let mut union = crate::db::UnionAll::default();
        for r in &ranges {
            if let Some(q) = filtered(actor, f, r.as_deref(), cursor.as_ref(), false)? {
                union.push_window(
                    q.select((rb::local_association_id, rb::submitted_at, rb::id)),
                    1,
                    FILTER_WINDOW - 1,
                );
            }
        }
        if !union.is_empty() {
            let ends: Vec<(String, Option<NaiveDateTime>, String)> = union.load(conn)?;
            for (i, r) in ranges.iter().enumerate() {
                stops[i] = ends
                    .iter()
                    .find(|(a, _, _)| r.as_ref().is_none_or(|r| r == a))
                    .and_then(|(_, t, id)| t.map(|t| (t, id.clone())));
            }
        }
    }
    let mut union = crate::db::UnionAll::default();
    for (r, stop) in ranges.iter().zip(&stops) {
        let Some(mut q) = filtered(actor, f, r.as_deref(), cursor.as_ref(), true)? else {
            continue;
        };
        if let Some((t, id)) = stop {
            q = q.filter(rb::submitted_at.le(*t)).filter(
                rb::submitted_at
                    .lt(*t)
                    .or(rb::submitted_at.eq(*t).and(rb::id.le(id.clone()))),
            );
        }
        union.push_limited(q.select(Reimbursement::as_select()), PAGE_SIZE as u32 + 1);
    }
    // Merged in SQL: the first `PAGE_SIZE + 1` of all the ranges (the stop below cuts a tail).
    let mut rows: Vec<Reimbursement> = if union.is_empty() {
        Vec::new()
    } else {
        union
            .merged("submitted_at ASC, id ASC", PAGE_SIZE as u32 + 1)
            .load(conn)?
    };
    // Every range has been read up to the earliest window end: later rows wait for the next
    // page.
    let stop = stops.into_iter().flatten().min();
    let key = |c: &Reimbursement| (c.submitted_at, c.id.clone());
    if let Some((t, id)) = &stop {
        rows.retain(|c| key(c) <= (Some(*t), id.clone()));
    }
    rows.sort_by_key(key);
    rows.dedup_by(|a, b| a.id == b.id);
    let format =
        |(t, id): (NaiveDateTime, &str)| format!("{}~{id}", t.format("%Y-%m-%dT%H:%M:%S%.6f"));
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .and_then(|c| c.submitted_at.map(|t| format((t, &c.id))))
    } else {
        stop.as_ref().map(|(t, id)| format((*t, id)))
    };
    Ok((named(conn, rows)?, next))
}

/// Claims with their mentors' and associations' names.
pub fn named(conn: &mut DbConn, rows: Vec<Reimbursement>) -> QueryResult<Vec<QueueRow>> {
    let uids: Vec<String> = rows.iter().map(|c| c.user_id.clone()).collect();
    let aids: Vec<String> = rows
        .iter()
        .map(|c| c.local_association_id.clone())
        .collect();
    let names: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(&uids))
        .select((users::id, users::name))
        .load(conn)?;
    let assocs: Vec<(String, String)> = la::table
        .filter(la::id.eq_any(&aids))
        .select((la::id, la::name))
        .load(conn)?;
    let name = |list: &[(String, String)], id: &str| {
        list.iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|c| QueueRow {
            mentor: name(&names, &c.user_id),
            association: name(&assocs, &c.local_association_id),
            c,
        })
        .collect())
}

/// The filter's choices: the actor's associations (an administrator's: those with claims
/// waiting, one index probe each) and the peer mentors of them with a claim waiting.
pub fn filter_choices(conn: &mut DbConn, actor: &Actor) -> AppResult<(Choices, Choices)> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let waiting_in = rb::table
        .filter(rb::local_association_id.eq(la::id))
        .filter(rb::status.eq("submitted"));
    let mut aq = la::table
        .filter(la::organization_id.eq(org.clone()))
        .into_boxed();
    let mut mq = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::organization_id.eq(Some(org.clone())))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .filter(users::id.ne(actor.user_id.clone()))
        .filter(diesel::dsl::exists(
            rb::table
                .filter(rb::user_id.eq(users::id))
                .filter(rb::status.eq("submitted")),
        ))
        .into_boxed();
    if actor.role() == Role::Coordinator {
        aq = aq.filter(la::id.eq_any(actor.associations.clone()));
        mq = mq.filter(
            uor::local_association_id.eq_any(
                actor
                    .associations
                    .iter()
                    .map(|a| Some(a.clone()))
                    .collect::<Vec<_>>(),
            ),
        );
    } else {
        aq = aq.filter(diesel::dsl::exists(waiting_in));
    }
    let associations = aq
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .limit(500)
        .load(conn)?;
    let mentors = mq
        .select((users::id, users::name))
        .distinct()
        .order(users::name.asc())
        .limit(500)
        .load(conn)?;
    Ok((associations, mentors))
}

// ---------------------------------------------------------------- decisions

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Return,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "return" => Some(Decision::Return),
            _ => None,
        }
    }
}

/// What a decision answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    Done(&'static str),
    /// Someone decided first (or the claim changed): who, and the status it has now.
    AlreadyDecided {
        by: String,
        status: String,
    },
}

/// Decides a waiting claim, or a spot check of an automatic approval. `note` is the reason
/// (reject) or the comment (send back), required for both.
pub fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    d: Decision,
    note: &str,
) -> AppResult<Result<Decided, FieldErrors>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let c = super::service::find(conn, actor, id)?;
    if c.user_id == actor.user_id {
        return Err(AppError::NotFound);
    }
    let note = forms::opt(&Some(note.to_string()));
    let mut errors = FieldErrors::new();
    if d != Decision::Approve && note.is_none() {
        errors.add("note", "expense.err_note_required");
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        errors.add("note", "err.too_long");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let spot = c.status == "approved" && c.spot_check == "pending";
    if spot && d == Decision::Return {
        errors.add("note", "expense.err_spot_check_return");
        return Ok(Err(errors));
    }
    crate::db::tx(conn, |tx| {
        let t = now();
        let me = actor.user_id.clone();
        let (status, decision, action): (&str, &str, &str) = match (spot, d) {
            (true, Decision::Approve) => ("approved", "spot_checked", "reimbursement.spot_checked"),
            (_, Decision::Approve) => ("approved", "approved", "reimbursement.approved"),
            (_, Decision::Reject) => ("rejected", "rejected", "reimbursement.rejected"),
            (_, Decision::Return) => ("returned", "returned", "reimbursement.returned"),
        };
        let n = if spot {
            diesel::update(
                rb::table
                    .find(id)
                    .filter(rb::status.eq("approved"))
                    .filter(rb::spot_check.eq("pending"))
                    .filter(rb::export_id.is_null())
                    .filter(rb::user_id.ne(&me)),
            )
            .set((
                rb::status.eq(status),
                rb::spot_check.eq("done"),
                rb::version.eq(rb::version + 1),
                rb::decided_at.eq(Some(t)),
                rb::decided_by.eq(Some(&me)),
                rb::decision_note.eq(&note),
                rb::updated_at.eq(t),
            ))
            .execute(tx.conn)?
        } else {
            diesel::update(
                rb::table
                    .find(id)
                    .filter(rb::status.eq("submitted"))
                    .filter(rb::user_id.ne(&me)),
            )
            .set((
                rb::status.eq(status),
                rb::version.eq(rb::version + 1),
                rb::decided_at.eq(Some(t)),
                rb::decided_by.eq(Some(&me)),
                rb::decision_note.eq(&note),
                rb::updated_at.eq(t),
            ))
            .execute(tx.conn)?
        };
        if n == 0 {
            let now_is: Reimbursement = rb::table
                .find(id)
                .select(Reimbursement::as_select())
                .first(tx.conn)?;
            let by = match &now_is.decided_by {
                Some(u) => entry::user_name(tx.conn, u)?,
                None => String::new(),
            };
            return Ok(Ok(Decided::AlreadyDecided {
                by,
                status: now_is.status,
            }));
        }
        diesel::insert_into(ra::table)
            .values(&Approval {
                id: new_id(),
                reimbursement_id: id.to_string(),
                organization_id: c.organization_id.clone(),
                decision: decision.into(),
                automatic: false,
                decided_by: Some(me.clone()),
                reason: note.clone(),
                rules: String::new(),
                created_at: t,
            })
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &c.organization_id,
                action,
                "reimbursement",
                id,
                serde_json::json!({ "total": c.total_ore, "note": note }),
            ),
        )?;
        // The claimant learns of the decision (a spot check that confirms changes nothing).
        let scenario = match decision {
            "approved" => Some("claim.approved"),
            "rejected" => Some("claim.rejected"),
            "returned" => Some("claim.returned"),
            _ => None,
        };
        if let Some(scenario) = scenario {
            crate::notifications::notify(
                tx.conn,
                &crate::notifications::Notice {
                    user_id: &c.user_id,
                    org_id: Some(&c.organization_id),
                    role: Some(Role::PeerMentor),
                    scenario,
                    subject_kind: "reimbursement",
                    subject_id: id,
                    link: format!("/claims/{id}"),
                    params: serde_json::json!({
                        "amount": crate::expenses::money::kr(c.total_ore, "nb"),
                        "note": note.clone().unwrap_or_default(),
                    }),
                },
            )?;
        }
        Ok(Ok(Decided::Done(status)))
    })
}

/// Approves the chosen claims, each with its own conditional update: (approved, already decided
/// by someone else). Claims outside the actor's scope, and their own, are skipped.
pub fn approve_many(conn: &mut DbConn, actor: &Actor, ids: &[String]) -> AppResult<(usize, usize)> {
    let (mut done, mut taken) = (0, 0);
    for id in ids.iter().take(PAGE_SIZE as usize) {
        let Some(id) = crate::db::parse_id(id) else {
            continue;
        };
        match decide(conn, actor, &id, Decision::Approve, "") {
            Ok(Ok(Decided::Done(_))) => done += 1,
            Ok(Ok(Decided::AlreadyDecided { .. })) => taken += 1,
            Ok(Err(_)) | Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((done, taken))
}
