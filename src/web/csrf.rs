//! CSRF protection for every state change: a per-session secret sent back as a hidden
//! `csrf_token` field (or `X-CSRF-Token` header from htmx, or a `csrf_token` query parameter for
//! multipart forms), compared in constant time, plus an `Origin` / `Sec-Fetch-Site` check.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, FromRequest};
use subtle::ConstantTimeEq;

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "X-CSRF-Token";

/// A fresh random token (256 bits, URL-safe base64).
pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn same_origin(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("Sec-Fetch-Site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = req.connection_info().host().to_string();
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return false;
        }
    }
    true
}

fn token_from_form(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v)
}

fn forbidden(req: ServiceRequest, why: &str) -> ServiceResponse<BoxBody> {
    log::warn!(
        "CSRF check failed for {} {}: {why}",
        req.method(),
        req.path()
    );
    let res = super::page::error_page(
        StatusCode::FORBIDDEN,
        "Skjemaet kunne ikke sendes / The form could not be sent",
        "Siden var for gammel eller kom fra et annet nettsted. Gå tilbake, last siden på nytt og prøv igjen. \
         The page was too old or came from another site: go back, reload it and try again.",
    );
    req.into_response(res)
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    if !same_origin(&req) {
        return Ok(forbidden(req, "cross-origin"));
    }
    let expected: Option<String> = req.get_session().get(SESSION_KEY).ok().flatten();
    let mut sent = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if sent.is_none() {
        sent = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()
            .and_then(|q| q.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if sent.is_none() && is_form {
        let (http_req, payload) = req.parts_mut();
        let bytes = Bytes::from_request(http_req, payload).await?;
        sent = token_from_form(&bytes);
        req.set_payload(bytes.into());
    }
    let ok = match (expected, sent) {
        (Some(e), Some(s)) => !e.is_empty() && bool::from(e.as_bytes().ct_eq(s.as_bytes())),
        _ => false,
    };
    if !ok {
        return Ok(forbidden(req, "missing or wrong token"));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
