//! `Form<T>` and `Query<T>`: every handler reads form and query text through these instead of
//! actix's, so one rule holds for all input in one place. Text with a control character (C0, and
//! DEL; TAB, LF and CR are text only in a multi-line field) is refused with a page in the user's
//! language saying so: PostgreSQL refuses NUL in text (a 500 before), and no field has a use for
//! the others. A body or query that does not parse answers 400 the same way.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::{header, StatusCode};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::access::Actor;
use crate::labels::{Labels, Lang};

/// The fields whose text may hold line breaks and tabs: the name of every `<textarea>` (a test
/// reads the templates to keep this list complete).
pub const MULTILINE: &[&str] = &[
    "address",
    "availability",
    "body",
    "description",
    "metadata",
    "note",
    "reason",
    "sensitive_notes",
];

/// The largest form body read (the `PayloadConfig` default that `web::Bytes` applies).
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// Whether `c` may appear in a field's text.
pub fn allowed(c: char, multiline: bool) -> bool {
    !c.is_ascii_control() || (multiline && matches!(c, '\t' | '\n' | '\r'))
}

/// Whether every name and value of the pairs holds only allowed characters.
fn clean(pairs: &[(String, String)], multiline_fields: bool) -> bool {
    pairs.iter().all(|(k, v)| {
        let multiline = multiline_fields && MULTILINE.contains(&k.as_str());
        k.chars().all(|c| allowed(c, false)) && v.chars().all(|c| allowed(c, multiline))
    })
}

#[derive(Clone, Copy)]
enum Refusal {
    ControlCharacters,
    Invalid,
}

/// The page that says why, in the signed-in user's language (their settings, their
/// organization's terms) or the browser's.
async fn refuse(req: HttpRequest, why: Refusal, status: StatusCode) -> actix_web::Error {
    let labels = match Actor::from_request(&req, &mut Payload::None).await {
        Ok(actor) => actor.labels.clone(),
        Err(_) => Arc::new(Labels::new(
            Lang::from_accept(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            ),
            HashMap::new(),
        )),
    };
    let (heading, text) = match why {
        Refusal::ControlCharacters => ("err.control_chars_title", "err.control_chars"),
        Refusal::Invalid => ("err.invalid_input_title", "err.invalid_input"),
    };
    log::info!(
        "{} {} refused: {}",
        req.method(),
        req.path(),
        labels.get(heading)
    );
    let res = super::page::error_page_in(labels.clone(), status, heading, text);
    InternalError::from_response(labels.get(heading).to_string(), res).into()
}

/// Decoded pairs checked, then `T`: the one way form and query text comes in.
async fn decode<T: DeserializeOwned>(
    req: HttpRequest,
    raw: &[u8],
    multiline_fields: bool,
    refused_status: StatusCode,
) -> Result<T, actix_web::Error> {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw) else {
        return Err(refuse(req, Refusal::Invalid, StatusCode::BAD_REQUEST).await);
    };
    if !clean(&pairs, multiline_fields) {
        return Err(refuse(req, Refusal::ControlCharacters, refused_status).await);
    }
    match serde_urlencoded::from_bytes::<T>(raw) {
        Ok(v) => Ok(v),
        Err(e) => {
            log::debug!("form or query does not fit: {e}");
            Err(refuse(req, Refusal::Invalid, StatusCode::BAD_REQUEST).await)
        }
    }
}

/// A URL-encoded form body (`application/x-www-form-urlencoded`, at most 256 KiB).
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Form<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let urlencoded = req
            .content_type()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded");
        let body = urlencoded.then(|| Bytes::from_request(&req, payload));
        Box::pin(async move {
            let Some(body) = body else {
                return Err(refuse(req, Refusal::Invalid, StatusCode::BAD_REQUEST).await);
            };
            let bytes = body.await?;
            decode(req, &bytes, true, StatusCode::UNPROCESSABLE_ENTITY)
                .await
                .map(Form)
        })
    }
}

/// The query string.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Query<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let raw = req.query_string().to_string();
            decode(req, raw.as_bytes(), false, StatusCode::BAD_REQUEST)
                .await
                .map(Query)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_line_breaks_only_in_multi_line_fields() {
        let p = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert!(clean(&p("name", "Åse Ødegård – «sitat» 😀"), true));
        assert!(!clean(&p("name", "a\0b"), true));
        assert!(!clean(&p("name", "a\u{7f}"), true));
        assert!(!clean(&p("name", "a\u{1b}[31m"), true));
        assert!(!clean(&p("name", "a\nb"), true));
        assert!(!clean(&p("na\0me", "a"), true));
        assert!(clean(&p("description", "a\r\nb\tc"), true));
        assert!(!clean(&p("description", "a\r\nb\0"), true));
        assert!(
            !clean(&p("description", "a\nb"), false),
            "queries are one line"
        );
    }

    /// Every `<textarea>` of every template is listed in `MULTILINE`.
    #[test]
    fn every_textarea_is_a_multi_line_field() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let macro_call = regex::Regex::new(r#"f::textarea\([^,]+,[^,]+,\s*"([^"]+)""#).unwrap();
        let element = regex::Regex::new(r#"<textarea[^>]*\sname="([^"{]+)""#).unwrap();
        let mut stack = vec![dir];
        let mut found = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for c in macro_call
                    .captures_iter(&text)
                    .chain(element.captures_iter(&text))
                {
                    found += 1;
                    assert!(
                        MULTILINE.contains(&&c[1]),
                        "{}: textarea {:?} is missing from web::extract::MULTILINE",
                        path.display(),
                        &c[1]
                    );
                }
            }
        }
        assert!(found >= MULTILINE.len());
    }
}
