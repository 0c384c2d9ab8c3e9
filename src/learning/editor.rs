//! The new and edit forms of what a coordinator arranges for mentors (courses, group programs):
//! one set of handlers over `Arranged`, which each kind's form implements with its service
//! calls, labels and page. The role check, the association choices, the flash and redirect
//! after saving, and the form shown again with its errors (422) are here once.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::db::DbConn;
use crate::learning::courses::service::association_choices;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

/// What a form page shows: the record edited (`None` for a new one), the form with its errors,
/// and the associations to choose from (an administrator may leave them: the whole
/// organization).
pub struct Editing<F> {
    pub page: Page,
    pub id: Option<String>,
    pub form: F,
    pub errors: FieldErrors,
    pub associations: Vec<(String, String)>,
    pub whole_org: bool,
}

/// A form of something arranged, with what its handlers need.
pub trait Arranged: Clone + Send + Sized + 'static {
    /// The form page.
    type Page: Template + From<Editing<Self>>;
    /// The list's address; a record's is `{LIST}/{id}`.
    const LIST: &'static str;
    /// Label keys: the new and the edit page's titles, the flashes after creating and saving.
    const PAGE_NEW: &'static str;
    const PAGE_EDIT: &'static str;
    const CREATED: &'static str;
    const UPDATED: &'static str;

    /// The form of a new one, with its defaults.
    fn defaults() -> Self;
    /// The form as posted.
    fn parse(pairs: Vec<(String, String)>) -> AppResult<Self>;
    /// The form of a record to edit (404 for one the actor may not edit, or no longer).
    fn load(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Self>;
    /// Creates the record (its id), or the form's errors: the service's function.
    const CREATE: Create<Self>;
    /// Saves the edited record, or the form's errors: the service's function.
    const UPDATE: Update<Self>;
}

/// A service's create: the new record's id, or the form's errors.
pub type Create<F> = fn(&mut DbConn, &Actor, &F) -> AppResult<Result<String, FieldErrors>>;
/// A service's update of the record `id`: done, or the form's errors.
pub type Update<F> = fn(&mut DbConn, &Actor, &str, &F) -> AppResult<Result<(), FieldErrors>>;

async fn render<F: Arranged>(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: F,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let associations = db(state, move |c| association_choices(c, &a)).await?;
    let failed = !errors.is_empty();
    let title = if id.is_some() {
        F::PAGE_EDIT
    } else {
        F::PAGE_NEW
    };
    page::form(
        &F::Page::from(Editing {
            page: Page::for_actor(actor, title),
            id,
            form,
            errors,
            associations,
            whole_org: actor.role() == Role::OrgAdmin,
        }),
        failed,
    )
}

pub async fn new_form<F: Arranged>(
    actor: Actor,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    render(&actor, &state, None, F::defaults(), FieldErrors::new()).await
}

pub async fn create<F: Arranged>(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let form = F::parse(form.into_inner())?;
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| F::CREATE(c, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t(F::CREATED));
            Ok(redirect(&format!("{}/{id}", F::LIST)))
        }
        Err(errors) => render(&actor, &state, None, form, errors).await,
    }
}

pub async fn edit_form<F: Arranged>(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let form = db(&state, move |c| F::load(c, &a, &i)).await?;
    render(&actor, &state, Some(id), form, FieldErrors::new()).await
}

pub async fn update<F: Arranged>(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = F::parse(form.into_inner())?;
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| F::UPDATE(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t(F::UPDATED));
            Ok(redirect(&format!("{}/{id}", F::LIST)))
        }
        Err(errors) => render(&actor, &state, Some(id), form, errors).await,
    }
}
