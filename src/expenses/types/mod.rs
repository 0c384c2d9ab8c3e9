//! Expense types, mileage rates and the claim settings of an organization.

pub mod routes;
pub mod service;
