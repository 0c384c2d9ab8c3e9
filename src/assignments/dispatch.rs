//! Dispatch: a coordinator picks an eligible mentor of one of their local associations, fills
//! the details (prefilled from a contact where there is one) and a due date. The details are
//! sealed before the row is written; the row, its first trail entry and the audit entry are one
//! transaction. Nothing personal reaches the audit log or any log line.

use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Deserialize;

use super::keys::KeyStore;
use super::model::*;
use super::service::{details_binding, require_in_use, today};
use crate::access::{Actor, Role};
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    assignment_status_log as log, assignments as asg, contacts, local_associations as la,
    peer_mentors as pm, user_organization_roles as uor, users,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

const PEER_MENTOR: &str = "peer_mentor";

/// The dispatch form. Its personal details are wiped when dropped and never printed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct DispatchForm {
    pub association_id: String,
    pub mentor_id: String,
    pub contact_id: String,
    pub name: SecretString,
    pub address: SecretString,
    pub phone: SecretString,
    pub sensitive_notes: SecretString,
    pub due_on: String,
}

pub const MAX_NAME: usize = 200;
pub const MAX_ADDRESS: usize = 300;
pub const MAX_PHONE: usize = 40;
pub const MAX_NOTES: usize = 4000;

/// The label key of the reason a mentor may not take assignments for lack of a valid approval
/// requirement (`learning::requirements::service::eligible`), or `None`.
pub fn certification_requirement(
    conn: &mut DbConn,
    org: &str,
    mentor_user_id: &str,
) -> QueryResult<Option<&'static str>> {
    Ok(
        (!crate::learning::requirements::service::eligible(conn, org, mentor_user_id)?)
            .then_some("req.ineligible"),
    )
}

/// The associations the coordinator dispatches for (id, name).
pub fn associations(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    actor.require(&[Role::Coordinator])?;
    Ok(la::table
        .filter(la::id.eq_any(actor.associations.clone()))
        .filter(la::is_active.eq(true))
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name))
        .load(conn)?)
}

/// Every peer mentor of the coordinator's associations, each with the reason they cannot take
/// an assignment now, if any: not active, at their maximum of open assignments, or the
/// certification hook's reason.
pub fn candidates(conn: &mut DbConn, actor: &Actor, max_open: i32) -> AppResult<Vec<Candidate>> {
    actor.require(&[Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let grants: Vec<(String, String, String, String, bool)> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .inner_join(la::table.on(la::id.nullable().eq(uor::local_association_id)))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::role_id.eq(PEER_MENTOR))
        .filter(uor::revoked_at.is_null())
        .filter(uor::local_association_id.eq_any(actor.associations.clone()))
        .order((users::name_key.asc(), users::id.asc(), la::name_key.asc()))
        .select((users::id, users::name, la::id, la::name, users::is_active))
        .load(conn)?;
    let ids: Vec<String> = grants.iter().map(|g| g.0.clone()).collect();
    let statuses: std::collections::HashMap<String, String> = pm::table
        .filter(pm::organization_id.eq(&org))
        .filter(pm::user_id.eq_any(ids.clone()))
        .select((pm::user_id, pm::status))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let open: std::collections::HashMap<String, i64> = asg::table
        .filter(asg::organization_id.eq(&org))
        .filter(asg::mentor_id.eq_any(ids))
        .filter(asg::status.eq_any(Status::keys(&Status::OPEN)))
        .group_by(asg::mentor_id)
        .select((asg::mentor_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for (user_id, name, association_id, association_name, user_active) in grants {
        let n = open.get(&user_id).copied().unwrap_or(0);
        let reason = if !user_active || statuses.get(&user_id).map(String::as_str) != Some("active")
        {
            Some("assignments.ineligible_status")
        } else if n >= i64::from(max_open) {
            Some("assignments.ineligible_full")
        } else {
            certification_requirement(conn, &org, &user_id)?
        };
        out.push(Candidate {
            user_id,
            name,
            association_id,
            association_name,
            open: n,
            reason,
        });
    }
    Ok(out)
}

/// A form prefilled from a contact the coordinator may see (name, address, phone and the
/// contact's sensitive notes); an unknown or out-of-scope contact is 404.
pub fn prefill(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: Option<&str>,
) -> AppResult<DispatchForm> {
    let mut f = DispatchForm {
        due_on: (today() + chrono::Duration::days(7)).to_string(),
        ..Default::default()
    };
    if let Some(id) = contact_id {
        let c: crate::people::contacts::model::Contact =
            crate::people::contacts::service::visible_contacts(actor)?
                .filter(contacts::id.eq(id.to_string()))
                .filter(contacts::erased_at.is_null())
                .select(crate::people::contacts::model::Contact::as_select())
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
        f.contact_id = c.id.clone();
        f.association_id = c.local_association_id.clone();
        f.name = c.name.clone().into();
        f.address = c.address().into();
        f.phone = c.phone.clone().unwrap_or_default().into();
        f.sensitive_notes = c.sensitive_notes.clone().unwrap_or_default().into();
    }
    Ok(f)
}

fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &DispatchForm,
    max_open: i32,
) -> AppResult<Result<chrono::NaiveDate, FieldErrors>> {
    let mut errors = FieldErrors::new();
    if !actor.associations.contains(&f.association_id) {
        errors.add("association_id", "assignments.err_association");
    }
    let pick = candidates(conn, actor, max_open)?
        .into_iter()
        .find(|c| c.user_id == f.mentor_id && c.association_id == f.association_id);
    match pick {
        None => errors.add("mentor_id", "assignments.err_mentor"),
        Some(c) if c.reason.is_some() => {
            errors.add("mentor_id", "assignments.err_mentor_ineligible")
        }
        Some(_) => {}
    }
    if !f.contact_id.is_empty() {
        let ok = crate::people::contacts::service::visible_contacts(actor)?
            .filter(contacts::id.eq(f.contact_id.clone()))
            .filter(contacts::local_association_id.eq(f.association_id.clone()))
            .count()
            .get_result::<i64>(conn)?
            == 1;
        if !ok {
            errors.add("association_id", "assignments.err_contact_association");
        }
    }
    let name = f.name.trim();
    if name.is_empty() {
        errors.add("name", "err.required");
    }
    for (field, value, max) in [
        ("name", name, MAX_NAME),
        ("address", f.address.trim(), MAX_ADDRESS),
        ("phone", f.phone.trim(), MAX_PHONE),
        ("sensitive_notes", f.sensitive_notes.trim(), MAX_NOTES),
    ] {
        if value.chars().count() > max {
            errors.add(field, "err.too_long");
        }
    }
    let phone = f.phone.trim();
    if !phone.is_empty() && !crate::web::forms::is_phone(phone) {
        errors.add("phone", "err.phone");
    }
    let due = chrono::NaiveDate::parse_from_str(f.due_on.trim(), "%Y-%m-%d").ok();
    let today = today();
    match due {
        None => errors.add("due_on", "assignments.err_due"),
        Some(d) if d < today || d > today + chrono::Duration::days(366) => {
            errors.add("due_on", "assignments.err_due_range")
        }
        Some(_) => {}
    }
    match due {
        Some(d) if errors.is_empty() => Ok(Ok(d)),
        _ => Ok(Err(errors)),
    }
}

/// Inside the dispatching transaction: locks the mentor's profile row (a no-op UPDATE, which
/// holds a row lock on PostgreSQL until commit and the write lock on SQLite), then counts their
/// open assignments. So two dispatches to the same mentor at once are counted one after the
/// other, and the maximum holds.
pub(crate) fn take_place(
    tx: &mut crate::db::Tx<'_>,
    org: &str,
    mentor: &str,
    max_open: i64,
) -> QueryResult<bool> {
    diesel::update(
        pm::table
            .filter(pm::organization_id.eq(org))
            .filter(pm::user_id.eq(mentor)),
    )
    .set(pm::updated_at.eq(pm::updated_at))
    .execute(tx.conn)?;
    let open: i64 = asg::table
        .filter(asg::organization_id.eq(org))
        .filter(asg::mentor_id.eq(mentor))
        .filter(asg::status.eq_any(Status::keys(&Status::OPEN)))
        .count()
        .get_result(tx.conn)?;
    Ok(open < max_open)
}

/// Dispatches: validates, seals the details, writes the row, its trail entry and the audit
/// entry. Returns the new id.
pub fn dispatch(
    conn: &mut DbConn,
    keys: &KeyStore,
    actor: &Actor,
    f: &DispatchForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::Coordinator])?;
    let settings = require_in_use(conn, actor)?;
    // No association chosen: the mentor's, when they are in only one of the coordinator's.
    let mut filled;
    let f = if f.association_id.is_empty() {
        let theirs: Vec<String> = candidates(conn, actor, settings.max_open_per_mentor)?
            .into_iter()
            .filter(|c| c.user_id == f.mentor_id)
            .map(|c| c.association_id)
            .collect();
        filled = f.clone();
        if let [only] = theirs.as_slice() {
            filled.association_id = only.clone();
        }
        &filled
    } else {
        f
    };
    let due_on = match validate(conn, actor, f, settings.max_open_per_mentor)? {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let org = actor.org()?.to_string();
    let id = new_id();
    let details = Details {
        name: f.name.trim().to_string(),
        address: f.address.trim().to_string(),
        phone: f.phone.trim().to_string(),
        notes: f.sensitive_notes.trim().to_string(),
    };
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(&details).map_err(|e| AppError::Internal(e.into()))?,
    );
    drop(details);
    let sealed = keys
        .seal_record(conn, &plain, &details_binding(&id, &org))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("sealing failed: {e}")))?;
    drop(plain);
    let t = now();
    let row = Assignment {
        id: id.clone(),
        organization_id: org.clone(),
        local_association_id: f.association_id.clone(),
        contact_id: (!f.contact_id.is_empty()).then(|| f.contact_id.clone()),
        mentor_id: f.mentor_id.clone(),
        dispatched_by: actor.user_id.clone(),
        status: Status::Dispatched.key().to_string(),
        due_on,
        key_version: Some(sealed.key_version),
        wrapped_key: Some(sealed.wrapped_key),
        details: Some(sealed.ciphertext),
        dispatched_at: t,
        status_changed_at: t,
        completed_at: None,
        closed_at: None,
        details_erased_at: None,
    };
    let max_open = i64::from(settings.max_open_per_mentor);
    let placed = crate::db::tx(conn, |tx| {
        if !take_place(tx, &org, &row.mentor_id, max_open)? {
            return Ok(false);
        }
        diesel::insert_into(asg::table)
            .values(&row)
            .execute(tx.conn)?;
        diesel::insert_into(log::table)
            .values(StatusEntry {
                id: new_id(),
                assignment_id: id.clone(),
                from_status: None,
                status: Status::Dispatched.key().to_string(),
                reason: None,
                changed_by: Some(actor.user_id.clone()),
                changed_at: t,
            })
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "assignment.dispatched",
                target_type: Some("assignment"),
                target_id: Some(&id),
                detail: Some(serde_json::json!({
                    "mentor": row.mentor_id,
                    "association": row.local_association_id,
                    "due_on": due_on.to_string(),
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        notify_dispatched(tx.conn, &org, &id, &row.mentor_id, due_on)?;
        Ok::<_, diesel::result::Error>(true)
    })?;
    if !placed {
        let mut errors = FieldErrors::new();
        errors.add("mentor_id", "assignments.err_mentor_ineligible");
        return Ok(Err(errors));
    }
    Ok(Ok(id))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ReassignForm {
    pub mentor_id: String,
}

/// The eligible mentors a declined assignment can go to (its own association).
pub fn reassign_choices(
    conn: &mut DbConn,
    actor: &Actor,
    a: &Assignment,
) -> AppResult<Vec<Candidate>> {
    let max = super::service::settings(conn, &a.organization_id)?.max_open_per_mentor;
    Ok(candidates(conn, actor, max)?
        .into_iter()
        .filter(|c| c.association_id == a.local_association_id && c.reason.is_none())
        .collect())
}

/// A declined assignment sent to another mentor by a coordinator of its association: one
/// conditional UPDATE (`WHERE status = 'declined'`), a trail row and an audit entry. The sealed
/// details stay as they are (they are bound to the row, not to the mentor), so nothing is
/// decrypted. `Err` carries the message for the page.
pub fn reassign(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &ReassignForm,
) -> AppResult<Result<(), &'static str>> {
    let (a, side) = super::service::get(conn, actor, id, "reassign")?;
    if side != super::service::Side::Coordinator || a.status() != Status::Declined {
        return Ok(Err("assignments.refused_transition"));
    }
    if !reassign_choices(conn, actor, &a)?
        .iter()
        .any(|c| c.user_id == f.mentor_id)
    {
        return Ok(Err("assignments.err_mentor_ineligible"));
    }
    let max_open =
        i64::from(super::service::settings(conn, &a.organization_id)?.max_open_per_mentor);
    let t = now();
    let outcome = crate::db::tx(conn, |tx| {
        if !take_place(tx, &a.organization_id, &f.mentor_id, max_open)? {
            return Ok(Err("assignments.err_mentor_ineligible"));
        }
        let n = diesel::update(
            asg::table
                .filter(asg::id.eq(&a.id))
                .filter(asg::status.eq(Status::Declined.key())),
        )
        .set((
            asg::mentor_id.eq(&f.mentor_id),
            asg::status.eq(Status::Dispatched.key()),
            asg::status_changed_at.eq(t),
        ))
        .execute(tx.conn)?;
        if n != 1 {
            return Ok(Err("assignments.refused_changed"));
        }
        diesel::insert_into(log::table)
            .values(StatusEntry {
                id: new_id(),
                assignment_id: a.id.clone(),
                from_status: Some(Status::Declined.key().to_string()),
                status: Status::Dispatched.key().to_string(),
                reason: None,
                changed_by: Some(actor.user_id.clone()),
                changed_at: t,
            })
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&a.organization_id),
                actor_user_id: Some(&actor.user_id),
                action: "assignment.reassigned",
                target_type: Some("assignment"),
                target_id: Some(&a.id),
                detail: Some(serde_json::json!({ "from": a.mentor_id, "to": f.mentor_id })),
                ip: actor.ip.as_deref(),
            },
        )?;
        notify_dispatched(tx.conn, &a.organization_id, &a.id, &f.mentor_id, a.due_on)?;
        Ok::<_, diesel::result::Error>(Ok(()))
    })?;
    Ok(outcome)
}

/// Tells the mentor of an assignment sent to them (critical: always, in the app and by mail).
/// The notice names only the due date: the details stay behind the password confirmation.
fn notify_dispatched(
    conn: &mut DbConn,
    org: &str,
    id: &str,
    mentor: &str,
    due_on: chrono::NaiveDate,
) -> diesel::QueryResult<()> {
    crate::notifications::notify(
        conn,
        &crate::notifications::Notice {
            user_id: mentor,
            org_id: Some(org),
            role: Some(crate::access::Role::PeerMentor),
            scenario: "assignment.dispatched",
            subject_kind: "assignment",
            subject_id: id,
            link: format!("/assignments/{id}"),
            params: serde_json::json!({ "due": due_on.format("%-d.%-m.%Y").to_string() }),
        },
    )?;
    Ok(())
}
