//! Pages: attendance for one course day (one htmx list: each row marked present or absent,
//! "mark everyone present"), and completing the course.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::attendance::{self, AttendanceRow, Marked};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::learning::certifications::service as certifications;
use crate::learning::courses::model::{CourseDay, CourseRow};
use crate::web::extract;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses/{id}/days/{day}", web::get().to(sheet))
        .route("/courses/{id}/days/{day}/all", web::post().to(mark_all))
        .route("/courses/{id}/days/{day}/{user}", web::post().to(mark))
        .route("/courses/{id}/complete", web::post().to(complete));
}

#[derive(Template)]
#[template(path = "learning/day.html", blocks = ["sheet"])]
struct DayPage {
    page: Page,
    row: CourseRow,
    day: CourseDay,
    people: Vec<AttendanceRow>,
    kind: &'static str,
    message: String,
}

async fn render(
    req: &HttpRequest,
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    day: String,
    kind: &'static str,
    message: String,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (row, day, people) = db(state, move |c| {
        let (row, d) = attendance::day_of(c, &a, &id, &day)?;
        let people = attendance::sheet(c, &id, &day)?;
        Ok((row, d, people))
    })
    .await?;
    let tpl = DayPage {
        page: Page::for_actor(actor, "course.page_day"),
        row,
        day,
        people,
        kind,
        message,
    };
    if is_htmx(req) {
        return page::ok(&tpl.as_sheet());
    }
    page::ok(&tpl)
}

async fn sheet(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, day) = path.into_inner();
    let (id, day) = (path_id(&id)?, path_id(&day)?);
    render(&req, &actor, &state, id, day, "", String::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    attended: String,
}

fn answered(
    actor: &Actor,
    session: &Session,
    req: &HttpRequest,
    outcome: Marked,
) -> Option<(&'static str, String)> {
    let (kind, key) = match outcome {
        Marked::Saved => ("success", "course.attendance_saved"),
        Marked::NotStarted => ("error", "course.err_not_started"),
    };
    if is_htmx(req) {
        return Some((kind, actor.t(key).to_string()));
    }
    set_flash(session, kind, actor.t(key).to_string());
    None
}

async fn mark(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    form: extract::Form<MarkForm>,
) -> AppResult<HttpResponse> {
    let (id, day, user) = path.into_inner();
    let (id, day, user) = (path_id(&id)?, path_id(&day)?, path_id(&user)?);
    let attended = form.into_inner().attended == "yes";
    let (a, i, d) = (actor.clone(), id.clone(), day.clone());
    let outcome = db(&state, move |c| {
        attendance::mark(c, &a, &i, &d, &user, attended)
    })
    .await?;
    match answered(&actor, &session, &req, outcome) {
        Some((kind, message)) => render(&req, &actor, &state, id, day, kind, message).await,
        None => Ok(redirect(&format!("/courses/{id}/days/{day}"))),
    }
}

async fn mark_all(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, day) = path.into_inner();
    let (id, day) = (path_id(&id)?, path_id(&day)?);
    let (a, i, d) = (actor.clone(), id.clone(), day.clone());
    let outcome = db(&state, move |c| attendance::mark_all(c, &a, &i, &d)).await?;
    match answered(&actor, &session, &req, outcome) {
        Some((kind, message)) => render(&req, &actor, &state, id, day, kind, message).await,
        None => Ok(redirect(&format!("/courses/{id}/days/{day}"))),
    }
}

async fn complete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let done = db(&state, move |c| certifications::complete(c, &a, &i)).await?;
    if done.too_early {
        set_flash(
            &session,
            "error",
            actor.t("course.err_complete_early").to_string(),
        );
    } else {
        let msg = actor
            .t("course.completed")
            .replace("{attended}", &done.attended.to_string())
            .replace("{no_show}", &done.no_show.to_string())
            .replace("{issued}", &done.issued.to_string());
        set_flash(&session, "success", msg);
    }
    Ok(redirect(&format!("/courses/{id}#enrollments")))
}
