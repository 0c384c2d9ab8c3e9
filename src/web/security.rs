//! The outermost middleware (inside the logger): a request id for every request, and the
//! security headers on every response, including the ones a middleware raises as an error (a
//! session store that fails, a body that cannot be read), which would otherwise leave as bare
//! 500s without headers or a log line.
//!
//! The id is a fresh random UUID (never taken from the request, so it cannot be forged into the
//! logs). It is in the `X-Request-Id` response header, in the access log line (the logger's
//! format reads the header), in the log line of every server error, and on the 500 page, so a
//! user can quote it.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;

pub const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub const REQUEST_ID: &str = "X-Request-Id";

/// Headers (lower case, as `HeaderName::from_static` wants) every response carries unless its handler set its own (static files set their
/// `Cache-Control`, downloads a sandboxing CSP).
const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
    // Pages hold personal data: never store them in shared caches or the back-forward cache
    // of a shared computer.
    ("cache-control", "no-store"),
];

tokio::task_local! {
    static ID: String;
}

/// The id of the request being handled (set by `middleware` for everything inside it).
pub fn request_id() -> Option<String> {
    ID.try_with(String::clone).ok()
}

/// Adds the security headers its handler did not set, and the request id.
fn finish(headers: &mut HeaderMap, id: &str) {
    for (name, value) in HEADERS {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(HeaderName::from_static("x-request-id"), v);
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    // Not a clone of the request: routing needs it unshared.
    let what = format!("{} {}", req.method(), req.path());
    ID.scope(id.clone(), async move {
        match next.call(req).await {
            Ok(res) => {
                let mut res = res.map_into_boxed_body();
                finish(res.headers_mut(), &id);
                Ok(res)
            }
            // A middleware failed (the handler's own errors are responses by now). Without the
            // request there is no `ServiceResponse` to build, so the answer goes out as the
            // error's response: the server sends it as it is, headers included. The logger
            // writes no line for it, so this does.
            Err(e) => {
                let status = e.as_response_error().status_code();
                let mut res = if status.is_server_error() {
                    log::error!(
                        "[{id}] {what} {}: failed in a middleware: {e}",
                        status.as_u16()
                    );
                    super::error::server_error_page(status)
                } else {
                    log::warn!(
                        "[{id}] {what} {}: refused in a middleware: {e}",
                        status.as_u16()
                    );
                    e.error_response()
                };
                finish(res.headers_mut(), &id);
                Err(InternalError::from_response(e, res).into())
            }
        }
    })
    .await
}

/// The request as the access log writes it: the method, the path and the names of the query
/// parameters, never their values (a search term or a filter can be a person's name).
pub fn loggable_request(req: &ServiceRequest) -> String {
    let names: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    if names.is_empty() {
        format!("{} {}", req.method(), req.path())
    } else {
        format!("{} {}?{}", req.method(), req.path(), names.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_request;
    use actix_web::test::TestRequest;

    #[test]
    fn the_access_log_keeps_query_names_and_drops_their_values() {
        let req = TestRequest::with_uri("/search?q=Kari%20Nordmann&page=2&flag").to_srv_request();
        assert_eq!(loggable_request(&req), "GET /search?q&page&flag");
        let req = TestRequest::with_uri("/contacts").to_srv_request();
        assert_eq!(loggable_request(&req), "GET /contacts");
    }
}
