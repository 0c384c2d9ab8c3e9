//! Badges: definitions per organization (name, description, a shipped icon or an uploaded
//! picture, a trigger and its number), awarded once per user by the job runner
//! (`jobs::all`, "engagement.badges"), with when and why.

pub mod routes;
pub mod service;

pub use service::{badges_in_year, on_awarded};
