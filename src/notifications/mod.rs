//! Notifications (issue 14): the in-app notification centre, each user's choices per scenario,
//! the reminder engine and the coordinators' weekly digest, and e-mail through an outbox.
//!
//! Other domains tell a user something with one call, in their own transaction:
//! `notifications::notify(conn, &Notice { user_id, org_id, role, scenario, subject_kind,
//! subject_id, link, params })`. It respects the user's choices (critical scenarios always
//! reach them), writes the in-app row and queues the mail; if the caller's change rolls back,
//! so does the notice.
//!
//! - `scenarios.rs`: the registry (one entry per scenario: labels, critical, audience, finder)
//! - `service.rs`: `notify`, the centre's reads and writes, the choices
//! - `reminders.rs`: the engine and the reminder finders; `digest.rs`: the weekly digest
//! - `outbox.rs`: queued mails and their delivery; `render.rs`: the mails' Askama bodies
//! - `routes.rs`, `labels.rs`, `seed.rs`

pub mod digest;
pub mod labels;
pub mod model;
pub mod outbox;
pub mod reminders;
pub mod render;
pub mod routes;
pub mod scenarios;
pub mod seed;
pub mod service;

pub use labels::LABELS;
pub use routes::configure;
pub use service::{notify, Notice};
