//! Rules for peer mentors and contacts. Every query is scoped by the actor: a peer mentor sees the
//! contacts assigned to them, a coordinator those of their associations, an organization
//! administrator the whole organization; anything else is simply not found.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count_star, not};
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::schema::{
    caregivers, contact_mentors as cm, contacts, local_associations as la, notes,
    peer_mentor_status_log as log, peer_mentors as pm, user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// NHF mentors may belong to several local associations, but to no more than this.
pub const MAX_ASSOCIATIONS: i64 = 5;
/// The reason written to the history when a profile is created.
pub const START_REASON: &str = "Startet som likeperson";
const PEER_MENTOR: &str = "peer_mentor";

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
}

fn audit_event<'a>(
    actor: &'a Actor,
    org: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    detail: serde_json::Value,
) -> Event<'a> {
    Event {
        organization_id: Some(org),
        actor_user_id: Some(&actor.user_id),
        action,
        target_type: Some(target_type),
        target_id: Some(target_id),
        detail: Some(detail),
        ip: actor.ip.as_deref(),
    }
}

/// Names of users by id.
fn user_names(conn: &mut DbConn, ids: Vec<String>) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

fn association_names(conn: &mut DbConn, ids: Vec<String>) -> QueryResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(la::table
        .filter(la::id.eq_any(ids))
        .select((la::id, la::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

fn check_len(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.add(field, "err.too_long");
    }
}

fn trimmed(s: &str) -> Option<String> {
    forms::opt(&Some(s.to_string()))
}

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
            lower(users::name)
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
    Ok(PageOf {
        rows: rows
            .into_iter()
            .map(|(mentor, name, email)| MentorRow {
                active_contacts: counts.get(&mentor.user_id).copied().unwrap_or(0),
                mentor,
                name,
                email,
            })
            .collect(),
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
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
    let contacts = with_association_names(conn, assigned)?;
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

// ---------------------------------------------------------------- contacts

/// Contacts the actor may see.
fn visible_contacts(actor: &Actor) -> AppResult<contacts::BoxedQuery<'static, DbConnBackend>> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut q = contacts::table
        .filter(contacts::organization_id.eq(org))
        .into_boxed();
    match actor.role() {
        Role::PeerMentor => {
            q = q.filter(
                contacts::id.eq_any(
                    cm::table
                        .filter(cm::user_id.eq(actor.user_id.clone()))
                        .filter(cm::ended_at.is_null())
                        .select(cm::contact_id),
                ),
            )
        }
        Role::Coordinator => {
            q = q.filter(contacts::local_association_id.eq_any(actor.associations.clone()))
        }
        _ => {}
    }
    Ok(q)
}

fn with_association_names(conn: &mut DbConn, rows: Vec<Contact>) -> QueryResult<Vec<ContactRow>> {
    let names = association_names(
        conn,
        rows.iter()
            .map(|c| c.local_association_id.clone())
            .collect(),
    )?;
    Ok(rows
        .into_iter()
        .map(|contact| ContactRow {
            association_name: names
                .get(&contact.local_association_id)
                .cloned()
                .unwrap_or_default(),
            contact,
        })
        .collect())
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ContactFilter {
    pub q: String,
    pub page: Option<i64>,
}

impl ContactFilter {
    pub fn base(&self) -> String {
        if self.q.is_empty() {
            "/contacts?".into()
        } else {
            format!("/contacts?q={}&", crate::web::urlencode(&self.q))
        }
    }
}

/// Digits only, without Norway's country code: how phone numbers are compared.
pub fn phone_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("0047").filter(|r| r.len() == 8) {
        return rest.to_string();
    }
    match digits.strip_prefix("47") {
        Some(rest) if rest.len() == 8 => rest.to_string(),
        _ => digits,
    }
}

fn filtered_contacts(
    actor: &Actor,
    f: &ContactFilter,
) -> AppResult<contacts::BoxedQuery<'static, DbConnBackend>> {
    let mut q = visible_contacts(actor)?;
    if !f.q.trim().is_empty() {
        let name = forms::like_contains(&f.q);
        let digits = phone_key(&f.q);
        if digits.len() >= 3 {
            q = q.filter(
                contacts::name_key
                    .like(name)
                    .escape('\\')
                    .or(contacts::phone_key.like(format!("%{digits}%"))),
            );
        } else {
            q = q.filter(contacts::name_key.like(name).escape('\\'));
        }
    }
    Ok(q)
}

pub fn contacts(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ContactFilter,
) -> AppResult<PageOf<ContactRow>> {
    let paging = Paging::new(f.page, 25);
    let total: i64 = filtered_contacts(actor, f)?.count().get_result(conn)?;
    let rows: Vec<Contact> = filtered_contacts(actor, f)?
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Contact::as_select())
        .load(conn)?;
    Ok(PageOf {
        rows: with_association_names(conn, rows)?,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// A contact the actor may see, or 404.
pub fn contact(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Contact> {
    visible_contacts(actor)?
        .filter(contacts::id.eq(id.to_string()))
        .select(Contact::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A contact for its edit form, which shows the sensitive notes: that read is audit-logged.
pub fn contact_for_edit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Contact> {
    let c = contact(conn, actor, id)?;
    if c.sensitive_notes.is_some() {
        let org = actor.org()?.to_string();
        crate::db::tx(conn, |tx| {
            audit::append(
                tx,
                audit_event(
                    actor,
                    &org,
                    "contact.sensitive_read",
                    "contact",
                    id,
                    serde_json::json!({ "shown": ["sensitive_notes"], "page": "edit" }),
                ),
            )
        })?;
    }
    Ok(c)
}

/// The associations the actor may put a contact in: (id, name).
pub fn association_choices(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?;
    let mut q = la::table
        .filter(la::organization_id.eq(org.to_string()))
        .filter(la::is_active.eq(true))
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(la::id.eq_any(actor.associations.clone()));
    }
    Ok(q.order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?)
}

/// The choices of a contact form: the actor's associations, plus the edited contact's own.
pub fn form_choices(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: Option<&str>,
) -> AppResult<Vec<(String, String)>> {
    let mut choices = association_choices(conn, actor)?;
    if let Some(id) = contact_id {
        let c = contact(conn, actor, id)?;
        if !choices.iter().any(|(a, _)| *a == c.local_association_id) {
            let name: String = la::table
                .find(&c.local_association_id)
                .select(la::name)
                .first(conn)?;
            choices.push((c.local_association_id, name));
        }
    }
    Ok(choices)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub birth_year: String,
    pub phone: String,
    pub email: String,
    pub municipality: String,
    pub interest_group: String,
    pub sensitive_notes: String,
    pub association_id: String,
    pub consent_given: Option<String>,
    pub consent_on: String,
    pub create_anyway: Option<String>,
}

impl ContactForm {
    pub fn from(c: &Contact) -> ContactForm {
        ContactForm {
            name: c.name.clone(),
            birth_year: c.birth_year_text(),
            phone: c.phone.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            municipality: c.municipality.clone().unwrap_or_default(),
            interest_group: c.interest_group.clone().unwrap_or_default(),
            sensitive_notes: c.sensitive_notes.clone().unwrap_or_default(),
            association_id: c.local_association_id.clone(),
            consent_given: c.consent_given.then(|| "on".into()),
            consent_on: c
                .consent_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            create_anyway: None,
        }
    }
}

/// Checks a contact form; `allowed` are the associations that may be chosen.
fn check_contact(f: &ContactForm, allowed: &[String]) -> Result<ContactChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = crate::web::forms::fold_whitespace(&f.name);
    if name.is_empty() {
        errors.add("name", "err.required");
    }
    check_len(&mut errors, "name", &name, 200);
    let this_year = today().year();
    let birth_year = match f.birth_year.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(y) if (1900..=this_year).contains(&y) => Some(y),
            _ => {
                errors.add("birth_year", "people.err_birth_year");
                None
            }
        },
    };
    let phone = trimmed(&f.phone);
    if let Some(p) = &phone {
        if !forms::is_phone(p) {
            errors.add("phone", "err.phone");
        }
    }
    let email = trimmed(&f.email).map(|e| e.to_lowercase());
    if let Some(e) = &email {
        if !forms::is_email(e) {
            errors.add("email", "err.email");
        }
    }
    let municipality = trimmed(&f.municipality);
    check_len(
        &mut errors,
        "municipality",
        municipality.as_deref().unwrap_or(""),
        100,
    );
    let interest_group = trimmed(&f.interest_group);
    check_len(
        &mut errors,
        "interest_group",
        interest_group.as_deref().unwrap_or(""),
        100,
    );
    let sensitive_notes = trimmed(&f.sensitive_notes);
    check_len(
        &mut errors,
        "sensitive_notes",
        sensitive_notes.as_deref().unwrap_or(""),
        5000,
    );
    let association = crate::db::parse_id(&f.association_id).filter(|a| allowed.contains(a));
    if association.is_none() {
        errors.add("association_id", "people.err_association");
    }
    let consent_given = f.consent_given.is_some();
    let consent_on = if consent_given {
        match NaiveDate::parse_from_str(f.consent_on.trim(), "%Y-%m-%d") {
            Ok(d) if d <= today() && d.year_ce().1 >= 1900 => Some(d),
            Ok(_) => {
                errors.add("consent_on", "people.err_consent_future");
                None
            }
            Err(_) => {
                errors.add("consent_on", "people.err_consent_date");
                None
            }
        }
    } else {
        None
    };
    errors.into_result()?;
    Ok(ContactChanges {
        local_association_id: association.unwrap_or_default(),
        name_key: forms::search_key(&name),
        name,
        birth_year,
        phone_key: phone.as_deref().map(phone_key),
        phone,
        email,
        municipality,
        interest_group,
        sensitive_notes,
        consent_given,
        consent_on,
        updated_at: now(),
    })
}

/// Why a new contact was not saved.
#[derive(Debug)]
pub enum Refused {
    Invalid(FieldErrors),
    /// Possible duplicates; the form may be sent again with "create anyway".
    Duplicates(Vec<Duplicate>),
}

/// Contacts of the organization with the same name and birth year, or the same phone.
fn duplicates(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    c: &ContactChanges,
) -> AppResult<Vec<Duplicate>> {
    let mut found: Vec<(String, String, String)> = Vec::new();
    if let Some(year) = c.birth_year {
        found.extend(
            contacts::table
                .filter(contacts::organization_id.eq(org))
                .filter(contacts::name_key.eq(&c.name_key))
                .filter(contacts::birth_year.eq(year))
                .select((contacts::id, contacts::name, contacts::local_association_id))
                .limit(10)
                .load::<(String, String, String)>(conn)?,
        );
    }
    if let Some(key) = c.phone_key.as_ref().filter(|k| !k.is_empty()) {
        for row in contacts::table
            .filter(contacts::organization_id.eq(org))
            .filter(contacts::phone_key.eq(key))
            .select((contacts::id, contacts::name, contacts::local_association_id))
            .limit(10)
            .load::<(String, String, String)>(conn)?
        {
            if !found.iter().any(|f| f.0 == row.0) {
                found.push(row);
            }
        }
    }
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = found.iter().map(|f| f.0.clone()).collect();
    let visible: Vec<String> = visible_contacts(actor)?
        .filter(contacts::id.eq_any(ids))
        .select(contacts::id)
        .load(conn)?;
    let names = association_names(conn, found.iter().map(|f| f.2.clone()).collect())?;
    let mut out: Vec<Duplicate> = found
        .into_iter()
        .map(|(id, name, assoc)| Duplicate {
            visible: visible.contains(&id).then(|| {
                (
                    id.clone(),
                    name,
                    names.get(&assoc).cloned().unwrap_or_default(),
                )
            }),
        })
        .collect();
    // Those the actor may open first.
    out.sort_by_key(|d| d.visible.is_none());
    Ok(out)
}

/// Creates a contact: validated, checked for duplicates (unless "create anyway"), and assigned
/// to the creating peer mentor. Returns the new id.
pub fn create_contact(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ContactForm,
) -> AppResult<Result<String, Refused>> {
    let org = actor.org()?.to_string();
    let allowed: Vec<String> = association_choices(conn, actor)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let changes = match check_contact(f, &allowed) {
        Ok(c) => c,
        Err(e) => return Ok(Err(Refused::Invalid(e))),
    };
    if f.create_anyway.is_none() {
        let dups = duplicates(conn, actor, &org, &changes)?;
        if !dups.is_empty() {
            return Ok(Err(Refused::Duplicates(dups)));
        }
    }
    crate::db::tx(conn, |tx| {
        let t = now();
        let c = Contact {
            id: new_id(),
            organization_id: org.clone(),
            local_association_id: changes.local_association_id.clone(),
            name: changes.name.clone(),
            name_key: changes.name_key.clone(),
            birth_year: changes.birth_year,
            phone: changes.phone.clone(),
            phone_key: changes.phone_key.clone(),
            email: changes.email.clone(),
            municipality: changes.municipality.clone(),
            interest_group: changes.interest_group.clone(),
            sensitive_notes: changes.sensitive_notes.clone(),
            consent_given: changes.consent_given,
            consent_on: changes.consent_on,
            is_active: true,
            created_by: Some(actor.user_id.clone()),
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(contacts::table)
            .values(&c)
            .execute(tx.conn)?;
        if actor.role() == Role::PeerMentor {
            diesel::insert_into(cm::table)
                .values(&Assignment {
                    id: new_id(),
                    contact_id: c.id.clone(),
                    user_id: actor.user_id.clone(),
                    assigned_by: Some(actor.user_id.clone()),
                    assigned_at: t,
                    ended_at: None,
                })
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "contact.created",
                "contact",
                &c.id,
                serde_json::json!({
                    "local_association_id": c.local_association_id,
                    "duplicate_warning_overridden": f.create_anyway.is_some(),
                }),
            ),
        )?;
        Ok(Ok(c.id))
    })
}

pub fn update_contact(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &ContactForm,
) -> AppResult<Result<(), FieldErrors>> {
    let current = contact(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let mut allowed: Vec<String> = association_choices(conn, actor)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    // A contact may stay where it is even when that association is outside the choices.
    allowed.push(current.local_association_id.clone());
    let changes = match check_contact(f, &allowed) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        diesel::update(contacts::table.find(id))
            .set(&changes)
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "contact.updated",
                "contact",
                id,
                serde_json::json!({
                    "local_association_id": changes.local_association_id,
                    "association_changed": changes.local_association_id != current.local_association_id,
                }),
            ),
        )?;
        Ok(Ok(()))
    })
}

fn assignments(conn: &mut DbConn, contact_id: &str) -> QueryResult<Vec<AssignmentRow>> {
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
fn assignable(
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

fn can_assign(actor: &Actor) -> bool {
    matches!(actor.role(), Role::Coordinator | Role::OrgAdmin)
}

/// The contact page's data. Showing sensitive notes or caregiver details is audit-logged.
pub fn contact_detail(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ContactDetail> {
    let contact = contact(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let association_name: String = la::table
        .find(&contact.local_association_id)
        .select(la::name)
        .first(conn)?;
    let (mentors, past_mentors): (Vec<_>, Vec<_>) = assignments(conn, id)?
        .into_iter()
        .partition(|a| a.assignment.ended_at.is_none());
    let caregivers: Vec<Caregiver> = caregivers::table
        .filter(caregivers::contact_id.eq(id))
        .order((caregivers::created_at.asc(), caregivers::id.asc()))
        .select(Caregiver::as_select())
        .load(conn)?;
    let notes: Vec<NoteRow> = notes::table
        .inner_join(users::table)
        .filter(notes::contact_id.eq(id))
        .order((notes::created_at.desc(), notes::id.desc()))
        .select((Note::as_select(), users::name))
        .load::<(Note, String)>(conn)?
        .into_iter()
        .map(|(note, author_name)| NoteRow { note, author_name })
        .collect();
    let can_assign = can_assign(actor);
    let mentor_choices = if can_assign {
        assignable(conn, &contact, None)?
    } else {
        Vec::new()
    };
    if contact.sensitive_notes.is_some() || !caregivers.is_empty() {
        let shown: Vec<&str> = [
            (contact.sensitive_notes.is_some(), "sensitive_notes"),
            (!caregivers.is_empty(), "caregivers"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, what)| *what)
        .collect();
        crate::db::tx(conn, |tx| {
            audit::append(
                tx,
                audit_event(
                    actor,
                    &org,
                    "contact.sensitive_read",
                    "contact",
                    id,
                    serde_json::json!({ "shown": shown }),
                ),
            )
        })?;
    }
    Ok(ContactDetail {
        contact,
        association_name,
        mentors,
        past_mentors,
        caregivers,
        notes,
        mentor_choices,
        can_assign,
    })
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

pub fn add_caregiver(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    f: &CaregiverForm,
) -> AppResult<Result<(), FieldErrors>> {
    contact(conn, actor, contact_id)?;
    let org = actor.org()?.to_string();
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
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
    crate::db::tx(conn, |tx| {
        let t = now();
        let c = Caregiver {
            id: new_id(),
            contact_id: contact_id.to_string(),
            name: name.clone(),
            relation: relation.clone(),
            phone: phone.clone(),
            email: email.clone(),
            may_contact: f.cg_may_contact.is_some(),
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(caregivers::table)
            .values(&c)
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "caregiver.added",
                "contact",
                contact_id,
                serde_json::json!({ "caregiver_id": c.id }),
            ),
        )?;
        Ok(Ok(()))
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct NoteForm {
    pub body: String,
}

pub fn add_note(
    conn: &mut DbConn,
    actor: &Actor,
    contact_id: &str,
    f: &NoteForm,
) -> AppResult<Result<(), FieldErrors>> {
    contact(conn, actor, contact_id)?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let body = f.body.trim().to_string();
    if body.is_empty() {
        errors.add("body", "err.required");
    }
    check_len(&mut errors, "body", &body, 5000);
    if let Err(e) = errors.into_result() {
        return Ok(Err(e));
    }
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
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "note.added",
                "contact",
                contact_id,
                serde_json::json!({ "note_id": n.id }),
            ),
        )?;
        Ok(Ok(()))
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
    let c = contact(conn, actor, contact_id)?;
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
    contact(conn, actor, contact_id)?;
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
