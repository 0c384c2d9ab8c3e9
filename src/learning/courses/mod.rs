pub mod edit;
pub mod model;
pub mod routes;
pub mod service;
