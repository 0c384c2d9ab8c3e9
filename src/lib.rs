//! Likeperson: peer-mentoring coordination for Norwegian member organizations.
//! `build_app` assembles routes and middleware for `main` and for the tests.
// Diesel's grouped, joined queries (the expense totals) need more than the default 128.
#![recursion_limit = "256"]

pub mod access;
pub mod activities;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod documents;
pub mod engagement;
pub mod events;
pub mod expenses;
pub mod home;
pub mod import;
pub mod jobs;
pub mod labels;
pub mod learning;
pub mod mail;
pub mod notifications;
pub mod orgs;
pub mod people;
pub mod reports;
pub mod schema;
pub mod search;
pub mod seats;
pub mod seed;
pub mod users;
pub mod web;

use actix_session::config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::body::MessageBody;
use actix_web::cookie::{time::Duration, Key, SameSite};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web as aw, App, HttpResponse};

use crate::auth::session_store::DbSessionStore;
use crate::config::Config;
use crate::db::Pool;

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub config: Config,
    pub mailer: mail::Mailer,
    /// Where uploaded documents are kept (a local folder by default).
    pub files: documents::storage::Store,
    /// The master keys of encrypted assignment details (checked at start by
    /// `assignments::keys::open`).
    pub keys: assignments::keys::KeyStore,
    /// The organizations' resolved labels by version, kept by this instance (see
    /// `labels::LabelCache`).
    pub labels: labels::LabelCache,
    /// Wakes the server's job runner (a mail was queued); a no-op without one (tests).
    pub nudge: jobs::Nudge,
}

pub const SESSION_COOKIE: &str = "likeperson_session";

pub fn build_app(
    state: aw::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let c = &state.config;
    let key = Key::derive_from(&c.secret_key);
    let sessions = SessionMiddleware::builder(
        DbSessionStore::new(state.pool.clone(), c.session_absolute_hours),
        key,
    )
    .cookie_name(SESSION_COOKIE.into())
    .cookie_secure(c.cookie_secure)
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_content_security(CookieContentSecurity::Signed)
    .session_lifecycle(
        BrowserSession::default()
            .state_ttl(Duration::minutes(c.session_idle_minutes))
            .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
    )
    .build();
    App::new()
        .app_data(state)
        // Form bodies are read by `web::extract::Form` (and the CSRF middleware) as bytes.
        .app_data(aw::PayloadConfig::new(web::extract::MAX_FORM_BYTES))
        .wrap(from_fn(web::error::localize_not_found))
        .wrap(from_fn(web::csrf::middleware))
        .wrap(sessions)
        // Outside the session middleware: a place for the actor rows its store reads.
        .wrap(from_fn(auth::load::scope))
        .wrap(from_fn(web::security::middleware))
        .wrap(
            actix_web::middleware::Logger::new("%{X-Request-Id}o %{request}xi %s %Dms")
                .custom_request_replace("request", web::security::loggable_request),
        )
        .route("/healthz", aw::get().to(healthz))
        .route("/static/{hash}/{path:.*}", aw::get().to(web::assets::serve))
        .configure(auth::routes::configure)
        .configure(home::configure)
        .configure(orgs::routes::configure)
        .configure(users::routes::configure)
        .configure(audit::routes::configure)
        .configure(people::configure)
        .configure(activities::routes::configure)
        .configure(documents::routes::configure)
        .configure(events::routes::configure)
        .configure(expenses::configure)
        .configure(search::configure)
        .configure(assignments::routes::configure)
        .configure(notifications::configure)
        .configure(engagement::configure)
        .configure(import::configure)
        .configure(learning::configure)
        .configure(reports::routes::configure)
        .configure(reports::wrapped::routes::configure)
        .default_service(aw::to(not_found))
}

async fn healthz(state: aw::Data<AppState>) -> HttpResponse {
    let ok = web::db(&state, |c| {
        use diesel::RunQueryDsl;
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
            .get_result::<i32>(c)
            .map_err(Into::into)
    })
    .await
    .is_ok();
    if ok {
        HttpResponse::Ok().content_type("text/plain").body("ok")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unavailable")
    }
}

async fn not_found() -> web::AppResult<HttpResponse> {
    Err(web::AppError::NotFound)
}

/// Opens the pool and runs migrations: what `serve`, `migrate` and the tests share.
pub fn prepare(config: &Config) -> anyhow::Result<Pool> {
    let pool = db::pool(
        &config.database_url,
        config.pool_size,
        std::time::Duration::from_millis(config.pool_timeout_ms),
    )?;
    let mut conn = pool.get()?;
    let applied = db::migrate(&mut conn)?;
    if applied > 0 {
        log::info!("applied {applied} migrations");
    }
    Ok(pool)
}
