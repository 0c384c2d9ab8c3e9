//! People: peer mentor profiles and their status history, the contacts they support, the
//! contacts' caregivers and notes.

pub mod routes;

use crate::web::labels::Entry;

/// Terms of this domain (see `web::labels`).
pub static LABELS: &[Entry] = &[];
