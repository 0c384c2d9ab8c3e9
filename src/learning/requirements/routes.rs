//! Pages: the administrator's approval requirements, the coordinator's overview of mentors
//! (what is missing or expiring) with the form to record a date, and the mentor's own standing.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::model::{MentorStanding, Requirement, Standing, KINDS};
use super::service::{self, RecordForm, RequirementForm};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/requirement-settings", web::get().to(admin))
        .route("/requirement-settings", web::post().to(create))
        .route("/requirements/mine", web::get().to(mine))
        .route("/requirements/mentors", web::get().to(overview))
        .route("/requirements/mentors", web::post().to(record))
        .route("/requirement-settings/{id}/active", web::post().to(toggle));
}

#[derive(Template)]
#[template(path = "learning/requirements.html")]
struct AdminPage {
    page: Page,
    rows: Vec<Requirement>,
    form: RequirementForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
}

async fn render_admin(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: RequirementForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(state, move |c| service::all(c, &a)).await?;
    let failed = !errors.is_empty();
    page::form(
        &AdminPage {
            page: Page::for_actor(actor, "req.page_admin"),
            rows,
            form,
            errors,
            kinds: KINDS
                .iter()
                .map(|k| (*k, format!("req.kind_{k}")))
                .collect(),
        },
        failed,
    )
}

async fn admin(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    render_admin(
        &actor,
        &state,
        RequirementForm::default(),
        FieldErrors::new(),
    )
    .await
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<RequirementForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::create(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved").to_string());
            Ok(redirect("/requirement-settings"))
        }
        Err(errors) => render_admin(&actor, &state, form, errors).await,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ToggleForm {
    active: String,
}

async fn toggle(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ToggleForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let on = form.into_inner().active == "yes";
    let a = actor.clone();
    db(&state, move |c| service::set_active(c, &a, &id, on)).await?;
    set_flash(&session, "success", actor.t("text.saved").to_string());
    Ok(redirect("/requirement-settings"))
}

#[derive(Template)]
#[template(path = "learning/requirements_mine.html")]
struct MinePage {
    page: Page,
    rows: Vec<Standing>,
}

async fn mine(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::mine(c, &a)).await?;
    page::ok(&MinePage {
        page: Page::for_actor(&actor, "req.page_mine"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "learning/requirements_mentors.html")]
struct OverviewPage {
    page: Page,
    reqs: Vec<Requirement>,
    rows: Vec<MentorStanding>,
    form: RecordForm,
    errors: FieldErrors,
}

async fn render_overview(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: RecordForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let a = actor.clone();
    let (reqs, rows) = db(state, move |c| service::overview(c, &a)).await?;
    let failed = !errors.is_empty();
    page::form(
        &OverviewPage {
            page: Page::for_actor(actor, "req.page_mentors"),
            reqs,
            rows,
            form,
            errors,
        },
        failed,
    )
}

async fn overview(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let form = RecordForm {
        fulfilled_on: crate::activities::service::today().to_string(),
        ..Default::default()
    };
    render_overview(&actor, &state, form, FieldErrors::new()).await
}

async fn record(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<RecordForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::record(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("req.recorded").to_string());
            Ok(redirect("/requirements/mentors"))
        }
        Err(errors) => render_overview(&actor, &state, form, errors).await,
    }
}
