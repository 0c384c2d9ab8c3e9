//! Activities: activity types per organization, registration (by a mentor or on behalf of one),
//! the Bufdir counting rules, the coordinator's list and its CSV export.

pub mod bufdir;
mod labels;
pub mod list;
pub mod model;
pub mod routes;
pub mod seed;
pub mod service;

pub use labels::LABELS;
