//! Errors a handler can return, and how each answers: 404 for anything out of scope, a redirect
//! to sign-in without a session, 429 for rate limits, and a logged 500 for the unexpected.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired { next: String, htmx: bool },
    #[error("forbidden")]
    Forbidden(&'static str),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("render: {0}")]
    Render(#[from] askama::Error),
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
    #[error("blocking: {0}")]
    Blocking(#[from] actix_web::error::BlockingError),
}

impl From<crate::access::OutOfScope> for AppError {
    fn from(_: crate::access::OutOfScope) -> AppError {
        AppError::NotFound
    }
}

impl crate::db::AsDiesel for AppError {
    fn as_diesel(&self) -> Option<&diesel::result::Error> {
        match self {
            AppError::Db(e) => Some(e),
            _ => None,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Db(diesel::result::Error::NotFound) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            AppError::SignInRequired { next, htmx } => {
                let next = super::local_redirect(Some(next));
                let target = format!("/login?next={}", super::urlencode(&next));
                if *htmx {
                    HttpResponse::Ok()
                        .insert_header(("HX-Redirect", target))
                        .finish()
                } else {
                    HttpResponse::SeeOther()
                        .insert_header((header::LOCATION, target))
                        .finish()
                }
            }
            _ => {
                if status.is_server_error() {
                    log::error!(
                        "[{}] request failed: {self}",
                        super::security::request_id().unwrap_or_default()
                    );
                    return server_error_page(status);
                }
                let (title, text) = match status {
                    StatusCode::NOT_FOUND => ("Fant ikke siden / Page not found", "Siden finnes ikke, eller du har ikke tilgang til den. The page does not exist, or you do not have access to it."),
                    StatusCode::FORBIDDEN => ("Ikke tillatt / Not allowed", match self { AppError::Forbidden(why) => why, _ => "" }),
                    _ => ("Noe gikk galt / Something went wrong", ""),
                };
                super::page::error_page(status, title, text)
            }
        }
    }
}

/// The page of an unexpected error (logged by whoever calls this); it shows the request id.
pub fn server_error_page(status: StatusCode) -> HttpResponse {
    super::page::error_page(
        status,
        "Noe gikk galt / Something went wrong",
        "Feilen er logget. Prøv igjen om litt. The error has been logged; please try again shortly.",
    )
}

pub type AppResult<T> = Result<T, AppError>;
