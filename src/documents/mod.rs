//! Documents attached to an activity (invitations, photos, PDFs): checked by content, images
//! re-encoded without EXIF and shrunk, kept in an object store with a metadata row, and served
//! only to those who may see the activity.

mod labels;
pub mod model;
pub mod routes;
pub mod service;
pub mod storage;
pub mod upload;

pub use labels::LABELS;
