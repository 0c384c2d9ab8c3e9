//! Seats: the one mechanism that holds a limited number of places, for events and courses.
//!
//! A holder (`Pool`) keeps a `seats_taken` counter beside its `capacity`. A seat is taken with one
//! conditional statement, `UPDATE … SET seats_taken = seats_taken + 1 WHERE id = ? AND <open> AND
//! (capacity IS NULL OR seats_taken < capacity)`, whose affected-row count decides: of several
//! racing requests for the last seat exactly one sees 1, on both backends (PostgreSQL re-checks
//! the condition after the row lock; SQLite serializes writers). A seat given back is taken at
//! once by the first on the holder's waitlist (if it has one), in the same transaction, and that
//! person is told (`waitlist.seat_given`).
//!
//! Callers run these inside `db::tx`, together with their own registration row, so a seat and
//! the row that holds it commit or roll back together.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::access::Role;
use crate::db::{now, DbConn};
use crate::schema::{course_enrollments as ce, courses as co, events as ev};

/// What holds seats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    /// An event: open while planned and not started; no waitlist.
    Event,
    /// A course: open while `open` and not started; waitlist in `course_enrollments`.
    Course,
}

/// The answer to a request for a seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    Taken,
    Full,
    /// Cancelled or started: no seat can be taken.
    Closed,
}

impl Pool {
    /// The conditional update: one seat if the holder is open and has one free.
    fn try_take(self, c: &mut DbConn, id: &str, t: NaiveDateTime) -> QueryResult<usize> {
        match self {
            Pool::Event => diesel::update(
                ev::table
                    .find(id)
                    .filter(ev::status.eq("planned"))
                    .filter(ev::starts_at.gt(t))
                    .filter(
                        ev::capacity
                            .is_null()
                            .or(ev::seats_taken.nullable().lt(ev::capacity)),
                    ),
            )
            .set(ev::seats_taken.eq(ev::seats_taken + 1))
            .execute(c),
            Pool::Course => diesel::update(
                co::table
                    .find(id)
                    .filter(co::status.eq("open"))
                    .filter(co::starts_at.gt(t))
                    .filter(co::seats_taken.lt(co::capacity)),
            )
            .set(co::seats_taken.eq(co::seats_taken + 1))
            .execute(c),
        }
    }

    /// Whether the holder is open (for telling "full" from "closed" after a refusal).
    fn is_open(self, c: &mut DbConn, id: &str, t: NaiveDateTime) -> QueryResult<bool> {
        let (status, starts_at, open): (String, NaiveDateTime, &str) = match self {
            Pool::Event => {
                let (s, a) = ev::table
                    .find(id)
                    .select((ev::status, ev::starts_at))
                    .first(c)?;
                (s, a, "planned")
            }
            Pool::Course => {
                let (s, a) = co::table
                    .find(id)
                    .select((co::status, co::starts_at))
                    .first(c)?;
                (s, a, "open")
            }
        };
        Ok(status == open && starts_at > t)
    }

    fn give_back(self, c: &mut DbConn, id: &str) -> QueryResult<usize> {
        match self {
            Pool::Event => diesel::update(ev::table.find(id).filter(ev::seats_taken.gt(0)))
                .set(ev::seats_taken.eq(ev::seats_taken - 1))
                .execute(c),
            Pool::Course => diesel::update(co::table.find(id).filter(co::seats_taken.gt(0)))
                .set(co::seats_taken.eq(co::seats_taken - 1))
                .execute(c),
        }
    }

    /// The waitlist, first first (at most `n`).
    fn waiting(self, c: &mut DbConn, id: &str, n: i64) -> QueryResult<Vec<String>> {
        match self {
            Pool::Event => Ok(Vec::new()),
            Pool::Course => ce::table
                .filter(ce::course_id.eq(id))
                .filter(ce::status.eq("waitlisted"))
                .order((ce::waitlisted_at.asc(), ce::user_id.asc()))
                .select(ce::user_id)
                .limit(n)
                .load(c),
        }
    }

    /// Moves a waitlisted person to the seat just taken for them; 0 if someone else did first.
    fn seat_waiting(self, c: &mut DbConn, id: &str, user: &str) -> QueryResult<usize> {
        match self {
            Pool::Event => Ok(0),
            Pool::Course => diesel::update(
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
            .execute(c),
        }
    }

    /// Tells a person who was given a seat from the waitlist.
    fn tell_seated(self, c: &mut DbConn, id: &str, user: &str) -> QueryResult<()> {
        if self != Pool::Course {
            return Ok(());
        }
        let (org, title): (String, String) = co::table
            .find(id)
            .select((co::organization_id, co::title))
            .first(c)?;
        crate::notifications::notify(
            c,
            &crate::notifications::Notice {
                user_id: user,
                org_id: Some(&org),
                role: Some(Role::PeerMentor),
                scenario: "waitlist.seat_given",
                subject_kind: "course",
                subject_id: id,
                link: format!("/courses/{id}"),
                params: serde_json::json!({ "title": title }),
            },
        )?;
        Ok(())
    }
}

/// Takes one seat (call inside a transaction, with the row that holds it).
pub fn take(c: &mut DbConn, pool: Pool, id: &str) -> QueryResult<Take> {
    let t = now();
    if pool.try_take(c, id, t)? == 1 {
        return Ok(Take::Taken);
    }
    Ok(if pool.is_open(c, id, t)? {
        Take::Full
    } else {
        Take::Closed
    })
}

/// Gives a seat back without handing it on (a registration undone in the same transaction).
pub fn give_back(c: &mut DbConn, pool: Pool, id: &str) -> QueryResult<()> {
    pool.give_back(c, id).map(|_| ())
}

/// Gives a seat back and lets the waitlist fill free seats, first first (call inside the
/// transaction that freed the seat). Returns who was given a seat; each has been told.
pub fn release(c: &mut DbConn, pool: Pool, id: &str) -> QueryResult<Vec<String>> {
    pool.give_back(c, id)?;
    fill_from_waitlist(c, pool, id)
}

/// Seats the first waitlisted while seats are free. A person another transaction seated first
/// is skipped (their row is no longer waitlisted), and the seat taken for them goes to the next.
pub fn fill_from_waitlist(c: &mut DbConn, pool: Pool, id: &str) -> QueryResult<Vec<String>> {
    let mut seated = Vec::new();
    let t = now();
    loop {
        let next = pool.waiting(c, id, 1)?;
        let Some(user) = next.into_iter().next() else {
            break;
        };
        if pool.try_take(c, id, t)? == 0 {
            break;
        }
        if pool.seat_waiting(c, id, &user)? == 0 {
            pool.give_back(c, id)?;
            continue;
        }
        pool.tell_seated(c, id, &user)?;
        seated.push(user);
    }
    Ok(seated)
}
