//! Pages: contacts (list, form, and the contact page with its caregivers, notes and assigned
//! mentors).

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::lifecycle::{self, EraseForm};
use super::model::*;
use super::service::{self, ContactFilter, ContactForm, Refused};
use crate::access::Actor;
use crate::access::Role;
use crate::activities::routes::{history, History};
use crate::activities::service::Filter;
use crate::auth::actor::set_flash;
use crate::people::care::service::{AssignForm, CaregiverForm, NoteForm};
use crate::people::{count_message, wants_results};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts", web::get().to(contacts))
        .route("/contacts", web::post().to(create_contact))
        .route("/contacts/new", web::get().to(new_contact))
        .route("/contacts/{id}", web::get().to(show_contact))
        .route("/contacts/{id}", web::post().to(update_contact))
        .route("/contacts/{id}/edit", web::get().to(edit_contact))
        .route("/contacts/{id}/close", web::post().to(close_contact))
        .route("/contacts/{id}/reopen", web::post().to(reopen_contact))
        .route("/contacts/{id}/erase", web::post().to(erase_contact));
}

pub(crate) fn may_see_contacts(actor: &Actor) -> AppResult<()> {
    Ok(actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?)
}

#[derive(Template)]
#[template(path = "people/contacts.html", blocks = ["results"])]
struct ContactsPage {
    page: Page,
    filter: ContactFilter,
    list: PageOf<ContactRow>,
    announce: bool,
    kind: &'static str,
    message: String,
}

async fn contacts(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ContactFilter>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let filter = q.into_inner();
    let (a, f) = (actor.clone(), filter.clone());
    let list = db(&state, move |c| service::contacts(c, &a, &f)).await?;
    let mut tpl = ContactsPage {
        page: Page::for_actor(&actor, "people.page_contacts"),
        filter,
        list,
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if wants_results(&req) {
        tpl.announce = true;
        tpl.message = count_message(&tpl.page, &tpl.list, "people.count_contacts");
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}

#[derive(Template)]
#[template(path = "people/contact_form.html")]
struct ContactFormPage {
    page: Page,
    id: Option<String>,
    form: ContactForm,
    errors: FieldErrors,
    associations: Vec<(String, String)>,
    duplicates: Vec<Duplicate>,
}

async fn render_contact_form(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: ContactForm,
    errors: FieldErrors,
    duplicates: Vec<Duplicate>,
    status_ok: bool,
) -> AppResult<HttpResponse> {
    let (a, i) = (actor.clone(), id.clone());
    let associations = db(state, move |c| service::form_choices(c, &a, i.as_deref())).await?;
    let mut form = form;
    if form.association_id.is_empty() && associations.len() == 1 {
        form.association_id = associations[0].0.clone();
    }
    let title = if id.is_some() {
        "people.page_contact_edit"
    } else {
        "people.page_contact_new"
    };
    let tpl = ContactFormPage {
        page: Page::for_actor(actor, title),
        id,
        form,
        errors,
        associations,
        duplicates,
    };
    if status_ok {
        page::ok(&tpl)
    } else {
        page::unprocessable(&tpl)
    }
}

async fn new_contact(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    // Consent is most often given when the contact is registered.
    let form = ContactForm {
        consent_on: crate::people::shared::today().to_string(),
        ..Default::default()
    };
    render_contact_form(
        &actor,
        &state,
        None,
        form,
        FieldErrors::new(),
        Vec::new(),
        true,
    )
    .await
}

async fn create_contact(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ContactForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::create_contact(c, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t("people.contact_created"));
            Ok(redirect(&format!("/contacts/{id}")))
        }
        Err(Refused::Invalid(errors)) => {
            render_contact_form(&actor, &state, None, form, errors, Vec::new(), false).await
        }
        Err(Refused::Duplicates(dups)) => {
            render_contact_form(&actor, &state, None, form, FieldErrors::new(), dups, false).await
        }
    }
}

async fn edit_contact(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let c = db(&state, move |c| service::contact_for_edit(c, &a, &i)).await?;
    render_contact_form(
        &actor,
        &state,
        Some(id),
        ContactForm::from(&c),
        FieldErrors::new(),
        Vec::new(),
        true,
    )
    .await
}

async fn update_contact(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ContactForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::update_contact(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/contacts/{id}")))
        }
        Err(errors) => {
            render_contact_form(&actor, &state, Some(id), form, errors, Vec::new(), false).await
        }
    }
}

#[derive(Template)]
#[template(path = "people/contact.html")]
struct ContactPage {
    page: Page,
    d: ContactDetail,
    history: History,
    caregiver: CaregiverForm,
    note: NoteForm,
    assign: AssignForm,
    errors: FieldErrors,
}

#[derive(Default)]
pub(crate) struct ContactForms {
    pub caregiver: Option<CaregiverForm>,
    pub note: Option<NoteForm>,
    pub assign: Option<AssignForm>,
    /// The cursor of the activity history (`?after=`).
    pub after: String,
}

/// The contact page's query: where its activity history continues.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HistoryQuery {
    after: String,
}

pub(crate) async fn render_contact(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    forms: ContactForms,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (a, after) = (actor.clone(), forms.after.clone());
    let (d, history) = db(state, move |c| {
        let d = service::contact_detail(c, &a, &id)?;
        let f = Filter {
            contact: id.clone(),
            after,
            ..Default::default()
        };
        let history = history(c, &a, f, &format!("/contacts/{id}"))?;
        Ok((d, history))
    })
    .await?;
    let mut page = Page::for_actor(actor, "people.term_contact");
    if d.contact.is_erased() {
        page.title = actor.t("people.erased_title").to_string();
    } else {
        page.title = d.contact.name.clone();
    }
    let failed = !errors.is_empty();
    let tpl = ContactPage {
        page,
        d,
        history,
        caregiver: forms.caregiver.unwrap_or(CaregiverForm {
            cg_may_contact: Some("on".into()),
            ..Default::default()
        }),
        note: forms.note.unwrap_or_default(),
        assign: forms.assign.unwrap_or_default(),
        errors,
    };
    page::form(&tpl, failed)
}

async fn show_contact(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<HistoryQuery>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let forms = ContactForms {
        after: q.into_inner().after,
        ..Default::default()
    };
    render_contact(&actor, &state, id, forms, FieldErrors::new()).await
}

async fn close_contact(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_open(actor, session, state, path, false).await
}

async fn reopen_contact(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_open(actor, session, state, path, true).await
}

async fn set_open(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    open: bool,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| lifecycle::set_open(c, &a, &i, open)).await?;
    let done = if open {
        "people.contact_reopened"
    } else {
        "people.contact_closed"
    };
    set_flash(&session, "success", actor.t(done));
    Ok(redirect(&format!("/contacts/{id}")))
}

async fn erase_contact(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<EraseForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let (a, f, i) = (actor.clone(), form.into_inner(), id.clone());
    match db(&state, move |c| lifecycle::erase(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.contact_erased"));
            Ok(redirect(&format!("/contacts/{id}")))
        }
        Err(errors) => render_contact(&actor, &state, id, ContactForms::default(), errors).await,
    }
}
