//! The web layer: layout and page context, errors, embedded assets, security headers, CSRF,
//! the form and query extractors, the export writer, pagination, form helpers and the answer to
//! an action on a card (`card`).

pub mod assets;
pub mod card;
pub mod csrf;
pub mod error;
pub mod export;
pub mod extract;
pub mod fmt;
pub mod forms;
pub mod page;
pub mod pagination;
pub mod pdf;
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

/// The one gate for a redirect target the user supplied (`next` after sign-in): a path on this
/// site, or `/`. Refused: control characters and white space (browsers strip TAB, CR and LF
/// inside URLs, so `/\t/evil.example` would become `//evil.example`), backslashes (read as
/// slashes), a scheme, or an authority (`//host`). What is left is parsed as a URL relative to
/// this site and must still be on it; its parsed (percent-encoded) path, query and fragment are
/// returned, so the `Location` header is always valid.
pub fn local_redirect(target: Option<&str>) -> String {
    const HOME: &str = "/";
    let Some(t) = target else {
        return HOME.to_string();
    };
    if !t.starts_with('/')
        || t.starts_with("//")
        || t.chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return HOME.to_string();
    }
    let Ok(base) = url::Url::parse("http://this.invalid/") else {
        return HOME.to_string();
    };
    match base.join(t) {
        Ok(u)
            if u.origin() == base.origin() && u.username().is_empty() && u.password().is_none() =>
        {
            let mut out = u.path().to_string();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            if let Some(f) = u.fragment() {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        _ => HOME.to_string(),
    }
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

#[cfg(test)]
mod tests {
    use super::local_redirect;

    #[test]
    fn redirects_stay_on_this_site() {
        for evil in [
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            "/\\evil.example",
            "//evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(local_redirect(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(local_redirect(None), "/");
        assert_eq!(
            local_redirect(Some("/activities?a=1&b=%20")),
            "/activities?a=1&b=%20"
        );
        assert_eq!(local_redirect(Some("/a/../b")), "/b");
        assert_eq!(local_redirect(Some("/søk")), "/s%C3%B8k");
    }
}
