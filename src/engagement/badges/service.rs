//! Badge definitions, awarding and what a mentor has earned.
//!
//! Awarding is idempotent: `user_badges` has a unique index on `(badge_id, user_id)`, the job
//! only looks at users without the badge, and an insert that meets the index (a race with
//! another instance) is counted as already awarded. Each new award goes through
//! `on_awarded`, the one place a notification is to be sent from.

use chrono::Datelike;
use diesel::dsl::{count, count_star};
use diesel::expression_methods::AggregateExpressionMethods;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::engagement::audit_event;
use crate::engagement::model::{Badge, UserBadge};
use crate::schema::{
    activities as act, badges as b, course_enrollments as ce, courses as co, event_attendees as ea,
    events as ev, peer_mentors as pm, user_badges as ub,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

/// What earns a badge: the kind, its label key, and whether it takes a number.
pub static TRIGGERS: &[(&str, &str, bool)] = &[
    ("activities", "engage.trigger_activities", true),
    ("first_activity", "engage.trigger_first_activity", false),
    ("contacts", "engage.trigger_contacts", true),
    ("course_completed", "engage.trigger_course_completed", true),
    ("years_active", "engage.trigger_years_active", true),
    ("events_attended", "engage.trigger_events_attended", true),
];

/// The icons shipped with the app (`static/icons/badges/<key>.svg`) and their label keys.
pub static ICONS: &[(&str, &str)] = &[
    ("star", "engage.icon_star"),
    ("heart", "engage.icon_heart"),
    ("handshake", "engage.icon_handshake"),
    ("trophy", "engage.icon_trophy"),
    ("calendar", "engage.icon_calendar"),
    ("book", "engage.icon_book"),
];

pub fn trigger_label(kind: &str) -> &'static str {
    TRIGGERS
        .iter()
        .find(|t| t.0 == kind)
        .map_or("engage.trigger_activities", |t| t.1)
}

pub fn icon_url(key: &str) -> String {
    let key = ICONS.iter().find(|i| i.0 == key).map_or("star", |i| i.0);
    crate::web::assets::url(&format!("icons/badges/{key}.svg"))
}

// ------------------------------------------------------------------ awarding

/// The users (id, their count) who meet a badge's trigger and do not hold it yet.
fn qualifying(conn: &mut DbConn, badge: &Badge) -> QueryResult<Vec<(String, i64)>> {
    let holders = ub::table
        .filter(ub::badge_id.eq(badge.id.clone()))
        .select(ub::user_id);
    let n = i64::from(badge.threshold.max(1));
    match badge.trigger_kind.as_str() {
        "activities" | "first_activity" => {
            let n = if badge.trigger_kind == "first_activity" {
                1
            } else {
                n
            };
            act::table
                .filter(act::organization_id.eq(&badge.organization_id))
                .filter(act::status.eq("registered"))
                .filter(act::mentor_id.ne_all(holders))
                .group_by(act::mentor_id)
                .having(count_star().ge(n))
                .select((act::mentor_id, count_star()))
                .load(conn)
        }
        "contacts" => act::table
            .filter(act::organization_id.eq(&badge.organization_id))
            .filter(act::status.eq("registered"))
            .filter(act::contact_id.is_not_null())
            .filter(act::mentor_id.ne_all(holders))
            .group_by(act::mentor_id)
            .having(count(act::contact_id).aggregate_distinct().ge(n))
            .select((act::mentor_id, count(act::contact_id).aggregate_distinct()))
            .load(conn),
        "events_attended" => ea::table
            .inner_join(ev::table)
            .filter(ev::organization_id.eq(&badge.organization_id))
            .filter(ea::status.eq("attended"))
            .filter(ea::user_id.ne_all(holders))
            .group_by(ea::user_id)
            .having(count_star().ge(n))
            .select((ea::user_id, count_star()))
            .load(conn),
        "years_active" => {
            let today = crate::people::shared::today();
            let cutoff = today
                .with_year(today.year() - n as i32)
                .unwrap_or(today - chrono::Duration::days(365 * n));
            let rows: Vec<String> = pm::table
                .filter(pm::organization_id.eq(&badge.organization_id))
                .filter(pm::status.eq("active"))
                .filter(pm::started_on.le(cutoff))
                .filter(pm::user_id.ne_all(holders))
                .select(pm::user_id)
                .load(conn)?;
            Ok(rows.into_iter().map(|u| (u, n)).collect())
        }
        "course_completed" => course_completed(conn, badge),
        _ => Ok(Vec::new()),
    }
}

/// Users who completed (attended) at least `threshold` courses of the badge's organization and
/// do not hold the badge: one `GROUP BY` over `course_enrollments` with status `attended`.
fn course_completed(conn: &mut DbConn, badge: &Badge) -> QueryResult<Vec<(String, i64)>> {
    let holders = ub::table
        .filter(ub::badge_id.eq(badge.id.clone()))
        .select(ub::user_id);
    ce::table
        .inner_join(co::table)
        .filter(co::organization_id.eq(&badge.organization_id))
        .filter(ce::status.eq("attended"))
        .filter(ce::user_id.ne_all(holders))
        .group_by(ce::user_id)
        .having(count_star().ge(i64::from(badge.threshold.max(1))))
        .select((ce::user_id, count_star()))
        .load(conn)
}

/// How many courses of the organization the user completed.
fn courses_completed(conn: &mut DbConn, org: &str, user: &str) -> QueryResult<i64> {
    ce::table
        .inner_join(co::table)
        .filter(co::organization_id.eq(org))
        .filter(ce::user_id.eq(user))
        .filter(ce::status.eq("attended"))
        .count()
        .get_result(conn)
}

/// Awards a badge to a user, once: `Ok(None)` when they hold it already (also when another
/// instance was first). The reason says which trigger and the count reached.
pub fn award(
    conn: &mut DbConn,
    badge: &Badge,
    user_id: &str,
    count: i64,
) -> QueryResult<Option<UserBadge>> {
    award_telling(conn, badge, user_id, count, true)
}

/// `award`, with the notification only when `tell` (the demo's awards are history, not news).
fn award_telling(
    conn: &mut DbConn,
    badge: &Badge,
    user_id: &str,
    count: i64,
    tell: bool,
) -> QueryResult<Option<UserBadge>> {
    let award = UserBadge {
        id: new_id(),
        badge_id: badge.id.clone(),
        user_id: user_id.to_string(),
        organization_id: badge.organization_id.clone(),
        awarded_at: now(),
        reason: format!("{}={count}", badge.trigger_kind),
    };
    let made = conn.transaction(|c| {
        diesel::insert_into(ub::table).values(&award).execute(c)?;
        if tell {
            on_awarded(c, badge, &award)?;
        }
        Ok(())
    });
    match made {
        Ok(()) => Ok(Some(award)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Called once for every new award, in its transaction: a "new badge" notification (in the
/// app, and by e-mail where the mentor wants it) linking to `/badges/mine`.
pub fn on_awarded(conn: &mut DbConn, badge: &Badge, award: &UserBadge) -> QueryResult<()> {
    crate::notifications::notify(
        conn,
        &crate::notifications::Notice {
            user_id: &award.user_id,
            org_id: Some(&badge.organization_id),
            role: Some(crate::access::Role::PeerMentor),
            scenario: "badge.awarded",
            subject_kind: "badge",
            subject_id: &award.id,
            link: "/badges/mine".to_string(),
            params: serde_json::json!({ "title": badge.name }),
        },
    )?;
    Ok(())
}

/// The job: every active badge of every organization, awarded to whoever now meets it.
/// Answers how many awards were made.
pub fn award_due(conn: &mut DbConn) -> anyhow::Result<usize> {
    award_all(conn, true)
}

/// `award_due` for the demo data: the awards without notifications.
pub fn award_due_quietly(conn: &mut DbConn) -> anyhow::Result<usize> {
    award_all(conn, false)
}

fn award_all(conn: &mut DbConn, tell: bool) -> anyhow::Result<usize> {
    let badges: Vec<Badge> = b::table
        .filter(b::is_active.eq(true))
        .order(b::id.asc())
        .select(Badge::as_select())
        .load(conn)?;
    let mut made = 0;
    for badge in &badges {
        for (user, count) in qualifying(conn, badge)? {
            if award_telling(conn, badge, &user, count, tell)?.is_some() {
                made += 1;
            }
        }
    }
    Ok(made)
}

// ------------------------------------------------------------------ what a mentor sees

#[derive(Clone, Debug)]
pub struct Earned {
    pub badge: Badge,
    pub award: UserBadge,
}

impl Earned {
    /// The count in the reason ("activities=12" → 12).
    pub fn count(&self) -> String {
        self.award
            .reason
            .split_once('=')
            .map(|(_, n)| n.to_string())
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct Next {
    pub badge: Badge,
    pub progress: i64,
    pub goal: i64,
}

/// The user's counts per trigger kind in an organization (four small aggregates).
fn progress(conn: &mut DbConn, org: &str, user: &str) -> QueryResult<[(&'static str, i64); 6]> {
    let activities: i64 = act::table
        .filter(act::organization_id.eq(org))
        .filter(act::mentor_id.eq(user))
        .filter(act::status.eq("registered"))
        .count()
        .get_result(conn)?;
    let contacts: i64 = act::table
        .filter(act::organization_id.eq(org))
        .filter(act::mentor_id.eq(user))
        .filter(act::status.eq("registered"))
        .filter(act::contact_id.is_not_null())
        .select(count(act::contact_id).aggregate_distinct())
        .first(conn)?;
    let events: i64 = ea::table
        .inner_join(ev::table)
        .filter(ev::organization_id.eq(org))
        .filter(ea::user_id.eq(user))
        .filter(ea::status.eq("attended"))
        .count()
        .get_result(conn)?;
    let started: Option<chrono::NaiveDate> = pm::table
        .filter(pm::organization_id.eq(org))
        .filter(pm::user_id.eq(user))
        .select(pm::started_on)
        .first(conn)
        .optional()?;
    let today = crate::people::shared::today();
    let years = started.map_or(0, |s| {
        let mut y = today.year() - s.year();
        if (today.month(), today.day()) < (s.month(), s.day()) {
            y -= 1;
        }
        i64::from(y.max(0))
    });
    Ok([
        ("activities", activities),
        ("first_activity", activities),
        ("contacts", contacts),
        ("events_attended", events),
        ("years_active", years),
        ("course_completed", courses_completed(conn, org, user)?),
    ])
}

/// The actor's earned badges (newest first) and the active ones still to earn, with progress.
pub fn mine(conn: &mut DbConn, actor: &Actor) -> AppResult<(Vec<Earned>, Vec<Next>)> {
    actor.require(&[Role::PeerMentor, Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let earned: Vec<(UserBadge, Badge)> = ub::table
        .inner_join(b::table)
        .filter(ub::user_id.eq(&actor.user_id))
        .filter(ub::organization_id.eq(&org))
        .order((ub::awarded_at.desc(), ub::id.asc()))
        .select((UserBadge::as_select(), Badge::as_select()))
        .load(conn)?;
    let held: Vec<String> = earned.iter().map(|(_, b)| b.id.clone()).collect();
    let open: Vec<Badge> = b::table
        .filter(b::organization_id.eq(&org))
        .filter(b::is_active.eq(true))
        .filter(b::id.ne_all(held))
        .order((b::threshold.asc(), b::name.asc()))
        .select(Badge::as_select())
        .load(conn)?;
    let counts = progress(conn, &org, &actor.user_id)?;
    let next = open
        .into_iter()
        .map(|badge| {
            let goal = if badge.trigger_kind == "first_activity" {
                1
            } else {
                i64::from(badge.threshold.max(1))
            };
            let progress = counts
                .iter()
                .find(|(k, _)| *k == badge.trigger_kind)
                .map_or(0, |(_, n)| (*n).min(goal));
            Next {
                badge,
                progress,
                goal,
            }
        })
        .collect();
    Ok((
        earned
            .into_iter()
            .map(|(award, badge)| Earned { badge, award })
            .collect(),
        next,
    ))
}

/// A mentor's badges awarded in a year (in Norway), for the annual summary (`src/reports/`).
pub fn badges_in_year(
    conn: &mut DbConn,
    org: &str,
    user_id: &str,
    year: i32,
) -> QueryResult<Vec<Earned>> {
    let ys = crate::assignments::service::year_start_utc;
    let (from, to) = (ys(year), ys(year + 1));
    let rows: Vec<(UserBadge, Badge)> = ub::table
        .inner_join(b::table)
        .filter(ub::user_id.eq(user_id))
        .filter(ub::organization_id.eq(org))
        .filter(ub::awarded_at.ge(from))
        .filter(ub::awarded_at.lt(to))
        .order((ub::awarded_at.asc(), ub::id.asc()))
        .select((UserBadge::as_select(), Badge::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(award, badge)| Earned { badge, award })
        .collect())
}

// ------------------------------------------------------------------ administrators

pub fn admin_list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(Badge, i64)>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let rows: Vec<Badge> = b::table
        .filter(b::organization_id.eq(&org))
        .order((b::is_active.desc(), b::name.asc()))
        .limit(200)
        .select(Badge::as_select())
        .load(conn)?;
    let counts: Vec<(String, i64)> = ub::table
        .filter(ub::organization_id.eq(&org))
        .group_by(ub::badge_id)
        .select((ub::badge_id, count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|badge| {
            let n = counts
                .iter()
                .find(|(id, _)| *id == badge.id)
                .map_or(0, |c| c.1);
            (badge, n)
        })
        .collect())
}

/// A badge of the actor's organization (any member may see its picture), or 404.
pub fn badge(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Badge> {
    b::table
        .filter(b::id.eq(id))
        .filter(b::organization_id.eq(actor.org()?.to_string()))
        .select(Badge::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn admin_badge(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Badge> {
    actor.require(&[Role::OrgAdmin])?;
    badge(conn, actor, id)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BadgeForm {
    pub name: String,
    pub description: String,
    pub icon: String,
    pub trigger_kind: String,
    pub threshold: String,
    pub is_active: Option<String>,
}

impl BadgeForm {
    pub fn from(b: &Badge) -> BadgeForm {
        BadgeForm {
            name: b.name.clone(),
            description: b.description.clone(),
            icon: b.icon.clone(),
            trigger_kind: b.trigger_kind.clone(),
            threshold: b.threshold.to_string(),
            is_active: b.is_active.then(|| "on".into()),
        }
    }
}

pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &BadgeForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        admin_badge(conn, actor, id)?;
    }
    let mut errors = FieldErrors::new();
    let name = crate::engagement::clean(&f.name);
    let description = f.description.trim().replace("\r\n", "\n");
    if name.is_empty() {
        errors.add("name", "err.required");
    } else if name.chars().count() > 100 {
        errors.add("name", "err.too_long");
    }
    if description.is_empty() {
        errors.add("description", "err.required");
    } else if description.chars().count() > 1000 {
        errors.add("description", "err.too_long");
    }
    if !ICONS.iter().any(|i| i.0 == f.icon) {
        errors.add("icon", "err.choice");
    }
    let trigger = TRIGGERS.iter().find(|t| t.0 == f.trigger_kind);
    let threshold = match trigger {
        None => {
            errors.add("trigger_kind", "err.choice");
            1
        }
        Some((_, _, false)) => 1,
        Some(_) => match f.threshold.trim().parse::<i32>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => {
                errors.add("threshold", "engage.err_threshold");
                1
            }
        },
    };
    if errors.is_empty() {
        let taken: i64 = b::table
            .filter(b::organization_id.eq(&org))
            .filter(b::name.eq(&name))
            .filter(b::id.ne(id.unwrap_or("")))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            errors.add("name", "engage.err_badge_name_taken");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let active = f.is_active.is_some();
    crate::db::tx(conn, |tx| {
        let t = now();
        let id = match id {
            Some(id) => {
                diesel::update(
                    b::table
                        .filter(b::id.eq(id))
                        .filter(b::organization_id.eq(&org)),
                )
                .set((
                    b::name.eq(&name),
                    b::description.eq(&description),
                    b::icon.eq(&f.icon),
                    b::trigger_kind.eq(&f.trigger_kind),
                    b::threshold.eq(threshold),
                    b::is_active.eq(active),
                    b::updated_at.eq(t),
                ))
                .execute(tx.conn)?;
                id.to_string()
            }
            None => {
                let badge = Badge {
                    id: new_id(),
                    organization_id: org.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    icon: f.icon.clone(),
                    image_key: None,
                    image_type: None,
                    trigger_kind: f.trigger_kind.clone(),
                    threshold,
                    is_active: active,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(b::table)
                    .values(&badge)
                    .execute(tx.conn)?;
                badge.id
            }
        };
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "badge.saved",
                "badge",
                &id,
                serde_json::json!({ "trigger": f.trigger_kind, "threshold": threshold, "active": active }),
            ),
        )?;
        Ok(Ok(id))
    })
}

pub fn set_picture(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    key: &str,
    content_type: &str,
) -> AppResult<Option<String>> {
    let badge = admin_badge(conn, actor, id)?;
    diesel::update(b::table.find(&badge.id))
        .set((
            b::image_key.eq(key),
            b::image_type.eq(content_type),
            b::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(badge.image_key)
}
