//! Engagement (issue 16): what keeps volunteers coming back and helps them on the day.
//! `badges/` (definitions, awards by the job runner, the mentor's earned and next badges),
//! `referrals/` (a mentor's recruitment link with its QR code and visit counter),
//! `toolbox/` (conversation starter cards in safe Markdown, favourites), `resources/`
//! (curated https links), `settings` (the organization's settings in one place),
//! `markdown` (Markdown rendered and sanitized server-side), `picture` (pictures of badges and
//! cards through the documents' upload pipeline), `seed` (demo data).

pub mod badges;
mod labels;
pub mod markdown;
pub mod model;
pub mod picture;
pub mod referrals;
pub mod resources;
pub mod seed;
pub mod settings;
pub mod toolbox;

pub use labels::LABELS;

use crate::access::Actor;
use crate::audit::service::Event;

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
    badges::routes::configure(cfg);
    referrals::routes::configure(cfg);
    toolbox::routes::configure(cfg);
    resources::routes::configure(cfg);
    settings::configure(cfg);
}

/// A category or title as stored: white space folded, at most `max` characters.
pub(crate) fn clean(s: &str) -> String {
    crate::web::forms::fold_whitespace(s)
}
