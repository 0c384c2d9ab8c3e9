//! Activities: activity types per organization, registration (by a mentor or on behalf of one),
//! the Bufdir counting rules, the coordinator's list and its CSV export.

pub mod routes;

use crate::web::labels::Entry;

/// Terms of this domain (see `web::labels`).
pub static LABELS: &[Entry] = &[];
