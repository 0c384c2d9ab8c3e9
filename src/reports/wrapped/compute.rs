//! The `reports.wrapped` job: each mentor's past years in figures, by SQL aggregates.
//!
//! Per organization and year, one statement of `GROUP BY user` parts (`UnionAll`): the year's
//! activities, minutes and different contacts, the same for the year before, the activities of
//! each month, events attended, courses completed and badges awarded. Memory holds one
//! organization's mentors of one year, never its activities. Rows are keyed by organization,
//! user and year (a unique index): the job adds the rows missing, so a second run adds nothing;
//! `recompute` (a coordinator's button) also rewrites the rows that exist.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, min, sum};
use diesel::expression_methods::AggregateExpressionMethods;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::model::AnnualSummary;
use crate::db::{new_id, now, DbConn, UnionAll};
use crate::schema::{
    activities as act, annual_summaries as asum, course_enrollments as ce, courses as co,
    event_attendees as ea, events as ev, organizations as o, peer_mentors as pm, user_badges as ub,
};

/// How many past years the job looks at (and the pages show).
pub const YEARS_BACK: i32 = 10;

const REGISTERED: &str = "registered";

/// This year in Norway.
pub fn this_year() -> i32 {
    crate::activities::service::today().year()
}

fn jan1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year.clamp(1, 9998), 1, 1).unwrap_or_default()
}

fn month_start(year: i32, month: u32) -> NaiveDate {
    if month > 12 {
        jan1(year + 1)
    } else {
        NaiveDate::from_ymd_opt(year.clamp(1, 9998), month, 1).unwrap_or_default()
    }
}

/// The first instant of a year in Norway, UTC (for instants: events, courses, badges).
fn year_start(year: i32) -> NaiveDateTime {
    crate::assignments::service::year_start_utc(year)
}

fn kind(k: i32) -> diesel::dsl::AsExprOf<i32, Integer> {
    k.into_sql::<Integer>()
}

// The part kinds of the statement: 0–11 the months, then these.
const EVENTS: i32 = 12;
const COURSES: i32 = 13;
const BADGES: i32 = 14;
const ACTIVITIES: i32 = 20;
const MINUTES: i32 = 21;
const CONTACTS: i32 = 22;
const PREVIOUS: i32 = 10; // added to the three above for the year before

/// One user's figures while they are gathered.
#[derive(Default)]
struct Gathered {
    months: [i64; 12],
    events: i64,
    courses: i64,
    badges: i64,
    /// activities, minutes, contacts; then the same for the year before.
    activity: [i64; 6],
}

impl Gathered {
    fn put(&mut self, kind: i32, value: i64) {
        match kind {
            0..=11 => self.months[kind as usize] = value,
            EVENTS => self.events = value,
            COURSES => self.courses = value,
            BADGES => self.badges = value,
            k @ (ACTIVITIES..=CONTACTS) => self.activity[(k - ACTIVITIES) as usize] = value,
            k if (ACTIVITIES + PREVIOUS..=CONTACTS + PREVIOUS).contains(&k) => {
                self.activity[(k - ACTIVITIES - PREVIOUS + 3) as usize] = value
            }
            _ => {}
        }
    }

    fn summary(&self, org: &str, user: &str, year: i32, at: NaiveDateTime) -> AnnualSummary {
        let n = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        // The first month of the largest count (a tie goes to the earlier month).
        let (busiest, most) =
            self.months
                .iter()
                .enumerate()
                .fold((None, 0), |(best, most), (m, &c)| {
                    if c > most {
                        (Some(m as i32 + 1), c)
                    } else {
                        (best, most)
                    }
                });
        AnnualSummary {
            id: new_id(),
            organization_id: org.to_string(),
            user_id: user.to_string(),
            year,
            activities: n(self.activity[0]),
            minutes: n(self.activity[1]),
            contacts: n(self.activity[2]),
            events: n(self.events),
            courses: n(self.courses),
            badges: n(self.badges),
            busiest_month: busiest,
            busiest_month_activities: n(most),
            previous_activities: n(self.activity[3]),
            previous_minutes: n(self.activity[4]),
            previous_contacts: n(self.activity[5]),
            computed_at: at,
        }
    }
}

type Row = (Integer, Text, Nullable<BigInt>);

/// Every figure of an organization's year, per user: one statement.
fn gather(conn: &mut DbConn, org: &str, year: i32) -> QueryResult<BTreeMap<String, Gathered>> {
    let acts = |from: NaiveDate, to: NaiveDate| {
        act::table
            .filter(act::organization_id.eq(org.to_string()))
            .filter(act::status.eq(REGISTERED))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.lt(to))
            .group_by(act::mentor_id)
    };
    let mut union: UnionAll<Row> = UnionAll::default();
    for (base, y) in [(ACTIVITIES, year), (ACTIVITIES + PREVIOUS, year - 1)] {
        let (from, to) = (jan1(y), jan1(y + 1));
        union.push(acts(from, to).select((kind(base), act::mentor_id, count_star().nullable())));
        union.push(acts(from, to).select((
            kind(base + MINUTES - ACTIVITIES),
            act::mentor_id,
            sum(act::duration_minutes),
        )));
        union.push(acts(from, to).select((
            kind(base + CONTACTS - ACTIVITIES),
            act::mentor_id,
            count(act::contact_id).aggregate_distinct().nullable(),
        )));
    }
    for m in 0..12u32 {
        union.push(
            acts(month_start(year, m + 1), month_start(year, m + 2)).select((
                kind(m as i32),
                act::mentor_id,
                count_star().nullable(),
            )),
        );
    }
    let (from, to) = (year_start(year), year_start(year + 1));
    union.push(
        ea::table
            .inner_join(ev::table)
            .filter(ev::organization_id.eq(org.to_string()))
            .filter(ev::starts_at.ge(from))
            .filter(ev::starts_at.lt(to))
            .filter(ea::status.eq("attended"))
            .group_by(ea::user_id)
            .select((kind(EVENTS), ea::user_id, count_star().nullable())),
    );
    union.push(
        ce::table
            .inner_join(co::table)
            .filter(co::organization_id.eq(org.to_string()))
            .filter(co::starts_at.ge(from))
            .filter(co::starts_at.lt(to))
            .filter(ce::status.eq("attended"))
            .group_by(ce::user_id)
            .select((kind(COURSES), ce::user_id, count_star().nullable())),
    );
    union.push(
        ub::table
            .filter(ub::organization_id.eq(org.to_string()))
            .filter(ub::awarded_at.ge(from))
            .filter(ub::awarded_at.lt(to))
            .group_by(ub::user_id)
            .select((kind(BADGES), ub::user_id, count_star().nullable())),
    );
    let mut out: BTreeMap<String, Gathered> = BTreeMap::new();
    for (k, user, value) in union.load::<(i32, String, Option<i64>)>(conn)? {
        out.entry(user).or_default().put(k, value.unwrap_or(0));
    }
    Ok(out)
}

/// The organization's mentors (a profile, whatever its start date: imported mentors start on
/// the day of the import, with years of activities behind them).
fn mentors_of(conn: &mut DbConn, org: &str) -> QueryResult<HashSet<String>> {
    Ok(pm::table
        .filter(pm::organization_id.eq(org))
        .select(pm::user_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Computes an organization's year and writes the summaries: the missing ones, and with
/// `replace` also those that exist. Answers how many rows were written.
pub fn compute_org_year(
    conn: &mut DbConn,
    org: &str,
    year: i32,
    replace: bool,
) -> QueryResult<usize> {
    let gathered = gather(conn, org, year)?;
    // Someone with something to show: a mentor, or whoever the activities were registered for
    // (figures of a coordinator at an event are left out).
    let mentors = mentors_of(conn, org)?;
    let users: Vec<String> = gathered
        .iter()
        .filter(|(u, g)| {
            g.activity[0] > 0 || (mentors.contains(*u) && g.events + g.courses + g.badges > 0)
        })
        .map(|(u, _)| u.clone())
        .collect();
    let t = now();
    crate::db::tx(conn, |tx| -> QueryResult<usize> {
        let existing: HashMap<String, String> = asum::table
            .filter(asum::organization_id.eq(org))
            .filter(asum::year.eq(year))
            .select((asum::user_id, asum::id))
            .load::<(String, String)>(tx.conn)?
            .into_iter()
            .collect();
        let mut written = 0;
        let mut all = users.clone();
        if replace {
            // A row whose figures are gone (activities moved away) is set to zeros.
            let listed: HashSet<&String> = users.iter().collect();
            all.extend(existing.keys().filter(|u| !listed.contains(u)).cloned());
        }
        for user in &all {
            let mut row = match gathered.get(user) {
                Some(g) => g.summary(org, user, year, t),
                None => Gathered::default().summary(org, user, year, t),
            };
            match existing.get(user) {
                Some(id) if replace => {
                    row.id = id.clone();
                    diesel::update(asum::table.filter(asum::id.eq(id)))
                        .set(&row)
                        .execute(tx.conn)?;
                    written += 1;
                }
                Some(_) => {}
                None => {
                    diesel::insert_into(asum::table)
                        .values(&row)
                        .execute(tx.conn)?;
                    written += 1;
                }
            }
        }
        Ok(written)
    })
}

/// The past years of an organization not computed yet (no summary for it): from the year of
/// its first activity (at most `YEARS_BACK` years ago) to last year. Two statements.
pub fn due_years(conn: &mut DbConn, org: &str) -> QueryResult<Vec<i32>> {
    let last = this_year() - 1;
    let first: Option<NaiveDate> = act::table
        .filter(act::organization_id.eq(org))
        .select(min(act::occurred_on))
        .first(conn)?;
    let first = first.map_or(last, |d| d.year()).max(last - YEARS_BACK + 1);
    let done: HashSet<i32> = asum::table
        .filter(asum::organization_id.eq(org))
        .filter(asum::year.ge(first))
        .group_by(asum::year)
        .select(asum::year)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    Ok((first..=last).filter(|y| !done.contains(y)).collect())
}

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub years: usize,
    pub written: usize,
}

/// The job: every organization's due years, one organization and year at a time.
pub fn run(conn: &mut DbConn) -> QueryResult<Ran> {
    let orgs: Vec<String> = o::table.order(o::id.asc()).select(o::id).load(conn)?;
    let mut ran = Ran::default();
    for org in orgs {
        for year in due_years(conn, &org)? {
            ran.written += compute_org_year(conn, &org, year, false)?;
            ran.years += 1;
        }
    }
    Ok(ran)
}
