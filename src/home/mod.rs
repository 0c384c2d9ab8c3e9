//! The start page, one per role: the peer mentor's day (register an activity, my contacts, my
//! events, this year's count), the coordinator's to-do list and this month's figures, the
//! organization administrator's figures and what needs configuring, and the global
//! administrator's organizations.

mod labels;
pub mod routes;
pub mod service;

pub use labels::LABELS;
pub use routes::configure;
