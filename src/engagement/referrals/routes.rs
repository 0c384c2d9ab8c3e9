//! The mentor's recruitment page (link, QR code, visits), the public landing page of a link,
//! and the coordinators' totals per association.

use actix_session::Session;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::service::{self, AssociationTotal, Landing};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::engagement::model::Referral;
use crate::labels::Lang;
use crate::web::page::{self, Page};
use crate::web::{db, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/recruit", web::get().to(mine))
        .route("/recruit/link", web::post().to(renew))
        .route("/recruit/qr.svg", web::get().to(qr))
        .route("/recruit/totals", web::get().to(totals))
        .route("/r/{token}", web::get().to(landing));
}

fn link_of(state: &AppState, token: &str) -> String {
    format!("{}/r/{token}", state.config.base_url.trim_end_matches('/'))
}

#[derive(Template)]
#[template(path = "engagement/recruit.html")]
struct MinePage {
    page: Page,
    referral: Option<Referral>,
    link: String,
}

async fn mine(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let referral = db(&state, move |c| service::mine(c, &a)).await?;
    let link = referral
        .as_ref()
        .map(|r| link_of(&state, &r.token))
        .unwrap_or_default();
    page::ok(&MinePage {
        page: Page::for_actor(&actor, "engage.page_recruit"),
        referral,
        link,
    })
}

async fn renew(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    db(&state, move |c| service::renew(c, &a)).await?;
    set_flash(&session, "success", actor.t("engage.link_ready"));
    Ok(redirect("/recruit"))
}

/// The QR code of the actor's link, as SVG (the `qrcode` crate's renderer).
async fn qr(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let r = db(&state, move |c| service::mine(c, &a))
        .await?
        .ok_or(AppError::NotFound)?;
    let code = qrcode::QrCode::new(link_of(&state, &r.token).as_bytes())
        .map_err(|e| anyhow::anyhow!("qr: {e}"))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(svg))
}

#[derive(Template)]
#[template(path = "engagement/totals.html")]
struct TotalsPage {
    page: Page,
    rows: Vec<AssociationTotal>,
}

async fn totals(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::totals(c, &a)).await?;
    page::ok(&TotalsPage {
        page: Page::for_actor(&actor, "engage.page_recruit_totals"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "engagement/landing.html")]
struct LandingPage {
    page: Page,
    landing: Landing,
}

/// The cookie that marks a browser already counted today (it holds the token, nothing else).
const SEEN: &str = "lp_ref";

async fn landing(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    if !service::is_token(&token) {
        return Err(AppError::NotFound);
    }
    let seen = req.cookie(SEEN).is_some_and(|c| c.value() == token);
    let t = token.clone();
    let landing = db(&state, move |c| service::visit(c, &t, !seen)).await?;
    let lang = Lang::from_accept(
        req.headers()
            .get("Accept-Language")
            .and_then(|h| h.to_str().ok()),
    );
    let mut p = Page::anonymous("engage.page_landing", lang, String::new());
    p.title = format!("{} – {}", p.t("engage.page_landing"), landing.organization);
    let body = LandingPage { page: p, landing }.render()?;
    let mut cookie = Cookie::new(SEEN, token);
    cookie.set_path("/r/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(state.config.cookie_secure);
    cookie.set_max_age(Duration::days(1));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Referrer-Policy", "no-referrer"))
        .cookie(cookie)
        .body(body))
}
