//! The toolbox: conversation starter cards and practical help per organization, in safe
//! Markdown, with an optional picture, by category and in the order the administrators set.

pub mod routes;
pub mod service;
