//! Encrypted assignment dispatch (issue 12): a coordinator sends a peer mentor the personal
//! details of someone who needs help; the details are sealed at rest (`crypto`, `keys`), read
//! only by the assigned mentor and the coordinators of the association, every read audit-logged
//! behind a password confirmation (`stepup`); the status machine and its immutable trail
//! (`status`); dispatching (`dispatch`); lists, reading and counts (`service`); erasing the
//! details after the retention period (`retention`, run by `crate::jobs`).

pub mod crypto;
pub mod dispatch;
pub mod keys;
mod labels;
pub mod model;
pub mod retention;
pub mod routes;
pub mod seed;
pub mod service;
pub mod status;
pub mod stepup;

pub use labels::LABELS;
