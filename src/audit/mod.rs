//! The append-only audit log: sign-ins, failed sign-ins, role and association changes, reads of
//! sensitive records, exports. Triggers on both backends refuse UPDATE and DELETE, and each entry
//! carries the hash of the one before it, so a gap or an edit is detectable.

pub mod labels;
pub mod model;
pub mod routes;
pub mod service;

pub use labels::LABELS;
