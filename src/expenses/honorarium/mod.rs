//! Honorarium tiers per local association, and the year's totals per mentor.

pub mod routes;
pub mod service;

pub use service::completed_count;
