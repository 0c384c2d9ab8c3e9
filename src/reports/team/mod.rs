//! The team (coordinator) report: one or more local associations in scope and a period;
//! activities by mentor, by type and by month, hours, contacts reached, and the expense lines
//! and claims of the same associations and period. Computed with SQL aggregates
//! (`service.rs`), shown (`routes.rs`) and exported through the one export writer
//! (`export.rs`, `web::export`).

pub mod export;
pub mod model;
pub mod routes;
pub mod service;
