//! The answer to an action taken on a card (a mentor enrolling in a course, registering for an
//! event, withdrawing), one mechanism for every list of cards: for htmx the card again with the
//! outcome announced in the live region (`templates/card_swap.html`); otherwise the outcome as
//! a flash and a redirect back to the page the card's form was posted from.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::{extract, is_htmx, page, redirect, AppResult};
use crate::auth::actor::set_flash;

/// The page a card's form was posted from, as its hidden `back` field says: the list
/// (`back=list`) or the record's own page (anything else, or no form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    List,
    Show,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct BackForm {
    back: String,
}

impl Back {
    pub fn of(form: Option<extract::Form<BackForm>>) -> Back {
        match form {
            Some(f) if f.0.back == "list" => Back::List,
            _ => Back::Show,
        }
    }

    /// The value the card's form posts again as `back`.
    pub fn as_str(self) -> &'static str {
        match self {
            Back::List => "list",
            Back::Show => "show",
        }
    }

    /// Where to go back to without htmx: the list at `list`, or the record at `list/id`.
    pub fn url(self, list: &str, id: &str) -> String {
        match self {
            Back::List => list.to_string(),
            Back::Show => format!("{list}/{id}"),
        }
    }
}

#[derive(Template)]
#[template(path = "card_swap.html")]
struct CardSwap<C: Template> {
    card: C,
    kind: &'static str,
    message: String,
}

/// Answers an action on a card: for htmx, the card again (`card()`) with the `message`
/// announced (`kind`: "success", "error"); otherwise the message as a flash and a redirect to
/// `back_url()`.
pub fn swap<C: Template>(
    req: &HttpRequest,
    session: &Session,
    (kind, message): (&'static str, String),
    card: impl FnOnce() -> C,
    back_url: impl FnOnce() -> String,
) -> AppResult<HttpResponse> {
    if is_htmx(req) {
        return page::ok(&CardSwap {
            card: card(),
            kind,
            message,
        });
    }
    set_flash(session, kind, message);
    Ok(redirect(&back_url()))
}
