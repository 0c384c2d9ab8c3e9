//! Pages: the list of programs (a coordinator's and an administrator's, paginated; a mentor's
//! own), the program form, one program with its days and participants (who completed every
//! day), and the attendance of each day (the shared register pages).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::attendance::ProgramRegister;
use super::model::{ParticipantRow, ProgramRow, KINDS};
use super::participants::{self, AddForm};
use super::service::{self, ProgramForm};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::db::DbConn;
use crate::learning::courses::service::manages;
use crate::learning::editor::{self, Arranged, Create, Editing, Update};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/programs", web::get().to(list))
        .route("/programs", web::post().to(editor::create::<ProgramForm>))
        .route(
            "/programs/new",
            web::get().to(editor::new_form::<ProgramForm>),
        )
        .route("/programs/{id}", web::get().to(show))
        .route(
            "/programs/{id}",
            web::post().to(editor::update::<ProgramForm>),
        )
        .route(
            "/programs/{id}/edit",
            web::get().to(editor::edit_form::<ProgramForm>),
        )
        .route("/programs/{id}/cancel", web::post().to(cancel))
        .route("/programs/{id}/participants", web::post().to(add))
        .route(
            "/programs/{id}/participants/{participant}/remove",
            web::post().to(remove),
        );
    crate::learning::attendance::routes::mount::<ProgramRegister>(cfg, "/programs");
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "learning/programs/list.html")]
struct ListPage {
    page: Page,
    list: PageOf<ProgramRow>,
    mentor_view: bool,
    can_create: bool,
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let (a, p) = (actor.clone(), q.page);
    let list = db(&state, move |c| service::list(c, &a, p)).await?;
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "program.page_list"),
        list,
        mentor_view: actor.role() == Role::PeerMentor,
        can_create: manages(&actor),
    })
}

#[derive(Template)]
#[template(path = "learning/programs/show.html")]
struct ShowPage {
    page: Page,
    row: ProgramRow,
    manages: bool,
    participants: Vec<ParticipantRow>,
    mentors: Vec<(String, String)>,
    members: Vec<(String, String)>,
    form: AddForm,
    errors: FieldErrors,
}

impl ShowPage {
    fn completed(&self) -> Vec<&ParticipantRow> {
        self.participants.iter().filter(|p| p.completed).collect()
    }
    fn ended(&self) -> bool {
        self.row.sessions.last().is_some_and(|d| d.started())
    }
}

async fn render_show(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: AddForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (row, manages, participants, mentors, members) = db(state, move |c| {
        let row = service::get(c, &a, &id)?;
        if !service::arranges(&a, &row.p) {
            return Ok((row, false, Vec::new(), Vec::new(), Vec::new()));
        }
        let list = participants::list(c, &row)?;
        let (mentors, members) = if row.cancelled() {
            Default::default()
        } else {
            (
                participants::mentor_choices(c, &a, &id)?,
                participants::member_choices(c, &a, &id)?,
            )
        };
        Ok((row, true, list, mentors, members))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &ShowPage {
            page: Page::for_actor(actor, "program.page_show"),
            row,
            manages,
            participants,
            mentors,
            members,
            form,
            errors,
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
    render_show(&actor, &state, id, AddForm::default(), FieldErrors::new()).await
}

/// The program form page: `editor::Editing` and the kinds to choose from.
#[derive(Template)]
#[template(path = "learning/programs/form.html")]
pub struct FormPage(Editing<ProgramForm>);

impl From<Editing<ProgramForm>> for FormPage {
    fn from(e: Editing<ProgramForm>) -> Self {
        FormPage(e)
    }
}

impl std::ops::Deref for FormPage {
    type Target = Editing<ProgramForm>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FormPage {
    fn kinds(&self) -> [&'static str; 2] {
        KINDS
    }
    fn kind_key(&self, kind: &str) -> String {
        format!("program.kind_{kind}")
    }
}

impl Arranged for ProgramForm {
    type Page = FormPage;
    const LIST: &'static str = "/programs";
    const PAGE_NEW: &'static str = "program.page_new";
    const PAGE_EDIT: &'static str = "program.page_edit";
    const CREATED: &'static str = "program.created";
    const UPDATED: &'static str = "program.updated";

    fn defaults() -> Self {
        let mut form = ProgramForm::blank();
        form.days[0].start = "10:00".into();
        form.days[0].end = "15:00".into();
        form
    }

    fn parse(pairs: Vec<(String, String)>) -> AppResult<Self> {
        Ok(ProgramForm::from_pairs(pairs))
    }

    fn load(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Self> {
        Ok(ProgramForm::from_row(&service::for_edit(conn, actor, id)?))
    }

    const CREATE: Create<Self> = service::create;
    const UPDATE: Update<Self> = service::update;
}

async fn cancel(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| service::cancel(c, &a, &i)).await?;
    set_flash(&session, "success", actor.t("program.cancelled"));
    Ok(redirect(&format!("/programs/{id}")))
}

async fn add(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<AddForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| participants::add(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("program.participant_added"));
            Ok(redirect(&format!("/programs/{id}#participants")))
        }
        Err(errors) => render_show(&actor, &state, id, form, errors).await,
    }
}

async fn remove(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, participant) = path.into_inner();
    let (id, participant) = (path_id(&id)?, path_id(&participant)?);
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| {
        participants::remove(c, &a, &i, &participant)
    })
    .await?;
    set_flash(&session, "success", actor.t("program.participant_removed"));
    Ok(redirect(&format!("/programs/{id}#participants")))
}
