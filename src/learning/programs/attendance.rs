//! Attendance per program day (the register of `learning::attendance`, shared with courses):
//! every participant, keyed by their participant id, marked by a coordinator who arranges the
//! program. A cancelled program has no attendance.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{ProgramRow, Session};
use super::participants;
use super::service::managed;
use crate::access::Actor;
use crate::db::{now, DbConn};
use crate::learning::attendance::Register;
use crate::schema::workshop_attendance as wa;
use crate::web::{AppError, AppResult};

/// One day of a program the actor arranges.
pub struct ProgramRegister {
    pub row: ProgramRow,
    pub day: Session,
}

impl Register for ProgramRegister {
    fn open(conn: &mut DbConn, actor: &Actor, program: &str, day: &str) -> AppResult<Self> {
        let row = managed(conn, actor, program)?;
        if row.cancelled() {
            return Err(AppError::NotFound);
        }
        let day = row
            .sessions
            .iter()
            .find(|d| d.id == day)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(ProgramRegister { row, day })
    }
    fn org(&self) -> &str {
        &self.row.p.organization_id
    }
    fn title(&self) -> &str {
        &self.row.p.title
    }
    fn span(&self) -> (NaiveDateTime, NaiveDateTime) {
        (self.day.starts_at, self.day.ends_at)
    }
    fn back(&self) -> String {
        format!("/programs/{}", self.row.p.id)
    }
    fn day_id(&self) -> &str {
        &self.day.id
    }
    fn target(&self) -> (&'static str, &str, &'static str) {
        ("program", &self.row.p.id, "participant_id")
    }
    fn empty_key(&self) -> &'static str {
        "program.none_participants"
    }
    fn people(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
        Ok(participants::list(conn, &self.row)?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect())
    }
    fn marks(&self, conn: &mut DbConn) -> QueryResult<Vec<(String, bool)>> {
        wa::table
            .filter(wa::session_id.eq(&self.day.id))
            .select((wa::participant_id, wa::attended))
            .load(conn)
    }
    fn update(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<usize> {
        diesel::update(wa::table.find((&self.day.id, who)))
            .set((
                wa::attended.eq(attended),
                wa::marked_by.eq(Some(by)),
                wa::marked_at.eq(now()),
            ))
            .execute(conn)
    }
    fn insert(&self, conn: &mut DbConn, by: &str, who: &str, attended: bool) -> QueryResult<()> {
        diesel::insert_into(wa::table)
            .values((
                wa::session_id.eq(&self.day.id),
                wa::participant_id.eq(who),
                wa::attended.eq(attended),
                wa::marked_by.eq(Some(by)),
                wa::marked_at.eq(now()),
            ))
            .execute(conn)
            .map(|_| ())
    }
}
