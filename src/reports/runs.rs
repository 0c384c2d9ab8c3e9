//! Long report runs computed once, with their progress: a row in `report_runs` per
//! organization, kind, year and scope (the whole organization, or a coordinator's set of
//! associations, as a hash). Whoever asks first claims the row with the pattern of the periodic
//! jobs (`jobs::claim`): the row is inserted if missing (a unique violation means it exists),
//! then one conditional UPDATE whose affected-row count decides (`… WHERE not running, or its
//! lease ended, and no result fresher than REUSE`). The claimant computes, writing its progress
//! into the row between the steps and the result (JSON) at the end; anyone asking meanwhile
//! gets `Running` and follows the row (the page polls it with htmx) until the result is there,
//! then reads that result instead of computing again. A crashed run is taken over when its lease
//! ends. `runs` counts the computations (the test of "two at once, computed once" reads it).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sha2::{Digest, Sha256};

use crate::db::{new_id, now, DbConn};
use crate::reports::bufdir::compute::Scope;
use crate::schema::report_runs as rr;

/// A result this young is served to whoever asks instead of computing again: the page a
/// waiting person is sent to when the run they followed ends reads it.
pub const REUSE_SECONDS: i64 = 10;
/// How long a claim holds without progress before another request may take the run over.
pub const LEASE_SECONDS: i64 = 120;

pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";
pub const IDLE: &str = "idle";

/// What a run is of.
#[derive(Clone, Debug)]
pub struct Key {
    pub org: String,
    pub kind: &'static str,
    pub year: i32,
    pub scope: String,
}

impl Key {
    pub fn new(org: &str, kind: &'static str, year: i32, scope: &Scope) -> Key {
        Key {
            org: org.to_string(),
            kind,
            year,
            scope: scope_key(scope),
        }
    }
}

/// "org", or "a:" and the SHA-256 of the sorted association ids (a bounded key however many).
pub fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::Org => "org".into(),
        Scope::Associations(ids) => {
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            format!(
                "a:{}",
                hex::encode(Sha256::digest(ids.join(",").as_bytes()))
            )
        }
    }
}

/// The claimant's hold on a run.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub row: String,
    pub token: String,
}

#[derive(Debug)]
pub enum Claim {
    /// A result fresher than `REUSE_SECONDS` (JSON).
    Fresh(String),
    /// This request computes.
    Mine(Ticket),
    /// Someone else is computing.
    Running,
}

fn row_of(conn: &mut DbConn, key: &Key) -> QueryResult<Option<String>> {
    rr::table
        .filter(rr::organization_id.eq(&key.org))
        .filter(rr::kind.eq(key.kind))
        .filter(rr::year.eq(key.year))
        .filter(rr::scope_key.eq(&key.scope))
        .select(rr::id)
        .first(conn)
        .optional()
}

/// The run's state as the progress poll reads it.
#[derive(Clone, Debug)]
pub struct State {
    pub status: String,
    pub progress: i32,
    pub step: String,
    pub finished_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
}

impl State {
    /// Running and still within its lease.
    pub fn running(&self) -> bool {
        self.status == RUNNING && self.locked_until.is_some_and(|t| t >= now())
    }
}

pub fn state(conn: &mut DbConn, key: &Key) -> QueryResult<Option<State>> {
    rr::table
        .filter(rr::organization_id.eq(&key.org))
        .filter(rr::kind.eq(key.kind))
        .filter(rr::year.eq(key.year))
        .filter(rr::scope_key.eq(&key.scope))
        .select((
            rr::status,
            rr::progress,
            rr::step,
            rr::finished_at,
            rr::locked_until,
        ))
        .first::<(
            String,
            i32,
            String,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )>(conn)
        .optional()
        .map(|r| {
            r.map(
                |(status, progress, step, finished_at, locked_until)| State {
                    status,
                    progress,
                    step,
                    finished_at,
                    locked_until,
                },
            )
        })
}

/// A fresh result of the row, if any.
fn fresh(conn: &mut DbConn, row: &str) -> QueryResult<Option<String>> {
    let since = now() - chrono::Duration::seconds(REUSE_SECONDS);
    rr::table
        .find(row)
        .filter(rr::status.eq(DONE))
        .filter(rr::finished_at.ge(since))
        .select(rr::result)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

/// Claims the run of `key` for `user`, or tells why not.
pub fn claim(conn: &mut DbConn, key: &Key, user: &str) -> QueryResult<Claim> {
    let row = match row_of(conn, key)? {
        Some(id) => id,
        None => {
            let id = new_id();
            match diesel::insert_into(rr::table)
                .values((
                    rr::id.eq(&id),
                    rr::organization_id.eq(&key.org),
                    rr::kind.eq(key.kind),
                    rr::year.eq(key.year),
                    rr::scope_key.eq(&key.scope),
                    rr::status.eq(IDLE),
                    rr::progress.eq(0),
                    rr::step.eq(""),
                    rr::runs.eq(0),
                    rr::updated_at.eq(now()),
                ))
                .execute(conn)
            {
                Ok(_) => id,
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    row_of(conn, key)?.ok_or(DieselError::NotFound)?
                }
                Err(e) => return Err(e),
            }
        }
    };
    if let Some(result) = fresh(conn, &row)? {
        return Ok(Claim::Fresh(result));
    }
    let t = now();
    let token = new_id();
    let since = t - chrono::Duration::seconds(REUSE_SECONDS);
    let free = rr::status
        .ne(RUNNING)
        .or(rr::locked_until.is_null())
        .or(rr::locked_until.lt(t));
    let stale = rr::status
        .ne(DONE)
        .or(rr::finished_at.is_null())
        .or(rr::finished_at.lt(since));
    let n = diesel::update(rr::table.find(&row).filter(free).filter(stale))
        .set((
            rr::status.eq(RUNNING),
            rr::ticket.eq(&token),
            rr::progress.eq(0),
            rr::step.eq(""),
            rr::runs.eq(rr::runs + 1),
            rr::started_by.eq(user),
            rr::started_at.eq(t),
            rr::locked_until.eq(t + chrono::Duration::seconds(LEASE_SECONDS)),
            rr::updated_at.eq(t),
        ))
        .execute(conn)?;
    if n == 1 {
        return Ok(Claim::Mine(Ticket { row, token }));
    }
    // Someone else was first: their result if it is there already, else wait for it.
    Ok(match fresh(conn, &row)? {
        Some(result) => Claim::Fresh(result),
        None => Claim::Running,
    })
}

/// The claimant's progress (percent and the step's label key); renews the lease.
pub fn progress(conn: &mut DbConn, t: &Ticket, percent: i32, step: &str) -> QueryResult<()> {
    let at = now();
    diesel::update(rr::table.find(&t.row).filter(rr::ticket.eq(&t.token)))
        .set((
            rr::progress.eq(percent.clamp(0, 100)),
            rr::step.eq(step),
            rr::locked_until.eq(at + chrono::Duration::seconds(LEASE_SECONDS)),
            rr::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The run ended with its result (JSON).
pub fn finish(conn: &mut DbConn, t: &Ticket, result: &str) -> QueryResult<()> {
    let at = now();
    diesel::update(rr::table.find(&t.row).filter(rr::ticket.eq(&t.token)))
        .set((
            rr::status.eq(DONE),
            rr::progress.eq(100),
            rr::result.eq(result),
            rr::finished_at.eq(at),
            rr::locked_until.eq(None::<NaiveDateTime>),
            rr::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The run failed: whoever asks next computes again.
pub fn fail(conn: &mut DbConn, t: &Ticket) -> QueryResult<()> {
    let at = now();
    diesel::update(rr::table.find(&t.row).filter(rr::ticket.eq(&t.token)))
        .set((
            rr::status.eq(FAILED),
            rr::result.eq(None::<String>),
            rr::locked_until.eq(None::<NaiveDateTime>),
            rr::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
