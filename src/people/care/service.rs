//! Rules for the care around a contact: assigning peer mentors, caregivers and notes. Each
//! starts from the contact as the actor may see it (`contacts::service::contact`), so anything
//! out of scope is not found.

use diesel::dsl::not;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::people::contacts::model::Contact;
use crate::people::contacts::service::changeable;
use crate::people::shared::{audit_event, check_len, trimmed, PEER_MENTOR};
use crate::schema::{
    caregivers, contact_mentors as cm, contacts, notes, peer_mentors as pm,
    user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

pub(crate) fn assignments(conn: &mut DbConn, contact_id: &str) -> QueryResult<Vec<AssignmentRow>> {
    let rows: Vec<(Assignment, String)> = cm::table
        .inner_join(users::table.on(users::id.eq(cm::user_id)))
        .filter(cm::contact_id.eq(contact_id))
        .order((cm::assigned_at.desc(), cm::id.asc()))
        .select((Assignment::as_select(), users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(assignment, mentor_name)| AssignmentRow {
            assignment,
            mentor_name,
        })
        .collect())
}

/// Peer mentors who may be given this contact: an active grant in the contact's association,
/// an active profile, an active account, and not already assigned.
pub(crate) fn assignable(
    conn: &mut DbConn,
    c: &Contact,
    only: Option<&str>,
) -> QueryResult<Vec<(String, String)>> {
    let mut q = users::table
        .filter(users::is_active.eq(true))
        .filter(
            users::id.eq_any(
                uor::table
                    .filter(uor::organization_id.eq(c.organization_id.clone()))
                    .filter(uor::role_id.eq(PEER_MENTOR))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::local_association_id.eq(c.local_association_id.clone()))
                    .select(uor::user_id),
            ),
        )
        .filter(
            users::id.eq_any(
                pm::table
                    .filter(pm::organization_id.eq(c.organization_id.clone()))
                    .filter(pm::status.eq("active"))
                    .select(pm::user_id),
            ),
        )
        .filter(not(users::id.eq_any(
            cm::table
                .filter(cm::contact_id.eq(c.id.clone()))
                .filter(cm::ended_at.is_null())
                .select(cm::user_id),
        )))
        .into_boxed();
    if let Some(u) = only {
        q = q.filter(users::id.eq(u.to_string()));
    }
    q.order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .load(conn)
}

pub(crate) fn can_assign(actor: &Actor) -> bool {
    matches!(actor.role(), Role::Coordinator | Role::OrgAdmin)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CaregiverForm {
    pub cg_name: String,
    pub cg_relation: String,
    pub cg_phone: String,
    pub cg_email: String,
    pub cg_may_contact: Option<String>,
}

impl CaregiverForm {
    pub fn from(c: &Caregiver) -> CaregiverForm {
        CaregiverForm {
            cg_name: c.name.clone(),
            cg_relation: c.relation.clone(),
            cg_phone: c.phone.clone().unwrap_or_default(),
            cg_email: c.email.clone().unwrap_or_default(),
            cg_may_contact: c.may_contact.then(|| "on".into()),
        }
    }
}

/// A caregiver form's fields, checked.
struct CaregiverFields {
    name: String,
    relation: String,
    phone: Option<String>,
    email: Option<String>,
    may_contact: bool,
}

fn check_caregiver(f: &CaregiverForm) -> Result<CaregiverFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = crate::web::forms::fold_whitespace(&f.cg_name);
    let relation = crate::web::forms::fold_whitespace(&f.cg_relation);
    if name.is_empty() {
        errors.add("cg_name", "err.required");
    }
    check_len(&mut errors, "cg_name", &name, 200);
    if relation.is_empty() {
        errors.add("cg_relation", "err.required");
    }
    check_len(&mut errors, "cg_relation", &relation, 100);
    let phone = trimmed(&f.cg_phone);
    if phone.as_deref().is_some_and(|p| !forms::is_phone(p)) {
        errors.add("cg_phone", "err.phone");
    }
    let email = trimmed(&f.cg_email).map(|e| e.to_lowercase());
    if email.as_deref().is_some_and(|e| !forms::is_email(e)) {
        errors.add("cg_email", "err.email");
    }
    errors.into_result()?;
    Ok(CaregiverFields {
        name,
        relation,
        phone,
        email,
        may_contact: f.cg_may_contact.is_some(),
    })
}

/// Appends an audit entry about a contact's caregiver or note.
fn log(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    action: &str,
    contact_id: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    let org = actor.org()?.to_string();
    audit::append(
        tx,
        audit_event(actor, &org, action, "contact", contact_id, detail),
    )?;
    Ok(())
}

pub fn add_caregiver(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    f: &CaregiverForm,
) -> AppResult<Result<(), FieldErrors>> {
    changeable(conn, actor, contact_id)?;
    let v = match check_caregiver(f) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        let t = now();
        let c = Caregiver {
            id: new_id(),
            contact_id: contact_id.to_string(),
            name: v.name.clone(),
            relation: v.relation.clone(),
            phone: v.phone.clone(),
            email: v.email.clone(),
            may_contact: v.may_contact,
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(caregivers::table)
            .values(&c)
            .execute(tx.conn)?;
        log(
            tx,
            actor,
            "caregiver.added",
            contact_id,
            serde_json::json!({ "caregiver_id": c.id }),
        )?;
        Ok(Ok(()))
    })
}

/// A caregiver of a contact the actor may change, for its edit form: the read of its details
/// is audit-logged like the contact page's.
pub fn caregiver(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    id: &str,
) -> AppResult<Caregiver> {
    changeable(conn, actor, contact_id)?;
    let c: Caregiver = caregivers::table
        .find(id)
        .filter(caregivers::contact_id.eq(contact_id))
        .select(Caregiver::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::db::tx(conn, |tx| {
        log(
            tx,
            actor,
            "contact.sensitive_read",
            contact_id,
            serde_json::json!({ "shown": ["caregivers"], "caregiver_id": id, "page": "edit" }),
        )
    })?;
    Ok(c)
}

pub fn update_caregiver(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    id: &str,
    f: &CaregiverForm,
) -> AppResult<Result<(), FieldErrors>> {
    changeable(conn, actor, contact_id)?;
    let v = match check_caregiver(f) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        let changed = diesel::update(
            caregivers::table
                .find(id)
                .filter(caregivers::contact_id.eq(contact_id)),
        )
        .set((
            caregivers::name.eq(&v.name),
            caregivers::relation.eq(&v.relation),
            caregivers::phone.eq(&v.phone),
            caregivers::email.eq(&v.email),
            caregivers::may_contact.eq(v.may_contact),
            caregivers::updated_at.eq(now()),
        ))
        .execute(tx.conn)?;
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        log(
            tx,
            actor,
            "caregiver.updated",
            contact_id,
            serde_json::json!({ "caregiver_id": id }),
        )?;
        Ok(Ok(()))
    })
}

pub fn remove_caregiver(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    id: &str,
) -> AppResult<()> {
    changeable(conn, actor, contact_id)?;
    crate::db::tx(conn, |tx| {
        let removed = diesel::delete(
            caregivers::table
                .find(id)
                .filter(caregivers::contact_id.eq(contact_id)),
        )
        .execute(tx.conn)?;
        if removed == 0 {
            return Err(AppError::NotFound);
        }
        log(
            tx,
            actor,
            "caregiver.removed",
            contact_id,
            serde_json::json!({ "caregiver_id": id }),
        )
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct NoteForm {
    pub body: String,
}

fn check_note(f: &NoteForm) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let body = f.body.trim().to_string();
    if body.is_empty() {
        errors.add("body", "err.required");
    }
    check_len(&mut errors, "body", &body, 5000);
    errors.into_result().map(|()| body)
}

pub fn add_note(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    f: &NoteForm,
) -> AppResult<Result<(), FieldErrors>> {
    changeable(conn, actor, contact_id)?;
    let body = match check_note(f) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        let n = Note {
            id: new_id(),
            contact_id: contact_id.to_string(),
            author_id: actor.user_id.clone(),
            body: body.clone(),
            created_at: now(),
        };
        diesel::insert_into(notes::table)
            .values(&n)
            .execute(tx.conn)?;
        log(
            tx,
            actor,
            "note.added",
            contact_id,
            serde_json::json!({ "note_id": n.id }),
        )?;
        Ok(Ok(()))
    })
}

/// Whether the actor may change this note: its author, or a coordinator or administrator.
pub fn may_change_note(actor: &Actor, n: &Note) -> bool {
    n.author_id == actor.user_id || can_assign(actor)
}

/// A note of a contact the actor may change, that the actor may change, or 404.
pub fn note(conn: &mut DbConn, actor: &Actor, contact_id: &str, id: &str) -> AppResult<Note> {
    changeable(conn, actor, contact_id)?;
    notes::table
        .find(id)
        .filter(notes::contact_id.eq(contact_id))
        .select(Note::as_select())
        .first(conn)
        .optional()?
        .filter(|n| may_change_note(actor, n))
        .ok_or(AppError::NotFound)
}

pub fn update_note(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    id: &str,
    f: &NoteForm,
) -> AppResult<Result<(), FieldErrors>> {
    note(conn, actor, contact_id, id)?;
    let body = match check_note(f) {
        Ok(b) => b,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        diesel::update(notes::table.find(id))
            .set(notes::body.eq(&body))
            .execute(tx.conn)?;
        log(
            tx,
            actor,
            "note.updated",
            contact_id,
            serde_json::json!({ "note_id": id }),
        )?;
        Ok(Ok(()))
    })
}

pub fn remove_note(conn: &mut DbConn, actor: &Actor, contact_id: &str, id: &str) -> AppResult<()> {
    note(conn, actor, contact_id, id)?;
    crate::db::tx(conn, |tx| {
        diesel::delete(notes::table.find(id)).execute(tx.conn)?;
        log(
            tx,
            actor,
            "note.removed",
            contact_id,
            serde_json::json!({ "note_id": id }),
        )
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AssignForm {
    pub mentor_id: String,
}

/// Gives the contact to a peer mentor of its association (coordinator or administrator).
pub fn assign_mentor(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    f: &AssignForm,
) -> AppResult<Result<(), FieldErrors>> {
    let c = changeable(conn, actor, contact_id)?;
    if !can_assign(actor) {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let Some(user) = crate::db::parse_id(&f.mentor_id) else {
        errors.add("mentor_id", "people.err_mentor_choice");
        return Ok(Err(errors));
    };
    crate::db::tx(conn, |tx| {
        let mut errors = FieldErrors::new();
        if assignable(tx.conn, &c, Some(&user))?.is_empty() {
            errors.add("mentor_id", "people.err_mentor_choice");
            return Ok(Err(errors));
        }
        let max: Option<i32> = pm::table
            .filter(pm::user_id.eq(&user))
            .filter(pm::organization_id.eq(&org))
            .select(pm::max_contacts)
            .first::<Option<i32>>(tx.conn)
            .optional()?
            .flatten();
        if let Some(max) = max {
            let active: i64 = cm::table
                .inner_join(contacts::table)
                .filter(cm::user_id.eq(&user))
                .filter(cm::ended_at.is_null())
                .filter(contacts::organization_id.eq(&org))
                .count()
                .get_result(tx.conn)?;
            if active >= i64::from(max) {
                errors.add("mentor_id", "people.err_max_contacts");
                return Ok(Err(errors));
            }
        }
        let a = Assignment {
            id: new_id(),
            contact_id: contact_id.to_string(),
            user_id: user.clone(),
            assigned_by: Some(actor.user_id.clone()),
            assigned_at: now(),
            ended_at: None,
        };
        diesel::insert_into(cm::table).values(&a).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "contact.mentor_assigned",
                "contact",
                contact_id,
                serde_json::json!({ "user_id": user, "assignment_id": a.id }),
            ),
        )?;
        Ok(Ok(()))
    })
}

/// Ends an assignment; the row stays as history.
pub fn end_assignment(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    assignment_id: &str,
) -> AppResult<()> {
    changeable(conn, actor, contact_id)?;
    if !can_assign(actor) {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let a: Assignment = cm::table
            .find(assignment_id)
            .filter(cm::contact_id.eq(contact_id))
            .filter(cm::ended_at.is_null())
            .select(Assignment::as_select())
            .first(tx.conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        diesel::update(cm::table.find(assignment_id))
            .set(cm::ended_at.eq(now()))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "contact.mentor_unassigned",
                "contact",
                contact_id,
                serde_json::json!({ "user_id": a.user_id, "assignment_id": a.id }),
            ),
        )?;
        Ok(())
    })
}
