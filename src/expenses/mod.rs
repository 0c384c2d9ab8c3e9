//! Expenses and reimbursement claims (issue 11): expense types and mileage rates (`types/`),
//! expense lines with receipts (`entry/`), claims with their rules, the approval queue, the
//! export to accounting and payment (`claims/`), honorarium tiers and yearly totals
//! (`honorarium/`). Money is integer øre throughout (`money`).

pub mod claims;
pub mod entry;
pub mod honorarium;
mod labels;
pub mod model;
pub mod money;
pub mod seed;
pub mod types;

pub use labels::LABELS;

use crate::access::Actor;
use crate::audit::service::Event;
use crate::web::{AppError, AppResult};

/// The audit entry of a change in this domain: by the actor, in the organization, on one target.
pub(crate) fn audit_event<'a>(
    actor: &'a Actor,
    org: &'a str,
    action: &'a str,
    target_type: &'a str,
    target: &'a str,
    detail: serde_json::Value,
) -> Event<'a> {
    Event {
        organization_id: Some(org),
        actor_user_id: Some(&actor.user_id),
        action,
        target_type: Some(target_type),
        target_id: Some(target),
        detail: Some(detail),
        ip: actor.ip.as_deref(),
    }
}

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    types::routes::configure(cfg);
    entry::routes::configure(cfg);
    claims::routes::configure(cfg);
    honorarium::routes::configure(cfg);
}

/// A form with a repeated field (checkboxes): the values of `list`, and the other fields
/// read into `T`. A body that does not fit `T` is a 400, as `web::extract::Form` answers.
pub fn split_list<T: serde::de::DeserializeOwned>(
    pairs: Vec<(String, String)>,
    list: &str,
) -> AppResult<(T, Vec<String>)> {
    let (listed, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == list);
    let encoded = serde_urlencoded::to_string(&rest).map_err(|_| AppError::NotFound)?;
    let form = serde_urlencoded::from_str(&encoded).map_err(|_| AppError::NotFound)?;
    Ok((form, listed.into_iter().map(|(_, v)| v).collect()))
}

/// `SUM` of a BIGINT column as a BIGINT on both backends (PostgreSQL's own `SUM` gives
/// NUMERIC, which would need a decimal crate to read).
pub fn sum_bigint(
    column: &'static str,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::BigInt>> {
    diesel::dsl::sql(&format!("CAST(SUM({column}) AS BIGINT)"))
}
