//! Closing, reopening and erasing contacts: a closed contact gets no new activities and keeps
//! its history; an erased one keeps only what reports count.

use diesel::prelude::*;
use serde::Deserialize;

use super::model::ERASED_NAME;
use super::service::changeable;
use crate::access::Actor;
use crate::audit::service as audit;
use crate::db::{now, DbConn};
use crate::people::care::service::can_assign;
use crate::people::shared::audit_event;
use crate::schema::{activities as act, caregivers, contact_mentors as cm, contacts, notes};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

/// Coordinators and administrators close, reopen and erase contacts.
pub fn may_close(actor: &Actor) -> bool {
    can_assign(actor)
}

/// Closes (`open == false`) or reopens a contact. A closed contact gets no new activities (the
/// registration form offers only open contacts) and stays with its history.
pub fn set_open(conn: &mut DbConn, actor: &Actor, id: &str, open: bool) -> AppResult<()> {
    let c = changeable(conn, actor, id)?;
    if !may_close(actor) {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let changed = diesel::update(
            contacts::table
                .find(id)
                .filter(contacts::is_active.eq(!open)),
        )
        .set((contacts::is_active.eq(open), contacts::updated_at.eq(now())))
        .execute(tx.conn)?;
        if changed > 0 {
            audit::append(
                tx,
                audit_event(
                    actor,
                    &org,
                    if open {
                        "contact.reopened"
                    } else {
                        "contact.closed"
                    },
                    "contact",
                    &c.id,
                    serde_json::json!({}),
                ),
            )?;
        }
        Ok(())
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct EraseForm {
    pub confirm: Option<String>,
}

/// Erases a contact on request: every personal field emptied (the name becomes `ERASED_NAME`),
/// caregivers and notes deleted, assignments ended and the notes of its activities cleared. The
/// row and its activities stay, so reports count what was done; an audit entry says so.
pub fn erase(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &EraseForm,
) -> AppResult<Result<(), FieldErrors>> {
    changeable(conn, actor, id)?;
    if !may_close(actor) {
        return Err(AppError::NotFound);
    }
    if f.confirm.is_none() {
        let mut errors = FieldErrors::new();
        errors.add("confirm", "people.err_erase_confirm");
        return Ok(Err(errors));
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let t = now();
        diesel::update(contacts::table.find(id))
            .set((
                contacts::name.eq(ERASED_NAME),
                contacts::name_key.eq(""),
                contacts::birth_year.eq(None::<i32>),
                contacts::phone.eq(None::<String>),
                contacts::phone_key.eq(None::<String>),
                contacts::email.eq(None::<String>),
                contacts::municipality.eq(None::<String>),
                contacts::interest_group.eq(None::<String>),
                contacts::sensitive_notes.eq(None::<String>),
                contacts::street_address.eq(None::<String>),
                contacts::postal_code.eq(None::<String>),
                contacts::postal_place.eq(None::<String>),
                contacts::is_active.eq(false),
                contacts::erased_at.eq(Some(t)),
                contacts::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
        let caregivers_removed =
            diesel::delete(caregivers::table.filter(caregivers::contact_id.eq(id)))
                .execute(tx.conn)?;
        let notes_removed =
            diesel::delete(notes::table.filter(notes::contact_id.eq(id))).execute(tx.conn)?;
        let assignments_ended = diesel::update(
            cm::table
                .filter(cm::contact_id.eq(id))
                .filter(cm::ended_at.is_null()),
        )
        .set(cm::ended_at.eq(t))
        .execute(tx.conn)?;
        let activity_notes_cleared = diesel::update(
            act::table
                .filter(act::contact_id.eq(id))
                .filter(act::description.is_not_null()),
        )
        .set(act::description.eq(None::<String>))
        .execute(tx.conn)?;
        let assignment_details_erased =
            crate::assignments::retention::erase_for_contact(tx.conn, id)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "contact.erased",
                "contact",
                id,
                serde_json::json!({
                    "caregivers_removed": caregivers_removed,
                    "notes_removed": notes_removed,
                    "assignments_ended": assignments_ended,
                    "activity_notes_cleared": activity_notes_cleared,
                    "assignment_details_erased": assignment_details_erased,
                }),
            ),
        )?;
        Ok(Ok(()))
    })
}
