//! Users, their scoped roles (user × organization × role × association), invitations and
//! personal settings.

pub mod invitations;
mod labels;
pub mod model;
pub mod routes;
pub mod service;
pub use labels::LABELS;
