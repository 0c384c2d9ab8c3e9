//! A draft's figures computed once for everyone asking at once, with progress
//! (`reports::runs`): the first to ask claims the run and computes it (on the blocking pool,
//! the page waiting a moment for it), the others follow its progress and read its result.

use super::compute::{self, Figures, Scope};
use crate::db::DbConn;
use crate::reports::runs::{self, Claim, Key, Ticket};
use crate::web::{AppError, AppResult};

pub const KIND: &str = "bufdir";

pub fn key(org: &str, year: i32, scope: &Scope) -> Key {
    Key::new(org, KIND, year, scope)
}

/// What asking for a draft's figures came to.
pub enum Draft {
    Ready(Figures),
    /// This request computes: `run` with the ticket.
    Mine(Ticket),
    /// Someone else is computing.
    Running,
}

fn parse(json: &str) -> AppResult<Figures> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(anyhow::anyhow!("run result: {e}")))
}

pub fn claim(conn: &mut DbConn, key: &Key, user: &str) -> AppResult<Draft> {
    Ok(match runs::claim(conn, key, user)? {
        Claim::Fresh(json) => Draft::Ready(parse(&json)?),
        Claim::Mine(t) => Draft::Mine(t),
        Claim::Running => Draft::Running,
    })
}

/// Computes the figures under the ticket, writing the progress and then the result.
pub fn run(
    conn: &mut DbConn,
    org: &str,
    year: i32,
    scope: &Scope,
    ticket: &Ticket,
) -> AppResult<Figures> {
    let computed = compute::compute_with(conn, org, year, scope, &mut |c, percent, step| {
        runs::progress(c, ticket, percent, step)
    });
    let figures = match computed {
        Ok(f) => f,
        Err(e) => {
            if let Err(e2) = runs::fail(conn, ticket) {
                log::warn!("report run: could not record its failure: {e2}");
            }
            return Err(e.into());
        }
    };
    let json = serde_json::to_string(&figures)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("run result: {e}")))?;
    runs::finish(conn, ticket, &json)?;
    Ok(figures)
}
