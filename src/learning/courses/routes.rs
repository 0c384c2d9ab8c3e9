//! Pages: the course catalogue (a mentor's cards with enrollment; a coordinator's and an
//! administrator's list), the new-course form, and one course with its days and enrollments.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::edit::{self, CancelForm, MessageForm};
use super::model::CourseRow;
use super::service::{self, CourseForm};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::db::DbConn;
use crate::learning::editor::{self, Arranged, Create, Editing, Update};
use crate::learning::enrollment::service::{self as enrollment, EnrollmentRow, Move, Outcome};
use crate::web::card::{self, Back, BackForm};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/courses", web::get().to(list))
        .route("/courses", web::post().to(editor::create::<CourseForm>))
        .route(
            "/courses/new",
            web::get().to(editor::new_form::<CourseForm>),
        )
        .route("/courses/{id}", web::get().to(show))
        .route(
            "/courses/{id}",
            web::post().to(editor::update::<CourseForm>),
        )
        .route(
            "/courses/{id}/edit",
            web::get().to(editor::edit_form::<CourseForm>),
        )
        .route("/courses/{id}/cancel", web::get().to(cancel_form))
        .route("/courses/{id}/cancel", web::post().to(cancel))
        .route("/courses/{id}/message", web::get().to(message_form))
        .route("/courses/{id}/message", web::post().to(message))
        .route("/courses/{id}/enroll", web::post().to(enroll))
        .route("/courses/{id}/withdraw", web::post().to(withdraw))
        .route("/courses/{id}/enrollments", web::post().to(coordinate));
}

#[derive(Template)]
#[template(path = "learning/list.html")]
struct ListPage {
    page: Page,
    upcoming: Vec<CourseRow>,
    past: Vec<CourseRow>,
    mentor_view: bool,
    can_create: bool,
    back: &'static str,
}

async fn list(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let a = actor.clone();
    let (upcoming, past) = db(&state, move |c| service::list(c, &a)).await?;
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "course.page_list"),
        upcoming,
        past,
        mentor_view: actor.role() == Role::PeerMentor,
        can_create: service::manages(&actor),
        back: "list",
    })
}

#[derive(Template)]
#[template(path = "learning/show.html")]
struct ShowPage {
    page: Page,
    row: CourseRow,
    mentor_view: bool,
    manages: bool,
    enrollments: Vec<EnrollmentRow>,
    candidates: Vec<(String, String)>,
    back: &'static str,
}

impl ShowPage {
    fn seated(&self) -> Vec<&EnrollmentRow> {
        self.enrollments
            .iter()
            .filter(|e| !e.is("waitlisted"))
            .collect()
    }
    /// The course has started and someone's seat is not decided yet.
    fn completable(&self) -> bool {
        self.row.started() && self.enrollments.iter().any(|e| e.is("registered"))
    }
    fn waiting(&self) -> Vec<&EnrollmentRow> {
        self.enrollments
            .iter()
            .filter(|e| e.is("waitlisted"))
            .collect()
    }
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, manages, enrollments, candidates) = db(&state, move |c| {
        let row = service::get(c, &a, &id)?;
        let manages = service::managed(c, &a, &id).is_ok();
        let (list, cands) = if manages {
            let cands = if row.started() {
                Vec::new()
            } else {
                enrollment::candidates(c, &a, &row)?
            };
            (enrollment::enrollments(c, &id)?, cands)
        } else {
            Default::default()
        };
        Ok((row, manages, list, cands))
    })
    .await?;
    page::ok(&ShowPage {
        page: Page::for_actor(&actor, "course.page_show"),
        mentor_view: actor.role() == Role::PeerMentor,
        manages,
        row,
        enrollments,
        candidates,
        back: "show",
    })
}

/// The course form page: `editor::Editing` (the form, its errors, the associations to choose).
#[derive(Template)]
#[template(path = "learning/form.html")]
pub struct FormPage(Editing<CourseForm>);

impl From<Editing<CourseForm>> for FormPage {
    fn from(e: Editing<CourseForm>) -> Self {
        FormPage(e)
    }
}

impl std::ops::Deref for FormPage {
    type Target = Editing<CourseForm>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Arranged for CourseForm {
    type Page = FormPage;
    const LIST: &'static str = "/courses";
    const PAGE_NEW: &'static str = "course.page_new";
    const PAGE_EDIT: &'static str = "course.page_edit";
    const CREATED: &'static str = "course.created";
    const UPDATED: &'static str = "course.updated";

    fn defaults() -> Self {
        CourseForm {
            day1_start: "09:00".into(),
            day1_end: "15:00".into(),
            deadline_time: "23:59".into(),
            capacity: "20".into(),
            ..Default::default()
        }
    }

    /// The course form with its ticked associations (a repeated field).
    fn parse(pairs: Vec<(String, String)>) -> AppResult<Self> {
        let (form, associations) =
            crate::expenses::split_list::<CourseForm>(pairs, "associations")?;
        Ok(CourseForm {
            associations,
            ..form
        })
    }

    fn load(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Self> {
        Ok(CourseForm::from_row(&edit::for_edit(conn, actor, id)?))
    }

    const CREATE: Create<Self> = service::create;
    const UPDATE: Update<Self> = edit::update;
}

// ---------------------------------------------------------------- edit, cancel, message

#[derive(Template)]
#[template(path = "learning/cancel.html")]
struct CancelPage {
    page: Page,
    row: CourseRow,
    form: CancelForm,
    errors: FieldErrors,
}

async fn render_cancel(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: CancelForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let row = db(state, move |c| edit::for_edit(c, &a, &id)).await?;
    let failed = !errors.is_empty();
    page::form(
        &CancelPage {
            page: Page::for_actor(actor, "course.page_cancel"),
            row,
            form,
            errors,
        },
        failed,
    )
}

async fn cancel_form(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    render_cancel(
        &actor,
        &state,
        id,
        CancelForm::default(),
        FieldErrors::new(),
    )
    .await
}

async fn cancel(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<CancelForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| edit::cancel(c, &a, &i, &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("course.cancelled"));
            Ok(redirect(&format!("/courses/{id}")))
        }
        Err(errors) => render_cancel(&actor, &state, id, form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "learning/message.html")]
struct MessagePage {
    page: Page,
    row: CourseRow,
    reach: i64,
    form: MessageForm,
    errors: FieldErrors,
}

async fn render_message(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: MessageForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (row, reach) = db(state, move |c| {
        let row = service::managed(c, &a, &id)?;
        let reach = edit::enrolled_count(c, &id)?;
        Ok((row, reach))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &MessagePage {
            page: Page::for_actor(actor, "course.page_message"),
            row,
            reach,
            form,
            errors,
        },
        failed,
    )
}

async fn message_form(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    render_message(
        &actor,
        &state,
        id,
        MessageForm::default(),
        FieldErrors::new(),
    )
    .await
}

async fn message(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<MessageForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| edit::message(c, &a, &i, &f)).await? {
        Ok(n) => {
            let msg = actor
                .t("course.message_sent")
                .replace("{n}", &n.to_string());
            set_flash(&session, "success", msg);
            Ok(redirect(&format!("/courses/{id}#enrollments")))
        }
        Err(errors) => render_message(&actor, &state, id, form, errors).await,
    }
}

// ---------------------------------------------------------------- enrollment

#[derive(Template)]
#[template(path = "learning/card.html")]
struct Card {
    page: Page,
    row: CourseRow,
    back: &'static str,
}

fn answer(
    req: &HttpRequest,
    actor: &Actor,
    session: &Session,
    back: Back,
    row: CourseRow,
    outcome: Outcome,
) -> AppResult<HttpResponse> {
    let mut message = format!("{}: {}", row.c.title, actor.t(outcome.key()));
    if let Some(p) = row.my_position.filter(|_| outcome == Outcome::Waitlisted) {
        message = format!(
            "{message} {}",
            actor.t("course.position").replace("{n}", &p.to_string())
        );
    }
    let id = row.c.id.clone();
    let card = || Card {
        page: Page::for_actor(actor, "course.page_list"),
        row,
        back: back.as_str(),
    };
    card::swap(req, session, (outcome.kind(), message), card, || {
        back.url("/courses", &id)
    })
}

async fn enroll(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Option<extract::Form<BackForm>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, outcome) = db(&state, move |c| enrollment::enroll(c, &a, &id)).await?;
    answer(&req, &actor, &session, Back::of(form), row, outcome)
}

async fn withdraw(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Option<extract::Form<BackForm>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, outcome) = db(&state, move |c| enrollment::withdraw(c, &a, &id)).await?;
    answer(&req, &actor, &session, Back::of(form), row, outcome)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    user_id: String,
    action: String,
}

async fn coordinate(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<MoveForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let f = form.into_inner();
    let m = Move::parse(&f.action).ok_or(AppError::NotFound)?;
    let user = path_id(&f.user_id)?;
    let (a, i) = (actor.clone(), id.clone());
    let outcome = db(&state, move |c| enrollment::coordinate(c, &a, &i, &user, m)).await?;
    set_flash(&session, outcome.kind(), actor.t(outcome.key()).to_string());
    Ok(redirect(&format!("/courses/{id}#enrollments")))
}
