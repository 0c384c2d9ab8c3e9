//! CSRF protection for every state change: a per-session secret sent back as a hidden
//! `csrf_token` field (or `X-CSRF-Token` header from htmx), compared in constant time, plus an
//! `Origin` / `Sec-Fetch-Site` check. Never in the URL (it would end up in access logs).
//!
//! Multipart forms (uploads) carry the field as the first part of the body, before the file:
//! the middleware reads that part alone (at most a few hundred bytes of it), decides, and hands
//! the body on whole. A file is never read before the token is checked, and a handler cannot
//! forget the check.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::HeaderMap;
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, FromRequest, HttpMessage};
use futures_util::{Stream, StreamExt, TryStreamExt};
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

/// A body stream that keeps a copy of what it hands out, so it can be handed out again.
struct Recorded {
    inner: Rc<RefCell<Payload>>,
    seen: Rc<RefCell<Vec<Bytes>>>,
}

impl Stream for Recorded {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut *this.inner.borrow_mut()).poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            this.seen.borrow_mut().push(chunk.clone());
        }
        polled
    }
}

/// The longest token read from a multipart body (ours are 43 characters).
const MAX_TOKEN: usize = 256;

/// The value of the body's first part when that part is the `csrf_token` field.
async fn first_part_token(form: &mut actix_multipart::Multipart) -> Option<String> {
    let mut field = form.try_next().await.ok()??;
    let is_file = field
        .content_disposition()
        .is_some_and(|d| d.get_filename().is_some());
    if field.name() != Some(FIELD) || is_file {
        return None;
    }
    let mut value = Vec::new();
    while let Some(chunk) = field.try_next().await.ok()? {
        value.extend_from_slice(&chunk);
        if value.len() > MAX_TOKEN {
            return None;
        }
    }
    String::from_utf8(value).ok()
}

/// Reads the token from the start of a multipart body; returns it and the whole body again
/// (what was read, then the rest, unread).
async fn token_from_multipart(headers: &HeaderMap, body: Payload) -> (Option<String>, Payload) {
    let inner = Rc::new(RefCell::new(body));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let token = {
        let mut form = actix_multipart::Multipart::new(
            headers,
            Recorded {
                inner: inner.clone(),
                seen: seen.clone(),
            },
        );
        first_part_token(&mut form).await
    };
    let rest = match Rc::try_unwrap(inner) {
        Ok(cell) => cell.into_inner(),
        // The parser is dropped with its stream, so this cannot happen; refuse if it does.
        Err(_) => return (None, Payload::None),
    };
    let read = futures_util::stream::iter(seen.take().into_iter().map(Ok));
    let whole: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(read.chain(rest));
    (token, Payload::from(whole))
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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if sent.is_none() && content_type.starts_with("application/x-www-form-urlencoded") {
        let (http_req, payload) = req.parts_mut();
        let bytes = Bytes::from_request(http_req, payload).await?;
        sent = token_from_form(&bytes);
        req.set_payload(bytes.into());
    } else if sent.is_none() && content_type.starts_with("multipart/form-data") {
        let body = req.take_payload();
        let (token, whole) = token_from_multipart(req.headers(), body).await;
        sent = token;
        req.set_payload(whole);
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
