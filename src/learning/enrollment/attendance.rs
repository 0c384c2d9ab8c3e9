//! Attendance per course day: the coordinator marks each enrolled person present or absent, or
//! everyone present at once (those already marked keep their answer). Not before the day starts.

use diesel::prelude::*;

use crate::access::Actor;
use crate::audit::service as audit;
use crate::db::{now, DbConn};
use crate::learning::courses::model::{CourseDay, CourseRow};
use crate::learning::courses::service::{self as courses, audit_event};
use crate::schema::{course_attendance as ca, course_days as cd, course_enrollments as ce, users};
use crate::web::{AppError, AppResult};

/// Enrollment statuses that hold a seat (and so appear on the attendance list).
pub const SEATED: [&str; 3] = ["registered", "attended", "no_show"];

/// One person on a day's list: present, absent, or not marked yet.
#[derive(Clone, Debug)]
pub struct AttendanceRow {
    pub user_id: String,
    pub name: String,
    pub attended: Option<bool>,
}

impl AttendanceRow {
    pub fn key(&self) -> &'static str {
        match self.attended {
            Some(true) => "course.present",
            Some(false) => "course.absent",
            None => "course.unmarked",
        }
    }
}

/// What a marking came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marked {
    Saved,
    /// The day has not started: nothing was saved.
    NotStarted,
}

/// The course (managed by the actor) and one of its days.
pub fn day_of(
    conn: &mut DbConn,
    actor: &Actor,
    course: &str,
    day: &str,
) -> AppResult<(CourseRow, CourseDay)> {
    let row = courses::managed(conn, actor, course)?;
    let d = row
        .days
        .iter()
        .find(|d| d.id == day)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((row, d))
}

/// The day's list: everyone holding a seat, by name, with their mark.
pub fn sheet(conn: &mut DbConn, course: &str, day: &str) -> QueryResult<Vec<AttendanceRow>> {
    let people: Vec<(String, String)> = ce::table
        .inner_join(users::table)
        .filter(ce::course_id.eq(course))
        .filter(ce::status.eq_any(SEATED))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .load(conn)?;
    let marks: Vec<(String, bool)> = ca::table
        .filter(ca::course_day_id.eq(day))
        .select((ca::user_id, ca::attended))
        .load(conn)?;
    Ok(people
        .into_iter()
        .map(|(user_id, name)| AttendanceRow {
            attended: marks.iter().find(|(u, _)| *u == user_id).map(|(_, a)| *a),
            user_id,
            name,
        })
        .collect())
}

fn set(
    conn: &mut DbConn,
    actor: &Actor,
    day: &str,
    user: &str,
    attended: bool,
    overwrite: bool,
) -> QueryResult<usize> {
    let t = now();
    let n = if overwrite {
        diesel::update(ca::table.find((day, user)))
            .set((
                ca::attended.eq(attended),
                ca::marked_by.eq(Some(&actor.user_id)),
                ca::marked_at.eq(t),
            ))
            .execute(conn)?
    } else {
        ca::table
            .find((day, user))
            .count()
            .get_result::<i64>(conn)? as usize
    };
    if n == 0 {
        diesel::insert_into(ca::table)
            .values((
                ca::course_day_id.eq(day),
                ca::user_id.eq(user),
                ca::attended.eq(attended),
                ca::marked_by.eq(Some(&actor.user_id)),
                ca::marked_at.eq(t),
            ))
            .execute(conn)?;
        return Ok(1);
    }
    Ok(if overwrite { n } else { 0 })
}

/// Marks one person present or absent on a day (logged).
pub fn mark(
    conn: &mut DbConn,
    actor: &Actor,
    course: &str,
    day: &str,
    user: &str,
    attended: bool,
) -> AppResult<Marked> {
    let (row, d) = day_of(conn, actor, course, day)?;
    if !d.started() {
        return Ok(Marked::NotStarted);
    }
    if !sheet(conn, course, day)?.iter().any(|r| r.user_id == user) {
        return Err(AppError::NotFound);
    }
    let org = row.c.organization_id.clone();
    crate::db::tx(conn, |tx| {
        set(tx.conn, actor, day, user, attended, true)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.attendance_marked",
                "course",
                course,
                serde_json::json!({ "day": day, "user_id": user, "attended": attended }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Marked::Saved)
}

/// Marks everyone not yet marked as present (exceptions already marked stay), logged once.
pub fn mark_all(conn: &mut DbConn, actor: &Actor, course: &str, day: &str) -> AppResult<Marked> {
    let (row, d) = day_of(conn, actor, course, day)?;
    if !d.started() {
        return Ok(Marked::NotStarted);
    }
    let people = sheet(conn, course, day)?;
    let org = row.c.organization_id.clone();
    crate::db::tx(conn, |tx| {
        let mut n = 0;
        for p in people.iter().filter(|p| p.attended.is_none()) {
            n += set(tx.conn, actor, day, &p.user_id, true, false)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.attendance_all",
                "course",
                course,
                serde_json::json!({ "day": day, "marked": n }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Marked::Saved)
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
