//! Enrollment: a mentor takes a seat or joins the waitlist, withdraws (the first waiting takes
//! the seat at once, through `crate::seats`); a coordinator enrolls a mentor, removes one, and
//! moves people between the waitlist and the seats.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::learning::courses::model::CourseRow;
use crate::learning::courses::service::{self as courses, audit_event};
use crate::schema::{
    course_enrollments as ce, courses as co, user_organization_roles as uor, users,
};
use crate::seats::{self, Pool, Take};
use crate::web::{AppError, AppResult};

/// What an enrollment request came to; each has a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Registered,
    Waitlisted,
    Withdrawn,
    AlreadyEnrolled,
    DeadlinePassed,
    Closed,
    NotActive,
    Full,
    Moved,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Registered => "course.msg_registered",
            Outcome::Waitlisted => "course.msg_waitlisted",
            Outcome::Withdrawn => "course.msg_withdrawn",
            Outcome::AlreadyEnrolled => "course.msg_already",
            Outcome::DeadlinePassed => "course.msg_deadline",
            Outcome::Closed => "course.msg_closed",
            Outcome::NotActive => "course.msg_not_active",
            Outcome::Full => "course.msg_full",
            Outcome::Moved => "course.msg_moved",
        }
    }
    pub fn kind(self) -> &'static str {
        match self {
            Outcome::Registered | Outcome::Waitlisted | Outcome::Withdrawn | Outcome::Moved => {
                "success"
            }
            _ => "error",
        }
    }
}

/// One enrollment with the person's name, for the coordinator's list.
#[derive(Clone, Debug)]
pub struct EnrollmentRow {
    pub user_id: String,
    pub name: String,
    pub status: String,
    pub waitlisted_at: Option<NaiveDateTime>,
}

impl EnrollmentRow {
    pub fn status_key(&self) -> String {
        format!("course.status_{}", self.status)
    }
    pub fn is(&self, s: &str) -> bool {
        self.status == s
    }
}

/// Seats the user or puts them on the waitlist, in one transaction: the seat by the shared
/// conditional update, the row new or the withdrawn one enrolled again. Checks of the deadline
/// and of who may enroll are the caller's.
pub fn enroll_user(conn: &mut DbConn, course: &str, user: &str) -> AppResult<Outcome> {
    crate::db::tx(conn, |tx| {
        let existing: Option<String> = ce::table
            .filter(ce::course_id.eq(course))
            .filter(ce::user_id.eq(user))
            .select(ce::status)
            .first(tx.conn)
            .optional()?;
        if existing.as_deref().is_some_and(|s| s != "withdrawn") {
            return Ok(Outcome::AlreadyEnrolled);
        }
        let t = now();
        let (status, waitlisted_at, outcome) = match seats::take(tx.conn, Pool::Course, course)? {
            Take::Taken => ("registered", None, Outcome::Registered),
            Take::Full => ("waitlisted", Some(t), Outcome::Waitlisted),
            Take::Closed => return Ok(Outcome::Closed),
        };
        if existing.is_some() {
            let n = diesel::update(
                ce::table
                    .filter(ce::course_id.eq(course))
                    .filter(ce::user_id.eq(user))
                    .filter(ce::status.eq("withdrawn")),
            )
            .set((
                ce::status.eq(status),
                ce::waitlisted_at.eq(waitlisted_at),
                ce::enrolled_at.eq(t),
                ce::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
            if n == 0 {
                // Enrolled again by a parallel request: undo the seat this one took.
                if outcome == Outcome::Registered {
                    seats::give_back(tx.conn, Pool::Course, course)?;
                }
                return Ok(Outcome::AlreadyEnrolled);
            }
        } else {
            diesel::insert_into(ce::table)
                .values((
                    ce::id.eq(new_id()),
                    ce::course_id.eq(course),
                    ce::user_id.eq(user),
                    ce::status.eq(status),
                    ce::waitlisted_at.eq(waitlisted_at),
                    ce::enrolled_at.eq(t),
                    ce::updated_at.eq(t),
                ))
                .execute(tx.conn)?;
        }
        Ok::<_, AppError>(outcome)
    })
}

/// Withdraws the user (registered or waitlisted); a freed seat goes to the first waiting, in
/// the same transaction. Returns whether anything changed and who was seated.
pub fn withdraw_user(
    conn: &mut DbConn,
    course: &str,
    user: &str,
) -> AppResult<(bool, Vec<String>)> {
    crate::db::tx(conn, |tx| {
        let was: Option<String> = ce::table
            .filter(ce::course_id.eq(course))
            .filter(ce::user_id.eq(user))
            .select(ce::status)
            .first(tx.conn)
            .optional()?;
        let Some(was) = was.filter(|s| s == "registered" || s == "waitlisted") else {
            return Ok((false, Vec::new()));
        };
        let n = diesel::update(
            ce::table
                .filter(ce::course_id.eq(course))
                .filter(ce::user_id.eq(user))
                .filter(ce::status.eq(&was)),
        )
        .set((
            ce::status.eq("withdrawn"),
            ce::waitlisted_at.eq(None::<NaiveDateTime>),
            ce::updated_at.eq(now()),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Ok((false, Vec::new()));
        }
        let seated = if was == "registered" {
            seats::release(tx.conn, Pool::Course, course)?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((true, seated))
    })
}

fn open_for_enrollment(row: &CourseRow) -> Option<Outcome> {
    if row.c.status != "open" || row.started() {
        Some(Outcome::Closed)
    } else if row.deadline_passed() {
        Some(Outcome::DeadlinePassed)
    } else {
        None
    }
}

/// A peer mentor enrolls in a course they can see.
pub fn enroll(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(CourseRow, Outcome)> {
    actor.require(&[Role::PeerMentor])?;
    let row = courses::get(conn, actor, id)?;
    let status = crate::people::mentors::service::status_of(conn, &actor.user_id, actor.org()?)?;
    let outcome = if status.as_deref() != Some("active") {
        Outcome::NotActive
    } else if let Some(o) = open_for_enrollment(&row) {
        o
    } else if row.holding() {
        Outcome::AlreadyEnrolled
    } else {
        enroll_user(conn, id, &actor.user_id)?
    };
    Ok((courses::get(conn, actor, id)?, outcome))
}

/// A peer mentor withdraws before the start.
pub fn withdraw(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(CourseRow, Outcome)> {
    actor.require(&[Role::PeerMentor])?;
    let row = courses::get(conn, actor, id)?;
    if row.started() || row.cancelled() {
        return Ok((row, Outcome::Closed));
    }
    withdraw_user(conn, id, &actor.user_id)?;
    Ok((courses::get(conn, actor, id)?, Outcome::Withdrawn))
}

/// Everyone enrolled, waiting or marked, seated first, then the waitlist in order.
pub fn enrollments(conn: &mut DbConn, course: &str) -> QueryResult<Vec<EnrollmentRow>> {
    let rows: Vec<(String, String, String, Option<NaiveDateTime>)> = ce::table
        .inner_join(users::table)
        .filter(ce::course_id.eq(course))
        .filter(ce::status.ne("withdrawn"))
        .order((users::name.asc(), ce::user_id.asc()))
        .select((ce::user_id, users::name, ce::status, ce::waitlisted_at))
        .load(conn)?;
    let mut out: Vec<EnrollmentRow> = rows
        .into_iter()
        .map(|(user_id, name, status, waitlisted_at)| EnrollmentRow {
            user_id,
            name,
            status,
            waitlisted_at,
        })
        .collect();
    out.sort_by(|a, b| {
        (a.is("waitlisted"), a.waitlisted_at, &a.user_id).cmp(&(
            b.is("waitlisted"),
            b.waitlisted_at,
            &b.user_id,
        ))
    });
    Ok(out)
}

/// Mentors a coordinator may enroll: active peer mentors of the course's associations (any of
/// them; for a whole-organization course the coordinator's own) who hold no enrollment yet.
pub fn candidates(
    conn: &mut DbConn,
    actor: &Actor,
    row: &CourseRow,
) -> AppResult<Vec<(String, String)>> {
    let org = actor.org()?.to_string();
    let taken: Vec<String> = ce::table
        .filter(ce::course_id.eq(&row.c.id))
        .filter(ce::status.ne("withdrawn"))
        .select(ce::user_id)
        .load(conn)?;
    let scope: Vec<String> = match (row.audience.is_empty(), actor.role()) {
        (false, _) => row.audience.iter().map(|(a, _)| a.clone()).collect(),
        (true, Role::OrgAdmin) => Vec::new(),
        (true, _) => actor.associations.clone(),
    };
    Ok(active_mentors(conn, &org, scope, taken)?)
}

/// Active peer mentors of the organization, by name: of the associations in `scope` (all of
/// them when empty), leaving out `taken`; at most 500. Courses and group programs offer these.
pub fn active_mentors(
    conn: &mut DbConn,
    org: &str,
    scope: Vec<String>,
    taken: Vec<String>,
) -> QueryResult<Vec<(String, String)>> {
    let mut q = uor::table
        .filter(uor::organization_id.eq(org.to_string()))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .into_boxed();
    if !scope.is_empty() {
        q = q.filter(uor::local_association_id.eq_any(scope));
    }
    let mentors: Vec<String> = q.select(uor::user_id).load(conn)?;
    let mut list: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(mentors))
        .filter(users::id.ne_all(taken))
        .filter(users::is_active.eq(true))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .limit(500)
        .load(conn)?;
    list.dedup();
    Ok(list)
}

/// What a coordinator does with one person's enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Enroll (seat or waitlist).
    Enroll,
    /// Remove (the seat goes to the first waiting).
    Remove,
    /// From the waitlist to a free seat.
    Seat,
    /// From a seat to the end of the waitlist (the seat goes to the first waiting).
    Waitlist,
}

impl Move {
    pub fn parse(s: &str) -> Option<Move> {
        Some(match s {
            "enroll" => Move::Enroll,
            "remove" => Move::Remove,
            "seat" => Move::Seat,
            "waitlist" => Move::Waitlist,
            _ => return None,
        })
    }
    fn action(self) -> &'static str {
        match self {
            Move::Enroll => "course.enrolled_by_coordinator",
            Move::Remove => "course.removed",
            Move::Seat => "course.moved_to_seat",
            Move::Waitlist => "course.moved_to_waitlist",
        }
    }
}

/// A coordinator's move (logged). A course that has started takes no moves.
pub fn coordinate(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    user: &str,
    m: Move,
) -> AppResult<Outcome> {
    let row = courses::managed(conn, actor, id)?;
    if row.started() || row.c.status != "open" {
        return Ok(Outcome::Closed);
    }
    let org = actor.org()?.to_string();
    let outcome = match m {
        Move::Enroll => {
            // Someone enrolled already (by another coordinator a moment ago) is told so.
            let enrolled: i64 = ce::table
                .filter(ce::course_id.eq(id))
                .filter(ce::user_id.eq(user))
                .filter(ce::status.ne("withdrawn"))
                .count()
                .get_result(conn)?;
            if enrolled > 0 {
                return Ok(Outcome::AlreadyEnrolled);
            }
            if !candidates(conn, actor, &row)?
                .iter()
                .any(|(u, _)| u == user)
            {
                return Err(AppError::NotFound);
            }
            enroll_user(conn, id, user)?
        }
        Move::Remove => {
            if !withdraw_user(conn, id, user)?.0 {
                return Err(AppError::NotFound);
            }
            Outcome::Moved
        }
        Move::Seat => crate::db::tx(conn, |tx| {
            match seats::take(tx.conn, Pool::Course, id)? {
                Take::Taken => {}
                Take::Full => return Ok(Outcome::Full),
                Take::Closed => return Ok(Outcome::Closed),
            }
            let n = diesel::update(
                ce::table
                    .filter(ce::course_id.eq(id))
                    .filter(ce::user_id.eq(user))
                    .filter(ce::status.eq("waitlisted")),
            )
            .set((
                ce::status.eq("registered"),
                ce::waitlisted_at.eq(None::<NaiveDateTime>),
                ce::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            Ok::<_, AppError>(Outcome::Moved)
        })?,
        Move::Waitlist => crate::db::tx(conn, |tx| {
            let t = now();
            let n = diesel::update(
                ce::table
                    .filter(ce::course_id.eq(id))
                    .filter(ce::user_id.eq(user))
                    .filter(ce::status.eq("registered")),
            )
            .set((
                ce::status.eq("waitlisted"),
                ce::waitlisted_at.eq(Some(t)),
                ce::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            seats::release(tx.conn, Pool::Course, id)?;
            Ok::<_, AppError>(Outcome::Moved)
        })?,
    };
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                m.action(),
                "course",
                id,
                serde_json::json!({ "user_id": user, "outcome": outcome.key() }),
            ),
        )
    })?;
    Ok(outcome)
}

/// The seats left, for tests and pages: capacity minus those holding a seat (from the rows, so
/// it proves the counter).
pub fn seated_count(conn: &mut DbConn, course: &str) -> QueryResult<i64> {
    ce::table
        .filter(ce::course_id.eq(course))
        .filter(ce::status.eq_any(["registered", "attended", "no_show"]))
        .count()
        .get_result(conn)
}

/// The counter as stored.
pub fn seats_taken(conn: &mut DbConn, course: &str) -> QueryResult<i32> {
    co::table.find(course).select(co::seats_taken).first(conn)
}
