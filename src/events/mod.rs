//! Events: group gatherings a coordinator arranges for an association, the mentors' registration
//! beforehand (capacity held by one conditional update), attendance afterwards, and the group
//! activity an event produces for Bufdir.

mod labels;
pub mod model;
pub mod participation;
pub mod routes;
pub mod seed;
pub mod service;

pub use labels::LABELS;
