//! Pages: activity types (organization admin), registering an activity (peer mentor, or a
//! coordinator on a mentor's behalf), the activity lists, and the CSV export.

use actix_session::Session;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::{ActivityItem, ActivityRow, ActivityType, CATEGORIES, KINDS};
use super::service::{self, ActivityForm, Choices, Filter, FilterChoices, TypeForm};
use crate::access::Actor;
use crate::access::Role;
use crate::auth::actor::set_flash;
use crate::web::export::{Cell, CsvSheet};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/activities", web::get().to(list))
        .route("/activities", web::post().to(create))
        .route("/activities/new", web::get().to(new_form))
        .route("/activities/export.csv", web::get().to(export))
        .route("/activities/{id}", web::get().to(show))
        .route("/activities/{id}", web::post().to(update))
        .route("/activities/{id}/edit", web::get().to(edit_form))
        .route("/activities/{id}/cancel", web::post().to(cancel))
        .route("/activity-types", web::get().to(types))
        .route("/activity-types", web::post().to(create_type))
        .route("/activity-types/new", web::get().to(new_type))
        .route("/activity-types/{id}/edit", web::get().to(edit_type))
        .route("/activity-types/{id}", web::post().to(update_type));
}

// ---------------------------------------------------------------- lists

#[derive(Template)]
#[template(path = "activities/list.html")]
struct ListPage {
    page: Page,
    filter: Filter,
    rows: Vec<ActivityRow<ActivityItem>>,
    next: Option<String>,
    mentor_view: bool,
    /// Coordinators register on a mentor's behalf; organization administrators only read.
    can_register: bool,
    associations: Vec<(String, String)>,
    mentors: Vec<(String, String)>,
    types: Vec<(String, String)>,
    /// The name of the contact the list is filtered by.
    contact_name: Option<String>,
}

impl ListPage {
    /// A text search stopped before the page was full: it goes on from the next link.
    fn search_stopped(&self) -> bool {
        !self.filter.q.trim().is_empty()
            && self.next.is_some()
            && (self.rows.len() as i64) < service::PAGE_SIZE
    }
    /// The date the search has read back to (from the next cursor), as the list shows dates.
    fn searched_to(&self) -> String {
        self.next
            .as_deref()
            .and_then(|n| n.split_once('~'))
            .and_then(|(d, _)| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
    fn next_link(&self) -> Option<String> {
        let q = self.filter.query();
        self.next.as_ref().map(|n| {
            format!(
                "/activities?{}{}after={}",
                q,
                if q.is_empty() { "" } else { "&" },
                crate::web::urlencode(n)
            )
        })
    }
    fn export_link(&self) -> String {
        format!("/activities/export.csv?{}", self.filter.query())
    }
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
    let (rows, next, choices, contact_name) = db(&state, move |c| {
        // The filter choices come first (one statement): they also name most of the page's
        // rows, a peer mentor's too.
        let choices = service::filter_choices(c, &a)?;
        let contact_name = service::contact_name(c, &a, &f.contact)?;
        let (rows, next) = service::page(c, &a, &f, service::PAGE_SIZE, &choices)?;
        Ok((rows, next, choices, contact_name))
    })
    .await?;
    let title = if mentor_view {
        "activity.page_mine"
    } else {
        "activity.page_list"
    };
    page::ok(&ListPage {
        page: Page::for_actor(&actor, title),
        filter,
        rows,
        next,
        mentor_view,
        can_register: actor.role() == Role::Coordinator,
        associations: choices.associations,
        mentors: choices.mentors,
        types: choices.types,
        contact_name,
    })
}

/// The filtered list as CSV (semicolon-separated with a BOM, as Norwegian spreadsheets expect),
/// streamed in pages of 1,000 rows so memory stays flat however long the list is.
async fn export(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Filter>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let mut filter = q.into_inner();
    filter.after.clear();
    let (a, f) = (actor.clone(), filter.clone());
    db(&state, move |c| service::log_export(c, &a, &f)).await?;
    let headers: Vec<String> = [
        "activity.col_date",
        "activity.col_type",
        "term.local_association",
        "term.peer_mentor",
        "activity.col_contact",
        "activity.col_minutes",
        "activity.col_participants",
        "activity.col_bufdir",
        "activity.col_bufdir_reason",
        "activity.col_proxy",
        "field.status",
    ]
    .iter()
    .map(|k| actor.t(k).to_string())
    .collect();
    let yes = actor.t("value.yes").to_string();
    let no = actor.t("value.no").to_string();
    let labels = actor.labels.clone();
    let stream = futures_util::stream::unfold(Some((filter, true)), move |state_in| {
        let (st, actor, headers, labels, yes, no) = (
            state.clone(),
            actor.clone(),
            headers.clone(),
            labels.clone(),
            yes.clone(),
            no.clone(),
        );
        async move {
            let (mut f, first) = state_in?;
            let f2 = f.clone();
            let fetched = db(&st, move |c| {
                service::page(c, &actor, &f2, 1000, &FilterChoices::default())
            })
            .await;
            let (rows, next) = match fetched {
                Ok(r) => r,
                Err(e) => return Some((Err(actix_web::Error::from(e)), None)),
            };
            let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut sheet = if first {
                CsvSheet::start(&header_refs)
            } else {
                CsvSheet::more(rows.len() * 120)
            };
            for r in &rows {
                let status_key = format!("activity.status_{}", r.a.status);
                sheet.row(&[
                    Cell::Date(r.a.occurred_on),
                    Cell::Text(&r.type_name),
                    Cell::Text(&r.association_name),
                    Cell::Text(&r.mentor_name),
                    Cell::Text(r.contact()),
                    Cell::from(r.a.duration_minutes),
                    Cell::from(r.a.participants),
                    Cell::Text(if r.a.bufdir_counts { &yes } else { &no }),
                    Cell::Text(labels.get(&r.a.bufdir_reason)),
                    Cell::Text(if r.a.is_proxy { &yes } else { &no }),
                    Cell::Text(labels.get(&status_key)),
                ]);
            }
            let bytes = sheet.into_bytes();
            let next_state = next.map(|n| {
                f.after = n;
                (f, false)
            });
            Some((Ok::<Bytes, actix_web::Error>(bytes), next_state))
        }
    });
    let name = format!("aktiviteter-{}.csv", service::today());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(stream))
}

// ---------------------------------------------------------------- histories

/// A page of someone's activities, newest first, for the contact's and the mentor's pages
/// (`templates/activities/history.html`).
pub(crate) struct History {
    pub rows: Vec<ActivityRow<ActivityItem>>,
    /// The link to the next (older) page, and to the first page when this is not it.
    pub next: Option<String>,
    pub first: Option<String>,
    /// The activity list filtered the same way (coordinators and administrators).
    pub all: Option<String>,
    pub show_mentor: bool,
    pub show_contact: bool,
}

/// Rows per page of a history.
pub(crate) const HISTORY_PAGE: i64 = 20;

/// One page of the activities the actor may see, filtered as `f` says (by contact or mentor,
/// every status), from the cursor `f.after`; `path` is the page showing it.
pub(crate) fn history(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    f: Filter,
    path: &str,
) -> AppResult<History> {
    let f = Filter {
        status: "all".into(),
        ..f
    };
    let (rows, next) = service::page(conn, actor, &f, HISTORY_PAGE, &FilterChoices::default())?;
    let list_reader = matches!(actor.role(), Role::Coordinator | Role::OrgAdmin);
    Ok(History {
        rows,
        next: next.map(|n| format!("{path}?after={}#activities", crate::web::urlencode(&n))),
        first: (!f.after.is_empty()).then(|| format!("{path}#activities")),
        all: list_reader.then(|| format!("/activities?{}", f.query())),
        show_mentor: f.mentor.is_empty(),
        show_contact: f.contact.is_empty(),
    })
}

// ---------------------------------------------------------------- one activity

#[derive(Template)]
#[template(path = "activities/show.html")]
struct ShowPage {
    page: Page,
    row: ActivityRow,
    editable: bool,
    docs: crate::documents::model::Section,
    /// The mentor may enter an expense from it (its type may carry expenses).
    carries_expenses: bool,
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    show_page(&actor, &state, id, FieldErrors::new()).await
}

/// The activity page with its documents; 422 when `doc_errors` says why an upload was refused.
pub(crate) async fn show_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    doc_errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let max = state.config.max_upload_bytes;
    let (row, editable, mut docs, carries_expenses) = db(state, move |c| {
        let (row, editable) = service::get(c, &a, &id)?;
        let docs = crate::documents::service::section(c, &id, editable, max)?;
        let carries = crate::expenses::entry::service::may_carry(c, &a, &row.a)?;
        Ok((row, editable, docs, carries))
    })
    .await?;
    let failed = !doc_errors.is_empty();
    docs.errors = doc_errors;
    let tpl = ShowPage {
        page: Page::for_actor(actor, "activity.page_show"),
        row,
        editable,
        docs,
        carries_expenses,
    };
    page::form(&tpl, failed)
}

#[derive(Template)]
#[template(path = "activities/form.html", blocks = ["mentor_fields"])]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: ActivityForm,
    errors: FieldErrors,
    choices: Choices,
}

impl FormPage {
    /// The type chosen in the form, for showing which fields it needs.
    fn chosen(&self) -> Option<&ActivityType> {
        self.choices
            .types
            .iter()
            .find(|t| t.id == self.form.activity_type_id)
    }
    fn needs_contact(&self) -> bool {
        self.chosen()
            .is_some_and(|t| t.requires_contact || t.is_outreach())
    }
    fn needs_participants(&self) -> bool {
        self.chosen().is_some_and(|t| t.requires_participants)
    }
    fn needs_duration(&self) -> bool {
        self.chosen().is_none_or(|t| t.requires_duration)
    }
}

async fn render_form(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: ActivityForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (a, m) = (actor.clone(), form.mentor_id.clone());
    let choices = db(state, move |c| service::choices(c, &a, &m)).await?;
    let title = if id.is_some() {
        "activity.page_edit"
    } else {
        "activity.page_new"
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

/// The registration form; its query may prefill fields (the start page's "register for this contact" sends the contact, its association, a
/// type and minutes; `mentor_id` chooses whose associations
/// and contacts a coordinator is offered). When the coordinator changes the mentor, htmx asks
/// for the `mentor_fields` block only; without JavaScript the mentor form reloads the page.
async fn new_form(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ActivityForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator])?;
    let mut form = q.into_inner();
    if form.occurred_on.is_empty() {
        form.occurred_on = service::today().to_string();
    }
    if is_htmx(&req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "mentor-fields")
    {
        let (a, m) = (actor.clone(), form.mentor_id.clone());
        let choices = db(&state, move |c| service::choices(c, &a, &m)).await?;
        let tpl = FormPage {
            page: Page::for_actor(&actor, "activity.page_new"),
            id: None,
            form,
            errors: FieldErrors::new(),
            choices,
        };
        return page::ok(&tpl.as_mentor_fields());
    }
    render_form(&actor, &state, None, form, FieldErrors::new()).await
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ActivityForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor, Role::Coordinator])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::create(c, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t("activity.registered"));
            Ok(redirect(&format!("/activities/{id}")))
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
    let (current, editable) = db(&state, move |c| service::find(c, &a, &i)).await?;
    if !editable {
        return Err(AppError::NotFound);
    }
    render_form(
        &actor,
        &state,
        Some(id),
        ActivityForm::from(&current),
        FieldErrors::new(),
    )
    .await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ActivityForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::update(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/activities/{id}")))
        }
        Err(errors) => render_form(&actor, &state, Some(id), form, errors).await,
    }
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
    set_flash(&session, "success", actor.t("activity.cancelled"));
    Ok(redirect(&format!("/activities/{id}")))
}

// ---------------------------------------------------------------- activity types

#[derive(Template)]
#[template(path = "activities/types.html")]
struct TypesPage {
    page: Page,
    rows: Vec<ActivityType>,
}

async fn types(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::all_types(c, &a)).await?;
    page::ok(&TypesPage {
        page: Page::for_actor(&actor, "activity.page_types"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "activities/type_form.html")]
struct TypeFormPage {
    page: Page,
    id: Option<String>,
    form: TypeForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
    categories: &'static [&'static str],
}

impl TypeFormPage {
    fn kind_key(&self, k: &str) -> String {
        format!("activity.kind_{k}")
    }
    fn category_key(&self, c: &str) -> String {
        format!("activity.category_{c}")
    }
}

fn type_form(
    actor: &Actor,
    id: Option<String>,
    form: TypeForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let title = if id.is_some() {
        "activity.page_type_edit"
    } else {
        "activity.page_type_new"
    };
    let failed = !errors.is_empty();
    let tpl = TypeFormPage {
        page: Page::for_actor(actor, title),
        id,
        form,
        errors,
        kinds: &KINDS,
        categories: &CATEGORIES,
    };
    page::form(&tpl, failed)
}

async fn new_type(actor: Actor) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = TypeForm {
        kind: "one_to_one".into(),
        requires_duration: Some("on".into()),
        allows_expenses: Some("on".into()),
        ..Default::default()
    };
    type_form(&actor, None, form, FieldErrors::new())
}

async fn edit_type(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let t = db(&state, move |c| service::activity_type(c, &a, &i)).await?;
    type_form(&actor, Some(id), TypeForm::from(&t), FieldErrors::new())
}

async fn save_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: TypeForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save_type(c, &a, i.as_deref(), &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/activity-types"))
        }
        Err(errors) => type_form(&actor, id, form, errors),
    }
}

async fn create_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<TypeForm>,
) -> AppResult<HttpResponse> {
    save_type(actor, session, state, None, form.into_inner()).await
}

async fn update_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<TypeForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save_type(actor, session, state, Some(id), form.into_inner()).await
}
