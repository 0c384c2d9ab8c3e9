//! Expense lines and receipts, entered by a peer mentor on a phone.

pub mod routes;
pub mod service;
