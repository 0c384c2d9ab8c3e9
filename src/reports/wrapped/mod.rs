//! The mentors' annual summary ("Wrapped", issue 15 item 6): a job computes each mentor's past
//! years with SQL aggregates into `annual_summaries` (`compute`), the mentor's page and its
//! shareable SVG card read one row (`service`, `card`), coordinators and administrators see their
//! scope's totals over the rows.

pub mod card;
pub mod compute;
mod labels;
pub mod model;
pub mod routes;
pub mod seed;
pub mod service;

pub use labels::LABELS;
