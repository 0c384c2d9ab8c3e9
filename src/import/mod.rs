//! Bulk import (issue 16, item 5): an organization moving in brings its mentors and
//! coordinators (invited by e-mail through the invitation flow) and its contacts from a CSV or
//! XLSX file. `read` turns the file into rows (with the decompression-bomb guard), `service`
//! checks, previews and imports, `routes` holds the pages.

mod labels;
pub mod read;
pub mod routes;
pub mod service;

pub use labels::LABELS;
pub use routes::configure;
