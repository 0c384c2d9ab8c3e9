//! The append-only audit log: sign-ins, failed sign-ins, role and association changes, reads of
//! sensitive records, exports. Triggers on both backends refuse UPDATE and DELETE, and each entry
//! is linked into a hash chain (`chain`, its own append-only table) just after it commits, so a
//! gap or an edit is detectable.

pub mod chain;
pub mod labels;
pub mod model;
pub mod routes;
pub mod service;

pub use labels::LABELS;
