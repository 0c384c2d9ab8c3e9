//! Days of courses marked as Bufdir training (`courses.bufdir_training`, `src/learning`) in the
//! Bufdir report: each day of at least 2 × 45 minutes that someone attended (attendance marked
//! present) is a training day, credited to the course's association (a course for the whole
//! organization counts in the total only), with its attendees as participants. The verdict is
//! `activities::bufdir::evaluate_course_day`, the one place of the rule.
//!
//! One statement: the days of the organization's training courses in the period, each with
//! the count of its attendees (a correlated `COUNT` over `course_attendance`'s primary key).
//! An organization holds a few dozen course days a year, so the days themselves are read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::compute::Scope;
use crate::activities::bufdir::evaluate_course_day;
use crate::db::DbConn;
use crate::schema::{
    course_attendance as ca, course_days as cd, courses as co, local_associations as la,
};

/// Course days read at most (a year of an organization has far fewer).
pub const MAX_DAYS: i64 = 5_000;

#[derive(Clone, Debug)]
pub struct CourseDayRow {
    pub day_id: String,
    pub course_id: String,
    pub title: String,
    pub association_id: Option<String>,
    pub association: String,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub attended: i64,
    pub counts: bool,
    pub reason: &'static str,
}

impl CourseDayRow {
    /// The day's date in Norway.
    pub fn date(&self) -> NaiveDate {
        self.starts_at
            .and_utc()
            .with_timezone(&chrono_tz::Europe::Oslo)
            .date_naive()
    }
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
    Option<i64>,
);

/// The training courses' days starting in [`from`, `to`] in the scope, by start.
pub fn days(
    conn: &mut DbConn,
    org: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: &Scope,
) -> QueryResult<Vec<CourseDayRow>> {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = (to + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let mut q = cd::table
        .inner_join(co::table.left_join(la::table))
        .filter(co::organization_id.eq(org.to_string()))
        .filter(co::bufdir_training.eq(true))
        .filter(co::status.ne("cancelled"))
        .filter(cd::starts_at.ge(start))
        .filter(cd::starts_at.lt(end))
        .select((
            cd::id,
            co::id,
            co::title,
            co::local_association_id,
            la::name.nullable(),
            cd::starts_at,
            cd::ends_at,
            ca::table
                .filter(ca::course_day_id.eq(cd::id))
                .filter(ca::attended.eq(true))
                .count()
                .single_value(),
        ))
        .order((cd::starts_at.asc(), cd::id.asc()))
        .limit(MAX_DAYS)
        .into_boxed();
    if let Scope::Associations(ids) = scope {
        q = q.filter(co::local_association_id.eq_any(ids.clone()));
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(day_id, course_id, title, association_id, association, starts_at, ends_at, n)| {
                let minutes = (ends_at - starts_at).num_minutes();
                let attended = n.unwrap_or(0);
                let verdict = evaluate_course_day(minutes, attended);
                CourseDayRow {
                    day_id,
                    course_id,
                    title,
                    association_id,
                    association: association.unwrap_or_default(),
                    starts_at,
                    minutes,
                    attended,
                    counts: verdict.counts,
                    reason: verdict.reason,
                }
            },
        )
        .collect())
}
