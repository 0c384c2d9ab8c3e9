//! The Bufdir grant report of an organization and a year.

pub mod compute;
pub mod courses;
pub mod drill;
pub mod export;
pub mod lifecycle;
pub mod run;
