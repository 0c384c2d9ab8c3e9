//! People, split by sub-area: peer mentor profiles and their status history (`mentors`), the
//! contacts they support (`contacts`), and the care around a contact: assigned mentors,
//! caregivers and notes (`care`). Labels and demo data are shared.

pub mod care;
pub mod contacts;
mod labels;
pub mod mentors;
pub mod seed;
pub(crate) mod shared;

use actix_web::{web, HttpRequest};

pub use labels::LABELS;

use crate::web::is_htmx;
use crate::web::page::Page;
use crate::web::pagination::PageOf;

/// The routes of every sub-area.
pub fn configure(cfg: &mut web::ServiceConfig) {
    mentors::routes::configure(cfg);
    contacts::routes::configure(cfg);
    care::routes::configure(cfg);
}

/// Whether an htmx request asks for the results block only.
pub(crate) fn wants_results(req: &HttpRequest) -> bool {
    is_htmx(req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "results")
}

/// "Showing 1–25 of 40 contacts", for the live region after a search.
pub(crate) fn count_message<T>(page: &Page, list: &PageOf<T>, what: &str) -> String {
    list.summary(&page.labels, what)
}
