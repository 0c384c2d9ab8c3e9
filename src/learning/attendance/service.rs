//! The rules of a day's register, whatever it belongs to: who is on it, marking one person,
//! marking everyone not yet marked, refusing a day that has not begun.

use chrono::NaiveDateTime;

use crate::access::Actor;
use crate::audit::service as audit;
use crate::db::{now, DbConn};
use crate::learning::courses::service::audit_event;
use crate::web::{AppError, AppResult};
use diesel::QueryResult;

/// One person on a day's list: present, absent, or not marked yet. `id` is what the register
/// keys its marks by (a user for a course, a participant for a program).
#[derive(Clone, Debug)]
pub struct AttendanceRow {
    pub id: String,
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

/// One day of something with attendance, opened for an actor who arranges it.
pub trait Register: Sized + Send + 'static {
    /// The day `day` of `owner` (a course or program the actor arranges), else not found.
    fn open(conn: &mut DbConn, actor: &Actor, owner: &str, day: &str) -> AppResult<Self>;
    /// The organization, for the audit log.
    fn org(&self) -> &str;
    /// The course's or program's title, for the page.
    fn title(&self) -> &str;
    /// The day's start and end.
    fn span(&self) -> (NaiveDateTime, NaiveDateTime);
    /// The owner's page ("/courses/{id}").
    fn back(&self) -> String;
    /// What the audit entries name: (target type and action prefix, the owner's id, the name
    /// of the person's key in the detail).
    fn target(&self) -> (&'static str, &str, &'static str);
    /// The label shown when nobody is on the list.
    fn empty_key(&self) -> &'static str;
    /// The people on the list, by name: (key, name).
    fn people(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, String)>>;
    /// The marks saved for the day: (key, present).
    fn marks(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, bool)>>;
    /// Overwrites a saved mark; the number of rows changed (0: none saved yet).
    fn update(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<usize>;
    /// Saves a first mark.
    fn insert(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<()>;

    /// The day's id.
    fn day_id(&self) -> &str;
    /// This day's address ("/courses/{id}/days/{day}").
    fn base(&self) -> String {
        format!("{}/days/{}", self.back(), self.day_id())
    }
    fn started(&self) -> bool {
        self.span().0 <= now()
    }
}

/// The day's list: everyone on it, by name, with their mark.
pub fn sheet<R: Register>(conn: &mut DbConn, r: &R) -> QueryResult<Vec<AttendanceRow>> {
    let marks = r.marks(conn)?;
    Ok(r.people(conn)?
        .into_iter()
        .map(|(id, name)| AttendanceRow {
            attended: marks.iter().find(|(u, _)| *u == id).map(|(_, a)| *a),
            id,
            name,
        })
        .collect())
}

fn log<R: Register>(
    tx: &mut crate::db::Tx<'_>,
    actor: &Actor,
    r: &R,
    what: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    let (kind, owner, _) = r.target();
    let action = format!("{kind}.{what}");
    audit::append(
        tx,
        audit_event(actor, r.org(), &action, kind, owner, detail),
    )?;
    Ok(())
}

/// Marks one person on the list present or absent (logged).
pub fn mark<R: Register>(
    conn: &mut DbConn,
    actor: &Actor,
    r: &R,
    who: &str,
    attended: bool,
) -> AppResult<Marked> {
    if !r.started() {
        return Ok(Marked::NotStarted);
    }
    if !r.people(conn)?.iter().any(|(id, _)| id == who) {
        return Err(AppError::NotFound);
    }
    let day = r.day_id().to_string();
    crate::db::tx(conn, |tx| {
        if r.update(tx.conn, &actor.user_id, who, attended)? == 0 {
            r.insert(tx.conn, &actor.user_id, who, attended)?;
        }
        let mut detail = serde_json::json!({ "day": day, "attended": attended });
        detail[r.target().2] = serde_json::json!(who);
        log(tx, actor, r, "attendance_marked", detail)
    })?;
    Ok(Marked::Saved)
}

/// Marks everyone not yet marked as present (exceptions already marked stay), logged once.
pub fn mark_all<R: Register>(conn: &mut DbConn, actor: &Actor, r: &R) -> AppResult<Marked> {
    if !r.started() {
        return Ok(Marked::NotStarted);
    }
    let day = r.day_id().to_string();
    crate::db::tx(conn, |tx| {
        let people = sheet(tx.conn, r)?;
        let mut n = 0;
        for p in people.iter().filter(|p| p.attended.is_none()) {
            r.insert(tx.conn, &actor.user_id, &p.id, true)?;
            n += 1;
        }
        log(
            tx,
            actor,
            r,
            "attendance_all",
            serde_json::json!({ "day": day, "marked": n }),
        )
    })?;
    Ok(Marked::Saved)
}
