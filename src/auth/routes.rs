//! Sign-in and sign-out, forgotten password, the context switcher and "my sessions".

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::TimeDelta;
use serde::Deserialize;

use super::actor::{client_ip, ensure_csrf, set_flash, CONTEXT};
use super::model::SessionRow;
use super::service::{self, PasswordChangeError, PasswordForm, SignInError, SignInLimits};
use super::session_store::{IP, LOGIN_METHOD, SID, UID, USER_AGENT};
use crate::access::Actor;
use crate::labels::Lang;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, local_redirect, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/password/forgot", web::get().to(forgot_form))
        .route("/password/forgot", web::post().to(forgot))
        .route("/password/reset", web::get().to(reset_form))
        .route("/password/reset", web::post().to(reset))
        .route("/email/confirm", web::get().to(email_confirm_form))
        .route("/email/confirm", web::post().to(email_confirm))
        .route("/context", web::post().to(switch_context))
        .route("/account/password", web::get().to(password_form))
        .route("/account/password", web::post().to(change_password))
        .route("/account/sessions", web::get().to(my_sessions))
        .route("/account/sessions/others/end", web::post().to(end_others))
        .route("/account/sessions/{id}/end", web::post().to(end_one));
}

fn lang_of(req: &HttpRequest) -> Lang {
    Lang::from_accept(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn limits(state: &AppState) -> SignInLimits {
    SignInLimits {
        per_account: state.config.login_limit_account,
        per_address: state.config.login_limit_address,
        window: TimeDelta::minutes(state.config.login_window_minutes),
    }
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<&'static str>,
    info: Option<&'static str>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

async fn login_form(
    req: HttpRequest,
    session: Session,
    q: extract::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    if session.get::<String>(UID).ok().flatten().is_some() {
        return Ok(redirect(&local_redirect(q.next.as_deref())));
    }
    let csrf = ensure_csrf(&session);
    let info = if q.reset.is_some() {
        Some("text.reset_done")
    } else if q.next.is_some() {
        Some("text.login_first")
    } else {
        None
    };
    page::ok(&LoginPage {
        page: Page::anonymous("page.login", lang_of(&req), csrf),
        email: String::new(),
        next: local_redirect(q.next.as_deref()),
        error: None,
        info,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let ip = client_ip(&req, state.config.trust_proxy);
    let lim = limits(&state);
    let (email, pass, ip2) = (form.email.clone(), form.password.clone(), ip.clone());
    let outcome = db(&state, move |c| {
        service::sign_in(c, &email, &pass, ip2.as_deref(), &lim)
    })
    .await?;
    match outcome {
        Ok(user) => {
            let csrf = crate::web::csrf::new_token();
            let ua = req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            // A fresh session id at sign-in (no fixation), with what "my sessions" shows.
            session.clear();
            session.renew();
            session.insert(UID, &user.id).map_err(anyhow::Error::from)?;
            session
                .insert(SID, crate::db::new_id())
                .map_err(anyhow::Error::from)?;
            session
                .insert(USER_AGENT, ua)
                .map_err(anyhow::Error::from)?;
            session
                .insert(IP, ip.unwrap_or_default())
                .map_err(anyhow::Error::from)?;
            session
                .insert(LOGIN_METHOD, "password")
                .map_err(anyhow::Error::from)?;
            session
                .insert(crate::web::csrf::SESSION_KEY, csrf)
                .map_err(anyhow::Error::from)?;
            Ok(redirect(&local_redirect(form.next.as_deref())))
        }
        Err(e) => {
            let csrf = ensure_csrf(&session);
            let (status, error) = match e {
                SignInError::Invalid => (
                    actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "err.login_failed",
                ),
                SignInError::RateLimited => (
                    actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                    "err.rate_limited",
                ),
            };
            page::html(
                status,
                &LoginPage {
                    page: Page::anonymous("page.login", lang_of(&req), csrf),
                    email: form.email,
                    next: local_redirect(form.next.as_deref()),
                    error: Some(error),
                    info: None,
                },
            )
        }
    }
}

async fn logout(session: Session) -> HttpResponse {
    session.purge();
    redirect("/login")
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    page: Page,
    email: String,
    sent: bool,
    errors: FieldErrors,
}

async fn forgot_form(req: HttpRequest, session: Session) -> AppResult<HttpResponse> {
    let csrf = ensure_csrf(&session);
    page::ok(&ForgotPage {
        page: Page::anonymous("page.forgot", lang_of(&req), csrf),
        email: String::new(),
        sent: false,
        errors: FieldErrors::new(),
    })
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ForgotForm>,
) -> AppResult<HttpResponse> {
    let csrf = ensure_csrf(&session);
    let lang = lang_of(&req);
    let email = form.email.trim().to_string();
    if !crate::web::forms::is_email(&email) {
        let mut errors = FieldErrors::new();
        errors.add("email", "err.email");
        return page::unprocessable(&ForgotPage {
            page: Page::anonymous("page.forgot", lang, csrf),
            email,
            sent: false,
            errors,
        });
    }
    let ip = client_ip(&req, state.config.trust_proxy);
    let lim = limits(&state);
    let e2 = email.clone();
    db(&state, move |c| {
        if let Some((user, token)) = service::request_reset(c, &e2, ip.as_deref(), &lim)? {
            let page = Page::anonymous("page.reset", lang, String::new());
            crate::notifications::outbox::account(
                c,
                &page.labels,
                None,
                "account.reset",
                &user.email,
                &user.name,
                page.t("text.reset_mail_subject"),
                &[page.t("text.reset_mail_body").to_string()],
                &format!("/password/reset?token={token}"),
            )?;
        }
        Ok(())
    })
    .await?;
    state.nudge.poke();
    page::ok(&ForgotPage {
        page: Page::anonymous("page.forgot", lang, csrf),
        email,
        sent: true,
        errors: FieldErrors::new(),
    })
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    page: Page,
    token: String,
    valid: bool,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn reset_form(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    q: extract::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let csrf = ensure_csrf(&session);
    let token = q.token.clone();
    let valid = db(&state, move |c| {
        Ok(service::user_for_token(c, &token)?.is_some())
    })
    .await?;
    let status = if valid {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    page::html(
        status,
        &ResetPage {
            page: Page::anonymous("page.reset", lang_of(&req), csrf),
            token: q.token.clone(),
            valid,
            errors: FieldErrors::new(),
        },
    )
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn reset(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let csrf = ensure_csrf(&session);
    let mut errors = FieldErrors::new();
    if form.password != form.confirm {
        errors.add("confirm", "err.password_mismatch");
    } else {
        let ip = client_ip(&req, state.config.trust_proxy);
        let (token, pass) = (form.token.clone(), form.password.clone());
        match db(&state, move |c| {
            service::reset_password(c, &token, &pass, ip.as_deref())
        })
        .await?
        {
            Ok(()) => return Ok(redirect("/login?reset=1")),
            Err("err.token_invalid") => {
                return page::html(
                    actix_web::http::StatusCode::NOT_FOUND,
                    &ResetPage {
                        page: Page::anonymous("page.reset", lang_of(&req), csrf),
                        token: form.token,
                        valid: false,
                        errors,
                    },
                )
            }
            Err(e) => errors.add("password", e),
        }
    }
    page::unprocessable(&ResetPage {
        page: Page::anonymous("page.reset", lang_of(&req), csrf),
        token: form.token,
        valid: true,
        errors,
    })
}

#[derive(Deserialize)]
struct ContextForm {
    #[serde(default)]
    context: String,
}

async fn switch_context(
    actor: Actor,
    session: Session,
    form: extract::Form<ContextForm>,
) -> AppResult<HttpResponse> {
    let Some(c) = actor.contexts.iter().find(|c| c.key() == form.context) else {
        return Err(AppError::NotFound);
    };
    session
        .insert(CONTEXT, c.key())
        .map_err(anyhow::Error::from)?;
    set_flash(
        &session,
        "success",
        format!(
            "{} {}",
            actor.t("text.context_switched"),
            actor.describe_context(c)
        ),
    );
    Ok(redirect("/"))
}

/// This device's session id (the row in `sessions`), or empty.
fn session_id(session: &Session) -> String {
    session
        .get::<String>(SID)
        .ok()
        .flatten()
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "auth/sessions.html")]
struct SessionsPage {
    page: Page,
    rows: Vec<SessionRow>,
    current: String,
}

async fn my_sessions(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let uid = actor.user_id.clone();
    let rows = db(&state, move |c| Ok(service::sessions_of(c, &uid)?)).await?;
    let current = session_id(&session);
    page::ok(&SessionsPage {
        page: Page::for_actor(&actor, "page.sessions"),
        rows,
        current,
    })
}

async fn end_one(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let uid = actor.user_id.clone();
    let ended = db(&state, move |c| Ok(service::end_session(c, &uid, &id)?)).await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "success", actor.t("text.session_ended"));
    Ok(redirect("/account/sessions"))
}

async fn end_others(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let keep = session_id(&session);
    let uid = actor.user_id.clone();
    db(&state, move |c| {
        Ok(service::end_other_sessions(c, &uid, &keep)?)
    })
    .await?;
    set_flash(&session, "success", actor.t("text.other_sessions_ended"));
    Ok(redirect("/account/sessions"))
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    page: Page,
    errors: FieldErrors,
}

async fn password_form(actor: Actor) -> AppResult<HttpResponse> {
    page::ok(&PasswordPage {
        page: Page::for_actor(&actor, "page.password"),
        errors: FieldErrors::new(),
    })
}

/// The signed-in user changes their password; the other devices are signed out and a notice is
/// mailed (so an unexpected change is noticed).
async fn change_password(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let keep = session_id(&session);
    let ip = client_ip(&req, state.config.trust_proxy);
    let lim = limits(&state);
    let a = actor.clone();
    let outcome = db(&state, move |c| {
        let r = service::change_password(c, &a.user_id, &keep, &form, ip.as_deref(), &lim)?;
        if let Ok(user) = &r {
            crate::notifications::outbox::account(
                c,
                &a.labels,
                a.org_id(),
                "account.password_changed",
                &user.email,
                &user.name,
                a.t("text.password_changed_mail_subject"),
                &[a.t("text.password_changed_mail_body").to_string()],
                "/password/forgot",
            )?;
        }
        Ok(r)
    })
    .await?;
    state.nudge.poke();
    let (status, errors) = match outcome {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.password_changed"));
            return Ok(redirect("/account/settings"));
        }
        Err(PasswordChangeError::Invalid(e)) => {
            (actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, e)
        }
        Err(PasswordChangeError::RateLimited(e)) => {
            (actix_web::http::StatusCode::TOO_MANY_REQUESTS, e)
        }
    };
    page::html(
        status,
        &PasswordPage {
            page: Page::for_actor(&actor, "page.password"),
            errors,
        },
    )
}

#[derive(Template)]
#[template(path = "auth/email_confirm.html")]
struct EmailConfirmPage {
    page: Page,
    token: String,
    /// `None`: asks to confirm; `Some(true)`: confirmed; `Some(false)`: the link is no good.
    done: Option<bool>,
}

/// The link mailed to a new address: a button to confirm it (a mail scanner following the link
/// changes nothing).
async fn email_confirm_form(
    req: HttpRequest,
    session: Session,
    q: extract::Query<TokenQuery>,
) -> AppResult<HttpResponse> {
    let csrf = ensure_csrf(&session);
    page::ok(&EmailConfirmPage {
        page: Page::anonymous("page.email_confirm", lang_of(&req), csrf),
        token: q.token.clone(),
        done: None,
    })
}

async fn email_confirm(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<TokenQuery>,
) -> AppResult<HttpResponse> {
    let csrf = ensure_csrf(&session);
    let ip = client_ip(&req, state.config.trust_proxy);
    let token = form.token.clone();
    let ok = db(&state, move |c| {
        Ok(service::confirm_email(c, &token, ip.as_deref())?)
    })
    .await?;
    let status = if ok {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    page::html(
        status,
        &EmailConfirmPage {
            page: Page::anonymous("page.email_confirm", lang_of(&req), csrf),
            token: String::new(),
            done: Some(ok),
        },
    )
}
