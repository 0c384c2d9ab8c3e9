//! Pages: the certification list (a mentor's own; a coordinator's and an administrator's), one
//! certificate (printable, with the QR code of its verification link), revoking with a reason,
//! and the public verification page behind the unguessable token.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::CertRow;
use super::service;
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::labels::Lang;
use crate::web::extract;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/certifications", web::get().to(list))
        .route("/certifications/{id}", web::get().to(show))
        .route("/certifications/{id}/qr.svg", web::get().to(qr))
        .route("/certifications/{id}/pdf", web::get().to(pdf))
        .route("/certifications/{id}/revoke", web::post().to(revoke))
        .route("/verify/{token}", web::get().to(verify));
}

fn link_of(state: &AppState, token: &str) -> String {
    format!(
        "{}/verify/{token}",
        state.config.base_url.trim_end_matches('/')
    )
}

#[derive(Template)]
#[template(path = "learning/certifications.html")]
struct ListPage {
    page: Page,
    rows: Vec<CertRow>,
    mine: bool,
}

async fn list(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let a = actor.clone();
    let rows = db(&state, move |c| service::list(c, &a)).await?;
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "cert.page_list"),
        rows,
        mine: actor.role() == Role::PeerMentor,
    })
}

#[derive(Template)]
#[template(path = "learning/certificate.html")]
struct ShowPage {
    page: Page,
    r: CertRow,
    link: String,
    can_revoke: bool,
    error: Option<&'static str>,
    reason: String,
}

async fn render_show(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    error: Option<&'static str>,
    reason: String,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let r = db(state, move |c| service::get(c, &a, &id)).await?;
    let failed = error.is_some();
    page::form(
        &ShowPage {
            page: Page::for_actor(actor, "cert.page_show"),
            link: link_of(state, &r.c.verify_token),
            can_revoke: matches!(actor.role(), Role::Coordinator | Role::OrgAdmin)
                && r.c.revoked_at.is_none(),
            r,
            error,
            reason,
        },
        failed,
    )
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    render_show(&actor, &state, id, None, String::new()).await
}

/// The QR code of the verification link, as SVG (the `qrcode` crate's renderer).
async fn qr(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let r = db(&state, move |c| service::get(c, &a, &id)).await?;
    let code = qrcode::QrCode::new(link_of(&state, &r.c.verify_token).as_bytes())
        .map_err(|e| anyhow::anyhow!("qr: {e}"))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(svg))
}

/// The certificate as a PDF (`web::pdf`, on krilla): what the page shows, with the QR code of
/// the verification link.
async fn pdf(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let r = db(&state, move |c| service::get(c, &a, &id)).await?;
    let link = link_of(&state, &r.c.verify_token);
    let mut doc = crate::web::pdf::Pdf::new(r.c.name.clone())
        .language(actor.labels.lang.code())
        .heading(r.holder.clone());
    if let Some(c) = &r.course {
        doc = doc.paragraph(format!("{}: {c}", actor.t("cert.from_course")));
    }
    let expires = if r.c.expires_on.is_some() {
        r.expires()
    } else {
        actor.t("cert.no_expiry").to_string()
    };
    let bytes = doc
        .paragraph(format!("{}: {}", actor.t("cert.col_issued"), r.issued()))
        .paragraph(format!("{}: {expires}", actor.t("cert.col_expires")))
        .paragraph(format!(
            "{}: {}",
            actor.t("cert.validity"),
            actor.t(&r.status_key())
        ))
        .qr(
            link.clone(),
            Some(&format!("{} {link}", actor.t("cert.verify_at"))),
        )
        .render()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "inline; filename=\"kursbevis.pdf\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    reason: String,
}

async fn revoke(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<RevokeForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let reason = form.into_inner().reason;
    let (a, i, r) = (actor.clone(), id.clone(), reason.clone());
    match db(&state, move |c| service::revoke(c, &a, &i, &r)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("cert.revoked").to_string());
            Ok(redirect(&format!("/certifications/{id}")))
        }
        Err(key) => render_show(&actor, &state, id, Some(key), reason).await,
    }
}

#[derive(Template)]
#[template(path = "learning/verify.html")]
struct VerifyPage {
    page: Page,
    r: CertRow,
}

/// Public: what a certificate's link or QR code shows, and nothing more (no ids, no contact).
async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    if !service::is_token(&token) {
        return Err(AppError::NotFound);
    }
    let r = db(&state, move |c| service::by_token(c, &token)).await?;
    let lang = Lang::from_accept(
        req.headers()
            .get("Accept-Language")
            .and_then(|h| h.to_str().ok()),
    );
    let body = VerifyPage {
        page: Page::anonymous("cert.page_verify", lang, String::new()),
        r,
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(body))
}
