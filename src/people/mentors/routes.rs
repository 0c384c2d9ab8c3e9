//! Pages: peer mentors (list, profile, status).

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::*;
use super::service::{self, MentorFilter, ProfileForm, StatusForm};
use crate::access::Actor;
use crate::access::Role;
use crate::activities::routes::{history, History};
use crate::activities::service::Filter;
use crate::auth::actor::set_flash;
use crate::people::{count_message, wants_results};
use crate::web::extract;
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
    q: extract::Query<MentorFilter>,
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
    history: History,
    events: PageOf<MentorEvent>,
    d: MentorDetail,
    statuses: Vec<(&'static str, &'static str)>,
    status_form: StatusForm,
    profile_form: ProfileForm,
    errors: FieldErrors,
    /// The year's reimbursed and honorarium totals (`expenses/year.html`).
    year: crate::expenses::honorarium::service::MentorYear,
}

impl MentorPage {
    fn kr(&self, ore: &i64) -> String {
        crate::expenses::money::kr(*ore, self.page.lang)
    }
    /// The events' pagination links (the activity history keeps its own cursor apart).
    fn events_base(&self) -> String {
        format!("/mentors/{}?", self.d.mentor.id)
    }
}

async fn render_mentor(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    status_form: Option<StatusForm>,
    profile_form: Option<ProfileForm>,
    errors: FieldErrors,
    at: MentorQuery,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (d, history, events, year) = db(state, move |c| {
        let d = service::mentor_detail(c, &a, &id)?;
        let year =
            crate::expenses::honorarium::service::mentor_year(c, &a, &d.mentor.user_id, &d.name)?;
        let f = Filter {
            mentor: d.mentor.user_id.clone(),
            after: at.after,
            ..Default::default()
        };
        let history = history(c, &a, f, &format!("/mentors/{id}"))?;
        let events = service::mentor_events(c, &a, &id, at.events_page)?;
        Ok((d, history, events, year))
    })
    .await?;
    let mut page = Page::for_actor(actor, "term.peer_mentor");
    page.title = d.name.clone();
    let failed = !errors.is_empty();
    let tpl = MentorPage {
        page,
        history,
        events,
        profile_form: profile_form.unwrap_or_else(|| ProfileForm::from(&d.mentor)),
        status_form: status_form.unwrap_or_default(),
        d,
        statuses: statuses(),
        errors,
        year,
    };
    page::form(&tpl, failed)
}

/// The mentor page's query: where its activity history continues, which page of events.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MentorQuery {
    after: String,
    events_page: Option<i64>,
}

async fn show_mentor(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<MentorQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_mentor(
        &actor,
        &state,
        id,
        None,
        None,
        FieldErrors::new(),
        q.into_inner(),
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
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::change_status(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.status_changed"));
            Ok(redirect(&format!("/mentors/{id}")))
        }
        Err(errors) => {
            render_mentor(
                &actor,
                &state,
                id,
                Some(form),
                None,
                errors,
                MentorQuery::default(),
            )
            .await
        }
    }
}

async fn update_profile(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ProfileForm>,
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
        Err(errors) => {
            render_mentor(
                &actor,
                &state,
                id,
                None,
                Some(form),
                errors,
                MentorQuery::default(),
            )
            .await
        }
    }
}
