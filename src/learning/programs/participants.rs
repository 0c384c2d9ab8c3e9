//! A program's participants: peer mentors of the organization and invited members (its
//! contacts), each once, added and removed by a coordinator who arranges it (logged); the
//! days each was present, and who completed them all.

use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use super::service::managed;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::learning::courses::service::audit_event;
use crate::learning::enrollment::service::active_mentors;
use crate::people::contacts::service::visible_contacts;
use crate::schema::{
    contacts, mentor_program_sessions as ps, users, workshop_attendance as wa,
    workshop_participants as wp,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

/// The longest list of choices offered.
const CHOICES_MAX: i64 = 500;

/// The program's participants by name, with the days each was present.
pub fn list(conn: &mut DbConn, row: &ProgramRow) -> QueryResult<Vec<ParticipantRow>> {
    let all: Vec<Participant> = wp::table
        .filter(wp::program_id.eq(&row.p.id))
        .select(Participant::as_select())
        .load(conn)?;
    let user_ids: Vec<String> = all.iter().filter_map(|p| p.user_id.clone()).collect();
    let contact_ids: Vec<String> = all.iter().filter_map(|p| p.contact_id.clone()).collect();
    let mut names: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::name))
        .load(conn)?;
    names.extend(
        contacts::table
            .filter(contacts::id.eq_any(contact_ids))
            .select((contacts::id, contacts::name))
            .load::<(String, String)>(conn)?,
    );
    let present: Vec<(String, i64)> = wa::table
        .inner_join(ps::table)
        .filter(ps::program_id.eq(&row.p.id))
        .filter(wa::attended.eq(true))
        .group_by(wa::participant_id)
        .select((wa::participant_id, diesel::dsl::count_star()))
        .load(conn)?;
    let days = row.sessions.len() as i64;
    let mut out: Vec<ParticipantRow> = all
        .into_iter()
        .map(|p| {
            let key = p
                .user_id
                .clone()
                .or(p.contact_id.clone())
                .unwrap_or_default();
            let n = present
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n);
            ParticipantRow {
                name: names
                    .iter()
                    .find(|(id, _)| *id == key)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                mentor: p.user_id.is_some(),
                present: n,
                completed: days > 0 && n == days,
                id: p.id,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Peer mentors the actor may add: of the organization (a coordinator's associations), active,
/// not already taking part.
pub fn mentor_choices(
    conn: &mut DbConn,
    actor: &Actor,
    program: &str,
) -> AppResult<Vec<(String, String)>> {
    let org = actor.org()?.to_string();
    let taken: Vec<String> = wp::table
        .filter(wp::program_id.eq(program))
        .filter(wp::user_id.is_not_null())
        .select(wp::user_id.assume_not_null())
        .load(conn)?;
    // An administrator chooses from the whole organization, a coordinator from their own.
    let scope = match actor.role() {
        Role::OrgAdmin => Vec::new(),
        _ => actor.associations.clone(),
    };
    Ok(active_mentors(conn, &org, scope, taken)?)
}

/// Members (contacts) the actor may invite: those they see, active and not erased, not
/// already taking part.
pub fn member_choices(
    conn: &mut DbConn,
    actor: &Actor,
    program: &str,
) -> AppResult<Vec<(String, String)>> {
    let taken = wp::table
        .filter(wp::program_id.eq(program.to_string()))
        .filter(wp::contact_id.is_not_null())
        .select(wp::contact_id.assume_not_null());
    Ok(visible_contacts(actor)?
        .filter(contacts::is_active.eq(true))
        .filter(contacts::erased_at.is_null())
        .filter(contacts::id.ne_all(taken))
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .select((contacts::id, contacts::name))
        .limit(CHOICES_MAX)
        .load(conn)?)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AddForm {
    pub user_id: String,
    pub contact_id: String,
}

/// Adds a mentor or an invited member (logged). Someone the actor may not add (another
/// organization's, another association's) is not found.
pub fn add(
    conn: &mut DbConn,
    actor: &Actor,
    program: &str,
    f: &AddForm,
) -> AppResult<Result<(), FieldErrors>> {
    let row = managed(conn, actor, program)?;
    if row.cancelled() {
        return Err(AppError::NotFound);
    }
    let (user, contact) = (f.user_id.trim(), f.contact_id.trim());
    let mut errors = FieldErrors::new();
    if user.is_empty() == contact.is_empty() {
        errors.add("user_id", "program.err_choose_one");
        return Ok(Err(errors));
    }
    let (user, contact) = if contact.is_empty() {
        let known = wp::table
            .filter(wp::program_id.eq(program))
            .filter(wp::user_id.eq(user))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !known
            && !mentor_choices(conn, actor, program)?
                .iter()
                .any(|(id, _)| id == user)
        {
            return Err(AppError::NotFound);
        }
        if known {
            errors.add("user_id", "program.err_already");
        }
        (Some(user.to_string()), None)
    } else {
        let c = crate::people::contacts::service::changeable(conn, actor, contact)?;
        let known = wp::table
            .filter(wp::program_id.eq(program))
            .filter(wp::contact_id.eq(&c.id))
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if known {
            errors.add("contact_id", "program.err_already");
        }
        (None, Some(c.id))
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let p = Participant {
        id: new_id(),
        program_id: program.to_string(),
        user_id: user,
        contact_id: contact,
        added_by: Some(actor.user_id.clone()),
        added_at: now(),
    };
    crate::db::tx(conn, |tx| {
        diesel::insert_into(wp::table).values(&p).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &row.p.organization_id,
                "program.participant_added",
                "program",
                program,
                serde_json::json!({ "participant_id": p.id, "user_id": p.user_id, "contact_id": p.contact_id }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}

/// Removes a participant with their attendance (logged).
pub fn remove(conn: &mut DbConn, actor: &Actor, program: &str, participant: &str) -> AppResult<()> {
    let row = managed(conn, actor, program)?;
    let p: Participant = wp::table
        .find(participant)
        .filter(wp::program_id.eq(program))
        .select(Participant::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::db::tx(conn, |tx| {
        let marks =
            diesel::delete(wa::table.filter(wa::participant_id.eq(&p.id))).execute(tx.conn)?;
        let n = diesel::delete(wp::table.find(&p.id)).execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &row.p.organization_id,
                "program.participant_removed",
                "program",
                program,
                serde_json::json!({
                    "participant_id": p.id,
                    "user_id": p.user_id,
                    "contact_id": p.contact_id,
                    "marks_removed": marks,
                }),
            ),
        )?;
        Ok(())
    })
}
