//! Mentor approval requirements: the organization administrator's list (kinds, validity), the
//! records a coordinator keeps (a date only: for a police certificate the date it was seen,
//! never the document), and where each mentor stands. `eligible` is what assignment dispatch
//! (and anything else that demands approval) asks.

use chrono::{Duration, Months, NaiveDate};
use diesel::dsl::max;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::learning::certifications::model::EXPIRING_DAYS;
use crate::learning::courses::service::audit_event;
use crate::schema::{
    approval_requirements as ar, certifications as ct, requirement_records as rr,
    user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

/// Mentors listed on the coordinator's overview at most.
pub const MENTORS_MAX: i64 = 300;

/// The organization's active requirements, by name.
pub fn active(conn: &mut DbConn, org: &str) -> QueryResult<Vec<Requirement>> {
    ar::table
        .filter(ar::organization_id.eq(org))
        .filter(ar::is_active.eq(true))
        .order((ar::name.asc(), ar::id.asc()))
        .select(Requirement::as_select())
        .load(conn)
}

fn plus_months(d: NaiveDate, m: Option<i32>) -> Option<NaiveDate> {
    m.and_then(|m| d.checked_add_months(Months::new(m.max(0) as u32)))
}

/// Where the users stand on the requirements: the newest record of each, or the best
/// certification of the required name; three queries whatever the number of users.
pub fn standings(
    conn: &mut DbConn,
    org: &str,
    reqs: &[Requirement],
    users_: &[String],
    today: NaiveDate,
) -> QueryResult<Vec<(String, Vec<Standing>)>> {
    let records: Vec<(String, String, Option<NaiveDate>)> = rr::table
        .filter(rr::organization_id.eq(org))
        .filter(rr::user_id.eq_any(users_))
        .group_by((rr::user_id, rr::requirement_id))
        .select((rr::user_id, rr::requirement_id, max(rr::fulfilled_on)))
        .load(conn)?;
    let names: Vec<String> = reqs
        .iter()
        .filter(|r| by_certification(&r.kind))
        .filter_map(|r| r.certification_name.clone())
        .collect();
    let certs: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = ct::table
        .filter(ct::organization_id.eq(org))
        .filter(ct::user_id.eq_any(users_))
        .filter(ct::name.eq_any(names))
        .filter(ct::revoked_at.is_null())
        .select((ct::user_id, ct::name, ct::issued_on, ct::expires_on))
        .load(conn)?;
    let horizon = today + Duration::days(EXPIRING_DAYS);
    Ok(users_
        .iter()
        .map(|u| {
            let list = reqs
                .iter()
                .map(|r| {
                    // Candidates: (fulfilled on, valid until; None = does not expire).
                    let mut found: Vec<(NaiveDate, Option<NaiveDate>)> = records
                        .iter()
                        .filter(|(uid, rid, _)| uid == u && *rid == r.id)
                        .filter_map(|(_, _, d)| *d)
                        .map(|d| (d, plus_months(d, r.validity_months)))
                        .collect();
                    if let (true, Some(n)) = (by_certification(&r.kind), &r.certification_name) {
                        found.extend(
                            certs
                                .iter()
                                .filter(|(uid, cn, _, _)| uid == u && cn == n)
                                .map(|(_, _, issued, exp)| {
                                    let own = plus_months(*issued, r.validity_months);
                                    let until = match (exp, own) {
                                        (Some(a), Some(b)) => Some(*a.min(&b)),
                                        (a, b) => a.or(b),
                                    };
                                    (*issued, until)
                                }),
                        );
                    }
                    // The one valid longest (no expiry beats any date).
                    let best = found
                        .into_iter()
                        .max_by_key(|(d, until)| (until.is_none(), *until, *d));
                    let (fulfilled_on, valid_until, state) = match best {
                        None => (None, None, "missing"),
                        Some((d, None)) => (Some(d), None, "ok"),
                        Some((d, Some(until))) => (
                            Some(d),
                            Some(until),
                            if until < today {
                                "expired"
                            } else if until <= horizon {
                                "expiring"
                            } else {
                                "ok"
                            },
                        ),
                    };
                    Standing {
                        requirement: r.clone(),
                        fulfilled_on,
                        valid_until,
                        state,
                    }
                })
                .collect();
            (u.clone(), list)
        })
        .collect())
}

/// Whether the user meets every active requirement of the organization today (nothing missing
/// or expired; expiring still counts as met).
pub fn eligible(conn: &mut DbConn, org: &str, user: &str) -> QueryResult<bool> {
    let reqs = active(conn, org)?;
    if reqs.is_empty() {
        return Ok(true);
    }
    let today = crate::activities::service::today();
    let s = standings(conn, org, &reqs, &[user.to_string()], today)?;
    Ok(s.iter().all(|(_, l)| !l.iter().any(Standing::blocks)))
}

/// The actor's own standing (a peer mentor).
pub fn mine(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Standing>> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    let reqs = active(conn, &org)?;
    let today = crate::activities::service::today();
    Ok(standings(
        conn,
        &org,
        &reqs,
        std::slice::from_ref(&actor.user_id),
        today,
    )?
    .into_iter()
    .next()
    .map(|(_, l)| l)
    .unwrap_or_default())
}

/// The peer mentors the actor oversees (a coordinator's associations, or the organization for
/// an administrator): (id, name), by name, bounded.
pub fn mentors(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    let org = actor.org()?.to_string();
    let mut q = uor::table
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .into_boxed();
    match actor.role() {
        Role::Coordinator => {
            q = q.filter(uor::local_association_id.eq_any(actor.associations.clone()))
        }
        Role::OrgAdmin => {}
        _ => return Err(AppError::NotFound),
    }
    let ids: Vec<String> = q.select(uor::user_id).load(conn)?;
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .filter(users::is_active.eq(true))
        .order((users::name_key.asc(), users::id.asc()))
        .limit(MENTORS_MAX)
        .select((users::id, users::name))
        .load(conn)?)
}

/// The overview: each mentor in scope with where they stand (gaps first).
pub fn overview(
    conn: &mut DbConn,
    actor: &Actor,
) -> AppResult<(Vec<Requirement>, Vec<MentorStanding>)> {
    let org = actor.org()?.to_string();
    let people = mentors(conn, actor)?;
    let reqs = active(conn, &org)?;
    let ids: Vec<String> = people.iter().map(|(id, _)| id.clone()).collect();
    let today = crate::activities::service::today();
    let s = standings(conn, &org, &reqs, &ids, today)?;
    let mut out: Vec<MentorStanding> = people
        .into_iter()
        .zip(s)
        .map(|((user_id, name), (_, standings))| MentorStanding {
            user_id,
            name,
            standings,
        })
        .collect();
    out.sort_by_key(|m| m.eligible());
    Ok((reqs, out))
}

// ---------------------------------------------------------------- administration

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RequirementForm {
    pub kind: String,
    pub name: String,
    pub certification_name: String,
    pub validity_months: String,
}

/// The administrator's list, inactive ones included.
pub fn all(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Requirement>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    Ok(ar::table
        .filter(ar::organization_id.eq(org))
        .order((ar::is_active.desc(), ar::name.asc()))
        .select(Requirement::as_select())
        .load(conn)?)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &RequirementForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let kind = f.kind.trim();
    if !KINDS.contains(&kind) {
        errors.add("kind", "err.choice");
    }
    let name = forms::fold_whitespace(&f.name);
    if name.is_empty() {
        errors.add("name", "err.required");
    } else if name.chars().count() > 200 {
        errors.add("name", "err.too_long");
    }
    let cert = forms::fold_whitespace(&f.certification_name);
    if by_certification(kind) && cert.is_empty() {
        errors.add("certification_name", "req.err_certification");
    }
    let validity = match f.validity_months.trim() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) if (1..=240).contains(&n) => Some(n),
            _ => {
                errors.add("validity_months", "req.err_validity");
                None
            }
        },
    };
    let taken: i64 = ar::table
        .filter(ar::organization_id.eq(&org))
        .filter(ar::name.eq(&name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        errors.add("name", "req.err_taken");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let t = now();
    let r = Requirement {
        id: new_id(),
        organization_id: org.clone(),
        kind: kind.to_string(),
        name,
        certification_name: (!cert.is_empty()).then_some(cert),
        validity_months: validity,
        is_active: true,
        created_at: t,
        updated_at: t,
    };
    crate::db::tx(conn, |tx| {
        diesel::insert_into(ar::table).values(&r).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "requirement.created",
                "requirement",
                &r.id,
                serde_json::json!({ "name": r.name }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}

/// Turns a requirement off or on again (its records stay).
pub fn set_active(conn: &mut DbConn, actor: &Actor, id: &str, on: bool) -> AppResult<()> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let n = diesel::update(ar::table.find(id).filter(ar::organization_id.eq(&org)))
            .set((ar::is_active.eq(on), ar::updated_at.eq(now())))
            .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "requirement.changed",
                "requirement",
                id,
                serde_json::json!({ "active": on }),
            ),
        )?;
        Ok(())
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RecordForm {
    pub user_id: String,
    pub requirement_id: String,
    pub fulfilled_on: String,
}

/// A coordinator (or administrator) records that a mentor met a requirement on a date.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    f: &RecordForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let user = f.user_id.trim();
    if !mentors(conn, actor)?.iter().any(|(id, _)| id == user) {
        errors.add("user_id", "err.choice");
    }
    let req = f.requirement_id.trim();
    if !active(conn, &org)?.iter().any(|r| r.id == req) {
        errors.add("requirement_id", "err.choice");
    }
    let today = crate::activities::service::today();
    let date = NaiveDate::parse_from_str(f.fulfilled_on.trim(), "%Y-%m-%d").ok();
    match date {
        None => errors.add("fulfilled_on", "req.err_date"),
        Some(d) if d > today => errors.add("fulfilled_on", "req.err_future"),
        _ => {}
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    crate::db::tx(conn, |tx| {
        let id = new_id();
        diesel::insert_into(rr::table)
            .values((
                rr::id.eq(&id),
                rr::organization_id.eq(&org),
                rr::requirement_id.eq(req),
                rr::user_id.eq(user),
                rr::fulfilled_on.eq(date),
                rr::recorded_by.eq(Some(&actor.user_id)),
                rr::created_at.eq(now()),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "requirement.recorded",
                "requirement",
                req,
                serde_json::json!({ "user_id": user, "fulfilled_on": date.to_string() }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}
