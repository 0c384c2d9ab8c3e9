//! Pages: the events list (a mentor's upcoming events with registration; a coordinator's to-do,
//! upcoming and past events), one event with its attendance list, and the coordinator's forms.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::{AttendeeRow, EventRow};
use super::service::{
    self, CancelForm, Choices, EventForm, Filter, Lists, Options, Outcome, ProduceForm, WalkInForm,
};
use crate::access::Actor;
use crate::access::Role;
use crate::auth::actor::set_flash;
use crate::web::card::{self, Back, BackForm};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/events", web::get().to(list))
        .route("/events", web::post().to(create))
        .route("/events/new", web::get().to(new_form))
        .route("/events/{id}", web::get().to(show))
        .route("/events/{id}", web::post().to(update))
        .route("/events/{id}/edit", web::get().to(edit_form))
        .route("/events/{id}/cancel", web::get().to(cancel_form))
        .route("/events/{id}/cancel", web::post().to(cancel))
        .route("/events/{id}/register", web::post().to(register))
        .route("/events/{id}/unregister", web::post().to(unregister))
        .route("/events/{id}/attendees", web::post().to(walk_in))
        .route("/events/{id}/attendees/{user}", web::post().to(mark))
        .route("/events/{id}/activity", web::post().to(produce));
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    page: Page,
    filter: Filter,
    lists: Lists,
    mentor_view: bool,
    can_create: bool,
    associations: Options,
    /// Where the mentor's register buttons return to without JavaScript.
    back: &'static str,
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Filter>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let filter = q.into_inner();
    let mentor_view = actor.role() == Role::PeerMentor;
    let (a, f) = (actor.clone(), filter.clone());
    let (lists, associations) = db(&state, move |c| {
        let lists = service::lists(c, &a, &f)?;
        let associations = if mentor_view {
            Vec::new()
        } else {
            service::filter_associations(c, &a)?
        };
        Ok((lists, associations))
    })
    .await?;
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "event.page_list"),
        filter,
        lists,
        mentor_view,
        can_create: actor.role() == Role::Coordinator,
        associations,
        back: "list",
    })
}

// ---------------------------------------------------------------- one event

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowPage {
    page: Page,
    row: EventRow,
    mentor_view: bool,
    editable: bool,
    marking_open: bool,
    attendees: Vec<AttendeeRow>,
    walk_ins: Options,
    can_produce: bool,
    produced: Option<(String, bool, String)>,
    types: Options,
    produce: ProduceForm,
    errors: FieldErrors,
    back: &'static str,
}

impl ShowPage {
    fn attended(&self) -> Vec<&AttendeeRow> {
        self.attendees.iter().filter(|a| a.is("attended")).collect()
    }
}

async fn render_show(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    produce: ProduceForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let coordinator = actor.role() == Role::Coordinator;
    let (row, attendees, walk_ins, produced, types) = db(state, move |c| {
        let row = service::get(c, &a, &id)?;
        let (attendees, walk_ins, types) = if coordinator || a.role() == Role::OrgAdmin {
            let list = service::attendees(c, &row.e.id)?;
            let walk = if coordinator && service::marking_open(&row) {
                service::walk_in_choices(c, &row)?
            } else {
                Vec::new()
            };
            let types = crate::activities::service::active_types(c, a.org()?)?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            (list, walk, types)
        } else {
            Default::default()
        };
        let produced = service::produced(c, &row)?;
        Ok((row, attendees, walk_ins, produced, types))
    })
    .await?;
    let failed = !errors.is_empty();
    let tpl = ShowPage {
        page: Page::for_actor(actor, "event.page_show"),
        mentor_view: actor.role() == Role::PeerMentor,
        editable: coordinator && service::editable(&row),
        marking_open: coordinator && service::marking_open(&row),
        can_produce: coordinator && service::can_produce(&attendees, &row),
        row,
        attendees,
        walk_ins,
        produced,
        types,
        produce,
        errors,
        back: "show",
    };
    page::form(&tpl, failed)
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    render_show(
        &actor,
        &state,
        id,
        ProduceForm::default(),
        FieldErrors::new(),
    )
    .await
}

// ---------------------------------------------------------------- create and edit

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: EventForm,
    errors: FieldErrors,
    choices: Choices,
}

async fn render_form(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: EventForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let choices = db(state, move |c| service::choices(c, &a)).await?;
    let title = if id.is_some() {
        "event.page_edit"
    } else {
        "event.page_new"
    };
    let failed = !errors.is_empty();
    let tpl = FormPage {
        page: Page::for_actor(actor, title),
        id,
        form,
        errors,
        choices,
    };
    page::form(&tpl, failed)
}

async fn new_form(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator])?;
    let form = EventForm {
        time: "18:00".into(),
        duration_minutes: "90".into(),
        ..Default::default()
    };
    render_form(&actor, &state, None, form, FieldErrors::new()).await
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<EventForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::create(c, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t("event.created"));
            Ok(redirect(&format!("/events/{id}")))
        }
        Err(errors) => render_form(&actor, &state, None, form, errors).await,
    }
}

async fn edit_form(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let row = db(&state, move |c| service::for_edit(c, &a, &i)).await?;
    render_form(
        &actor,
        &state,
        Some(id),
        EventForm::from(&row.e),
        FieldErrors::new(),
    )
    .await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<EventForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::update(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/events/{id}")))
        }
        Err(errors) => render_form(&actor, &state, Some(id), form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "events/cancel.html")]
struct CancelPage {
    page: Page,
    row: EventRow,
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
    let row = db(state, move |c| service::for_edit(c, &a, &id)).await?;
    let failed = !errors.is_empty();
    page::form(
        &CancelPage {
            page: Page::for_actor(actor, "event.page_cancel"),
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
    match db(&state, move |c| service::cancel(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("event.cancelled"));
            Ok(redirect(&format!("/events/{id}")))
        }
        Err(errors) => render_cancel(&actor, &state, id, form, errors).await,
    }
}

// ---------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "events/mentor_card.html")]
struct Card {
    page: Page,
    row: EventRow,
    back: &'static str,
}

/// Answers a registration: the card and the announced outcome (htmx), or back with a flash.
fn registration_answer(
    req: &HttpRequest,
    actor: &Actor,
    session: &Session,
    back: Back,
    row: EventRow,
    outcome: Outcome,
) -> AppResult<HttpResponse> {
    let id = row.e.id.clone();
    let message = format!("{}: {}", row.e.title, actor.t(outcome.key()));
    let card = || Card {
        page: Page::for_actor(actor, "event.page_list"),
        row,
        back: back.as_str(),
    };
    card::swap(req, session, (outcome.kind(), message), card, || {
        back.url("/events", &id)
    })
}

async fn register(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Option<extract::Form<BackForm>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, outcome) = db(&state, move |c| service::register(c, &a, &id)).await?;
    registration_answer(&req, &actor, &session, Back::of(form), row, outcome)
}

async fn unregister(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Option<extract::Form<BackForm>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, outcome) = db(&state, move |c| service::unregister(c, &a, &id)).await?;
    registration_answer(&req, &actor, &session, Back::of(form), row, outcome)
}

// ---------------------------------------------------------------- attendance

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    status: String,
}

#[derive(Template)]
#[template(path = "events/attendee_row_swap.html")]
struct AttendeeSwap {
    page: Page,
    event_id: String,
    r: AttendeeRow,
    marking_open: bool,
    kind: &'static str,
    message: String,
    // The group-activity section, swapped out of band: its form appears once all are marked.
    row: EventRow,
    attendees: Vec<AttendeeRow>,
    can_produce: bool,
    produced: Option<(String, bool, String)>,
    types: Options,
    produce: ProduceForm,
    errors: FieldErrors,
}

impl AttendeeSwap {
    fn attended(&self) -> Vec<&AttendeeRow> {
        self.attendees.iter().filter(|a| a.is("attended")).collect()
    }
}

async fn mark(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: extract::Form<MarkForm>,
) -> AppResult<HttpResponse> {
    let (raw_id, raw_user) = path.into_inner();
    let (id, user) = (path_id(&raw_id)?, path_id(&raw_user)?);
    let (a, i, s) = (actor.clone(), id.clone(), form.into_inner().status);
    let (r, row, attendees, types) = db(&state, move |c| {
        let r = service::mark(c, &a, &i, &user, &s)?;
        let row = service::get(c, &a, &i)?;
        let attendees = service::attendees(c, &i)?;
        let types = crate::activities::service::active_types(c, a.org()?)?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        Ok((r, row, attendees, types))
    })
    .await?;
    let message = format!("{}: {}", r.name, actor.t(&r.status_key()));
    if is_htmx(&req) {
        return page::ok(&AttendeeSwap {
            page: Page::for_actor(&actor, "event.page_show"),
            event_id: id,
            r,
            marking_open: true,
            kind: "success",
            message,
            can_produce: service::can_produce(&attendees, &row),
            row,
            attendees,
            produced: None,
            types,
            produce: ProduceForm::default(),
            errors: FieldErrors::new(),
        });
    }
    set_flash(&session, "success", message);
    Ok(redirect(&format!("/events/{id}#attendance")))
}

async fn walk_in(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<WalkInForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i, f) = (actor.clone(), id.clone(), form.into_inner());
    match db(&state, move |c| service::walk_in(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("event.walk_in_added"));
            Ok(redirect(&format!("/events/{id}#attendance")))
        }
        Err(errors) => render_show(&actor, &state, id, ProduceForm::default(), errors).await,
    }
}

async fn produce(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ProduceForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, i, f) = (actor.clone(), id.clone(), form.clone());
    match db(&state, move |c| service::produce(c, &a, &i, &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("event.activity_produced"));
            Ok(redirect(&format!("/events/{id}")))
        }
        Err(errors) => render_show(&actor, &state, id, form, errors).await,
    }
}
