//! Rules for contacts. Every query is scoped by the actor: a peer mentor sees the contacts
//! assigned to them, a coordinator those of their associations, an organization administrator
//! the whole organization; anything else is simply not found.

use chrono::{Datelike, NaiveDate};
use diesel::dsl::not;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::people::care::model::*;
use crate::people::care::service::{assignable, assignments, can_assign, may_change_note};
use crate::people::shared::{association_names, audit_event, check_len, today, trimmed};
use crate::schema::{
    activities as act, caregivers, contact_mentors as cm, contacts, local_associations as la,
    notes, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// Contacts the actor may see.
pub(crate) fn visible_contacts(
    actor: &Actor,
) -> AppResult<contacts::BoxedQuery<'static, DbConnBackend>> {
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

/// List rows: each contact with its association, its assigned mentors and the date of its
/// latest activity (three queries for the page, by primary key and the activities' contact
/// index).
pub(crate) fn contact_rows(conn: &mut DbConn, rows: Vec<Contact>) -> QueryResult<Vec<ContactRow>> {
    use std::collections::HashMap;
    let names = association_names(
        conn,
        rows.iter()
            .map(|c| c.local_association_id.clone())
            .collect(),
    )?;
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let mut mentors: HashMap<String, Vec<String>> = HashMap::new();
    for (contact, name) in cm::table
        .inner_join(users::table.on(users::id.eq(cm::user_id)))
        .filter(cm::contact_id.eq_any(ids.clone()))
        .filter(cm::ended_at.is_null())
        .order((users::name.asc(), users::id.asc()))
        .select((cm::contact_id, users::name))
        .load::<(String, String)>(conn)?
    {
        mentors.entry(contact).or_default().push(name);
    }
    // Each contact's latest activity is the first row of its own index range (backward on
    // `idx_activities_contact_date`), all of them one statement: a `GROUP BY` over `IN (...)`
    // read every activity of the page's contacts, and its generic plan scanned the
    // organization's figures index instead.
    let mut latest = crate::db::UnionAll::default();
    for id in ids {
        latest.push_limited(
            act::table
                .filter(act::contact_id.eq(id))
                .filter(act::status.eq("registered"))
                .order((act::occurred_on.desc(), act::id.desc()))
                .select((act::contact_id.assume_not_null(), act::occurred_on)),
            1,
        );
    }
    let last: HashMap<String, NaiveDate> = if latest.is_empty() {
        HashMap::new()
    } else {
        latest
            .load::<(String, NaiveDate)>(conn)?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|contact| ContactRow {
            association_name: names
                .get(&contact.local_association_id)
                .cloned()
                .unwrap_or_default(),
            mentors: mentors.remove(&contact.id).unwrap_or_default(),
            last_activity: last.get(&contact.id).copied(),
            contact,
        })
        .collect())
}

/// Days without activity after which a contact counts as not reached.
pub const QUIET_DAYS: i64 = 30;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ContactFilter {
    pub q: String,
    /// "" (open contacts), "closed" or "all".
    pub status: String,
    /// "none": contacts without an assigned mentor.
    pub mentor: String,
    /// "quiet": contacts without an activity in the last `QUIET_DAYS` days.
    pub activity: String,
    pub page: Option<i64>,
}

impl ContactFilter {
    /// The query string without the page, ending in `?` or `&` (for pagination links).
    pub fn base(&self) -> String {
        let mut s = String::from("/contacts?");
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("mentor", &self.mentor),
            ("activity", &self.activity),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("{k}={}&", crate::web::urlencode(v)));
            }
        }
        s
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
    match f.status.as_str() {
        "all" => {}
        "closed" => q = q.filter(contacts::is_active.eq(false)),
        _ => q = q.filter(contacts::is_active.eq(true)),
    }
    if f.mentor == "none" {
        q = q.filter(not(contacts::id.eq_any(
            cm::table
                .filter(cm::ended_at.is_null())
                .select(cm::contact_id),
        )));
    }
    if f.activity == "quiet" {
        // The organization's activities of the last days: one range of its date index.
        let since = today() - chrono::Duration::days(QUIET_DAYS);
        q = q.filter(not(contacts::id.nullable().eq_any(
            act::table
                .filter(act::organization_id.eq(actor.org()?.to_string()))
                .filter(act::occurred_on.ge(since))
                .filter(act::status.eq("registered"))
                .filter(act::contact_id.is_not_null())
                .select(act::contact_id),
        )));
    }
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
    Ok(paging.page_of(contact_rows(conn, rows)?, total))
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

/// A contact the actor may change: one they see that is not erased (nothing is left to change),
/// or 404.
pub fn changeable(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Contact> {
    let c = contact(conn, actor, id)?;
    if c.is_erased() {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// A contact for its edit form, which shows the sensitive notes: that read is audit-logged.
pub fn contact_for_edit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Contact> {
    let c = changeable(conn, actor, id)?;
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
    pub street_address: String,
    pub postal_code: String,
    pub postal_place: String,
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
            street_address: c.street_address.clone().unwrap_or_default(),
            postal_code: c.postal_code.clone().unwrap_or_default(),
            postal_place: c.postal_place.clone().unwrap_or_default(),
            create_anyway: None,
        }
    }
}

/// Checks a contact form; `allowed` are the associations that may be chosen.
pub(crate) fn check_contact(
    f: &ContactForm,
    allowed: &[String],
) -> Result<ContactChanges, FieldErrors> {
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
    let street_address = trimmed(&f.street_address);
    check_len(
        &mut errors,
        "street_address",
        street_address.as_deref().unwrap_or(""),
        200,
    );
    let postal_code = trimmed(&f.postal_code);
    if postal_code
        .as_deref()
        .is_some_and(|p| p.len() != 4 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        errors.add("postal_code", "people.err_postal_code");
    }
    let postal_place = trimmed(&f.postal_place);
    check_len(
        &mut errors,
        "postal_place",
        postal_place.as_deref().unwrap_or(""),
        100,
    );
    let consent_given = f.consent_given.is_some();
    let consent_on = if consent_given && f.consent_on.trim().is_empty() {
        // Ticked without a date: consent is given today.
        Some(today())
    } else if consent_given {
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
        street_address,
        postal_code,
        postal_place,
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
            street_address: changes.street_address.clone(),
            postal_code: changes.postal_code.clone(),
            postal_place: changes.postal_place.clone(),
            erased_at: None,
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
    let current = changeable(conn, actor, id)?;
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
        .map(|(note, author_name)| NoteRow {
            can_change: may_change_note(actor, &note),
            note,
            author_name,
        })
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
    // With assignments on, "assign a mentor" leads a coordinator to dispatch (issue 12).
    let can_dispatch = actor.role() == Role::Coordinator
        && contact.is_active
        && !contact.is_erased()
        && crate::assignments::service::settings(conn, &org)?.enabled;
    Ok(ContactDetail {
        contact,
        association_name,
        mentors,
        past_mentors,
        caregivers,
        notes,
        mentor_choices,
        can_assign,
        can_dispatch,
        can_close: super::lifecycle::may_close(actor),
    })
}
