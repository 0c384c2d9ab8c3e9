//! The care around a contact: assigned peer mentors, caregivers and notes.

pub mod model;
pub mod routes;
pub mod service;
