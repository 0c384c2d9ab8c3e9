//! What each role's start page shows. Every figure is one COUNT (or COUNT … GROUP BY) in the
//! database over indexed columns, and every list is bounded; nothing loads a table to count it
//! in Rust. The scope is the one the people, activities and events services use: a peer mentor
//! their own activities and the contacts assigned to them, a coordinator the records of their
//! local associations, an organization administrator the whole organization.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, exists, max, not, sum};
use diesel::prelude::*;

use crate::access::Actor;
use crate::access::Role;
use crate::db::{now, DbConn};
use crate::schema::{
    activities as act, activity_types as at, contact_mentors as cm, contacts,
    event_attendees as ea, events as ev, local_associations as la, organizations as orgs,
    peer_mentors as pm, regions, user_organization_roles as uor, users,
};
use crate::web::{AppError, AppResult};

/// How many rows a start page list shows before "show all".
pub const LIST_MAX: i64 = 10;
/// A contact with a mentor and no activity for this many days has not been reached.
pub const NOT_REACHED_DAYS: i64 = 10;
/// A peer mentor with no activity for this many days is quiet.
pub const QUIET_DAYS: i64 = 30;

/// The filtered lists the to-do items link to. The contact and mentor filters belong to the
/// people lists; their parameter names are kept here, in one place.
pub const HREF_CONTACTS_NO_MENTOR: &str = "/contacts?mentor=none";
pub const HREF_CONTACTS_NOT_REACHED: &str = "/contacts?activity=quiet&days=10";
pub const HREF_MENTORS_QUIET: &str = "/mentors?status=active&no_activity_days=30";
pub const HREF_EVENTS_AWAITING: &str = "/events";
pub const HREF_ASSOCIATIONS_NO_COORDINATOR: &str = "/associations?coordinator=none";

const PEER_MENTOR: &str = "peer_mentor";
const COORDINATOR: &str = "coordinator";
const REGISTERED: &str = "registered";

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    crate::activities::service::today()
}

fn year_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map(|n| n - Duration::days(1)).unwrap_or(d)
}

/// The activity list over a period (and association), as a link.
fn activities_href(from: NaiveDate, to: NaiveDate, association: Option<&str>) -> String {
    let mut s = format!("/activities?from={from}&to={to}");
    if let Some(a) = association {
        s.push_str(&format!("&association={a}"));
    }
    s
}

// ---------------------------------------------------------------- peer mentor

/// One of my contacts, with the last activity and the link that opens the registration form
/// for them with contact, association, type and minutes filled in.
#[derive(Clone, Debug)]
pub struct MyContact {
    pub id: String,
    pub name: String,
    pub last_activity: Option<NaiveDate>,
    pub register_href: String,
}

impl MyContact {
    pub fn last_text(&self) -> String {
        self.last_activity
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct UpcomingEvent {
    pub id: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub place: Option<String>,
    pub registered: bool,
}

impl UpcomingEvent {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.starts_at)
    }
}

#[derive(Clone, Debug)]
pub struct MentorHome {
    pub contacts: Vec<MyContact>,
    pub contacts_total: i64,
    pub events: Vec<UpcomingEvent>,
    pub year: i32,
    pub year_activities: i64,
    pub year_counting: i64,
    pub year_href: String,
}

/// The link that opens the registration form prefilled for a contact (ids are UUIDs from the
/// database, so they need no encoding).
pub fn register_href(
    contact: &str,
    association: Option<&str>,
    activity_type: Option<&str>,
    minutes: Option<i32>,
) -> String {
    let mut s = format!("/activities/new?contact_id={contact}");
    if let Some(a) = association {
        s.push_str(&format!("&local_association_id={a}"));
    }
    if let Some(t) = activity_type {
        s.push_str(&format!("&activity_type_id={t}"));
    }
    if let Some(m) = minutes {
        s.push_str(&format!("&duration_minutes={m}"));
    }
    s
}

pub fn mentor_home(conn: &mut DbConn, actor: &Actor) -> AppResult<MentorHome> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    let me = actor.user_id.clone();
    let today = today();

    // My contacts (active assignments, active contacts) with their last registered activity:
    // one GROUP BY over the (contact, date) index.
    let mine = || {
        contacts::table
            .inner_join(cm::table)
            .filter(cm::user_id.eq(me.clone()))
            .filter(cm::ended_at.is_null())
            .filter(contacts::organization_id.eq(org.clone()))
            .filter(contacts::is_active.eq(true))
    };
    let contacts_total: i64 = mine()
        .select(count(contacts::id).aggregate_distinct())
        .get_result(conn)?;
    let rows: Vec<(String, String, String, Option<NaiveDate>)> = contacts::table
        .inner_join(cm::table)
        .left_join(
            act::table.on(act::contact_id
                .eq(contacts::id.nullable())
                .and(act::status.eq(REGISTERED))),
        )
        .filter(cm::user_id.eq(&me))
        .filter(cm::ended_at.is_null())
        .filter(contacts::organization_id.eq(&org))
        .filter(contacts::is_active.eq(true))
        .group_by((
            contacts::id,
            contacts::name,
            contacts::name_key,
            contacts::local_association_id,
        ))
        .select((
            contacts::id,
            contacts::name,
            contacts::local_association_id,
            max(act::occurred_on.nullable()),
        ))
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .limit(LIST_MAX * 2)
        .load(conn)?;

    // What to prefill: the type and minutes of my last activity with each contact (one bounded
    // query), else of my last activity at all.
    let ids: Vec<Option<String>> = rows.iter().map(|r| Some(r.0.clone())).collect();
    let recent: Vec<(Option<String>, String, Option<i32>)> = act::table
        .filter(act::mentor_id.eq(&me))
        .filter(act::organization_id.eq(&org))
        .filter(act::status.eq(REGISTERED))
        .filter(act::contact_id.eq_any(ids))
        .order((act::occurred_on.desc(), act::id.desc()))
        .select((
            act::contact_id,
            act::activity_type_id,
            act::duration_minutes,
        ))
        .limit(200)
        .load(conn)?;
    let mut last_with: HashMap<String, (String, Option<i32>)> = HashMap::new();
    for (c, t, m) in recent {
        if let Some(c) = c {
            last_with.entry(c).or_insert((t, m));
        }
    }
    let fallback: Option<(String, Option<i32>)> = act::table
        .filter(act::mentor_id.eq(&me))
        .filter(act::organization_id.eq(&org))
        .filter(act::status.eq(REGISTERED))
        .order((act::occurred_on.desc(), act::id.desc()))
        .select((act::activity_type_id, act::duration_minutes))
        .first(conn)
        .optional()?;
    let contacts = rows
        .into_iter()
        .map(|(id, name, association, last_activity)| {
            let (t, m) = last_with
                .get(&id)
                .or(fallback.as_ref())
                .map(|(t, m)| (Some(t.as_str()), *m))
                .unwrap_or((None, None));
            let a = actor
                .associations
                .contains(&association)
                .then_some(association.as_str());
            MyContact {
                register_href: register_href(&id, a, t, m),
                id,
                name,
                last_activity,
            }
        })
        .collect();

    // My associations' coming events, with my registration.
    let t = now();
    let upcoming: Vec<(String, String, NaiveDateTime, Option<String>)> = ev::table
        .filter(ev::organization_id.eq(&org))
        .filter(ev::local_association_id.eq_any(actor.associations.clone()))
        .filter(ev::status.eq("planned"))
        .filter(ev::starts_at.gt(t))
        .order((ev::starts_at.asc(), ev::id.asc()))
        .select((ev::id, ev::title, ev::starts_at, ev::place))
        .limit(5)
        .load(conn)?;
    let event_ids: Vec<String> = upcoming.iter().map(|e| e.0.clone()).collect();
    let registered: Vec<String> = ea::table
        .filter(ea::user_id.eq(&me))
        .filter(ea::event_id.eq_any(event_ids))
        .filter(ea::status.eq(REGISTERED))
        .select(ea::event_id)
        .load(conn)?;
    let events = upcoming
        .into_iter()
        .map(|(id, title, starts_at, place)| UpcomingEvent {
            registered: registered.contains(&id),
            id,
            title,
            starts_at,
            place,
        })
        .collect();

    // This year's count over the (mentor, date) index.
    let from = year_start(today);
    let year = || {
        act::table
            .filter(act::mentor_id.eq(me.clone()))
            .filter(act::organization_id.eq(org.clone()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(today))
    };
    let year_activities: i64 = year().count().get_result(conn)?;
    let year_counting: i64 = year()
        .filter(act::bufdir_counts.eq(true))
        .count()
        .get_result(conn)?;
    Ok(MentorHome {
        contacts,
        contacts_total,
        events,
        year: today.year(),
        year_activities,
        year_counting,
        year_href: format!("/activities?from={from}&to={today}"),
    })
}

// ---------------------------------------------------------------- coordinator

/// One line of a to-do list: what, how many, and the list it summarizes.
#[derive(Clone, Debug)]
pub struct Todo {
    pub label_key: &'static str,
    pub count: i64,
    pub href: String,
}

/// A local association's figures for a period.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub id: String,
    pub name: String,
    pub activities: i64,
    pub counting: i64,
    pub minutes: i64,
    pub mentors: i64,
    pub contacts: i64,
    pub href: String,
}

impl Figures {
    /// Hours with one decimal, as Norwegians write them ("12,5").
    pub fn hours(&self) -> String {
        let tenths = (self.minutes * 10 + 30) / 60;
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

/// A peer mentor without recent activity, with their last one.
#[derive(Clone, Debug)]
pub struct QuietMentor {
    pub profile_id: String,
    pub name: String,
    pub last_activity: Option<NaiveDate>,
}

impl QuietMentor {
    pub fn last_text(&self) -> String {
        self.last_activity
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct CoordinatorHome {
    pub todo: Vec<Todo>,
    pub month: Vec<Figures>,
    pub month_total: Figures,
    pub month_label: String,
    pub quiet: Vec<QuietMentor>,
    pub quiet_total: i64,
}

/// Contacts in the coordinator's associations, active.
macro_rules! scoped_contacts {
    ($org:expr, $assocs:expr) => {
        contacts::table
            .filter(contacts::organization_id.eq($org))
            .filter(contacts::local_association_id.eq_any($assocs))
            .filter(contacts::is_active.eq(true))
    };
}

/// An active assignment of the outer query's contact.
macro_rules! has_mentor {
    () => {
        exists(
            cm::table
                .filter(cm::contact_id.eq(contacts::id))
                .filter(cm::ended_at.is_null()),
        )
    };
}

pub fn coordinator_home(conn: &mut DbConn, actor: &Actor) -> AppResult<CoordinatorHome> {
    actor.require(&[Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let assocs = actor.associations.clone();
    let today = today();
    let t = now();

    let no_mentor: i64 = scoped_contacts!(org.clone(), assocs.clone())
        .filter(not(has_mentor!()))
        .count()
        .get_result(conn)?;
    let since = today - Duration::days(NOT_REACHED_DAYS);
    let not_reached: i64 = scoped_contacts!(org.clone(), assocs.clone())
        .filter(has_mentor!())
        .filter(not(exists(
            act::table
                .filter(act::contact_id.eq(contacts::id.nullable()))
                .filter(act::status.eq(REGISTERED))
                .filter(act::occurred_on.ge(since)),
        )))
        .count()
        .get_result(conn)?;
    // Started, planned events with a registration still unmarked (as on the events list).
    let awaiting: i64 = ev::table
        .filter(ev::organization_id.eq(&org))
        .filter(ev::local_association_id.eq_any(assocs.clone()))
        .filter(ev::starts_at.le(t))
        .filter(ev::status.eq("planned"))
        .filter(ev::activity_id.is_null())
        .filter(exists(
            ea::table
                .filter(ea::event_id.eq(ev::id))
                .filter(ea::status.eq(REGISTERED)),
        ))
        .count()
        .get_result(conn)?;
    let (quiet, quiet_total) = quiet_mentors(conn, actor, &org, today)?;
    let todo = vec![
        Todo {
            label_key: "home.todo_no_mentor",
            count: no_mentor,
            href: HREF_CONTACTS_NO_MENTOR.into(),
        },
        Todo {
            label_key: "home.todo_not_reached",
            count: not_reached,
            href: HREF_CONTACTS_NOT_REACHED.into(),
        },
        Todo {
            label_key: "home.todo_awaiting_attendance",
            count: awaiting,
            href: HREF_EVENTS_AWAITING.into(),
        },
        Todo {
            label_key: "home.todo_quiet_mentors",
            count: quiet_total,
            href: HREF_MENTORS_QUIET.into(),
        },
    ];
    let (from, to) = (month_start(today), month_end(today));
    let names = crate::auth::service::association_names(conn, &assocs)?;
    let mut month = figures_by_association(conn, &org, &assocs, from, to)?;
    let mut rows: Vec<Figures> = names
        .into_iter()
        .map(|(id, name)| {
            let mut f = month.remove(&id).unwrap_or_default();
            f.href = activities_href(from, to, Some(&id));
            f.id = id;
            f.name = name;
            f
        })
        .collect();
    rows.sort_by(|a, b| {
        crate::web::forms::search_key(&a.name).cmp(&crate::web::forms::search_key(&b.name))
    });
    let mut total = Figures {
        href: activities_href(from, to, None),
        ..Default::default()
    };
    for r in &rows {
        total.activities += r.activities;
        total.counting += r.counting;
        total.minutes += r.minutes;
    }
    // Distinct people across associations are counted once, so not summed from the rows.
    let whole = figures_of_org(conn, &org, Some(&assocs), from, to)?;
    total.mentors = whole.mentors;
    total.contacts = whole.contacts;
    Ok(CoordinatorHome {
        todo,
        month: rows,
        month_total: total,
        month_label: from.format("%m.%Y").to_string(),
        quiet,
        quiet_total,
    })
}

/// Activities in a period, grouped by association: counts, minutes, distinct mentors and
/// contacts (one GROUP BY over the (association, date) index), and those counting for Bufdir.
fn figures_by_association(
    conn: &mut DbConn,
    org: &str,
    assocs: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<HashMap<String, Figures>> {
    let period = || {
        act::table
            .filter(act::organization_id.eq(org.to_string()))
            .filter(act::local_association_id.eq_any(assocs.to_vec()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(to))
    };
    let rows: Vec<(String, i64, Option<i64>, i64, i64)> = period()
        .group_by(act::local_association_id)
        .select((
            act::local_association_id,
            count_star(),
            sum(act::duration_minutes),
            count(act::mentor_id).aggregate_distinct(),
            count(act::contact_id).aggregate_distinct(),
        ))
        .load(conn)?;
    let counting: HashMap<String, i64> = period()
        .filter(act::bufdir_counts.eq(true))
        .group_by(act::local_association_id)
        .select((act::local_association_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, activities, minutes, mentors, contacts)| {
            let f = Figures {
                counting: counting.get(&id).copied().unwrap_or(0),
                activities,
                minutes: minutes.unwrap_or(0),
                mentors,
                contacts,
                ..Default::default()
            };
            (id, f)
        })
        .collect())
}

/// The same figures for the whole organization (or these associations of it) at once.
fn figures_of_org(
    conn: &mut DbConn,
    org: &str,
    assocs: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Figures> {
    let period = || {
        let mut q = act::table
            .filter(act::organization_id.eq(org.to_string()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(to))
            .into_boxed();
        if let Some(a) = assocs {
            q = q.filter(act::local_association_id.eq_any(a.to_vec()));
        }
        q
    };
    let (activities, minutes, mentors, contacts): (i64, Option<i64>, i64, i64) = period()
        .select((
            count_star(),
            sum(act::duration_minutes),
            count(act::mentor_id).aggregate_distinct(),
            count(act::contact_id).aggregate_distinct(),
        ))
        .get_result(conn)?;
    let counting: i64 = period()
        .filter(act::bufdir_counts.eq(true))
        .count()
        .get_result(conn)?;
    Ok(Figures {
        activities,
        counting,
        minutes: minutes.unwrap_or(0),
        mentors,
        contacts,
        href: activities_href(from, to, None),
        ..Default::default()
    })
}

/// Active peer mentors in the coordinator's associations without an activity in the last
/// `QUIET_DAYS` days: the first few by name with their last activity, and how many in all.
fn quiet_mentors(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    today: NaiveDate,
) -> AppResult<(Vec<QuietMentor>, i64)> {
    let since = today - Duration::days(QUIET_DAYS);
    let scoped = || {
        pm::table
            .inner_join(users::table)
            .filter(pm::organization_id.eq(org.to_string()))
            .filter(pm::status.eq("active"))
            .filter(users::is_active.eq(true))
            .filter(exists(
                uor::table
                    .filter(uor::user_id.eq(pm::user_id))
                    .filter(uor::organization_id.eq(org.to_string()))
                    .filter(uor::role_id.eq(PEER_MENTOR))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::local_association_id.eq_any(actor.associations.clone())),
            ))
            .filter(not(exists(
                act::table
                    .filter(act::mentor_id.eq(pm::user_id))
                    .filter(act::organization_id.eq(org.to_string()))
                    .filter(act::status.eq(REGISTERED))
                    .filter(act::occurred_on.ge(since)),
            )))
    };
    let total: i64 = scoped().count().get_result(conn)?;
    let rows: Vec<(String, String, String)> = scoped()
        .order((users::name_key.asc(), users::id.asc()))
        .select((pm::id, pm::user_id, users::name))
        .limit(LIST_MAX)
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    let last: HashMap<String, Option<NaiveDate>> = act::table
        .filter(act::mentor_id.eq_any(ids))
        .filter(act::organization_id.eq(org))
        .filter(act::status.eq(REGISTERED))
        .group_by(act::mentor_id)
        .select((act::mentor_id, max(act::occurred_on)))
        .load::<(String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .collect();
    Ok((
        rows.into_iter()
            .map(|(profile_id, user_id, name)| QuietMentor {
                last_activity: last.get(&user_id).copied().flatten(),
                profile_id,
                name,
            })
            .collect(),
        total,
    ))
}

// ---------------------------------------------------------------- organization administrator

/// An association that needs something (here: a coordinator).
#[derive(Clone, Debug)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct OrgAdminHome {
    pub associations: i64,
    pub regions: i64,
    pub mentors: i64,
    pub coordinators: i64,
    pub contacts: i64,
    pub upcoming_events: i64,
    pub year: i32,
    pub year_figures: Figures,
    pub month_label: String,
    pub month_figures: Figures,
    /// What needs configuring: label key, how many (0 = nothing), where to fix it.
    pub setup: Vec<Todo>,
    pub without_coordinator: Vec<Named>,
    pub without_coordinator_total: i64,
}

impl OrgAdminHome {
    pub fn needs_setup(&self) -> bool {
        self.setup.iter().any(|s| s.count > 0)
    }
}

pub fn org_admin_home(conn: &mut DbConn, actor: &Actor) -> AppResult<OrgAdminHome> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let today = today();
    let associations: i64 = la::table
        .filter(la::organization_id.eq(&org))
        .filter(la::is_active.eq(true))
        .count()
        .get_result(conn)?;
    let region_count: i64 = regions::table
        .filter(regions::organization_id.eq(&org))
        .filter(regions::is_active.eq(true))
        .count()
        .get_result(conn)?;
    let mentors: i64 = pm::table
        .filter(pm::organization_id.eq(&org))
        .filter(pm::status.eq("active"))
        .count()
        .get_result(conn)?;
    let coordinators: i64 = uor::table
        .filter(uor::organization_id.eq(&org))
        .filter(uor::role_id.eq(COORDINATOR))
        .filter(uor::revoked_at.is_null())
        .select(count(uor::user_id).aggregate_distinct())
        .get_result(conn)?;
    let contact_count: i64 = contacts::table
        .filter(contacts::organization_id.eq(&org))
        .filter(contacts::is_active.eq(true))
        .count()
        .get_result(conn)?;
    let upcoming_events: i64 = ev::table
        .filter(ev::organization_id.eq(&org))
        .filter(ev::status.eq("planned"))
        .filter(ev::starts_at.gt(now()))
        .count()
        .get_result(conn)?;
    let types: i64 = at::table
        .filter(at::organization_id.eq(&org))
        .filter(at::is_active.eq(true))
        .count()
        .get_result(conn)?;
    let lacking = || {
        la::table
            .filter(la::organization_id.eq(org.clone()))
            .filter(la::is_active.eq(true))
            .filter(not(exists(
                uor::table
                    .filter(uor::local_association_id.eq(la::id.nullable()))
                    .filter(uor::role_id.eq(COORDINATOR))
                    .filter(uor::revoked_at.is_null()),
            )))
    };
    let without_coordinator_total: i64 = lacking().count().get_result(conn)?;
    let without_coordinator = lacking()
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name))
        .limit(LIST_MAX)
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(id, name)| Named { id, name })
        .collect();
    let without_region: i64 = la::table
        .filter(la::organization_id.eq(&org))
        .filter(la::is_active.eq(true))
        .filter(la::region_id.is_null())
        .count()
        .get_result(conn)?;
    let setup = vec![
        Todo {
            label_key: "home.setup_no_types",
            count: i64::from(types == 0),
            href: "/activity-types/new".into(),
        },
        Todo {
            label_key: "home.setup_no_regions",
            count: i64::from(region_count == 0),
            href: "/regions".into(),
        },
        Todo {
            label_key: "home.setup_no_associations",
            count: i64::from(associations == 0),
            href: "/associations/new".into(),
        },
        Todo {
            label_key: "home.setup_no_coordinator",
            count: without_coordinator_total,
            href: HREF_ASSOCIATIONS_NO_COORDINATOR.into(),
        },
        Todo {
            label_key: "home.setup_no_region",
            count: if region_count == 0 { 0 } else { without_region },
            href: "/associations?region=none".into(),
        },
    ];
    let year_figures = figures_of_org(conn, &org, None, year_start(today), today)?;
    let month_figures = figures_of_org(conn, &org, None, month_start(today), month_end(today))?;
    Ok(OrgAdminHome {
        associations,
        regions: region_count,
        mentors,
        coordinators,
        contacts: contact_count,
        upcoming_events,
        year: today.year(),
        year_figures,
        month_label: month_start(today).format("%m.%Y").to_string(),
        month_figures,
        setup,
        without_coordinator,
        without_coordinator_total,
    })
}

// ---------------------------------------------------------------- global administrator

#[derive(Clone, Debug)]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub is_active: bool,
    pub associations: i64,
    pub admins: i64,
}

#[derive(Clone, Debug)]
pub struct GlobalHome {
    pub organizations: Vec<OrgSummary>,
    pub users: i64,
}

impl GlobalHome {
    pub fn without_admin(&self) -> usize {
        self.organizations
            .iter()
            .filter(|o| o.is_active && o.admins == 0)
            .count()
    }
}

/// At most this many organizations are listed (the platform has a handful).
const ORGS_MAX: i64 = 100;

pub fn global_home(conn: &mut DbConn, actor: &Actor) -> AppResult<GlobalHome> {
    if actor.role() != Role::GlobalAdmin {
        return Err(AppError::NotFound);
    }
    let rows: Vec<(String, String, bool)> = orgs::table
        .order((orgs::is_active.desc(), orgs::name.asc()))
        .select((orgs::id, orgs::name, orgs::is_active))
        .limit(ORGS_MAX)
        .load(conn)?;
    let associations: HashMap<String, i64> = la::table
        .filter(la::is_active.eq(true))
        .group_by(la::organization_id)
        .select((la::organization_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let admins: HashMap<Option<String>, i64> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::role_id.eq(Role::OrgAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .filter(users::is_active.eq(true))
        .group_by(uor::organization_id)
        .select((
            uor::organization_id,
            count(uor::user_id).aggregate_distinct(),
        ))
        .load::<(Option<String>, i64)>(conn)?
        .into_iter()
        .collect();
    let users: i64 = users::table
        .filter(users::is_active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(GlobalHome {
        organizations: rows
            .into_iter()
            .map(|(id, name, is_active)| OrgSummary {
                associations: associations.get(&id).copied().unwrap_or(0),
                admins: admins.get(&Some(id.clone())).copied().unwrap_or(0),
                id,
                name,
                is_active,
            })
            .collect(),
        users,
    })
}
