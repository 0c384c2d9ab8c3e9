//! Pages: peer mentors (list, profile, status) and contacts (list, form, page with caregivers,
//! notes and assigned mentors).

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::model::*;
use super::service::{
    self, AssignForm, CaregiverForm, ContactFilter, ContactForm, MentorFilter, NoteForm,
    ProfileForm, Refused, StatusForm,
};
use crate::auth::actor::{set_flash, Actor};
use crate::auth::Role;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, is_htmx, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/mentors", web::get().to(mentors))
        .route("/mentors/{id}", web::get().to(show_mentor))
        .route("/mentors/{id}", web::post().to(update_profile))
        .route("/mentors/{id}/status", web::post().to(change_status))
        .route("/contacts", web::get().to(contacts))
        .route("/contacts", web::post().to(create_contact))
        .route("/contacts/new", web::get().to(new_contact))
        .route("/contacts/{id}", web::get().to(show_contact))
        .route("/contacts/{id}", web::post().to(update_contact))
        .route("/contacts/{id}/edit", web::get().to(edit_contact))
        .route("/contacts/{id}/caregivers", web::post().to(add_caregiver))
        .route("/contacts/{id}/notes", web::post().to(add_note))
        .route("/contacts/{id}/mentors", web::post().to(assign_mentor))
        .route(
            "/contacts/{id}/mentors/{assignment}/end",
            web::post().to(end_assignment),
        );
}

/// Whether an htmx request asks for the results block only.
fn wants_results(req: &HttpRequest) -> bool {
    is_htmx(req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "results")
}

fn count_message<T>(page: &Page, list: &PageOf<T>, what: &str) -> String {
    list.summary(&page.labels, what)
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
    q: web::Query<MentorFilter>,
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
    d: MentorDetail,
    statuses: Vec<(&'static str, &'static str)>,
    status_form: StatusForm,
    profile_form: ProfileForm,
    errors: FieldErrors,
}

async fn render_mentor(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    status_form: Option<StatusForm>,
    profile_form: Option<ProfileForm>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let d = db(state, move |c| service::mentor_detail(c, &a, &id)).await?;
    let mut page = Page::for_actor(actor, "term.peer_mentor");
    page.title = d.name.clone();
    let failed = !errors.is_empty();
    let tpl = MentorPage {
        page,
        profile_form: profile_form.unwrap_or_else(|| ProfileForm::from(&d.mentor)),
        status_form: status_form.unwrap_or_default(),
        d,
        statuses: statuses(),
        errors,
    };
    page::form(&tpl, failed)
}

async fn show_mentor(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_mentor(&actor, &state, id, None, None, FieldErrors::new()).await
}

async fn change_status(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
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
        Err(errors) => render_mentor(&actor, &state, id, Some(form), None, errors).await,
    }
}

async fn update_profile(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ProfileForm>,
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
        Err(errors) => render_mentor(&actor, &state, id, None, Some(form), errors).await,
    }
}

// ---------------------------------------------------------------- contacts

fn may_see_contacts(actor: &Actor) -> AppResult<()> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])
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
    q: web::Query<ContactFilter>,
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
    let form = ContactForm::default();
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
    form: web::Form<ContactForm>,
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
    form: web::Form<ContactForm>,
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
    caregiver: CaregiverForm,
    note: NoteForm,
    assign: AssignForm,
    errors: FieldErrors,
}

#[derive(Default)]
struct ContactForms {
    caregiver: Option<CaregiverForm>,
    note: Option<NoteForm>,
    assign: Option<AssignForm>,
}

async fn render_contact(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    forms: ContactForms,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let d = db(state, move |c| service::contact_detail(c, &a, &id)).await?;
    let mut page = Page::for_actor(actor, "people.term_contact");
    page.title = d.contact.name.clone();
    let failed = !errors.is_empty();
    let tpl = ContactPage {
        page,
        d,
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
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    render_contact(
        &actor,
        &state,
        id,
        ContactForms::default(),
        FieldErrors::new(),
    )
    .await
}

async fn add_caregiver(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CaregiverForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::add_caregiver(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.caregiver_added"));
            Ok(redirect(&format!("/contacts/{id}#caregivers")))
        }
        Err(errors) => {
            let forms = ContactForms {
                caregiver: Some(form),
                ..Default::default()
            };
            render_contact(&actor, &state, id, forms, errors).await
        }
    }
}

async fn add_note(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::add_note(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.note_added"));
            Ok(redirect(&format!("/contacts/{id}#notes")))
        }
        Err(errors) => {
            let forms = ContactForms {
                note: Some(form),
                ..Default::default()
            };
            render_contact(&actor, &state, id, forms, errors).await
        }
    }
}

async fn assign_mentor(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AssignForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::assign_mentor(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("people.mentor_assigned"));
            Ok(redirect(&format!("/contacts/{id}#mentors")))
        }
        Err(errors) => {
            let forms = ContactForms {
                assign: Some(form),
                ..Default::default()
            };
            render_contact(&actor, &state, id, forms, errors).await
        }
    }
}

async fn end_assignment(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (raw_contact, raw_assignment) = path.into_inner();
    let id = path_id(&raw_contact)?;
    let assignment = path_id(&raw_assignment)?;
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| {
        service::end_assignment(c, &a, &i, &assignment)
    })
    .await?;
    set_flash(&session, "success", actor.t("people.mentor_unassigned"));
    Ok(redirect(&format!("/contacts/{id}#mentors")))
}
