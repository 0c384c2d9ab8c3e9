//! The organization structure: organizations (global admin), regions and local associations
//! (organization admin; coordinators see their own), and each organization's terminology.

pub mod labels;
pub mod model;
pub mod routes;
pub mod service;
