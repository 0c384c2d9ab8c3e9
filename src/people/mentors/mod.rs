//! Peer mentor profiles: the list, the profile page, status changes with their immutable history.

pub mod model;
pub mod routes;
pub mod service;
