//! Actions on the contact page: assigning and unassigning peer mentors, adding, editing and
//! removing caregivers and notes. A refused form on the contact page re-renders it with the
//! message at the field; caregivers and notes are edited on pages of their own.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, AssignForm, CaregiverForm, NoteForm};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::people::contacts::routes::{may_see_contacts, render_contact, ContactForms};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/{id}/caregivers", web::post().to(add_caregiver))
        .route(
            "/contacts/{id}/caregivers/{item}/edit",
            web::get().to(edit_caregiver),
        )
        .route(
            "/contacts/{id}/caregivers/{item}",
            web::post().to(update_caregiver),
        )
        .route(
            "/contacts/{id}/caregivers/{item}/remove",
            web::post().to(remove_caregiver),
        )
        .route("/contacts/{id}/notes", web::post().to(add_note))
        .route("/contacts/{id}/notes/{item}/edit", web::get().to(edit_note))
        .route("/contacts/{id}/notes/{item}", web::post().to(update_note))
        .route(
            "/contacts/{id}/notes/{item}/remove",
            web::post().to(remove_note),
        )
        .route("/contacts/{id}/mentors", web::post().to(assign_mentor))
        .route(
            "/contacts/{id}/mentors/{assignment}/end",
            web::post().to(end_assignment),
        );
}

/// After a form on the contact page: on success a message and back to its section (`done` is
/// the message key and the section's anchor); refused, the page again with the form and errors.
async fn back_to_contact(
    actor: &Actor,
    session: &Session,
    state: &web::Data<AppState>,
    id: String,
    outcome: Result<(), FieldErrors>,
    done: (&str, &str),
    forms: ContactForms,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(()) => {
            set_flash(session, "success", actor.t(done.0));
            Ok(redirect(&format!("/contacts/{id}#{}", done.1)))
        }
        Err(errors) => render_contact(actor, state, id, forms, errors).await,
    }
}

async fn add_caregiver(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<CaregiverForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    let outcome = db(&state, move |c| service::add_caregiver(c, &a, &i, &f)).await?;
    let forms = ContactForms {
        caregiver: Some(form),
        ..Default::default()
    };
    back_to_contact(
        &actor,
        &session,
        &state,
        id,
        outcome,
        ("people.caregiver_added", "caregivers"),
        forms,
    )
    .await
}

async fn add_note(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    let outcome = db(&state, move |c| service::add_note(c, &a, &i, &f)).await?;
    let forms = ContactForms {
        note: Some(form),
        ..Default::default()
    };
    back_to_contact(
        &actor,
        &session,
        &state,
        id,
        outcome,
        ("people.note_added", "notes"),
        forms,
    )
    .await
}

async fn assign_mentor(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<AssignForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    let outcome = db(&state, move |c| service::assign_mentor(c, &a, &i, &f)).await?;
    let forms = ContactForms {
        assign: Some(form),
        ..Default::default()
    };
    back_to_contact(
        &actor,
        &session,
        &state,
        id,
        outcome,
        ("people.mentor_assigned", "mentors"),
        forms,
    )
    .await
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

// ---------------------------------------------------------------- editing caregivers and notes

/// The contact's id and the caregiver's or note's id from the path, or 404.
fn ids(path: web::Path<(String, String)>) -> AppResult<(String, String)> {
    let (contact, item) = path.into_inner();
    Ok((path_id(&contact)?, path_id(&item)?))
}

#[derive(Template)]
#[template(path = "people/caregiver_form.html")]
struct CaregiverPage {
    page: Page,
    contact_id: String,
    id: String,
    caregiver: CaregiverForm,
    errors: FieldErrors,
}

async fn edit_caregiver(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let (a, c, i) = (actor.clone(), contact_id.clone(), id.clone());
    let cg = db(&state, move |conn| service::caregiver(conn, &a, &c, &i)).await?;
    page::ok(&CaregiverPage {
        page: Page::for_actor(&actor, "people.page_caregiver_edit"),
        contact_id,
        id,
        caregiver: CaregiverForm::from(&cg),
        errors: FieldErrors::new(),
    })
}

async fn update_caregiver(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: extract::Form<CaregiverForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let form = form.into_inner();
    let (a, f, c, i) = (actor.clone(), form.clone(), contact_id.clone(), id.clone());
    match db(&state, move |conn| {
        service::update_caregiver(conn, &a, &c, &i, &f)
    })
    .await?
    {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/contacts/{contact_id}#caregivers")))
        }
        Err(errors) => page::unprocessable(&CaregiverPage {
            page: Page::for_actor(&actor, "people.page_caregiver_edit"),
            contact_id,
            id,
            caregiver: form,
            errors,
        }),
    }
}

async fn remove_caregiver(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let (a, c) = (actor.clone(), contact_id.clone());
    db(&state, move |conn| {
        service::remove_caregiver(conn, &a, &c, &id)
    })
    .await?;
    set_flash(&session, "success", actor.t("people.caregiver_removed"));
    Ok(redirect(&format!("/contacts/{contact_id}#caregivers")))
}

#[derive(Template)]
#[template(path = "people/note_form.html")]
struct NotePage {
    page: Page,
    contact_id: String,
    id: String,
    note: NoteForm,
    errors: FieldErrors,
}

async fn edit_note(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let (a, c, i) = (actor.clone(), contact_id.clone(), id.clone());
    let n = db(&state, move |conn| service::note(conn, &a, &c, &i)).await?;
    page::ok(&NotePage {
        page: Page::for_actor(&actor, "people.page_note_edit"),
        contact_id,
        id,
        note: NoteForm { body: n.body },
        errors: FieldErrors::new(),
    })
}

async fn update_note(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: extract::Form<NoteForm>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let form = form.into_inner();
    let (a, f, c, i) = (actor.clone(), form.clone(), contact_id.clone(), id.clone());
    match db(&state, move |conn| {
        service::update_note(conn, &a, &c, &i, &f)
    })
    .await?
    {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/contacts/{contact_id}#notes")))
        }
        Err(errors) => page::unprocessable(&NotePage {
            page: Page::for_actor(&actor, "people.page_note_edit"),
            contact_id,
            id,
            note: form,
            errors,
        }),
    }
}

async fn remove_note(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    may_see_contacts(&actor)?;
    let (contact_id, id) = ids(path)?;
    let (a, c) = (actor.clone(), contact_id.clone());
    db(&state, move |conn| service::remove_note(conn, &a, &c, &id)).await?;
    set_flash(&session, "success", actor.t("people.note_removed"));
    Ok(redirect(&format!("/contacts/{contact_id}#notes")))
}
