//! Attendance per course day (the register of `learning::attendance`): everyone holding a
//! seat, keyed by their user id, marked by a coordinator who arranges the course.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::access::Actor;
use crate::db::{now, DbConn};
use crate::learning::attendance::Register;
use crate::learning::courses::model::{CourseDay, CourseRow};
use crate::learning::courses::service as courses;
use crate::schema::{course_attendance as ca, course_days as cd, course_enrollments as ce, users};
use crate::web::{AppError, AppResult};

/// Enrollment statuses that hold a seat (and so appear on the attendance list).
pub const SEATED: [&str; 3] = ["registered", "attended", "no_show"];

/// One day of a course the actor arranges.
pub struct CourseRegister {
    pub row: CourseRow,
    pub day: CourseDay,
}

impl Register for CourseRegister {
    fn open(conn: &mut DbConn, actor: &Actor, course: &str, day: &str) -> AppResult<Self> {
        let row = courses::managed(conn, actor, course)?;
        let day = row
            .days
            .iter()
            .find(|d| d.id == day)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(CourseRegister { row, day })
    }
    fn org(&self) -> &str {
        &self.row.c.organization_id
    }
    fn title(&self) -> &str {
        &self.row.c.title
    }
    fn span(&self) -> (NaiveDateTime, NaiveDateTime) {
        (self.day.starts_at, self.day.ends_at)
    }
    fn back(&self) -> String {
        format!("/courses/{}", self.row.c.id)
    }
    fn day_id(&self) -> &str {
        &self.day.id
    }
    fn target(&self) -> (&'static str, &str, &'static str) {
        ("course", &self.row.c.id, "user_id")
    }
    fn empty_key(&self) -> &'static str {
        "course.none_enrolled"
    }
    /// Everyone holding a seat, by name.
    fn people(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
        ce::table
            .inner_join(users::table)
            .filter(ce::course_id.eq(&self.row.c.id))
            .filter(ce::status.eq_any(SEATED))
            .order((users::name.asc(), users::id.asc()))
            .select((users::id, users::name))
            .load(conn)
    }
    fn marks(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, bool)>> {
        ca::table
            .filter(ca::course_day_id.eq(&self.day.id))
            .select((ca::user_id, ca::attended))
            .load(conn)
    }
    fn update(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<usize> {
        diesel::update(ca::table.find((&self.day.id, who)))
            .set((
                ca::attended.eq(attended),
                ca::marked_by.eq(Some(by)),
                ca::marked_at.eq(now()),
            ))
            .execute(conn)
    }
    fn insert(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<()> {
        diesel::insert_into(ca::table)
            .values((
                ca::course_day_id.eq(&self.day.id),
                ca::user_id.eq(who),
                ca::attended.eq(attended),
                ca::marked_by.eq(Some(by)),
                ca::marked_at.eq(now()),
            ))
            .execute(conn)
            .map(|_| ())
    }
}

/// Who attended every day of the course (a present mark on each).
pub fn attended_all(conn: &mut DbConn, course: &str) -> QueryResult<Vec<String>> {
    let days: i64 = cd::table
        .filter(cd::course_id.eq(course))
        .count()
        .get_result(conn)?;
    let counts: Vec<(String, i64)> = ca::table
        .inner_join(cd::table)
        .filter(cd::course_id.eq(course))
        .filter(ca::attended.eq(true))
        .group_by(ca::user_id)
        .select((ca::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(counts
        .into_iter()
        .filter(|(_, n)| *n == days && days > 0)
        .map(|(u, _)| u)
        .collect())
}
