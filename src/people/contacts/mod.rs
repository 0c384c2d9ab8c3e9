//! Contacts: the people supported, scoped to the actor; list, form, duplicate warning, the contact page.

pub mod model;
pub mod routes;
pub mod service;
