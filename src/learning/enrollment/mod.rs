pub mod attendance;
pub mod routes;
pub mod service;
