//! Pages: peer mentors (list, profile, status).

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::*;
use super::service::{self, MentorFilter, ProfileForm, StatusForm};
use crate::auth::actor::{set_flash, Actor};
use crate::auth::Role;
use crate::people::{count_message, wants_results};
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/mentors", web::get().to(mentors))
        .route("/mentors/{id}", web::get().to(show_mentor))
        .route("/mentors/{id}", web::post().to(update_profile))
        .route("/mentors/{id}/status", web::post().to(change_status));
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    STATUSES.iter().map(|s| (*s, status_label(s))).collect()
}

// ---------------------------------------------------------------- peer mentors

#[derive(Template)]
#[template(path = "people/mentors.html", blocks = ["results"])]
struct MentorsPage {
    page: Page,
    filter: MentorFilter,
    list: PageOf<MentorRow>,
    statuses: Vec<(&'static str, &'static str)>,
    announce: bool,
    kind: &'static str,
    message: String,
}

async fn mentors(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: web::Query<MentorFilter>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let filter = q.into_inner();
    let (a, f) = (actor.clone(), filter.clone());
    let list = db(&state, move |c| service::mentors(c, &a, &f)).await?;
    let mut tpl = MentorsPage {
        page: Page::for_actor(&actor, "people.page_mentors"),
        filter,
        list,
        statuses: statuses(),
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if wants_results(&req) {
        tpl.announce = true;
        tpl.message = count_message(&tpl.page, &tpl.list, "people.count_mentors");
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}

#[derive(Template)]
#[template(path = "people/mentor.html")]
struct MentorPage {
    page: Page,
    d: MentorDetail,
    statuses: Vec<(&'static str, &'static str)>,
    status_form: StatusForm,
    profile_form: ProfileForm,
    errors: FieldErrors,
}

async fn render_mentor(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    status_form: Option<StatusForm>,
    profile_form: Option<ProfileForm>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let d = db(state, move |c| service::mentor_detail(c, &a, &id)).await?;
    let mut page = Page::for_actor(actor, "term.peer_mentor");
    page.title = d.name.clone();
    let failed = !errors.is_empty();
    let tpl = MentorPage {
        page,
        profile_form: profile_form.unwrap_or_else(|| ProfileForm::from(&d.mentor)),
        status_form: status_form.unwrap_or_default(),
        d,
        statuses: statuses(),
        errors,
    };
    page::form(&tpl, failed)
}

async fn show_mentor(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_mentor(&actor, &state, id, None, None, FieldErrors::new()).await
}

async fn change_status(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::change_status(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.status_changed"));
            Ok(redirect(&format!("/mentors/{id}")))
        }
        Err(errors) => render_mentor(&actor, &state, id, Some(form), None, errors).await,
    }
}

async fn update_profile(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ProfileForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::update_profile(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/mentors/{id}")))
        }
        Err(errors) => render_mentor(&actor, &state, id, None, Some(form), errors).await,
    }
}
