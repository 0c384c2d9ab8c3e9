//! One search box for coordinators and administrators: mentors, contacts, activities and local
//! associations in the actor's scope, as you type (htmx) or as a plain form.

mod labels;
pub mod routes;
pub mod service;

pub use labels::LABELS;
pub use routes::configure;
