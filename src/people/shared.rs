//! Helpers shared by the people services: names by id, audit events, small form checks.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::access::Actor;
use crate::audit::service::Event;
use crate::db::DbConn;
use crate::schema::{local_associations as la, users};
use crate::web::forms::{self, FieldErrors};

pub(crate) const PEER_MENTOR: &str = "peer_mentor";

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
}

pub(crate) fn audit_event<'a>(
    actor: &'a Actor,
    org: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    detail: serde_json::Value,
) -> Event<'a> {
    Event {
        organization_id: Some(org),
        actor_user_id: Some(&actor.user_id),
        action,
        target_type: Some(target_type),
        target_id: Some(target_id),
        detail: Some(detail),
        ip: actor.ip.as_deref(),
    }
}

/// Names of users by id.
pub(crate) fn user_names(
    conn: &mut DbConn,
    ids: Vec<String>,
) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub(crate) fn association_names(
    conn: &mut DbConn,
    ids: Vec<String>,
) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(la::table
        .filter(la::id.eq_any(ids))
        .select((la::id, la::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub(crate) fn check_len(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, "err.too_long");
    }
}

pub(crate) fn trimmed(s: &str) -> Option<String> {
    forms::opt(&Some(s.to_string()))
}
