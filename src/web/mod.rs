//! The web layer: layout and page context, errors, embedded assets,
//! security headers, CSRF, pagination and form helpers.

pub mod assets;
pub mod csrf;
pub mod error;
pub mod fmt;
pub mod forms;
pub mod page;
pub mod pagination;
pub mod security;

pub use error::{AppError, AppResult};

use actix_web::web;

use crate::db::DbConn;
use crate::AppState;

/// Runs blocking database work on the blocking thread pool with a pooled connection, admitted
/// in arrival order (`db::Pool::run`).
pub async fn db<T, F>(state: &web::Data<AppState>, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    state.pool.run(f).await?
}

/// An id from the path, or 404 for anything that is not one (never a 400 or a database error).
pub fn path_id(raw: &str) -> AppResult<String> {
    crate::db::parse_id(raw).ok_or(AppError::NotFound)
}

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `303 See Other` to `to`, or `HX-Redirect` for an htmx request.
pub fn redirect(to: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to.to_string()))
        .finish()
}

pub fn is_htmx(req: &actix_web::HttpRequest) -> bool {
    req.headers().contains_key("HX-Request")
}
