//! Rules for peer mentor profiles. Every query is scoped by the actor: a coordinator sees the
//! mentors of their associations, an organization administrator the whole organization;
//! anything else is simply not found.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::people::contacts::model::Contact;
use crate::people::contacts::service::{contact_rows, visible_contacts};
use crate::people::shared::{
    association_names, audit_event, check_len, today, trimmed, user_names, PEER_MENTOR,
};
use crate::schema::{
    contact_mentors as cm, contacts, local_associations as la, peer_mentor_status_log as log,
    peer_mentors as pm, user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// NHF mentors may belong to several local associations, but to no more than this.
pub const MAX_ASSOCIATIONS: i64 = 5;
/// The reason written to the history when a profile is created.
pub const START_REASON: &str = "Startet som likeperson";

// ---------------------------------------------------------------- peer mentor profiles

/// The user's peer mentor profile in the organization, created (active, with its first history
/// entry) when missing. Called wherever a peer mentor grant is created.
pub fn ensure_profile(conn: &mut DbConn, user_id: &str, org_id: &str) -> QueryResult<PeerMentor> {
    if let Some(p) = pm::table
        .filter(pm::user_id.eq(user_id))
        .filter(pm::organization_id.eq(org_id))
        .select(PeerMentor::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(p);
    }
    let t = now();
    let p = PeerMentor {
        id: new_id(),
        user_id: user_id.to_string(),
        organization_id: org_id.to_string(),
        status: "active".into(),
        started_on: today(),
        availability: None,
        languages: None,
        max_contacts: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(pm::table).values(&p).execute(conn)?;
    diesel::insert_into(log::table)
        .values(&StatusLogEntry {
            id: new_id(),
            peer_mentor_id: p.id.clone(),
            status: "active".into(),
            reason: START_REASON.into(),
            changed_by: None,
            changed_at: t,
        })
        .execute(conn)?;
    Ok(p)
}

/// The status of the user's peer mentor profile in the organization (`None` without one).
pub fn status_of(conn: &mut DbConn, user_id: &str, org_id: &str) -> QueryResult<Option<String>> {
    pm::table
        .filter(pm::user_id.eq(user_id))
        .filter(pm::organization_id.eq(org_id))
        .select(pm::status)
        .first(conn)
        .optional()
}

/// How many associations the user is an active peer mentor of in the organization.
pub fn association_count(conn: &mut DbConn, user_id: &str, org_id: &str) -> QueryResult<i64> {
    uor::table
        .filter(uor::user_id.eq(user_id))
        .filter(uor::organization_id.eq(org_id))
        .filter(uor::role_id.eq(PEER_MENTOR))
        .filter(uor::revoked_at.is_null())
        .count()
        .get_result(conn)
}

type MentorJoin = diesel::dsl::InnerJoin<pm::table, users::table>;
type MentorQuery = diesel::dsl::IntoBoxed<'static, MentorJoin, DbConnBackend>;

/// Profiles (with their users) the actor may see: a coordinator those with an active peer
/// mentor grant in one of their associations, an organization administrator every profile of
/// the organization.
fn mentor_scope(actor: &Actor) -> AppResult<MentorQuery> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut q = pm::table
        .inner_join(users::table)
        .filter(pm::organization_id.eq(org.clone()))
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(
            pm::user_id.eq_any(
                uor::table
                    .filter(uor::organization_id.eq(org))
                    .filter(uor::role_id.eq(PEER_MENTOR))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::local_association_id.eq_any(actor.associations.clone()))
                    .select(uor::user_id),
            ),
        );
    }
    Ok(q)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MentorFilter {
    pub q: String,
    pub status: String,
    pub page: Option<i64>,
}

impl MentorFilter {
    /// The query string without the page, ending in `&` (for pagination links).
    pub fn base(&self) -> String {
        let mut s = String::from("/mentors?");
        for (k, v) in [("q", &self.q), ("status", &self.status)] {
            if !v.is_empty() {
                s.push_str(&format!("{k}={}&", crate::web::urlencode(v)));
            }
        }
        s
    }
}

fn filtered_mentors(actor: &Actor, f: &MentorFilter) -> AppResult<MentorQuery> {
    let mut q = mentor_scope(actor)?;
    if STATUSES.contains(&f.status.as_str()) {
        q = q.filter(pm::status.eq(f.status.clone()));
    }
    if !f.q.trim().is_empty() {
        let p = forms::like_contains(&f.q);
        q = q.filter(
            users::name_key
                .like(p.clone())
                .escape('\\')
                .or(users::email.like(p).escape('\\')),
        );
    }
    Ok(q)
}

pub fn mentors(conn: &mut DbConn, actor: &Actor, f: &MentorFilter) -> AppResult<PageOf<MentorRow>> {
    let org = actor.org()?.to_string();
    let paging = Paging::new(f.page, 25);
    let total: i64 = filtered_mentors(actor, f)?.count().get_result(conn)?;
    let rows: Vec<(PeerMentor, String, String)> = filtered_mentors(actor, f)?
        .order((users::name.asc(), pm::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((PeerMentor::as_select(), users::name, users::email))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.user_id.clone()).collect();
    let counts: HashMap<String, i64> = cm::table
        .inner_join(contacts::table)
        .filter(cm::user_id.eq_any(ids))
        .filter(cm::ended_at.is_null())
        .filter(contacts::organization_id.eq(&org))
        .group_by(cm::user_id)
        .select((cm::user_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(paging.page_of(
        rows.into_iter()
            .map(|(mentor, name, email)| MentorRow {
                active_contacts: counts.get(&mentor.user_id).copied().unwrap_or(0),
                mentor,
                name,
                email,
            })
            .collect(),
        total,
    ))
}

/// A profile the actor may see, or 404.
pub fn mentor(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<PeerMentor> {
    mentor_scope(actor)?
        .filter(pm::id.eq(id.to_string()))
        .select(PeerMentor::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn mentor_detail(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<MentorDetail> {
    let mentor = mentor(conn, actor, id)?;
    let (name, email): (String, String) = users::table
        .find(&mentor.user_id)
        .select((users::name, users::email))
        .first(conn)?;
    let associations: Vec<String> = uor::table
        .inner_join(la::table)
        .filter(uor::user_id.eq(&mentor.user_id))
        .filter(uor::organization_id.eq(&mentor.organization_id))
        .filter(uor::role_id.eq(PEER_MENTOR))
        .filter(uor::revoked_at.is_null())
        .order(la::name_key.asc())
        .select(la::name)
        .load(conn)?;
    let assigned: Vec<Contact> = visible_contacts(actor)?
        .filter(
            contacts::id.eq_any(
                cm::table
                    .filter(cm::user_id.eq(mentor.user_id.clone()))
                    .filter(cm::ended_at.is_null())
                    .select(cm::contact_id),
            ),
        )
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .select(Contact::as_select())
        .load(conn)?;
    let contacts = contact_rows(conn, assigned)?;
    let entries: Vec<StatusLogEntry> = log::table
        .filter(log::peer_mentor_id.eq(&mentor.id))
        .order((log::changed_at.desc(), log::id.desc()))
        .select(StatusLogEntry::as_select())
        .load(conn)?;
    let names = user_names(
        conn,
        entries
            .iter()
            .filter_map(|e| e.changed_by.clone())
            .collect(),
    )?;
    let history = entries
        .into_iter()
        .map(|entry| HistoryRow {
            by_name: entry
                .changed_by
                .as_ref()
                .and_then(|u| names.get(u).cloned()),
            entry,
        })
        .collect();
    Ok(MentorDetail {
        mentor,
        name,
        email,
        associations,
        contacts,
        history,
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    pub reason: String,
}

/// Changes a mentor's status with a reason: the profile, the immutable history and the audit
/// log change together.
pub fn change_status(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &StatusForm,
) -> AppResult<Result<(), FieldErrors>> {
    let current = mentor(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let reason = crate::web::forms::fold_whitespace(&f.reason);
    if !STATUSES.contains(&f.status.as_str()) {
        errors.add("status", "err.choice");
    } else if f.status == current.status {
        errors.add("status", "people.err_same_status");
    }
    if reason.is_empty() {
        errors.add("reason", "people.err_reason_required");
    }
    check_len(&mut errors, "reason", &reason, 500);
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
    crate::db::tx(conn, |tx| {
        let t = now();
        diesel::update(pm::table.find(id))
            .set((pm::status.eq(&f.status), pm::updated_at.eq(t)))
            .execute(tx.conn)?;
        diesel::insert_into(log::table)
            .values(&StatusLogEntry {
                id: new_id(),
                peer_mentor_id: id.to_string(),
                status: f.status.clone(),
                reason: reason.clone(),
                changed_by: Some(actor.user_id.clone()),
                changed_at: t,
            })
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "peer_mentor.status_changed",
                "peer_mentor",
                id,
                serde_json::json!({
                    "user_id": current.user_id,
                    "from": current.status,
                    "to": f.status,
                    "reason": reason,
                }),
            ),
        )?;
        Ok(Ok(()))
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProfileForm {
    pub availability: String,
    pub languages: String,
    pub max_contacts: String,
}

impl ProfileForm {
    pub fn from(p: &PeerMentor) -> ProfileForm {
        ProfileForm {
            availability: p.availability.clone().unwrap_or_default(),
            languages: p.languages.clone().unwrap_or_default(),
            max_contacts: p.max_contacts.map(|m| m.to_string()).unwrap_or_default(),
        }
    }
}

pub fn update_profile(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &ProfileForm,
) -> AppResult<Result<(), FieldErrors>> {
    mentor(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let availability = trimmed(&f.availability);
    let languages = trimmed(&f.languages);
    check_len(
        &mut errors,
        "availability",
        availability.as_deref().unwrap_or(""),
        500,
    );
    check_len(
        &mut errors,
        "languages",
        languages.as_deref().unwrap_or(""),
        200,
    );
    let max_contacts = match f.max_contacts.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(n) if (0..=100).contains(&n) => Some(n),
            _ => {
                errors.add("max_contacts", "people.err_max_contacts_range");
                None
            }
        },
    };
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
    crate::db::tx(conn, |tx| {
        diesel::update(pm::table.find(id))
            .set((
                pm::availability.eq(&availability),
                pm::languages.eq(&languages),
                pm::max_contacts.eq(max_contacts),
                pm::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "peer_mentor.updated",
                "peer_mentor",
                id,
                serde_json::json!({ "max_contacts": max_contacts }),
            ),
        )?;
        Ok(Ok(()))
    })
}

/// The events of the actor's scope the mentor signed up for, newest first, a page at a time
/// (a coordinator sees those of their associations).
pub fn mentor_events(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    page: Option<i64>,
) -> AppResult<PageOf<MentorEvent>> {
    use crate::schema::{event_attendees as ea, events as ev};
    let mentor = mentor(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let paging = Paging::new(page, 10);
    let scoped = || {
        let mut q = ea::table
            .inner_join(ev::table)
            .filter(ea::user_id.eq(mentor.user_id.clone()))
            .filter(ev::organization_id.eq(org.clone()))
            .into_boxed();
        if !actor.sees_whole_org() {
            q = q.filter(ev::local_association_id.eq_any(actor.associations.clone()));
        }
        q
    };
    let total: i64 = scoped().count().get_result(conn)?;
    type Row = (
        String,
        String,
        chrono::NaiveDateTime,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = scoped()
        .order((ev::starts_at.desc(), ev::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            ev::id,
            ev::title,
            ev::starts_at,
            ev::local_association_id,
            ev::status,
            ea::status,
        ))
        .load(conn)?;
    let names = association_names(conn, rows.iter().map(|r| r.3.clone()).collect())?;
    Ok(paging.page_of(
        rows.into_iter()
            .map(
                |(id, title, starts_at, assoc, event_status, attendance)| MentorEvent {
                    id,
                    title,
                    starts_at,
                    association_name: names.get(&assoc).cloned().unwrap_or_default(),
                    event_status,
                    attendance,
                },
            )
            .collect(),
        total,
    ))
}
