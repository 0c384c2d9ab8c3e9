//! Actions on the contact page: assigning and unassigning peer mentors, adding caregivers and
//! notes. A refused form re-renders the contact page with the message at the field.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use super::service::{self, AssignForm, CaregiverForm, NoteForm};
use crate::auth::actor::{set_flash, Actor};
use crate::people::contacts::routes::{may_see_contacts, render_contact, ContactForms};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/contacts/{id}/caregivers", web::post().to(add_caregiver))
        .route("/contacts/{id}/notes", web::post().to(add_note))
        .route("/contacts/{id}/mentors", web::post().to(assign_mentor))
        .route(
            "/contacts/{id}/mentors/{assignment}/end",
            web::post().to(end_assignment),
        );
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
