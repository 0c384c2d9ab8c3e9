//! The status machine:
//!
//! ```text
//! dispatched → delivered (the mentor's list first showed it) → read (the mentor opened the
//! details) → acknowledged (accepted) → completed
//! dispatched | delivered | read → declined (by the mentor, with a reason; back to the coordinator)
//! any open state or declined → cancelled (by a coordinator, with a reason)
//! ```
//!
//! Each transition is one conditional UPDATE (`… WHERE id = ? AND status = <the state read>`)
//! whose affected-row count decides, in the same transaction as its trail row: of two
//! transitions at the same moment, one wins and the other is refused with a message.

use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use super::service::{get, Side};
use crate::access::Actor;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn, Tx};
use crate::schema::{assignment_status_log as log, assignments as asg};
use crate::web::forms::FieldErrors;
use crate::web::AppResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Deliver,
    Read,
    Acknowledge,
    Complete,
    Decline,
    Cancel,
}

impl Action {
    /// What people may ask for by a form (delivered and read happen by looking).
    pub const REQUESTED: [Action; 4] = [
        Action::Acknowledge,
        Action::Complete,
        Action::Decline,
        Action::Cancel,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Deliver => "deliver",
            Action::Read => "read",
            Action::Acknowledge => "acknowledge",
            Action::Complete => "complete",
            Action::Decline => "decline",
            Action::Cancel => "cancel",
        }
    }
    pub fn parse(s: &str) -> Option<Action> {
        Action::REQUESTED.into_iter().find(|a| a.key() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Action::Deliver | Action::Read => "",
            Action::Acknowledge => "assignments.action_acknowledge",
            Action::Complete => "assignments.action_complete",
            Action::Decline => "assignments.action_decline",
            Action::Cancel => "assignments.action_cancel",
        }
    }
    /// The states it may start from.
    pub fn from(self) -> &'static [Status] {
        match self {
            Action::Deliver => &[Status::Dispatched],
            Action::Read => &[Status::Delivered],
            Action::Acknowledge => &[Status::Read],
            Action::Complete => &[Status::Acknowledged],
            Action::Decline => &[Status::Dispatched, Status::Delivered, Status::Read],
            Action::Cancel => &[
                Status::Dispatched,
                Status::Delivered,
                Status::Read,
                Status::Acknowledged,
                Status::Declined,
            ],
        }
    }
    pub fn to(self) -> Status {
        match self {
            Action::Deliver => Status::Delivered,
            Action::Read => Status::Read,
            Action::Acknowledge => Status::Acknowledged,
            Action::Complete => Status::Completed,
            Action::Decline => Status::Declined,
            Action::Cancel => Status::Cancelled,
        }
    }
    /// Who may take it.
    pub fn side(self) -> Side {
        match self {
            Action::Cancel => Side::Coordinator,
            _ => Side::Mentor,
        }
    }
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Decline | Action::Cancel)
    }
    /// The requested actions open to `side` in `status`.
    pub fn available(status: Status, side: Side) -> Vec<Action> {
        Action::REQUESTED
            .into_iter()
            .filter(|a| a.side() == side && a.from().contains(&status))
            .collect()
    }
}

/// One transition inside the caller's transaction: the conditional UPDATE and the trail row.
/// `Ok(false)` when the assignment was no longer in the state `a` was read in.
fn apply(
    tx: &mut Tx<'_>,
    a: &Assignment,
    action: Action,
    by: &str,
    reason: Option<&str>,
) -> QueryResult<bool> {
    let from = a.status();
    if !action.from().contains(&from) {
        return Ok(false);
    }
    let to = action.to();
    let t = now();
    let n = diesel::update(
        asg::table
            .filter(asg::id.eq(&a.id))
            .filter(asg::status.eq(from.key())),
    )
    .set((
        asg::status.eq(to.key()),
        asg::status_changed_at.eq(t),
        asg::completed_at.eq((to == Status::Completed).then_some(t)),
        asg::closed_at.eq(to.is_closed().then_some(t)),
    ))
    .execute(tx.conn)?;
    if n != 1 {
        return Ok(false);
    }
    diesel::insert_into(log::table)
        .values(StatusEntry {
            id: new_id(),
            assignment_id: a.id.clone(),
            from_status: Some(from.key().to_string()),
            status: to.key().to_string(),
            reason: reason.map(str::to_string),
            changed_by: Some(by.to_string()),
            changed_at: t,
        })
        .execute(tx.conn)?;
    Ok(true)
}

/// A transition that happens by looking (delivered, read); a no-op when it no longer applies.
pub(crate) fn apply_system(
    conn: &mut DbConn,
    actor: &Actor,
    a: &Assignment,
    action: Action,
) -> QueryResult<bool> {
    if !action.from().contains(&a.status()) {
        return Ok(false);
    }
    crate::db::tx(conn, |tx| apply(tx, a, action, &actor.user_id, None))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct StatusForm {
    pub action: String,
    pub reason: String,
}

/// Why a requested transition was not made.
#[derive(Debug)]
pub enum Refused {
    /// A message for the page: forbidden now, or someone else was first.
    Message(&'static str),
    Invalid(FieldErrors),
}

pub const MAX_REASON: usize = 500;

/// A transition asked for by the mentor or a coordinator.
pub fn request(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &StatusForm,
) -> AppResult<Result<Status, Refused>> {
    let (a, side) = get(conn, actor, id, "status")?;
    let Some(action) = Action::parse(&f.action) else {
        return Ok(Err(Refused::Message("assignments.refused_transition")));
    };
    if action.side() != side || !action.from().contains(&a.status()) {
        return Ok(Err(Refused::Message("assignments.refused_transition")));
    }
    let reason = f.reason.trim();
    if action.needs_reason() {
        let mut errors = FieldErrors::new();
        if reason.is_empty() {
            errors.add("reason", "assignments.err_reason");
        } else if reason.chars().count() > MAX_REASON {
            errors.add("reason", "err.too_long");
        }
        if !errors.is_empty() {
            return Ok(Err(Refused::Invalid(errors)));
        }
    }
    let reason = action.needs_reason().then_some(reason);
    let done = crate::db::tx(conn, |tx| {
        if !apply(tx, &a, action, &actor.user_id, reason)? {
            return Ok(false);
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(&a.organization_id),
                actor_user_id: Some(&actor.user_id),
                action: "assignment.status_changed",
                target_type: Some("assignment"),
                target_id: Some(&a.id),
                detail: Some(serde_json::json!({
                    "from": a.status().key(),
                    "to": action.to().key(),
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        if action.to() == Status::Declined {
            // The coordinators of its association decide where it goes next.
            let coordinators = crate::notifications::service::holders_of(
                tx.conn,
                &a.local_association_id,
                crate::access::Role::Coordinator,
            )?;
            for user in coordinators {
                crate::notifications::notify(
                    tx.conn,
                    &crate::notifications::Notice {
                        user_id: &user,
                        org_id: Some(&a.organization_id),
                        role: Some(crate::access::Role::Coordinator),
                        scenario: "assignment.declined",
                        subject_kind: "assignment",
                        subject_id: &a.id,
                        link: format!("/assignments/{}", a.id),
                        params: serde_json::json!({
                            "reference": a.id.chars().take(8).collect::<String>(),
                            "reason": reason.unwrap_or_default(),
                        }),
                    },
                )?;
            }
        }
        Ok::<_, diesel::result::Error>(true)
    })?;
    if done {
        Ok(Ok(action.to()))
    } else {
        Ok(Err(Refused::Message("assignments.refused_changed")))
    }
}
