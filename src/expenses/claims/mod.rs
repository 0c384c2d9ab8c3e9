//! Claims: submission and the rules (`service`, `rules`), the approval queue and decisions
//! (`queue`), the export to accounting and payment (`export`).

pub mod export;
pub mod queue;
pub mod routes;
pub mod rules;
pub mod service;
