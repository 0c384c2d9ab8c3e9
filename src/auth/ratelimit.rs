//! Fixed-window counters in the database, so that limits hold across instances.

use chrono::TimeDelta;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use crate::db::{now, DbConn};
use crate::schema::rate_limits;

/// The count in the current window (0 when there is none or it has passed).
pub fn count(conn: &mut DbConn, key: &str, window: TimeDelta) -> QueryResult<i32> {
    let since = now() - window;
    Ok(rate_limits::table
        .filter(rate_limits::key.eq(key))
        .filter(rate_limits::window_start.gt(since))
        .select(rate_limits::count)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Adds one to the counter, starting a new window when the old one has passed.
pub fn hit(conn: &mut DbConn, key: &str, window: TimeDelta) -> QueryResult<()> {
    for _ in 0..3 {
        let t = now();
        let bumped = diesel::update(
            rate_limits::table
                .filter(rate_limits::key.eq(key))
                .filter(rate_limits::window_start.gt(t - window)),
        )
        .set(rate_limits::count.eq(rate_limits::count + 1))
        .execute(conn)?;
        if bumped == 1 {
            return Ok(());
        }
        diesel::delete(rate_limits::table.filter(rate_limits::key.eq(key))).execute(conn)?;
        match diesel::insert_into(rate_limits::table)
            .values((
                rate_limits::key.eq(key),
                rate_limits::window_start.eq(t),
                rate_limits::count.eq(1),
            ))
            .execute(conn)
        {
            Ok(_) => return Ok(()),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.filter(rate_limits::key.eq(key))).execute(conn)?;
    Ok(())
}
