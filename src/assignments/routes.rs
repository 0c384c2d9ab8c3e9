//! Pages: the coordinator's dispatch board, the mentor's list, dispatching, an assignment with
//! its trail and actions, the details behind a password confirmation, and the settings.
//! No URL, list, log line or error message carries a detail: they are shown on the details
//! page alone, which is never stored by a browser or cache.

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::dispatch::{self, DispatchForm};
use super::model::*;
use super::service::{self, BoardFilter, Counts, Detail, SettingsForm, Side};
use super::status::{self, Action, Refused, StatusForm};
use super::stepup;
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, is_htmx, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assignments", web::get().to(index))
        .route("/assignments", web::post().to(create))
        .route("/assignments/new", web::get().to(new_form))
        .route("/assignments/settings", web::get().to(settings_form))
        .route("/assignments/settings", web::post().to(save_settings))
        .route("/assignments/{id}", web::get().to(show))
        .route("/assignments/{id}/status", web::post().to(change_status))
        .route("/assignments/{id}/reassign", web::post().to(reassign))
        .route("/assignments/{id}/details", web::get().to(details))
        .route("/assignments/{id}/confirm", web::post().to(confirm));
}

// ---------------------------------------------------------------- board and list

#[derive(Template)]
#[template(path = "assignments/board.html", blocks = ["results"])]
struct BoardPage {
    page: Page,
    filter: BoardFilter,
    list: PageOf<BoardRow>,
    counts: Counts,
    mentors: Vec<(String, String)>,
    statuses: Vec<Status>,
    can_dispatch: bool,
    can_configure: bool,
    in_use: bool,
    announce: bool,
    kind: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "assignments/mine.html")]
struct MinePage {
    page: Page,
    open: Vec<BoardRow>,
    done: Vec<BoardRow>,
}

async fn index(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<BoardFilter>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    if actor.role() == Role::PeerMentor {
        let a = actor.clone();
        let (open, done) = db(&state, move |c| {
            service::require_in_use(c, &a)?;
            service::mentor_list(c, &a)
        })
        .await?;
        return page::ok(&MinePage {
            page: Page::for_actor(&actor, "assignments.page_mine"),
            open,
            done,
        });
    }
    let filter = q.into_inner();
    let (a, f) = (actor.clone(), filter.clone());
    let (in_use, list, counts, mentors) = db(&state, move |c| {
        let in_use = service::settings(c, a.org()?)?.enabled;
        if !in_use && a.role() != Role::OrgAdmin {
            return Err(AppError::NotFound);
        }
        let (list, counts) = service::board(c, &a, &f)?;
        let mentors = service::board_mentors(c, &a)?;
        Ok((in_use, list, counts, mentors))
    })
    .await?;
    let mut tpl = BoardPage {
        page: Page::for_actor(&actor, "assignments.page_board"),
        filter,
        list,
        counts,
        mentors,
        statuses: Status::ALL.to_vec(),
        can_dispatch: in_use && actor.role() == Role::Coordinator,
        can_configure: actor.role() == Role::OrgAdmin,
        in_use,
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if is_htmx(&req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "results")
    {
        tpl.announce = true;
        tpl.message = tpl
            .list
            .summary(&tpl.page.labels, "assignments.count_assignments");
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}

// ---------------------------------------------------------------- dispatch

#[derive(Template)]
#[template(path = "assignments/new.html")]
struct NewPage {
    page: Page,
    form: DispatchForm,
    errors: FieldErrors,
    associations: Vec<(String, String)>,
    eligible: Vec<Candidate>,
    ineligible: Vec<Candidate>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    contact: String,
}

async fn render_new(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: DispatchForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (associations, candidates) = db(state, move |c| {
        let s = service::require_in_use(c, &a)?;
        Ok((
            dispatch::associations(c, &a)?,
            dispatch::candidates(c, &a, s.max_open_per_mentor)?,
        ))
    })
    .await?;
    let mut form = form;
    if form.association_id.is_empty() && associations.len() == 1 {
        form.association_id = associations[0].0.clone();
    }
    let (eligible, ineligible) = candidates.into_iter().partition(|c| c.reason.is_none());
    let failed = !errors.is_empty();
    page::form(
        &NewPage {
            page: Page::for_actor(actor, "assignments.page_new"),
            form,
            errors,
            associations,
            eligible,
            ineligible,
        },
        failed,
    )
}

async fn new_form(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator])?;
    let contact = q.into_inner().contact;
    let contact = if contact.is_empty() {
        None
    } else {
        Some(path_id(&contact)?)
    };
    let a = actor.clone();
    let form = db(&state, move |c| {
        service::require_in_use(c, &a)?;
        dispatch::prefill(c, &a, contact.as_deref())
    })
    .await?;
    render_new(&actor, &state, form, FieldErrors::new()).await
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<DispatchForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator])?;
    let form = form.into_inner();
    let (a, f, keys) = (actor.clone(), form.clone(), state.keys.clone());
    match db(&state, move |c| dispatch::dispatch(c, &keys, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t("assignments.dispatched"));
            Ok(redirect(&format!("/assignments/{id}")))
        }
        Err(errors) => render_new(&actor, &state, form, errors).await,
    }
}

// ---------------------------------------------------------------- one assignment

#[derive(Template)]
#[template(path = "assignments/show.html")]
struct ShowPage {
    page: Page,
    d: Detail,
    form: StatusForm,
    errors: FieldErrors,
    refusal: Option<&'static str>,
}

impl ShowPage {
    fn is_mentor(&self) -> bool {
        self.d.side == Side::Mentor
    }
    fn may_read(&self) -> bool {
        matches!(self.d.side, Side::Mentor | Side::Coordinator) && !self.d.row.a.is_erased()
    }
    fn needs_reason(&self, a: &Action) -> bool {
        a.needs_reason()
    }
}

async fn render_show(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: StatusForm,
    errors: FieldErrors,
    refusal: Option<&'static str>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let d = db(state, move |c| service::detail(c, &a, &id)).await?;
    let mut page = Page::for_actor(actor, "assignments.page_show");
    page.title = format!("{} {}", page.title, d.row.a.reference());
    let status = if refusal.is_some() {
        actix_web::http::StatusCode::CONFLICT
    } else if !errors.is_empty() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    page::html(
        status,
        &ShowPage {
            page,
            d,
            form,
            errors,
            refusal,
        },
    )
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_show(
        &actor,
        &state,
        id,
        StatusForm::default(),
        FieldErrors::new(),
        None,
    )
    .await
}

async fn change_status(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<StatusForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| status::request(c, &a, &i, &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("assignments.status_changed"));
            Ok(redirect(&format!("/assignments/{id}")))
        }
        Err(Refused::Message(m)) => {
            render_show(&actor, &state, id, form, FieldErrors::new(), Some(m)).await
        }
        Err(Refused::Invalid(errors)) => render_show(&actor, &state, id, form, errors, None).await,
    }
}

async fn reassign(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<dispatch::ReassignForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator])?;
    let id = path_id(&path)?;
    let (a, f, i) = (actor.clone(), form.into_inner(), id.clone());
    match db(&state, move |c| dispatch::reassign(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("assignments.dispatched"));
            Ok(redirect(&format!("/assignments/{id}")))
        }
        Err(m) => {
            render_show(
                &actor,
                &state,
                id,
                StatusForm::default(),
                FieldErrors::new(),
                Some(m),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- details

#[derive(Template)]
#[template(path = "assignments/confirm.html")]
struct ConfirmPage {
    page: Page,
    id: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "assignments/details.html")]
struct DetailsPage {
    page: Page,
    id: String,
    reference: String,
    details: Option<Details>,
}

/// Never kept by the browser, a proxy or the back-forward cache.
fn private(mut res: HttpResponse) -> HttpResponse {
    let h = res.headers_mut();
    h.insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store, private, max-age=0"),
    );
    h.insert(
        actix_web::http::header::PRAGMA,
        actix_web::http::header::HeaderValue::from_static("no-cache"),
    );
    res
}

async fn details(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    if !stepup::is_fresh(&session) {
        // Refuse first (404 and an audit entry) for anyone who may not read them.
        let (a, i) = (actor.clone(), id.clone());
        db(&state, move |c| {
            service::get_readable(c, &a, &i).map(|_| ())
        })
        .await?;
        let tpl = ConfirmPage {
            page: Page::for_actor(&actor, "assignments.page_confirm"),
            id,
            errors: FieldErrors::new(),
        };
        return Ok(private(page::ok(&tpl)?));
    }
    let (a, i, keys) = (actor.clone(), id.clone(), state.keys.clone());
    let (found, reference) = db(&state, move |c| {
        let d = service::read_details(c, &keys, &a, &i)?;
        Ok((d, reference(&i)))
    })
    .await?;
    let tpl = DetailsPage {
        page: Page::for_actor(&actor, "assignments.page_details"),
        id,
        reference,
        details: found,
    };
    Ok(private(page::ok(&tpl)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmForm {
    password: SecretString,
}

async fn confirm(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let password = form.into_inner().password;
    let (a, i, st) = (actor.clone(), id.clone(), state.clone());
    let refused = db(&state, move |c| {
        service::get_readable(c, &a, &i)?;
        Ok(stepup::check_password(
            c,
            &st.config,
            &a.user_id,
            &password,
            a.ip.as_deref(),
        )?)
    })
    .await?;
    match refused {
        None => {
            stepup::mark(&session);
            Ok(redirect(&format!("/assignments/{id}/details")))
        }
        Some(message) => {
            let mut errors = FieldErrors::new();
            errors.add("password", message);
            let tpl = ConfirmPage {
                page: Page::for_actor(&actor, "assignments.page_confirm"),
                id,
                errors,
            };
            let status = if message == "err.rate_limited" {
                actix_web::http::StatusCode::TOO_MANY_REQUESTS
            } else {
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(private(page::html(status, &tpl)?))
        }
    }
}

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "assignments/settings.html")]
struct SettingsPage {
    page: Page,
    form: SettingsForm,
    errors: FieldErrors,
}

async fn settings_form(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let a = actor.clone();
    let s = db(&state, move |c| Ok(service::settings(c, a.org()?)?)).await?;
    page::ok(&SettingsPage {
        page: Page::for_actor(&actor, "assignments.page_settings"),
        form: SettingsForm::from(&s),
        errors: FieldErrors::new(),
    })
}

async fn save_settings(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::save_settings(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("assignments.settings_saved"));
            Ok(redirect("/assignments/settings"))
        }
        Err(errors) => page::unprocessable(&SettingsPage {
            page: Page::for_actor(&actor, "assignments.page_settings"),
            form,
            errors,
        }),
    }
}
