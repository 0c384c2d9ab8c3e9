//! Learning: the course catalogue (`courses/`), enrollment with a waitlist (`enrollment/`, seats
//! through `crate::seats`, shared with events; attendance per day), certifications
//! (`certifications/`: issued on completion, revoked, verified by token), the mentor approval
//! requirements per organization (`requirements/`, with `eligible`), and demo data.

pub mod attendance;
pub mod certifications;
pub mod courses;
pub mod editor;
pub mod enrollment;
mod labels;
pub mod programs;
pub mod requirements;
pub mod seed;

pub use labels::LABELS;

pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    courses::routes::configure(cfg);
    enrollment::routes::configure(cfg);
    certifications::routes::configure(cfg);
    requirements::routes::configure(cfg);
    programs::routes::configure(cfg);
}
