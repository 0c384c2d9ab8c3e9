//! Pages of the external resources: the list for every member, the administrators' form.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, ResourceForm};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::engagement::model::Resource;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/resources", web::get().to(list))
        .route("/resources", web::post().to(create))
        .route("/resources/new", web::get().to(new_resource))
        .route("/resources/{id}/edit", web::get().to(edit))
        .route("/resources/{id}", web::post().to(update))
        .route("/resources/{id}/delete", web::post().to(delete));
}

#[derive(Template)]
#[template(path = "engagement/resources.html")]
struct ListPage {
    page: Page,
    groups: Vec<(String, Vec<Resource>)>,
    may_edit: bool,
}

async fn list(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::list(c, &a)).await?;
    let mut groups: Vec<(String, Vec<Resource>)> = Vec::new();
    for r in rows {
        match groups.last_mut() {
            Some((c, v)) if *c == r.category => v.push(r),
            _ => groups.push((r.category.clone(), vec![r])),
        }
    }
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "engage.page_resources"),
        groups,
        may_edit: actor.role() == Role::OrgAdmin,
    })
}

#[derive(Template)]
#[template(path = "engagement/resource_form.html")]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: ResourceForm,
    errors: FieldErrors,
}

fn form_page(
    actor: &Actor,
    id: Option<String>,
    form: ResourceForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let failed = !errors.is_empty();
    let title = if id.is_some() {
        "engage.page_resource_edit"
    } else {
        "engage.page_resource_new"
    };
    page::form(
        &FormPage {
            page: Page::for_actor(actor, title),
            id,
            form,
            errors,
        },
        failed,
    )
}

async fn new_resource(actor: Actor) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    form_page(&actor, None, ResourceForm::default(), FieldErrors::new())
}

async fn edit(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let r = db(&state, move |c| service::resource(c, &a, &i)).await?;
    form_page(&actor, Some(id), ResourceForm::from(&r), FieldErrors::new())
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: ResourceForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save(c, &a, i.as_deref(), &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/resources"))
        }
        Err(errors) => form_page(&actor, id, form, errors),
    }
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ResourceForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    save(actor, session, state, None, form.into_inner()).await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ResourceForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save(actor, session, state, Some(id), form.into_inner()).await
}

async fn delete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    db(&state, move |c| service::delete(c, &a, &id)).await?;
    set_flash(&session, "success", actor.t("engage.resource_deleted"));
    Ok(redirect("/resources"))
}
