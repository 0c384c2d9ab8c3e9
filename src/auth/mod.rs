//! Who is asking: passwords, the database-backed session store, sign-in and its rate limits,
//! password reset, and the extractor that loads the `Actor` (`crate::access`) for every handler.

pub mod actor;
pub mod load;
pub mod model;
pub mod password;
pub mod ratelimit;
pub mod routes;
pub mod service;
pub mod session_store;
