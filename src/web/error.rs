//! Errors a handler can return, and how each answers: 404 for anything out of scope, a redirect
//! to sign-in without a session, 429 for rate limits, and a logged 500 for the unexpected.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};

use crate::labels::{Labels, Lang};

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
                if status == StatusCode::NOT_FOUND {
                    // Rendered in the reader's language by `localize_not_found`, which knows
                    // the request; this bilingual page stands when it cannot.
                    let mut res = super::page::error_page(
                        status,
                        "Fant ikke siden / Page not found",
                        "Siden finnes ikke, eller du har ikke tilgang til den. The page does not exist, or you do not have access to it.",
                    );
                    res.extensions_mut().insert(NotFoundPage);
                    return res;
                }
                let (title, text) = match status {
                    StatusCode::FORBIDDEN => (
                        "Ikke tillatt / Not allowed",
                        match self {
                            AppError::Forbidden(why) => why,
                            _ => "",
                        },
                    ),
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

/// Marks the response of `AppError::NotFound`, so the middleware knows it may replace it.
#[derive(Clone, Copy, Debug)]
struct NotFoundPage;

/// The "page not found" answer in the reader's language: a signed-in user's own setting,
/// otherwise the browser's `Accept-Language`, otherwise Bokmål. Sits inside the session
/// middleware; only responses marked by `AppError::NotFound` are touched.
pub async fn localize_not_found(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::NOT_FOUND
        || res.response().extensions().get::<NotFoundPage>().is_none()
    {
        return Ok(res.map_into_left_body());
    }
    let request = res.request().clone();
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let uid: Option<String> = request
        .get_session()
        .get(crate::access::SESSION_UID)
        .ok()
        .flatten();
    let own = match (
        uid,
        request.app_data::<actix_web::web::Data<crate::AppState>>(),
    ) {
        (Some(uid), Some(state)) => {
            super::db(state, move |c| Ok(crate::access::language_of(c, &uid)?))
                .await
                .ok()
                .flatten()
        }
        _ => None,
    };
    let lang = match own {
        Some(code) => Lang::parse(&code),
        None => Lang::from_accept(accept.as_deref()),
    };
    let page = super::page::error_page_in(
        std::sync::Arc::new(Labels::new(lang, Default::default())),
        StatusCode::NOT_FOUND,
        "error.not_found",
        "error.not_found_text",
    );
    let (req, _) = res.into_parts();
    Ok(ServiceResponse::new(req, page).map_into_right_body())
}
