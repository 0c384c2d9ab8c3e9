//! The Bufdir report's figures for an organization (or a coordinator's associations) and a
//! year, computed with SQL aggregates over the `idx_activities_bufdir_report` index: nothing
//! loads the activities. Whether an activity counts, and why not, is the verdict
//! `activities::bufdir::evaluate` stored on the activity when it was saved (`bufdir_counts`,
//! `bufdir_reason`): the rules live in that one place; here they are only added up, by the
//! Bufdir category of the activity's type.
//!
//! Counting: every counting activity is one unit, so two outreach visits to different people on
//! one day are two. Participants: a group's or a training's number of participants, one for an
//! outreach conversation. People reached: distinct contacts. Mentors: distinct mentors; the
//! totals are their own `COUNT(DISTINCT …)` over the whole organization, so a mentor credited in
//! two associations is one mentor in the total (and one in each association).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, sql, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use serde::{Deserialize, Serialize};

use crate::activities::model::CATEGORIES;
use crate::db::{DbConn, UnionAll};
use crate::schema::{
    activities as act, activity_types as at, event_attendees as ea, events as ev,
    local_associations as la, organizations, peer_mentors as pm, users,
};

/// The mentor statuses of an approved mentor, who may stand on the roster.
pub const APPROVED: [&str; 1] = ["active"];

/// One line of figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub activities: i64,
    pub participants: i64,
    pub people: i64,
    pub mentors: i64,
    pub minutes: i64,
}

impl Line {
    pub fn hours(&self) -> String {
        crate::reports::hours(self.minutes)
    }
}

/// The figures of one association, or of the total: a line per Bufdir category (in the order
/// of `CATEGORIES`), all counting activity, and events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub categories: Vec<Line>,
    pub all: Line,
    pub events: i64,
    pub event_participants: i64,
}

impl Block {
    /// The line of the category at `i` (of `CATEGORIES`).
    pub fn cat(&self, i: &usize) -> Option<&Line> {
        self.categories.get(*i)
    }
    fn empty() -> Block {
        Block {
            categories: vec![Line::default(); CATEGORIES.len()],
            ..Default::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationFigures {
    pub id: String,
    pub name: String,
    pub figures: Block,
}

/// A mentor who took part: name, the associations credited, counting activities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub mentor_id: String,
    pub name: String,
    pub associations: Vec<String>,
    pub activities: i64,
}

/// Activities that did not count, by the reason's label key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCounted {
    pub reason: String,
    pub activities: i64,
}

/// Everything the report shows and exports; stored as JSON when a version is finalized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub organization: String,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub associations: Vec<AssociationFigures>,
    pub total: Block,
    pub roster: Vec<RosterEntry>,
    pub not_counted: Vec<NotCounted>,
    pub computed_at: NaiveDateTime,
    /// Training days from courses marked as Bufdir training (in the training figures).
    #[serde(default)]
    pub course_days: i64,
    /// Mentors with counting activities left off the roster: not approved (their status is
    /// not active).
    #[serde(default)]
    pub roster_not_approved: i64,
}

impl Figures {
    pub fn not_counted_total(&self) -> i64 {
        self.not_counted.iter().map(|n| n.activities).sum()
    }
}

/// What a report covers: the whole organization, or some of its associations.
#[derive(Clone, Debug)]
pub enum Scope {
    Org,
    Associations(Vec<String>),
}

pub fn year_range(year: i32) -> (NaiveDate, NaiveDate) {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    (from, to)
}

/// The organization's activity types by Bufdir category (index into `CATEGORIES`).
pub fn types_by_category(conn: &mut DbConn, org: &str) -> QueryResult<Vec<Vec<String>>> {
    let rows: Vec<(String, Option<String>)> = at::table
        .filter(at::organization_id.eq(org))
        .select((at::id, at::bufdir_category))
        .load(conn)?;
    let mut out = vec![Vec::new(); CATEGORIES.len()];
    for (id, cat) in rows {
        if let Some(i) = cat.and_then(|c| CATEGORIES.iter().position(|k| *k == c)) {
            out[i].push(id);
        }
    }
    Ok(out)
}

/// Counting (`true`) or not-counting activities of the organization in the period: a range of
/// `idx_activities_bufdir_report`. Not boxed, so it can still be grouped (`scoped!` boxes it).
macro_rules! period {
    ($org:expr, $counts:expr, $from:expr, $to:expr) => {
        act::table
            .filter(act::organization_id.eq($org.to_string()))
            .filter(act::bufdir_counts.eq($counts))
            .filter(act::occurred_on.ge($from))
            .filter(act::occurred_on.le($to))
    };
}

/// A (grouped, selected) query of activities boxed and limited to the scope's associations.
macro_rules! scoped {
    ($q:expr, $scope:expr) => {{
        let mut q = $q.into_boxed::<crate::db::DbConnBackend>();
        if let Scope::Associations(ids) = $scope {
            // `association || ''`: a filter read from the covering report index, not a way
            // in. SQLite otherwise walks `idx_activities_association_date` and reads every
            // row of the year from the table (0.31 s a part at 1,000,000 activities, against
            // 0.05–0.09 s through `idx_activities_bufdir_report`).
            q = q.filter(
                act::local_association_id
                    .concat(String::new())
                    .eq_any(ids.clone()),
            );
        }
        q
    }};
}

type LineRow = (i32, String, i64, Option<i64>, i64, i64, Option<i64>);
type LineSql = (
    Integer,
    Text,
    BigInt,
    Nullable<BigInt>,
    BigInt,
    BigInt,
    Nullable<BigInt>,
);

fn participants() -> diesel::expression::SqlLiteral<Nullable<BigInt>> {
    // Outreach records no number of participants: it is a conversation with one person.
    sql("CAST(SUM(COALESCE(participants, 1)) AS BIGINT)")
}

/// Computes the report. Parts: per category × association, per category in total, all
/// categories per association and in total, roster (mentor × association), the reasons of what
/// did not count; then events and their participants; then names.
pub fn compute(conn: &mut DbConn, org: &str, year: i32, scope: &Scope) -> QueryResult<Figures> {
    compute_with(conn, org, year, scope, &mut |_, _, _| Ok(()))
}

/// Told before each step: the connection, the percent done and the step's label key.
pub type OnStep<'a> = dyn FnMut(&mut DbConn, i32, &'static str) -> QueryResult<()> + 'a;

/// `compute`, telling `on_step` how far it has come (the progress of a long run).
pub fn compute_with(
    conn: &mut DbConn,
    org: &str,
    year: i32,
    scope: &Scope,
    on_step: &mut OnStep<'_>,
) -> QueryResult<Figures> {
    on_step(conn, 5, "report.step_figures")?;
    let (from, to) = year_range(year);
    let types = types_by_category(conn, org)?;
    // kind = category index (0..3) or 3 for all; +10 for the totals.
    let all = CATEGORIES.len() as i32;
    let mut union: UnionAll<LineSql> = UnionAll::default();
    let cats: Vec<(i32, Option<Vec<String>>)> = types
        .iter()
        .enumerate()
        .map(|(i, ids)| (i as i32, Some(ids.clone())))
        .chain(std::iter::once((all, None)))
        .collect();
    for (k, ids) in &cats {
        // "All" is every type with a category: the categories add up to it.
        let ids = ids.clone().unwrap_or_else(|| types.concat());
        if ids.is_empty() {
            continue;
        }
        let base =
            || period!(org, true, from, to).filter(act::activity_type_id.eq_any(ids.clone()));
        union.push(scoped!(
            base().group_by(act::local_association_id).select((
                (*k).into_sql::<Integer>(),
                act::local_association_id,
                count_star(),
                participants(),
                count(act::contact_id).aggregate_distinct(),
                count(act::mentor_id).aggregate_distinct(),
                sum(act::duration_minutes),
            )),
            scope
        ));
        union.push(scoped!(
            base().select((
                (k + 10).into_sql::<Integer>(),
                String::new().into_sql::<Text>(),
                count_star(),
                participants(),
                count(act::contact_id).aggregate_distinct(),
                count(act::mentor_id).aggregate_distinct(),
                sum(act::duration_minutes),
            )),
            scope
        ));
    }
    let mut by_assoc: BTreeMap<String, Block> = BTreeMap::new();
    let mut total = Block::empty();
    for (k, assoc, activities, part, people, mentors, minutes) in union.load::<LineRow>(conn)? {
        let line = Line {
            activities,
            participants: part.unwrap_or(0),
            people,
            mentors,
            minutes: minutes.unwrap_or(0),
        };
        let block = if k >= 10 {
            &mut total
        } else {
            by_assoc.entry(assoc).or_insert_with(Block::empty)
        };
        let c = (k % 10) as usize;
        if c < CATEGORIES.len() {
            block.categories[c] = line;
        } else {
            block.all = line;
        }
    }

    on_step(conn, 50, "report.step_courses")?;
    // Days of courses marked as Bufdir training: training days where they last 2 × 45
    // minutes and someone attended.
    let training = CATEGORIES
        .iter()
        .position(|c| *c == "training")
        .unwrap_or(CATEGORIES.len() - 1);
    let mut course_days = 0;
    let mut days_not_counted: BTreeMap<String, i64> = BTreeMap::new();
    for d in super::courses::days(conn, org, from, to, scope)? {
        if !d.counts {
            *days_not_counted.entry(d.reason.to_string()).or_default() += 1;
            continue;
        }
        course_days += 1;
        add_course_day(&mut total, training, d.minutes, d.attended);
        if let Some(a) = d.association_id {
            let block = by_assoc.entry(a).or_insert_with(Block::empty);
            add_course_day(block, training, d.minutes, d.attended);
        }
    }

    on_step(conn, 60, "report.step_roster")?;
    // The roster: mentors by association, with their counting activities.
    let pairs: Vec<(String, String, i64)> = scoped!(
        period!(org, true, from, to)
            .group_by((act::mentor_id, act::local_association_id))
            .select((act::mentor_id, act::local_association_id, count_star())),
        scope
    )
    .load(conn)?;
    // Their names, a few hundred ids at a time (a bound list each).
    let mut ids: Vec<String> = pairs.iter().map(|p| p.0.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut approved: std::collections::HashSet<String> = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        names.extend(
            users::table
                .filter(users::id.eq_any(chunk.to_vec()))
                .select((users::id, users::name))
                .load::<(String, String)>(conn)?,
        );
        approved.extend(
            pm::table
                .filter(pm::organization_id.eq(org.to_string()))
                .filter(pm::user_id.eq_any(chunk.to_vec()))
                .filter(pm::status.eq_any(APPROVED))
                .select(pm::user_id)
                .load::<String>(conn)?,
        );
    }

    let not_counted: Vec<(String, i64)> = scoped!(
        period!(org, false, from, to)
            .group_by(act::bufdir_reason)
            .select((act::bufdir_reason, count_star()))
            .order(act::bufdir_reason.asc()),
        scope
    )
    .load(conn)?;

    on_step(conn, 80, "report.step_events")?;
    // Events held (not cancelled) and those who attended.
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = (to + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    macro_rules! held {
        ($q:expr) => {
            $q.filter(ev::organization_id.eq(org.to_string()))
                .filter(ev::starts_at.ge(start))
                .filter(ev::starts_at.lt(end))
                .filter(ev::status.ne("cancelled"))
        };
    }
    macro_rules! ev_scoped {
        ($q:expr) => {{
            let mut q = $q.into_boxed::<crate::db::DbConnBackend>();
            if let Scope::Associations(ids) = scope {
                q = q.filter(ev::local_association_id.eq_any(ids.clone()));
            }
            q
        }};
    }
    let events: Vec<(String, i64)> = ev_scoped!(held!(ev::table)
        .group_by(ev::local_association_id)
        .select((ev::local_association_id, count_star())))
    .load(conn)?;
    let attended: Vec<(String, i64)> = ev_scoped!(held!(ea::table.inner_join(ev::table))
        .filter(ea::status.eq("attended"))
        .group_by(ev::local_association_id)
        .select((ev::local_association_id, count_star())))
    .load(conn)?;
    let attended_people: i64 = ev_scoped!(held!(ea::table.inner_join(ev::table))
        .filter(ea::status.eq("attended"))
        .select(count(ea::user_id).aggregate_distinct()))
    .first(conn)?;
    for (assoc, n) in events {
        total.events += n;
        by_assoc.entry(assoc).or_insert_with(Block::empty).events = n;
    }
    for (assoc, n) in attended {
        by_assoc
            .entry(assoc)
            .or_insert_with(Block::empty)
            .event_participants = n;
    }
    total.event_participants = attended_people;

    // Association names, for every association with figures (and, for a coordinator, each of
    // theirs even without any).
    let mut ids: Vec<String> = by_assoc.keys().cloned().collect();
    if let Scope::Associations(mine) = scope {
        for id in mine {
            if !by_assoc.contains_key(id) {
                by_assoc.insert(id.clone(), Block::empty());
                ids.push(id.clone());
            }
        }
    }
    let assoc_names: HashMap<String, String> = la::table
        .filter(la::organization_id.eq(org))
        .filter(la::id.eq_any(ids))
        .select((la::id, la::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut associations: Vec<AssociationFigures> = by_assoc
        .into_iter()
        .map(|(id, figures)| AssociationFigures {
            name: assoc_names.get(&id).cloned().unwrap_or_default(),
            id,
            figures,
        })
        .collect();
    associations.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));

    let mut roster: BTreeMap<String, RosterEntry> = BTreeMap::new();
    let mut not_approved: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (mentor, assoc, n) in pairs {
        if !approved.contains(&mentor) {
            not_approved.insert(mentor);
            continue;
        }
        let e = roster.entry(mentor.clone()).or_insert_with(|| RosterEntry {
            name: names.get(&mentor).cloned().unwrap_or_default(),
            mentor_id: mentor,
            associations: Vec::new(),
            activities: 0,
        });
        e.activities += n;
        e.associations
            .push(assoc_names.get(&assoc).cloned().unwrap_or_default());
    }
    let mut roster: Vec<RosterEntry> = roster.into_values().collect();
    for r in &mut roster {
        r.associations.sort();
    }
    roster.sort_by(|a, b| a.name.cmp(&b.name).then(a.mentor_id.cmp(&b.mentor_id)));

    let organization: String = organizations::table
        .find(org)
        .select(organizations::name)
        .first(conn)?;
    Ok(Figures {
        organization,
        year,
        from,
        to,
        associations,
        total,
        roster,
        not_counted: merge_reasons(not_counted, days_not_counted),
        computed_at: crate::db::now(),
        course_days,
        roster_not_approved: not_approved.len() as i64,
    })
}

/// A counting course day in a block: one training unit, its attendees, its minutes.
fn add_course_day(block: &mut Block, training: usize, minutes: i64, attended: i64) {
    for line in [&mut block.all]
        .into_iter()
        .chain(block.categories.get_mut(training))
    {
        line.activities += 1;
        line.participants += attended;
        line.minutes += minutes;
    }
}

/// The activities' reasons and the course days', by reason.
fn merge_reasons(activities: Vec<(String, i64)>, days: BTreeMap<String, i64>) -> Vec<NotCounted> {
    let mut all: BTreeMap<String, i64> = activities.into_iter().collect();
    for (reason, n) in days {
        *all.entry(reason).or_default() += n;
    }
    all.into_iter()
        .map(|(reason, activities)| NotCounted { reason, activities })
        .collect()
}
