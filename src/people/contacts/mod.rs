//! Contacts: the people supported, scoped to the actor; list, form, duplicate warning, the
//! contact page (`service`), and closing, reopening and erasing on request (`lifecycle`).

pub mod lifecycle;
pub mod model;
pub mod routes;
pub mod service;
