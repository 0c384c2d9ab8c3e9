//! The reminder engine: each reminder scenario's finder (one query, or one per organization)
//! lists what is due; the engine skips what was made already (one read of the scenario's keys
//! from the earliest due date on) and makes each new one in its own transaction: the row in
//! `reminders`, whose unique key (user, scenario, subject, due date) refuses a second one from
//! any instance, then the notice (`service::notify`), so a reminder is made and sent once.
//! Mentors who are paused, suspended or deactivated are left out by every mentor finder
//! (`peer_mentors.status = 'active'`), deactivated accounts by `notify`.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Oslo;
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::model::Reminder;
use super::scenarios::{self, Due, Kind, Pass, Scenario};
use super::service::{notify, Delivery, Notice};
use crate::access::Role;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    activities as act, certifications as ct, contact_mentors as cm, contacts as c,
    course_enrollments as ce, courses as co, event_attendees as ea, events as ev,
    organizations as o, peer_mentors as pm, reimbursements as rb, reminders as rm,
    user_organization_roles as uor, users,
};

impl Pass {
    /// The pass at this moment: today in Norway.
    pub fn at(now: NaiveDateTime) -> Pass {
        Pass {
            today: now.and_utc().with_timezone(&Oslo).date_naive(),
            now,
        }
    }
}

/// The UTC instant a day starts at in Norway.
pub fn day_start(d: NaiveDate) -> NaiveDateTime {
    Oslo.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// What one pass made, per scenario.
#[derive(Debug, Default)]
pub struct Report {
    pub made: Vec<(&'static str, usize)>,
}

impl Report {
    pub fn total(&self) -> usize {
        self.made.iter().map(|(_, n)| n).sum()
    }
}

/// Evaluates every reminder scenario once.
pub fn run(conn: &mut DbConn, pass: &Pass) -> QueryResult<Report> {
    let mut report = Report::default();
    for s in scenarios::ALL {
        if let Kind::Reminder(find) = s.kind {
            let dues = find(conn, pass)?;
            report.made.push((s.key, make_all(conn, s, dues)?));
        }
    }
    Ok(report)
}

/// Makes the reminders of `dues` that were not made yet; how many this call made.
pub fn make_all(conn: &mut DbConn, s: &Scenario, dues: Vec<Due>) -> QueryResult<usize> {
    let Some(first) = dues.iter().map(|d| d.due_on).min() else {
        return Ok(0);
    };
    let known: HashSet<(String, String, NaiveDate)> = rm::table
        .filter(rm::scenario.eq(s.key))
        .filter(rm::due_on.ge(first))
        .select((rm::user_id, rm::subject_id, rm::due_on))
        .load(conn)?
        .into_iter()
        .collect();
    let mut made = 0;
    for d in dues {
        if known.contains(&(d.user_id.clone(), d.subject_id.clone(), d.due_on)) {
            continue;
        }
        if make(conn, s.key, &d)? {
            made += 1;
        }
    }
    Ok(made)
}

/// The unique key of a reminder (or digest): made once per user, scenario, subject and day.
pub struct Key<'a> {
    pub user_id: &'a str,
    pub org_id: &'a str,
    pub scenario: &'static str,
    pub subject_kind: &'a str,
    pub subject_id: &'a str,
    pub due_on: NaiveDate,
}

/// Records the key and runs `send` (the notice) in one transaction; false when the key exists
/// already (made meanwhile by another instance: the unique index refused it, and the
/// transaction, notice and mail with it, is rolled back).
pub fn once(
    conn: &mut DbConn,
    k: &Key<'_>,
    send: &dyn Fn(&mut DbConn) -> QueryResult<Delivery>,
) -> QueryResult<bool> {
    let outcome = crate::db::tx(conn, |tx| {
        let id = new_id();
        diesel::insert_into(rm::table)
            .values(Reminder {
                id: id.clone(),
                user_id: k.user_id.to_string(),
                organization_id: k.org_id.to_string(),
                scenario: k.scenario.to_string(),
                subject_kind: k.subject_kind.to_string(),
                subject_id: k.subject_id.to_string(),
                due_on: k.due_on,
                notification_id: None,
                created_at: now(),
            })
            .execute(tx.conn)?;
        if let Some(n) = send(tx.conn)?.notification_id {
            diesel::update(rm::table.find(&id))
                .set(rm::notification_id.eq(Some(n)))
                .execute(tx.conn)?;
        }
        Ok::<_, DieselError>(())
    });
    match outcome {
        Ok(()) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Makes one reminder and its notice; false when it exists already.
pub fn make(conn: &mut DbConn, scenario: &'static str, d: &Due) -> QueryResult<bool> {
    let key = Key {
        user_id: &d.user_id,
        org_id: &d.org_id,
        scenario,
        subject_kind: d.subject_kind,
        subject_id: &d.subject_id,
        due_on: d.due_on,
    };
    once(conn, &key, &|c| {
        notify(
            c,
            &Notice {
                user_id: &d.user_id,
                org_id: Some(&d.org_id),
                role: Some(d.role),
                scenario,
                subject_kind: d.subject_kind,
                subject_id: &d.subject_id,
                link: d.link.clone(),
                params: d.params.clone(),
            },
        )
    })
}

fn oslo_time(t: NaiveDateTime) -> String {
    t.and_utc().with_timezone(&Oslo).format("%H:%M").to_string()
}

// ---------------------------------------------------------------- finders

/// An assigned contact without an activity by its mentor for the organization's number of
/// days (`organizations.reminder_inactive_days`, 10 by default), to the mentor. Due the day
/// the quiet period reached that length (the last activity, or the assignment, plus the days),
/// so one quiet period gives one reminder and a new activity starts a new period.
pub fn contact_inactive(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    let orgs: Vec<(String, i32)> = o::table
        .filter(o::is_active.eq(true))
        .select((o::id, o::reminder_inactive_days))
        .load(conn)?;
    let mut out = Vec::new();
    for (org, days) in orgs {
        let days = days.clamp(1, 3650);
        let cutoff = pass.today - Duration::days(i64::from(days));
        let rows: Vec<(String, String, String, NaiveDateTime, Option<NaiveDate>)> = cm::table
            .inner_join(c::table)
            .inner_join(
                pm::table.on(pm::user_id
                    .eq(cm::user_id)
                    .and(pm::organization_id.eq(c::organization_id))),
            )
            .inner_join(users::table.on(users::id.eq(cm::user_id)))
            .filter(c::organization_id.eq(&org))
            .filter(cm::ended_at.is_null())
            .filter(c::is_active.eq(true))
            .filter(c::erased_at.is_null())
            .filter(pm::status.eq("active"))
            .filter(users::is_active.eq(true))
            .filter(cm::assigned_at.lt(day_start(cutoff + Duration::days(1))))
            .filter(not(exists(
                act::table
                    .filter(act::contact_id.eq(cm::contact_id.nullable()))
                    .filter(act::mentor_id.eq(cm::user_id))
                    .filter(act::status.eq("registered"))
                    .filter(act::occurred_on.gt(cutoff)),
            )))
            .select((
                cm::user_id,
                cm::contact_id,
                c::name,
                cm::assigned_at,
                act::table
                    .filter(act::contact_id.eq(cm::contact_id.nullable()))
                    .filter(act::mentor_id.eq(cm::user_id))
                    .filter(act::status.eq("registered"))
                    .select(max(act::occurred_on))
                    .single_value(),
            ))
            .load(conn)?;
        for (user, contact, name, assigned_at, last) in rows {
            let assigned = assigned_at.and_utc().with_timezone(&Oslo).date_naive();
            let since = last.map_or(assigned, |l| l.max(assigned));
            out.push(Due {
                user_id: user,
                org_id: org.clone(),
                role: Role::PeerMentor,
                subject_kind: "contact",
                link: format!("/contacts/{contact}"),
                subject_id: contact,
                due_on: since + Duration::days(i64::from(days)),
                params: serde_json::json!({
                    "name": name,
                    "days": (pass.today - since).num_days().to_string(),
                }),
            });
        }
    }
    Ok(out)
}

/// A planned event starting tomorrow (in Norway), to each registered, active mentor.
pub fn event_tomorrow(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    let tomorrow = pass.today + Duration::days(1);
    let (from, to) = (day_start(tomorrow), day_start(tomorrow + Duration::days(1)));
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = ev::table
        .inner_join(ea::table)
        .inner_join(users::table.on(users::id.eq(ea::user_id)))
        .inner_join(
            pm::table.on(pm::user_id
                .eq(ea::user_id)
                .and(pm::organization_id.eq(ev::organization_id))),
        )
        .filter(ev::status.eq("planned"))
        .filter(ev::starts_at.ge(from))
        .filter(ev::starts_at.lt(to))
        .filter(ea::status.eq("registered"))
        .filter(users::is_active.eq(true))
        .filter(pm::status.eq("active"))
        .select((
            ea::user_id,
            ev::id,
            ev::organization_id,
            ev::title,
            ev::starts_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user, event, org, title, starts_at)| Due {
            user_id: user,
            org_id: org,
            role: Role::PeerMentor,
            subject_kind: "event",
            link: format!("/events/{event}"),
            subject_id: event,
            due_on: tomorrow,
            params: serde_json::json!({ "title": title, "time": oslo_time(starts_at) }),
        })
        .collect())
}

// `claim_pending` groups by a coordinator (their grant) and a claim's organization.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    crate::schema::user_organization_roles::user_id,
    crate::schema::reimbursements::organization_id,
);

/// Waiting claims of one coordinator, organization and hour of submission: their count, total
/// and smallest id.
type HourRow = (
    String,
    String,
    Option<NaiveDateTime>,
    i64,
    Option<i64>,
    Option<String>,
);
/// A coordinator, an organization and the day the seven days ran out.
type DayKey = (String, String, NaiveDate);
/// The claims of a `DayKey`: how many, their total, and the smallest id of its first hour.
type Waiting = (i64, i64, Option<String>);

/// Days a claim may wait for a decision before its coordinators are reminded.
pub const CLAIM_PENDING_DAYS: i64 = 7;

/// Claims waiting for a decision more than seven days, to each coordinator of their
/// association (not the claimant): one reminder per coordinator and day on which claims passed
/// the seven days, however many they were (the key's subject is that coordinator's queue), so a
/// coordinator with a long queue gets one line a day, not one per claim. One claim links to
/// itself; several to the queue filtered by age.
///
/// The database counts and sums the claims per coordinator, organization and hour of
/// submission (UTC): the day the seven days ran out is the day in Norway, which SQLite cannot
/// compute (it has no time zones), but an hour never straddles midnight in Oslo (its offset is
/// whole hours), so each hour's row belongs to one Norwegian day, found here with chrono-tz as
/// everywhere else. The rows come ordered, so the hours of one day are merged as they come: at
/// most 24 rows a day and coordinator, however many claims. A coordinator granted the same
/// association twice is joined by the earliest of those grants only, so a claim counts once.
pub fn claim_pending(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    use crate::db::HourOf;
    use diesel::dsl::{count, min};
    let earlier = diesel::alias!(crate::schema::user_organization_roles as earlier);
    let hour = HourOf(rb::submitted_at);
    let rows: Vec<HourRow> = rb::table
        .inner_join(
            uor::table.on(uor::local_association_id
                .eq(rb::local_association_id.nullable())
                .and(uor::role_id.eq(Role::Coordinator.key()))
                .and(uor::revoked_at.is_null())),
        )
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(rb::status.eq("submitted"))
        .filter(rb::submitted_at.le(pass.now - Duration::days(CLAIM_PENDING_DAYS)))
        .filter(users::is_active.eq(true))
        .filter(uor::user_id.ne(rb::user_id))
        .filter(not(exists(
            earlier
                .filter(earlier.field(uor::user_id).eq(uor::user_id))
                .filter(
                    earlier
                        .field(uor::local_association_id)
                        .eq(uor::local_association_id),
                )
                .filter(earlier.field(uor::role_id).eq(Role::Coordinator.key()))
                .filter(earlier.field(uor::revoked_at).is_null())
                .filter(earlier.field(uor::id).lt(uor::id)),
        )))
        .group_by((uor::user_id, rb::organization_id, hour))
        .order_by((uor::user_id, rb::organization_id, hour))
        .select((
            uor::user_id,
            rb::organization_id,
            hour,
            count(rb::id),
            crate::expenses::sum_bigint("reimbursements.total_ore"),
            min(rb::id),
        ))
        .load(conn)?;
    // (coordinator, organization, day the seven days ran out): claims, their total and the
    // first hour's smallest id, which is the claim when there is one.
    let mut groups: Vec<(DayKey, Waiting)> = Vec::new();
    for (user, org, hour, claims, total, first) in rows {
        let submitted = hour
            .unwrap_or(pass.now)
            .and_utc()
            .with_timezone(&Oslo)
            .date_naive();
        let key = (user, org, submitted + Duration::days(CLAIM_PENDING_DAYS));
        match groups.last_mut() {
            Some((k, g)) if *k == key => {
                g.0 += claims;
                g.1 += total.unwrap_or(0);
            }
            _ => groups.push((key, (claims, total.unwrap_or(0), first))),
        }
    }
    // In the order of the keys, as Rust compares them (the database's collation may differ).
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(groups
        .into_iter()
        .map(|((user, org, due_on), (claims, total, first))| {
            let waited = (pass.today - due_on).num_days() + CLAIM_PENDING_DAYS;
            let link = match (claims, first) {
                (1, Some(claim)) => format!("/claims/{claim}"),
                _ => format!("/claims?age={waited}"),
            };
            Due {
                user_id: user.clone(),
                org_id: org,
                role: Role::Coordinator,
                subject_kind: "approval_queue",
                subject_id: user,
                due_on,
                link,
                params: serde_json::json!({
                    "count": claims.to_string(),
                    "amount": crate::expenses::money::kr(total, "nb"),
                    "days": waited.to_string(),
                }),
            }
        })
        .collect())
}

/// A course starting tomorrow in Norway (its first day), to each mentor enrolled with a seat
/// (`registered`, active mentor), due tomorrow.
pub fn course_tomorrow(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    let tomorrow = pass.today + Duration::days(1);
    let (from, to) = (day_start(tomorrow), day_start(tomorrow + Duration::days(1)));
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = co::table
        .inner_join(ce::table)
        .inner_join(users::table.on(users::id.eq(ce::user_id)))
        .inner_join(
            pm::table.on(pm::user_id
                .eq(ce::user_id)
                .and(pm::organization_id.eq(co::organization_id))),
        )
        .filter(co::status.eq("open"))
        .filter(co::starts_at.ge(from))
        .filter(co::starts_at.lt(to))
        .filter(ce::status.eq("registered"))
        .filter(users::is_active.eq(true))
        .filter(pm::status.eq("active"))
        .select((
            ce::user_id,
            co::id,
            co::organization_id,
            co::title,
            co::starts_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user, course, org, title, starts_at)| Due {
            user_id: user,
            org_id: org,
            role: Role::PeerMentor,
            subject_kind: "course",
            link: format!("/courses/{course}"),
            subject_id: course,
            due_on: tomorrow,
            params: serde_json::json!({ "title": title, "time": oslo_time(starts_at) }),
        })
        .collect())
}

/// The days before expiry a holder is reminded.
pub const EXPIRY_NOTICE_DAYS: [i64; 2] = [30, 7];

/// An active (not revoked) certification whose expiry is 30 or 7 days away or closer, to its
/// holder while an active mentor: one reminder per notice (due 30 and 7 days before the expiry),
/// none once it has expired.
pub fn certification_expiring(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    let horizon = pass.today + Duration::days(EXPIRY_NOTICE_DAYS[0]);
    let rows: Vec<(String, String, String, String, Option<NaiveDate>)> = ct::table
        .inner_join(users::table.on(users::id.eq(ct::user_id)))
        .inner_join(
            pm::table.on(pm::user_id
                .eq(ct::user_id)
                .and(pm::organization_id.eq(ct::organization_id))),
        )
        .filter(ct::revoked_at.is_null())
        .filter(ct::expires_on.ge(pass.today))
        .filter(ct::expires_on.le(horizon))
        .filter(users::is_active.eq(true))
        .filter(pm::status.eq("active"))
        .select((
            ct::user_id,
            ct::id,
            ct::organization_id,
            ct::name,
            ct::expires_on,
        ))
        .load(conn)?;
    Ok(expiry_dues(pass, rows, "certification", |id| {
        format!("/certifications/{id}")
    }))
}

/// The due reminders of things expiring: (user, subject, org, title, expires_on) rows, each
/// with a reminder per notice day that has come.
pub fn expiry_dues(
    pass: &Pass,
    rows: Vec<(String, String, String, String, Option<NaiveDate>)>,
    kind: &'static str,
    link: impl Fn(&str) -> String,
) -> Vec<Due> {
    let mut out = Vec::new();
    for (user, id, org, title, expires) in rows {
        let Some(expires) = expires else { continue };
        for days in EXPIRY_NOTICE_DAYS {
            let due_on = expires - Duration::days(days);
            if due_on > pass.today {
                continue;
            }
            out.push(Due {
                user_id: user.clone(),
                org_id: org.clone(),
                role: Role::PeerMentor,
                subject_kind: kind,
                subject_id: id.clone(),
                due_on,
                link: link(&id),
                params: serde_json::json!({
                    "title": title,
                    "expires": expires.format("%-d.%-m.%Y").to_string(),
                }),
            });
        }
    }
    out
}

/// A mentor's approval requirement (police certificate, confidentiality declaration, …) whose
/// validity ends in 30 or 7 days or sooner, as `certification_expiring`, from the newest record
/// of each active requirement with a validity; subject_kind "requirement" (the requirement's
/// id: one reminder per mentor, requirement and notice).
pub fn requirement_expiring(conn: &mut DbConn, pass: &Pass) -> QueryResult<Vec<Due>> {
    use crate::schema::{approval_requirements as ar, requirement_records as rr};
    let reqs: Vec<(String, String, Option<i32>)> = ar::table
        .filter(ar::is_active.eq(true))
        .filter(ar::validity_months.is_not_null())
        .select((ar::id, ar::name, ar::validity_months))
        .load(conn)?;
    if reqs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = reqs.iter().map(|r| r.0.clone()).collect();
    let records: Vec<(String, String, String, Option<NaiveDate>)> = rr::table
        .inner_join(users::table.on(users::id.eq(rr::user_id)))
        .inner_join(
            pm::table.on(pm::user_id
                .eq(rr::user_id)
                .and(pm::organization_id.eq(rr::organization_id))),
        )
        .filter(rr::requirement_id.eq_any(ids))
        .filter(users::is_active.eq(true))
        .filter(pm::status.eq("active"))
        .group_by((rr::user_id, rr::requirement_id, rr::organization_id))
        .select((
            rr::user_id,
            rr::requirement_id,
            rr::organization_id,
            max(rr::fulfilled_on),
        ))
        .load(conn)?;
    let newest = records.into_iter().filter_map(|(user, req, org, last)| {
        let (_, name, months) = reqs.iter().find(|r| r.0 == req)?;
        Some((user, req, org, name.clone(), *months, last))
    });
    let horizon = pass.today + Duration::days(EXPIRY_NOTICE_DAYS[0]);
    let rows = newest
        .filter_map(|(user, req, org, name, months, last)| {
            let until = last?.checked_add_months(chrono::Months::new(months?.max(0) as u32))?;
            (until >= pass.today && until <= horizon).then_some((user, req, org, name, Some(until)))
        })
        .collect();
    Ok(expiry_dues(pass, rows, "requirement", |_| {
        "/requirements/mine".to_string()
    }))
}
