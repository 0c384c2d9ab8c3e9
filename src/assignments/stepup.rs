//! Step-up confirmation: before the details open, the user confirms their password if their
//! last confirmation is older than ten minutes. The time of the last confirmation is kept in
//! the session (which lives in the database, so it holds across instances and ends with the
//! session). Wrong passwords count under the account's password limit, like a password change.

use actix_session::Session;
use chrono::TimeDelta;
use diesel::prelude::*;

use crate::audit::service::{self as audit, Event};
use crate::auth::{password, ratelimit};
use crate::config::Config;
use crate::db::DbConn;
use crate::schema::users;

const SESSION_KEY: &str = "stepup_at";
pub const VALID_MINUTES: i64 = 10;

/// Whether the user confirmed their password in this session within the last ten minutes.
pub fn is_fresh(session: &Session) -> bool {
    let now = chrono::Utc::now().timestamp();
    session
        .get::<i64>(SESSION_KEY)
        .ok()
        .flatten()
        .is_some_and(|at| at <= now && now - at < VALID_MINUTES * 60)
}

pub fn mark(session: &Session) {
    let _ = session.insert(SESSION_KEY, chrono::Utc::now().timestamp());
}

/// Checks the user's password: `Ok(None)` when right, else the label key of the message.
pub fn check_password(
    conn: &mut DbConn,
    config: &Config,
    user_id: &str,
    given: &str,
    ip: Option<&str>,
) -> QueryResult<Option<&'static str>> {
    let key = format!("password:account:{user_id}");
    let window = TimeDelta::minutes(config.login_window_minutes);
    if ratelimit::count(conn, &key, window)? >= config.login_limit_account {
        return Ok(Some("err.rate_limited"));
    }
    let hash: Option<String> = users::table
        .find(user_id)
        .select(users::password_hash)
        .first(conn)?;
    let ok = match hash.as_deref() {
        Some(h) => password::verify(h, given).0,
        None => {
            password::verify_dummy(given);
            false
        }
    };
    if ok {
        return Ok(None);
    }
    crate::db::tx(conn, |tx| {
        ratelimit::hit(tx.conn, &key, window)?;
        audit::append(
            tx,
            Event {
                actor_user_id: Some(user_id),
                action: "auth.step_up_failed",
                target_type: Some("user"),
                target_id: Some(user_id),
                ip,
                ..Default::default()
            },
        )
    })?;
    Ok(Some("assignments.err_password"))
}
