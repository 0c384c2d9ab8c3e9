//! Rules shared by the assignment pages: the organization's settings, who may see an
//! assignment (and the audit entry when someone may not), the board and the mentor's list,
//! reading the details (always audit-logged), the trail, and counts per mentor.
//!
//! Who sees what: the assigned mentor and the coordinators of the assignment's local
//! association see the assignment, its trail and its details; the organization administrator
//! sees the board and the trail but never the details; anyone else gets 404, and every refused
//! attempt is written to the audit log.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::Deserialize;

use super::crypto::Binding;
use super::keys::KeyStore;
use super::model::*;
use super::status::{self, Action};
use crate::access::{Actor, OutOfScope, Role};
use crate::audit::service::{self as audit, Event};
use crate::db::{now, DbConn, DbConnBackend};
use crate::schema::{
    assignment_settings as st, assignment_status_log as slog, assignments as asg,
    local_associations as la,
};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// The associated data of an assignment's details: its table, column, row and organization.
pub fn details_binding<'a>(id: &'a str, org: &'a str) -> Binding<'a> {
    Binding {
        table: "assignments",
        column: "details",
        row_id: id,
        org_id: org,
    }
}

pub use crate::people::shared::today;
pub(crate) use crate::people::shared::{association_names, user_names};

/// The organization's settings, or the defaults (off, 3 open, 90 days).
pub fn settings(conn: &mut DbConn, org: &str) -> QueryResult<OrgSettings> {
    Ok(st::table
        .find(org)
        .select(OrgSettings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| OrgSettings::defaults(org)))
}

/// The actor's organization uses assignments and the actor's role takes part; else 404.
pub fn require_in_use(conn: &mut DbConn, actor: &Actor) -> AppResult<OrgSettings> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let s = settings(conn, actor.org()?)?;
    if !s.enabled {
        return Err(OutOfScope.into());
    }
    Ok(s)
}

/// How the actor stands to an assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The assigned mentor.
    Mentor,
    /// A coordinator of the assignment's association.
    Coordinator,
    /// The organization's administrator: the trail, never the details.
    Admin,
}

pub fn side(actor: &Actor, a: &Assignment) -> Option<Side> {
    if actor.org_id() != Some(a.organization_id.as_str()) {
        return None;
    }
    match actor.role() {
        Role::PeerMentor if a.mentor_id == actor.user_id => Some(Side::Mentor),
        Role::Coordinator if actor.associations.contains(&a.local_association_id) => {
            Some(Side::Coordinator)
        }
        Role::OrgAdmin => Some(Side::Admin),
        _ => None,
    }
}

/// Writes the audit entry of a refused attempt (in the assignment's organization when it
/// exists, so its administrators see it) and answers 404.
pub fn deny(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    org: Option<&str>,
    what: &str,
) -> AppResult<AppError> {
    let org = org.or(actor.org_id());
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            Event {
                organization_id: org,
                actor_user_id: Some(&actor.user_id),
                action: "assignment.access_denied",
                target_type: Some("assignment"),
                target_id: Some(id),
                detail: Some(serde_json::json!({ "what": what, "role": actor.role().key() })),
                ip: actor.ip.as_deref(),
            },
        )
    })?;
    Ok(AppError::NotFound)
}

/// The assignment if the actor may see it; else the refusal is audit-logged and 404.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    what: &str,
) -> AppResult<(Assignment, Side)> {
    let found: Option<Assignment> = asg::table
        .find(id)
        .select(Assignment::as_select())
        .first(conn)
        .optional()?;
    if let Some(a) = found {
        if let Some(side) = side(actor, &a) {
            if settings(conn, &a.organization_id)?.enabled {
                return Ok((a, side));
            }
        }
        return Err(deny(conn, actor, id, Some(&a.organization_id), what)?);
    }
    Err(deny(conn, actor, id, None, what)?)
}

/// Who changed what and when, oldest first.
pub fn trail(conn: &mut DbConn, id: &str) -> QueryResult<Vec<TrailRow>> {
    let entries: Vec<StatusEntry> = slog::table
        .filter(slog::assignment_id.eq(id))
        .order((slog::changed_at.asc(), slog::id.asc()))
        .select(StatusEntry::as_select())
        .load(conn)?;
    let names = user_names(
        conn,
        entries
            .iter()
            .filter_map(|e| e.changed_by.clone())
            .collect(),
    )?;
    Ok(entries
        .into_iter()
        .map(|entry| TrailRow {
            who: entry
                .changed_by
                .as_ref()
                .and_then(|u| names.get(u).cloned())
                .unwrap_or_default(),
            entry,
        })
        .collect())
}

/// What the assignment page shows.
#[derive(Clone, Debug)]
pub struct Detail {
    pub row: BoardRow,
    pub side: Side,
    pub trail: Vec<TrailRow>,
    /// Transitions the actor may make now.
    pub actions: Vec<Action>,
    /// A declined assignment: the mentors a coordinator can send it to instead.
    pub reassign_to: Vec<Candidate>,
}

pub fn detail(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Detail> {
    let (mut a, side) = get(conn, actor, id, "page")?;
    if side == Side::Mentor {
        // The mentor sees it: delivered (a no-op unless it was still dispatched).
        if status::apply_system(conn, actor, &a, Action::Deliver)? {
            a = get(conn, actor, id, "page")?.0;
        }
    }
    let row = board_rows(conn, vec![a])?.remove(0);
    let actions = Action::available(row.a.status(), side);
    let reassign_to = if side == Side::Coordinator && row.a.status() == Status::Declined {
        super::dispatch::reassign_choices(conn, actor, &row.a)?
    } else {
        Vec::new()
    };
    Ok(Detail {
        reassign_to,
        trail: trail(conn, id)?,
        row,
        side,
        actions,
    })
}

/// The assignment if the actor may read its details (its mentor or a coordinator of its
/// association); anyone else, the administrator included, is refused: audit entry and 404.
pub fn get_readable(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(Assignment, Side)> {
    let (a, side) = get(conn, actor, id, "details")?;
    if side == Side::Admin {
        return Err(deny(conn, actor, id, Some(&a.organization_id), "details")?);
    }
    Ok((a, side))
}

/// Reads the details, audit-logged; a mentor's first read moves the assignment to "read".
/// `None` when the details were erased after the retention period. The admin, and anyone
/// outside, is refused (404 and an audit entry).
pub fn read_details(
    conn: &mut DbConn,
    keys: &KeyStore,
    actor: &Actor,
    id: &str,
) -> AppResult<Option<Details>> {
    let (a, side) = get_readable(conn, actor, id)?;
    let (Some(v), Some(wrapped), Some(ct)) = (a.key_version, &a.wrapped_key, &a.details) else {
        return Ok(None);
    };
    let plain = keys
        .open_record(
            conn,
            v,
            wrapped,
            ct,
            &details_binding(&a.id, &a.organization_id),
        )
        .map_err(|e| {
            // The error names neither the details nor the key; only the id and what failed.
            log::error!("assignment {}: details do not open: {e}", a.id);
            AppError::Internal(anyhow::anyhow!("assignment details do not open"))
        })?;
    let details: Details = serde_json::from_slice(&plain)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("assignment details are malformed")))?;
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            Event {
                organization_id: Some(&a.organization_id),
                actor_user_id: Some(&actor.user_id),
                action: "assignment.details_read",
                target_type: Some("assignment"),
                target_id: Some(&a.id),
                detail: Some(serde_json::json!({ "role": actor.role().key() })),
                ip: actor.ip.as_deref(),
            },
        )
    })?;
    if side == Side::Mentor {
        status::apply_system(conn, actor, &a, Action::Deliver)?;
        let fresh = get(conn, actor, id, "details")?.0;
        status::apply_system(conn, actor, &fresh, Action::Read)?;
    }
    Ok(Some(details))
}

// ---------------------------------------------------------------- the board and the list

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BoardFilter {
    /// A status key, "open" (with the mentor), or "" for all.
    pub status: String,
    /// A mentor's user id.
    pub mentor: String,
    /// "1": open and past the due date.
    pub overdue: String,
    pub page: Option<i64>,
}

impl BoardFilter {
    /// The query string without the page, ending in `?` or `&`.
    pub fn base(&self) -> String {
        let mut s = String::from("/assignments?");
        for (k, v) in [
            ("status", &self.status),
            ("mentor", &self.mentor),
            ("overdue", &self.overdue),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("{k}={}&", crate::web::urlencode(v)));
            }
        }
        s
    }
}

/// Assignments the actor may list: a mentor their own, a coordinator their associations',
/// an administrator the organization's.
fn visible(actor: &Actor) -> AppResult<asg::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let mut q = asg::table.filter(asg::organization_id.eq(org)).into_boxed();
    match actor.role() {
        Role::PeerMentor => q = q.filter(asg::mentor_id.eq(actor.user_id.clone())),
        Role::Coordinator => {
            q = q.filter(asg::local_association_id.eq_any(actor.associations.clone()))
        }
        Role::OrgAdmin => {}
        Role::GlobalAdmin | Role::Account => return Err(OutOfScope.into()),
    }
    Ok(q)
}

fn filtered(actor: &Actor, f: &BoardFilter) -> AppResult<asg::BoxedQuery<'static, DbConnBackend>> {
    let mut q = visible(actor)?;
    if f.status == "open" {
        q = q.filter(asg::status.eq_any(Status::keys(&Status::OPEN)));
    } else if let Some(s) = Status::parse(&f.status) {
        q = q.filter(asg::status.eq(s.key()));
    }
    if !f.mentor.is_empty() {
        q = q.filter(asg::mentor_id.eq(f.mentor.clone()));
    }
    if f.overdue == "1" {
        q = q
            .filter(asg::status.eq_any(Status::keys(&Status::OPEN)))
            .filter(asg::due_on.lt(today()));
    }
    Ok(q)
}

pub(crate) fn board_rows(conn: &mut DbConn, rows: Vec<Assignment>) -> QueryResult<Vec<BoardRow>> {
    let mut people: Vec<String> = rows.iter().map(|a| a.mentor_id.clone()).collect();
    people.extend(rows.iter().map(|a| a.dispatched_by.clone()));
    let names = user_names(conn, people)?;
    let assocs = association_names(
        conn,
        rows.iter()
            .map(|a| a.local_association_id.clone())
            .collect(),
    )?;
    let today = today();
    Ok(rows
        .into_iter()
        .map(|a| BoardRow {
            mentor_name: names.get(&a.mentor_id).cloned().unwrap_or_default(),
            dispatcher_name: names.get(&a.dispatched_by).cloned().unwrap_or_default(),
            association_name: assocs
                .get(&a.local_association_id)
                .cloned()
                .unwrap_or_default(),
            overdue: a.is_overdue(today),
            a,
        })
        .collect())
}

/// Counts for the board's filter links: per status, open, and overdue.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub by_status: Vec<(Status, i64)>,
    pub open: i64,
    pub overdue: i64,
    pub all: i64,
}

impl Counts {
    pub fn of(&self, s: &Status) -> i64 {
        self.by_status
            .iter()
            .find(|(k, _)| k == s)
            .map_or(0, |(_, n)| *n)
    }
}

pub fn board(
    conn: &mut DbConn,
    actor: &Actor,
    f: &BoardFilter,
) -> AppResult<(PageOf<BoardRow>, Counts)> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let paging = Paging::new(f.page, 25);
    let total: i64 = filtered(actor, f)?.count().get_result(conn)?;
    // Open and declined ones (the coordinator's to-do) first, by due date.
    let rows: Vec<Assignment> = filtered(actor, f)?
        .order((
            asg::closed_at.is_not_null().asc(),
            asg::due_on.asc(),
            asg::id.asc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Assignment::as_select())
        .load(conn)?;
    let rows = board_rows(conn, rows)?;
    // Counts by status in one GROUP BY (with the mentor filter, not the status filter).
    let scope = BoardFilter {
        mentor: f.mentor.clone(),
        ..Default::default()
    };
    let org = actor.org()?.to_string();
    let assocs: Vec<String> = if actor.role() == Role::Coordinator {
        actor.associations.clone()
    } else {
        la::table
            .filter(la::organization_id.eq(&org))
            .select(la::id)
            .load(conn)?
    };
    let base = asg::table
        .filter(asg::organization_id.eq(&org))
        .filter(asg::local_association_id.eq_any(assocs));
    let grouped: Vec<(String, i64)> = if f.mentor.is_empty() {
        base.group_by(asg::status)
            .select((asg::status, diesel::dsl::count_star()))
            .load(conn)?
    } else {
        base.filter(asg::mentor_id.eq(&f.mentor))
            .group_by(asg::status)
            .select((asg::status, diesel::dsl::count_star()))
            .load(conn)?
    };
    let overdue: i64 = filtered(
        actor,
        &BoardFilter {
            overdue: "1".into(),
            ..scope
        },
    )?
    .count()
    .get_result(conn)?;
    let by_status: Vec<(Status, i64)> = Status::ALL
        .into_iter()
        .map(|s| {
            let n = grouped
                .iter()
                .find(|(k, _)| k == s.key())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect();
    let counts = Counts {
        open: by_status
            .iter()
            .filter(|(s, _)| s.is_open())
            .map(|(_, n)| n)
            .sum(),
        all: by_status.iter().map(|(_, n)| n).sum(),
        overdue,
        by_status,
    };
    Ok((paging.page_of(rows, total), counts))
}

/// The mentors a coordinator's board can be filtered by: those with assignments in scope.
pub fn board_mentors(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    let ids: Vec<String> = visible(actor)?
        .select(asg::mentor_id)
        .distinct()
        .load(conn)?;
    let mut names: Vec<(String, String)> = user_names(conn, ids)?.into_iter().collect();
    names.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(names)
}

/// The mentor's list: open assignments by due date, then the latest closed ones. Showing it
/// is what "delivered" means: every dispatched one becomes delivered.
pub fn mentor_list(conn: &mut DbConn, actor: &Actor) -> AppResult<(Vec<BoardRow>, Vec<BoardRow>)> {
    actor.require(&[Role::PeerMentor])?;
    let undelivered: Vec<Assignment> = visible(actor)?
        .filter(asg::status.eq(Status::Dispatched.key()))
        .select(Assignment::as_select())
        .load(conn)?;
    for a in &undelivered {
        status::apply_system(conn, actor, a, Action::Deliver)?;
    }
    let open: Vec<Assignment> = visible(actor)?
        .filter(asg::status.eq_any(Status::keys(&Status::OPEN)))
        .order((asg::due_on.asc(), asg::id.asc()))
        .limit(200)
        .select(Assignment::as_select())
        .load(conn)?;
    let done: Vec<Assignment> = visible(actor)?
        .filter(asg::status.ne_all(Status::keys(&Status::OPEN)))
        .order((asg::status_changed_at.desc(), asg::id.asc()))
        .limit(20)
        .select(Assignment::as_select())
        .load(conn)?;
    Ok((board_rows(conn, open)?, board_rows(conn, done)?))
}

/// The start page's assignments notice, counted in the page's one statement of figures
/// (`db::Counts`): whether the organization uses assignments and, for a peer mentor, how many
/// wait for them (0 for the other roles); `None` (from `value`) hides the link. The
/// organization administrator always gets the link (to the settings that turn them on).
pub enum HomeNotice {
    Hidden,
    Zero,
    Counted {
        enabled: usize,
        dispatched: Option<usize>,
    },
}

pub fn push_home_notice(counts: &mut crate::db::Counts, actor: &Actor) -> HomeNotice {
    let Some(org) = actor.org_id() else {
        return HomeNotice::Hidden;
    };
    match actor.role() {
        Role::OrgAdmin => return HomeNotice::Zero,
        Role::GlobalAdmin => return HomeNotice::Hidden,
        _ => {}
    }
    // No settings row means the defaults: not enabled.
    let enabled = counts.push(
        st::table
            .filter(st::organization_id.eq(org.to_string()))
            .filter(st::enabled.eq(true))
            .count(),
    );
    let dispatched = (actor.role() == Role::PeerMentor).then(|| {
        counts.push(
            asg::table
                .filter(asg::organization_id.eq(org.to_string()))
                .filter(asg::mentor_id.eq(actor.user_id.clone()))
                .filter(asg::status.eq(Status::Dispatched.key()))
                .count(),
        )
    });
    HomeNotice::Counted {
        enabled,
        dispatched,
    }
}

impl HomeNotice {
    pub fn value(&self, counted: &crate::db::Counted) -> Option<i64> {
        match self {
            HomeNotice::Hidden => None,
            HomeNotice::Zero => Some(0),
            HomeNotice::Counted {
                enabled,
                dispatched,
            } => (counted.get(*enabled) > 0).then(|| dispatched.map_or(0, |d| counted.get(d))),
        }
    }
}

/// Completed assignments per mentor (user id) in a calendar year (Europe/Oslo), for the
/// honorarium tiers. One `GROUP BY` over the organization's completion-date index.
pub fn completed_per_mentor(
    conn: &mut DbConn,
    org_id: &str,
    year: i32,
) -> QueryResult<Vec<(String, i64)>> {
    let (from, to) = (year_start_utc(year), year_start_utc(year + 1));
    asg::table
        .filter(asg::organization_id.eq(org_id.to_string()))
        .filter(asg::status.eq(Status::Completed.key()))
        .filter(asg::completed_at.ge(from))
        .filter(asg::completed_at.lt(to))
        .group_by(asg::mentor_id)
        .select((asg::mentor_id, diesel::dsl::count_star()))
        .order(asg::mentor_id.asc())
        .load(conn)
}

/// Whether the organization of a local association uses assignments (its setting is on).
pub fn in_use_for_association(conn: &mut DbConn, association_id: &str) -> QueryResult<bool> {
    use crate::schema::local_associations as la;
    let org = la::table
        .filter(la::id.eq(association_id.to_string()))
        .select(la::organization_id);
    Ok(st::table
        .filter(st::organization_id.eq_any(org))
        .filter(st::enabled.eq(true))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Completed assignments of one mentor in one association in a year in Norway.
pub fn completed_in_association(
    conn: &mut DbConn,
    mentor_id: &str,
    association_id: &str,
    year: i32,
) -> QueryResult<i64> {
    let (from, to) = (year_start_utc(year), year_start_utc(year + 1));
    asg::table
        .filter(asg::mentor_id.eq(mentor_id.to_string()))
        .filter(asg::local_association_id.eq(association_id.to_string()))
        .filter(asg::status.eq(Status::Completed.key()))
        .filter(asg::completed_at.ge(from))
        .filter(asg::completed_at.lt(to))
        .count()
        .get_result(conn)
}

/// Midnight of 1 January in Norway, as a UTC instant.
pub fn year_start_utc(year: i32) -> NaiveDateTime {
    let local = NaiveDate::from_ymd_opt(year.clamp(1, 9998), 1, 1)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    chrono_tz::Europe::Oslo
        .from_local_datetime(&local)
        .earliest()
        .map(|d| d.naive_utc())
        .unwrap_or(local)
}

/// The year of an instant in Norway (for tests and pages).
pub fn year_of(t: NaiveDateTime) -> i32 {
    chrono::Utc
        .from_utc_datetime(&t)
        .with_timezone(&chrono_tz::Europe::Oslo)
        .year()
}

// ---------------------------------------------------------------- settings

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsForm {
    pub enabled: Option<String>,
    pub max_open_per_mentor: String,
    pub retention_days: String,
}

impl From<&OrgSettings> for SettingsForm {
    fn from(s: &OrgSettings) -> SettingsForm {
        SettingsForm {
            enabled: s.enabled.then(|| "on".to_string()),
            max_open_per_mentor: s.max_open_per_mentor.to_string(),
            retention_days: s.retention_days.to_string(),
        }
    }
}

/// The organization administrator turns assignments on or off and sets the limits; audited.
pub fn save_settings(
    conn: &mut DbConn,
    actor: &Actor,
    f: &SettingsForm,
) -> AppResult<Result<(), crate::web::forms::FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = crate::web::forms::FieldErrors::new();
    let max = f.max_open_per_mentor.trim().parse::<i32>().ok();
    if !max.is_some_and(|m| (1..=50).contains(&m)) {
        errors.add("max_open_per_mentor", "assignments.err_max_open");
    }
    let days = f.retention_days.trim().parse::<i32>().ok();
    if !days.is_some_and(|d| (1..=3650).contains(&d)) {
        errors.add("retention_days", "assignments.err_retention");
    }
    let (Some(max), Some(days)) = (max, days) else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let s = OrgSettings {
        organization_id: org.clone(),
        enabled: f.enabled.is_some(),
        max_open_per_mentor: max,
        retention_days: days,
        updated_by: Some(actor.user_id.clone()),
        updated_at: now(),
    };
    crate::db::tx(conn, |tx| {
        let n = diesel::update(st::table.find(&org))
            .set(&s)
            .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(st::table).values(&s).execute(tx.conn)?;
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "assignment.settings_changed",
                target_type: Some("organization"),
                target_id: Some(&org),
                detail: Some(serde_json::json!({
                    "enabled": s.enabled,
                    "max_open_per_mentor": max,
                    "retention_days": days,
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(Ok(()))
}
