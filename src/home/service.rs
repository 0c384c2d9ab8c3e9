//! What each role's start page shows. Every figure is one COUNT (or COUNT … GROUP BY) in the
//! database over indexed columns, and every list is bounded; nothing loads a table to count it
//! in Rust. The scope is the one the people, activities and events services use: a peer mentor
//! their own activities and the contacts assigned to them, a coordinator the records of their
//! local associations, an organization administrator the whole organization.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, exists, max, not, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable};

use crate::access::Actor;
use crate::access::Role;
use crate::db::{now, Counted, Counts, DbConn, UnionAll};
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

/// What every start page shows beside the role's own figures: the names of the actor's
/// associations, the invitations waiting for an answer and the assignments notice (`None`: no
/// link). The two counts are read in the role's one statement of figures.
#[derive(Clone, Debug, Default)]
pub struct Common {
    pub associations: Vec<(String, String)>,
    pub invitations: i64,
    pub assignments: Option<i64>,
}

/// Adds the common counts to a page's statement of figures; the closure reads them back.
fn push_common(counts: &mut Counts, actor: &Actor) -> impl Fn(&Counted) -> Common {
    let invitations = crate::users::service::push_pending_count(counts, &actor.user_id);
    let assignments = crate::assignments::service::push_home_notice(counts, actor);
    move |c| Common {
        associations: Vec::new(),
        invitations: c.get(invitations),
        assignments: assignments.value(c),
    }
}

/// The names of the actor's associations, by name (no statement when they have none).
fn association_names(conn: &mut DbConn, actor: &Actor) -> QueryResult<Vec<(String, String)>> {
    if actor.associations.is_empty() {
        return Ok(Vec::new());
    }
    crate::auth::service::association_names(conn, &actor.associations)
}

/// A bound value telling the parts of a `UnionAll` apart (an SQL literal would keep the
/// statement out of the cache).
fn kind(k: i32) -> diesel::dsl::AsExprOf<i32, Integer> {
    k.into_sql::<Integer>()
}

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
    /// Last year's annual summary, when it has something to show (`/wrapped/{year}`).
    pub wrapped_year: Option<i32>,
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

/// Four statements: the counts (with the common ones), the contacts with the association
/// names, what to prefill for the contacts, the coming events.
pub fn mentor_home(conn: &mut DbConn, actor: &Actor) -> AppResult<(MentorHome, Common)> {
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
    let mut counts = Counts::default();
    let contacts_total = counts.push(mine().select(count(contacts::id).aggregate_distinct()));
    let year_activities = counts.push(year().count());
    let year_counting = counts.push(year().filter(act::bufdir_counts.eq(true)).count());
    let wrapped = crate::reports::wrapped::service::last_year_link(actor, &mut counts);
    let common = push_common(&mut counts, actor);
    let counted = counts.run(conn)?;

    // The first of them by name, and the names of my associations: one statement of two
    // parts, each keeping its order.
    let mut union = UnionAll::default();
    union.push_limited(
        contacts::table
            .inner_join(cm::table)
            .left_join(
                act::table.on(act::contact_id
                    .eq(contacts::id.nullable())
                    .and(act::status.eq(REGISTERED))),
            )
            .filter(cm::user_id.eq(me.clone()))
            .filter(cm::ended_at.is_null())
            .filter(contacts::organization_id.eq(org.clone()))
            .filter(contacts::is_active.eq(true))
            .group_by((
                contacts::id,
                contacts::name,
                contacts::name_key,
                contacts::local_association_id,
            ))
            .select((
                kind(0),
                contacts::id,
                contacts::name,
                contacts::local_association_id,
                max(act::occurred_on.nullable()),
            ))
            .order((contacts::name_key.asc(), contacts::id.asc())),
        (LIST_MAX * 2) as u32,
    );
    union.push(
        la::table
            .filter(la::id.eq_any(actor.associations.clone()))
            .order(la::name.asc())
            .select((
                kind(1),
                la::id,
                la::name,
                la::id,
                None::<NaiveDate>.into_sql::<Nullable<diesel::sql_types::Date>>(),
            )),
    );
    let mut names = Vec::new();
    let mut rows: Vec<(String, String, String, Option<NaiveDate>)> = Vec::new();
    for (k, id, name, association, last) in
        union.load::<(i32, String, String, String, Option<NaiveDate>)>(conn)?
    {
        if k == 0 {
            rows.push((id, name, association, last));
        } else {
            names.push((id, name));
        }
    }

    // What to prefill: the type and minutes of my last activity with each contact (the latest
    // 200 with these contacts), else of my last activity at all; one statement of two parts.
    let ids: Vec<Option<String>> = rows.iter().map(|r| Some(r.0.clone())).collect();
    let my_registered = || {
        act::table
            .filter(act::mentor_id.eq(me.clone()))
            .filter(act::organization_id.eq(org.clone()))
            .filter(act::status.eq(REGISTERED))
            .order((act::occurred_on.desc(), act::id.desc()))
    };
    let mut union = UnionAll::default();
    let prefill = (
        act::contact_id,
        act::activity_type_id,
        act::duration_minutes,
        act::occurred_on,
        act::id,
    );
    union.push_limited(
        my_registered()
            .filter(act::contact_id.eq_any(ids))
            .select((kind(0), prefill)),
        200,
    );
    union.push_limited(my_registered().select((kind(1), prefill)), 1);
    type Prefill = (Option<String>, String, Option<i32>, NaiveDate, String);
    let mut recent: Vec<(i32, Prefill)> = union.load(conn)?;
    recent.sort_by(|(_, x), (_, y)| (y.3, &y.4).cmp(&(x.3, &x.4)));
    let mut last_with: HashMap<String, (String, Option<i32>)> = HashMap::new();
    let mut fallback: Option<(String, Option<i32>)> = None;
    for (k, (c, t, m, _, _)) in recent {
        if k == 1 {
            fallback = Some((t, m));
        } else if let Some(c) = c {
            last_with.entry(c).or_insert((t, m));
        }
    }
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
    let events = ev::table
        .filter(ev::organization_id.eq(&org))
        .filter(ev::local_association_id.eq_any(actor.associations.clone()))
        .filter(ev::status.eq("planned"))
        .filter(ev::starts_at.gt(t))
        .order((ev::starts_at.asc(), ev::id.asc()))
        .select((
            ev::id,
            ev::title,
            ev::starts_at,
            ev::place,
            exists(
                ea::table
                    .filter(ea::event_id.eq(ev::id))
                    .filter(ea::user_id.eq(me.clone()))
                    .filter(ea::status.eq(REGISTERED)),
            ),
        ))
        .limit(5)
        .load::<(String, String, NaiveDateTime, Option<String>, bool)>(conn)?
        .into_iter()
        .map(|(id, title, starts_at, place, registered)| UpcomingEvent {
            registered,
            id,
            title,
            starts_at,
            place,
        })
        .collect();

    let common = Common {
        associations: names,
        ..common(&counted)
    };
    Ok((
        MentorHome {
            contacts,
            contacts_total: counted.get(contacts_total),
            events,
            year: today.year(),
            year_activities: counted.get(year_activities),
            year_counting: counted.get(year_counting),
            year_href: format!("/activities?from={from}&to={today}"),
            wrapped_year: wrapped.and_then(|(y, i)| (counted.get(i) > 0).then_some(y)),
        },
        common,
    ))
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
    pub charts: YearCharts,
}

/// This year's activities per month and counting activities per Bufdir category, for the
/// start page's charts: parts of the page's one `Counts` statement (`reports::charts`).
#[derive(Clone, Debug, Default)]
pub struct YearCharts {
    pub year: i32,
    pub months: Vec<i64>,
    pub categories: Vec<i64>,
}

/// Pushes the charts' counts; the closure reads them back once the statement ran.
fn push_charts(
    counts: &mut Counts,
    org: &str,
    associations: Option<&[String]>,
    year: i32,
) -> impl Fn(&Counted) -> YearCharts {
    let months = crate::reports::charts::push_per_month(counts, org, associations, year);
    let categories = crate::reports::charts::push_per_category(counts, org, associations, year);
    move |c: &Counted| YearCharts {
        year,
        months: months.iter().map(|i| c.get(*i)).collect(),
        categories: categories.iter().map(|i| c.get(*i)).collect(),
    }
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

/// Active peer mentors with a grant in these associations and no activity since `since`.
macro_rules! quiet_mentors {
    ($org:expr, $assocs:expr, $since:expr) => {
        pm::table
            .inner_join(users::table)
            .filter(pm::organization_id.eq($org))
            .filter(pm::status.eq("active"))
            .filter(users::is_active.eq(true))
            .filter(exists(
                uor::table
                    .filter(uor::user_id.eq(pm::user_id))
                    .filter(uor::organization_id.eq($org))
                    .filter(uor::role_id.eq(PEER_MENTOR))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::local_association_id.eq_any($assocs)),
            ))
            .filter(not(exists(
                act::table
                    .filter(act::mentor_id.eq(pm::user_id))
                    .filter(act::organization_id.eq($org))
                    .filter(act::status.eq(REGISTERED))
                    .filter(act::occurred_on.ge($since)),
            )))
    };
}

/// Three statements: every count (with the common ones), the month's figures by association
/// with the associations' names, and the first quiet mentors with their last activity.
pub fn coordinator_home(conn: &mut DbConn, actor: &Actor) -> AppResult<(CoordinatorHome, Common)> {
    actor.require(&[Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let assocs = actor.associations.clone();
    let today = today();
    let t = now();
    let (from, to) = (month_start(today), month_end(today));

    let mut counts = Counts::default();
    let no_mentor = counts.push(
        scoped_contacts!(org.clone(), assocs.clone())
            .filter(not(has_mentor!()))
            .count(),
    );
    let since = today - Duration::days(NOT_REACHED_DAYS);
    let not_reached = counts.push(
        scoped_contacts!(org.clone(), assocs.clone())
            .filter(has_mentor!())
            .filter(not(exists(
                act::table
                    .filter(act::contact_id.eq(contacts::id.nullable()))
                    .filter(act::status.eq(REGISTERED))
                    .filter(act::occurred_on.ge(since)),
            )))
            .count(),
    );
    // Started, planned events with a registration still unmarked (as on the events list).
    let awaiting = counts.push(
        ev::table
            .filter(ev::organization_id.eq(org.clone()))
            .filter(ev::local_association_id.eq_any(assocs.clone()))
            .filter(ev::starts_at.le(t))
            .filter(ev::status.eq("planned"))
            .filter(ev::activity_id.is_null())
            .filter(exists(
                ea::table
                    .filter(ea::event_id.eq(ev::id))
                    .filter(ea::status.eq(REGISTERED)),
            ))
            .count(),
    );
    let quiet_since = today - Duration::days(QUIET_DAYS);
    let quiet_total = counts.push(quiet_mentors!(org.clone(), assocs.clone(), quiet_since).count());
    // Distinct people across associations are counted once, so not summed from the rows.
    let period = || {
        act::table
            .filter(act::organization_id.eq(org.clone()))
            .filter(act::local_association_id.eq_any(assocs.clone()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(to))
    };
    let mentors = counts.push(period().select(count(act::mentor_id).aggregate_distinct()));
    let contacts_total = counts.push(period().select(count(act::contact_id).aggregate_distinct()));
    let charts = push_charts(&mut counts, &org, Some(assocs.as_slice()), today.year());
    let common = push_common(&mut counts, actor);
    let counted = counts.run(conn)?;

    let todo = vec![
        Todo {
            label_key: "home.todo_no_mentor",
            count: counted.get(no_mentor),
            href: HREF_CONTACTS_NO_MENTOR.into(),
        },
        Todo {
            label_key: "home.todo_not_reached",
            count: counted.get(not_reached),
            href: HREF_CONTACTS_NOT_REACHED.into(),
        },
        Todo {
            label_key: "home.todo_awaiting_attendance",
            count: counted.get(awaiting),
            href: HREF_EVENTS_AWAITING.into(),
        },
        Todo {
            label_key: "home.todo_quiet_mentors",
            count: counted.get(quiet_total),
            href: HREF_MENTORS_QUIET.into(),
        },
    ];
    let (names, mut month) = figures_by_association(conn, &org, &assocs, from, to)?;
    let mut rows: Vec<Figures> = names
        .iter()
        .map(|(id, name)| {
            let mut f = month.remove(id).unwrap_or_default();
            f.href = activities_href(from, to, Some(id));
            f.id = id.clone();
            f.name = name.clone();
            f
        })
        .collect();
    rows.sort_by(|a, b| {
        crate::web::forms::search_key(&a.name).cmp(&crate::web::forms::search_key(&b.name))
    });
    let mut total = Figures {
        href: activities_href(from, to, None),
        mentors: counted.get(mentors),
        contacts: counted.get(contacts_total),
        ..Default::default()
    };
    for r in &rows {
        total.activities += r.activities;
        total.counting += r.counting;
        total.minutes += r.minutes;
    }

    // The first quiet mentors by name, each with their last activity ever.
    let quiet = quiet_mentors!(org.clone(), assocs.clone(), quiet_since)
        .order((users::name_key.asc(), users::id.asc()))
        .select((
            pm::id,
            users::name,
            act::table
                .filter(act::mentor_id.eq(pm::user_id))
                .filter(act::organization_id.eq(org.clone()))
                .filter(act::status.eq(REGISTERED))
                .select(max(act::occurred_on))
                .single_value(),
        ))
        .limit(LIST_MAX)
        .load::<(String, String, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(profile_id, name, last_activity)| QuietMentor {
            profile_id,
            name,
            last_activity,
        })
        .collect();

    Ok((
        CoordinatorHome {
            todo,
            month: rows,
            month_total: total,
            month_label: from.format("%m.%Y").to_string(),
            quiet,
            quiet_total: counted.get(quiet_total),
            charts: charts(&counted),
        },
        Common {
            associations: names,
            ..common(&counted)
        },
    ))
}

/// Activities in a period, grouped by association: counts, minutes, distinct mentors and
/// contacts (one GROUP BY over the (association, date) index), and those counting for Bufdir;
/// with the names of the associations, by name. One statement of three parts.
#[allow(clippy::type_complexity)]
fn figures_by_association(
    conn: &mut DbConn,
    org: &str,
    assocs: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<(Vec<(String, String)>, HashMap<String, Figures>)> {
    let period = || {
        act::table
            .filter(act::organization_id.eq(org.to_string()))
            .filter(act::local_association_id.eq_any(assocs.to_vec()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(to))
            .group_by(act::local_association_id)
    };
    let figures = |k: i32| {
        (
            kind(k),
            act::local_association_id,
            act::local_association_id,
            count_star(),
            sum(act::duration_minutes),
            count(act::mentor_id).aggregate_distinct(),
            count(act::contact_id).aggregate_distinct(),
        )
    };
    let zero = || 0_i64.into_sql::<BigInt>();
    let mut union = UnionAll::default();
    union.push(period().select(figures(0)));
    union.push(
        period()
            .filter(act::bufdir_counts.eq(true))
            .select(figures(1)),
    );
    union.push(
        la::table
            .filter(la::id.eq_any(assocs.to_vec()))
            .order(la::name.asc())
            .select((
                kind(2),
                la::id,
                la::name,
                zero(),
                None::<i64>.into_sql::<Nullable<BigInt>>(),
                zero(),
                zero(),
            )),
    );
    type Row = (i32, String, String, i64, Option<i64>, i64, i64);
    let mut names = Vec::new();
    let mut out: HashMap<String, Figures> = HashMap::new();
    let mut counting: HashMap<String, i64> = HashMap::new();
    for (k, id, name, activities, minutes, mentors, contacts) in union.load::<Row>(conn)? {
        match k {
            0 => {
                let f = Figures {
                    activities,
                    minutes: minutes.unwrap_or(0),
                    mentors,
                    contacts,
                    ..Default::default()
                };
                out.insert(id, f);
            }
            1 => {
                counting.insert(id, activities);
            }
            _ => names.push((id, name)),
        }
    }
    for (id, f) in out.iter_mut() {
        f.counting = counting.get(id).copied().unwrap_or(0);
    }
    Ok((names, out))
}

/// The same figures for the whole organization over each period: one statement with a part
/// per period, each one scan of the period's range (four aggregates at once); the Bufdir
/// count comes from the page's counts (`push_counting`).
fn figures_of_org(
    conn: &mut DbConn,
    org: &str,
    periods: &[(NaiveDate, NaiveDate)],
) -> QueryResult<Vec<Figures>> {
    let mut union = UnionAll::default();
    for (k, (from, to)) in periods.iter().enumerate() {
        union.push(period_of_org(org, *from, *to).select((
            kind(k as i32),
            count_star(),
            sum(act::duration_minutes),
            count(act::mentor_id).aggregate_distinct(),
            count(act::contact_id).aggregate_distinct(),
        )));
    }
    let mut out: Vec<Figures> = periods
        .iter()
        .map(|(from, to)| Figures {
            href: activities_href(*from, *to, None),
            ..Default::default()
        })
        .collect();
    for (k, activities, minutes, mentors, contacts) in
        union.load::<(i32, i64, Option<i64>, i64, i64)>(conn)?
    {
        if let Some(f) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) {
            f.activities = activities;
            f.minutes = minutes.unwrap_or(0);
            f.mentors = mentors;
            f.contacts = contacts;
        }
    }
    Ok(out)
}

/// The organization's registered activities in a period.
fn period_of_org(
    org: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> act::BoxedQuery<'static, crate::db::DbConnBackend> {
    act::table
        .filter(act::organization_id.eq(org.to_string()))
        .filter(act::status.eq(REGISTERED))
        .filter(act::occurred_on.ge(from))
        .filter(act::occurred_on.le(to))
        .into_boxed()
}

/// Those counting for Bufdir in a period, as a part of the page's counts.
fn push_counting(counts: &mut Counts, org: &str, from: NaiveDate, to: NaiveDate) -> usize {
    counts.push(
        period_of_org(org, from, to)
            .filter(act::bufdir_counts.eq(true))
            .count(),
    )
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
    pub charts: YearCharts,
}

impl OrgAdminHome {
    pub fn needs_setup(&self) -> bool {
        self.setup.iter().any(|s| s.count > 0)
    }
}

/// Three statements: every count (with the common ones), the year's and the month's figures,
/// and the first associations without a coordinator.
pub fn org_admin_home(conn: &mut DbConn, actor: &Actor) -> AppResult<(OrgAdminHome, Common)> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let today = today();
    let mut counts = Counts::default();
    let associations = counts.push(
        la::table
            .filter(la::organization_id.eq(org.clone()))
            .filter(la::is_active.eq(true))
            .count(),
    );
    let region_count = counts.push(
        regions::table
            .filter(regions::organization_id.eq(org.clone()))
            .filter(regions::is_active.eq(true))
            .count(),
    );
    let mentors = counts.push(
        pm::table
            .filter(pm::organization_id.eq(org.clone()))
            .filter(pm::status.eq("active"))
            .count(),
    );
    let coordinators = counts.push(
        uor::table
            .filter(uor::organization_id.eq(org.clone()))
            .filter(uor::role_id.eq(COORDINATOR))
            .filter(uor::revoked_at.is_null())
            .select(count(uor::user_id).aggregate_distinct()),
    );
    let contact_count = counts.push(
        contacts::table
            .filter(contacts::organization_id.eq(org.clone()))
            .filter(contacts::is_active.eq(true))
            .count(),
    );
    let upcoming_events = counts.push(
        ev::table
            .filter(ev::organization_id.eq(org.clone()))
            .filter(ev::status.eq("planned"))
            .filter(ev::starts_at.gt(now()))
            .count(),
    );
    let types = counts.push(
        at::table
            .filter(at::organization_id.eq(org.clone()))
            .filter(at::is_active.eq(true))
            .count(),
    );
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
    let without_coordinator_total = counts.push(lacking().count());
    let without_region = counts.push(
        la::table
            .filter(la::organization_id.eq(org.clone()))
            .filter(la::is_active.eq(true))
            .filter(la::region_id.is_null())
            .count(),
    );
    let periods = [
        (year_start(today), today),
        (month_start(today), month_end(today)),
    ];
    let counting: Vec<usize> = periods
        .iter()
        .map(|(from, to)| push_counting(&mut counts, &org, *from, *to))
        .collect();
    let charts = push_charts(&mut counts, &org, None, today.year());
    let common = push_common(&mut counts, actor);
    let c = counts.run(conn)?;
    let mut figures = figures_of_org(conn, &org, &periods)?;
    for (f, i) in figures.iter_mut().zip(&counting) {
        f.counting = c.get(*i);
    }
    let month_figures = figures.pop().unwrap_or_default();
    let year_figures = figures.pop().unwrap_or_default();

    let without_coordinator = lacking()
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name))
        .limit(LIST_MAX)
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(id, name)| Named { id, name })
        .collect();
    let region_count = c.get(region_count);
    let setup = vec![
        Todo {
            label_key: "home.setup_no_types",
            count: i64::from(c.get(types) == 0),
            href: "/activity-types/new".into(),
        },
        Todo {
            label_key: "home.setup_no_regions",
            count: i64::from(region_count == 0),
            href: "/regions".into(),
        },
        Todo {
            label_key: "home.setup_no_associations",
            count: i64::from(c.get(associations) == 0),
            href: "/associations/new".into(),
        },
        Todo {
            label_key: "home.setup_no_coordinator",
            count: c.get(without_coordinator_total),
            href: HREF_ASSOCIATIONS_NO_COORDINATOR.into(),
        },
        Todo {
            label_key: "home.setup_no_region",
            count: if region_count == 0 {
                0
            } else {
                c.get(without_region)
            },
            href: "/associations?region=none".into(),
        },
    ];
    let common = Common {
        associations: association_names(conn, actor)?,
        ..common(&c)
    };
    Ok((
        OrgAdminHome {
            associations: c.get(associations),
            regions: region_count,
            mentors: c.get(mentors),
            coordinators: c.get(coordinators),
            contacts: c.get(contact_count),
            upcoming_events: c.get(upcoming_events),
            year: today.year(),
            year_figures,
            month_label: month_start(today).format("%m.%Y").to_string(),
            month_figures,
            setup,
            without_coordinator,
            without_coordinator_total: c.get(without_coordinator_total),
            charts: charts(&c),
        },
        common,
    ))
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

pub fn global_home(conn: &mut DbConn, actor: &Actor) -> AppResult<(GlobalHome, Common)> {
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
    let mut counts = Counts::default();
    let users = counts.push(users::table.filter(users::is_active.eq(true)).count());
    let common = push_common(&mut counts, actor);
    let c = counts.run(conn)?;
    let common = Common {
        associations: association_names(conn, actor)?,
        ..common(&c)
    };
    let home = GlobalHome {
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
        users: c.get(users),
    };
    Ok((home, common))
}
