//! The attendance page of one day, for any register: one htmx list where each row is marked
//! present or absent, and "mark everyone present". Courses and programs mount the same
//! handlers under their own prefix.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::service::{self, AttendanceRow, Marked, Register};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::web::extract;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppResult};
use crate::AppState;

/// Mounts a register's day pages under `prefix` ("/courses": `/courses/{id}/days/{day}`).
pub fn mount<R: Register>(cfg: &mut web::ServiceConfig, prefix: &str) {
    cfg.route(
        &format!("{prefix}/{{id}}/days/{{day}}"),
        web::get().to(sheet::<R>),
    )
    .route(
        &format!("{prefix}/{{id}}/days/{{day}}/all"),
        web::post().to(mark_all::<R>),
    )
    .route(
        &format!("{prefix}/{{id}}/days/{{day}}/{{who}}"),
        web::post().to(mark::<R>),
    );
}

#[derive(Template)]
#[template(path = "learning/day.html", blocks = ["sheet"])]
struct DayPage {
    page: Page,
    title: String,
    back: String,
    base: String,
    started: bool,
    empty_key: &'static str,
    start: chrono::NaiveDateTime,
    when: String,
    people: Vec<AttendanceRow>,
    kind: &'static str,
    message: String,
}

async fn render<R: Register>(
    req: &HttpRequest,
    actor: &Actor,
    state: &web::Data<AppState>,
    (owner, day): (String, String),
    kind: &'static str,
    message: String,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (r, people) = db(state, move |c| {
        let r = R::open(c, &a, &owner, &day)?;
        let people = service::sheet(c, &r)?;
        Ok((r, people))
    })
    .await?;
    let (start, end) = r.span();
    let tpl = DayPage {
        page: Page::for_actor(actor, "course.page_day"),
        title: r.title().to_string(),
        back: r.back(),
        base: r.base(),
        started: r.started(),
        empty_key: r.empty_key(),
        start,
        when: crate::learning::courses::model::span_text(start, end),
        people,
        kind,
        message,
    };
    if is_htmx(req) {
        return page::ok(&tpl.as_sheet());
    }
    page::ok(&tpl)
}

fn ids(path: web::Path<(String, String)>) -> AppResult<(String, String)> {
    let (owner, day) = path.into_inner();
    Ok((path_id(&owner)?, path_id(&day)?))
}

async fn sheet<R: Register>(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    render::<R>(&req, &actor, &state, ids(path)?, "", String::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    attended: String,
}

/// The answer to a marking: the list again with a status message (htmx), or a flash and
/// a redirect to the day.
async fn answer<R: Register>(
    req: &HttpRequest,
    actor: &Actor,
    session: &Session,
    state: &web::Data<AppState>,
    (owner, day): (String, String),
    outcome: Marked,
) -> AppResult<HttpResponse> {
    let (kind, key) = match outcome {
        Marked::Saved => ("success", "course.attendance_saved"),
        Marked::NotStarted => ("error", "course.err_not_started"),
    };
    let message = actor.t(key).to_string();
    if is_htmx(req) {
        return render::<R>(req, actor, state, (owner, day), kind, message).await;
    }
    set_flash(session, kind, message);
    // Back to the day: the address posted to without its last part (`all` or the person).
    let path = req.path();
    Ok(redirect(&path[..path.rfind('/').unwrap_or(0)]))
}

async fn mark<R: Register>(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    form: extract::Form<MarkForm>,
) -> AppResult<HttpResponse> {
    let (owner, day, who) = path.into_inner();
    let (owner, day, who) = (path_id(&owner)?, path_id(&day)?, path_id(&who)?);
    let attended = form.into_inner().attended == "yes";
    let (a, o, d) = (actor.clone(), owner.clone(), day.clone());
    let outcome = db(&state, move |c| {
        let r = R::open(c, &a, &o, &d)?;
        service::mark(c, &a, &r, &who, attended)
    })
    .await?;
    answer::<R>(&req, &actor, &session, &state, (owner, day), outcome).await
}

async fn mark_all<R: Register>(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (owner, day) = ids(path)?;
    let (a, o, d) = (actor.clone(), owner.clone(), day.clone());
    let outcome = db(&state, move |c| {
        let r = R::open(c, &a, &o, &d)?;
        service::mark_all(c, &a, &r)
    })
    .await?;
    answer::<R>(&req, &actor, &session, &state, (owner, day), outcome).await
}
