//! External resources: curated links per organization, by category, with a description.
//! Only `https` links are kept, and each is shown with the host it leads to.

pub mod routes;
pub mod service;
