//! The rules for activity types and activities. Every query is scoped by the actor: a peer
//! mentor sees their own activities, a coordinator those of their associations, an organization
//! administrator the organization's; anything else is not found.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;

use super::bufdir;
use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::schema::{
    activities as act, activity_types as at, contact_mentors as cm, contacts,
    local_associations as la, peer_mentors as pm, user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

#[diesel::declare_sql_function]
extern "SQL" {
    #[sql_name = "lower"]
    fn lower_opt(
        x: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Today's date in Norway.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Oslo)
        .date_naive()
}

/// Activities can be registered, edited and cancelled while their year is open: the current
/// year, and the previous one until the end of January (when the yearly report is made).
pub fn is_open(date: NaiveDate, today: NaiveDate) -> bool {
    date <= today
        && (date.year() == today.year() || (date.year() + 1 == today.year() && today.month() == 1))
}

// ---------------------------------------------------------------- activity types

pub fn all_types(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<ActivityType>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(at::table
        .filter(at::organization_id.eq(actor.org()?))
        .order((
            at::is_active.desc(),
            at::sort_order.asc(),
            at::name_key.asc(),
        ))
        .select(ActivityType::as_select())
        .load(conn)?)
}

pub fn active_types(conn: &mut DbConn, org: &str) -> QueryResult<Vec<ActivityType>> {
    at::table
        .filter(at::organization_id.eq(org))
        .filter(at::is_active.eq(true))
        .order((at::sort_order.asc(), at::name_key.asc()))
        .select(ActivityType::as_select())
        .load(conn)
}

pub fn activity_type(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ActivityType> {
    at::table
        .find(id)
        .filter(at::organization_id.eq(actor.org()?))
        .select(ActivityType::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct TypeForm {
    pub name: String,
    pub kind: String,
    pub bufdir_category: String,
    pub requires_duration: Option<String>,
    pub requires_participants: Option<String>,
    pub requires_contact: Option<String>,
    pub allows_expenses: Option<String>,
    pub is_active: Option<String>,
    pub sort_order: String,
}

impl TypeForm {
    pub fn from(t: &ActivityType) -> TypeForm {
        let on = |b: bool| b.then(|| "on".to_string());
        TypeForm {
            name: t.name.clone(),
            kind: t.kind.clone(),
            bufdir_category: t.bufdir_category.clone().unwrap_or_default(),
            requires_duration: on(t.requires_duration),
            requires_participants: on(t.requires_participants),
            requires_contact: on(t.requires_contact),
            allows_expenses: on(t.allows_expenses),
            is_active: on(t.is_active),
            sort_order: t.sort_order.to_string(),
        }
    }
}

/// Creates or updates an activity type. Types are deactivated, never deleted.
pub fn save_type(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &TypeForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        activity_type(conn, actor, id)?;
    }
    let mut errors = FieldErrors::new();
    let name = crate::web::forms::fold_whitespace(&f.name);
    let name_key = forms::search_key(&name);
    if name.is_empty() {
        errors.add("name", "err.required");
    } else if name.chars().count() > 120 {
        errors.add("name", "err.too_long");
    }
    if !KINDS.contains(&f.kind.as_str()) {
        errors.add("kind", "err.choice");
    }
    let category = match f.bufdir_category.as_str() {
        "" => None,
        c if CATEGORIES.contains(&c) => Some(c.to_string()),
        _ => {
            errors.add("bufdir_category", "err.choice");
            None
        }
    };
    let sort_order = match f.sort_order.trim() {
        "" => 0,
        s => s
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=1000).contains(n))
            .unwrap_or_else(|| {
                errors.add("sort_order", "activity.err_number");
                0
            }),
    };
    if !name.is_empty() {
        let mut dup = at::table
            .filter(at::organization_id.eq(&org))
            .filter(at::name_key.eq(&name_key))
            .into_boxed();
        if let Some(id) = id {
            dup = dup.filter(at::id.ne(id.to_string()));
        }
        if dup.count().get_result::<i64>(conn)? > 0 {
            errors.add("name", "err.name_taken");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let t = now();
    let row = ActivityType {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        organization_id: org.clone(),
        name,
        name_key,
        kind: f.kind.clone(),
        bufdir_category: category,
        requires_duration: f.requires_duration.is_some(),
        requires_participants: f.requires_participants.is_some(),
        requires_contact: f.requires_contact.is_some(),
        allows_expenses: f.allows_expenses.is_some(),
        is_active: id.is_none() || f.is_active.is_some(),
        sort_order,
        created_at: t,
        updated_at: t,
    };
    crate::db::tx(conn, |tx| {
        match id {
            Some(id) => {
                diesel::update(at::table.find(id))
                    .set((
                        at::name.eq(&row.name),
                        at::name_key.eq(&row.name_key),
                        at::kind.eq(&row.kind),
                        at::bufdir_category.eq(&row.bufdir_category),
                        at::requires_duration.eq(row.requires_duration),
                        at::requires_participants.eq(row.requires_participants),
                        at::requires_contact.eq(row.requires_contact),
                        at::allows_expenses.eq(row.allows_expenses),
                        at::is_active.eq(row.is_active),
                        at::sort_order.eq(row.sort_order),
                        at::updated_at.eq(t),
                    ))
                    .execute(tx.conn)?;
            }
            None => {
                diesel::insert_into(at::table)
                    .values(&row)
                    .execute(tx.conn)?;
            }
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: if id.is_some() {
                    "activity_type.updated"
                } else {
                    "activity_type.created"
                },
                target_type: Some("activity_type"),
                target_id: Some(&row.id),
                detail: Some(
                    serde_json::json!({ "name": row.name, "bufdir_category": row.bufdir_category, "active": row.is_active }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(row.id.clone()))
    })
}

// ---------------------------------------------------------------- scope

/// Activities the actor may see, before any filter.
pub(super) fn visible(actor: &Actor) -> AppResult<act::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let q = act::table.filter(act::organization_id.eq(org)).into_boxed();
    Ok(match actor.role() {
        Role::PeerMentor => q.filter(act::mentor_id.eq(actor.user_id.clone())),
        Role::Coordinator => q.filter(act::local_association_id.eq_any(actor.associations.clone())),
        Role::OrgAdmin => q,
        Role::GlobalAdmin | Role::Account => return Err(AppError::NotFound),
    })
}

/// Whether the actor may change this activity (their own, or one in their scope as coordinator).
fn may_edit(actor: &Actor, a: &Activity) -> bool {
    match actor.role() {
        Role::PeerMentor => a.mentor_id == actor.user_id,
        Role::Coordinator => actor.associations.contains(&a.local_association_id),
        _ => false,
    }
}

// ---------------------------------------------------------------- choices for the form

/// What the registration form offers the actor.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub types: Vec<ActivityType>,
    /// The associations the activity may be credited to: the mentor's, in the actor's scope.
    pub associations: Vec<(String, String)>,
    /// The mentor's contacts in the actor's scope (all of them: a mentor's list is short).
    pub contacts: Vec<(String, String)>,
    /// Peer mentors the coordinator may register for (empty for a peer mentor).
    pub mentors: Vec<(String, String)>,
    /// The mentor the associations and contacts are for (a coordinator chooses one first).
    pub mentor_id: String,
}

impl Choices {
    pub fn proxy(&self) -> bool {
        !self.mentors.is_empty()
    }
    /// A coordinator has not chosen the mentor yet: nothing else can be offered.
    pub fn needs_mentor(&self) -> bool {
        self.proxy() && self.mentor_id.is_empty()
    }
}

/// The form's choices. A peer mentor registers for themselves; a coordinator for one of the
/// peer mentors of their associations (`mentor_id`; anything else offers no associations and
/// no contacts until one is chosen), and then only that mentor's associations and contacts
/// within the coordinator's associations.
pub fn choices(conn: &mut DbConn, actor: &Actor, mentor_id: &str) -> AppResult<Choices> {
    actor.require(&[Role::PeerMentor, Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let types = active_types(conn, &org)?;
    let mentors: Vec<(String, String)> = if actor.role() == Role::PeerMentor {
        Vec::new()
    } else {
        users::table
            .filter(
                users::id.eq_any(
                    uor::table
                        .filter(uor::organization_id.eq(org.clone()))
                        .filter(uor::role_id.eq("peer_mentor"))
                        .filter(uor::revoked_at.is_null())
                        .filter(uor::local_association_id.eq_any(actor.associations.clone()))
                        .select(uor::user_id),
                ),
            )
            .filter(users::is_active.eq(true))
            .order((users::name.asc(), users::id.asc()))
            .select((users::id, users::name))
            .load(conn)?
    };
    let mentor = if actor.role() == Role::PeerMentor {
        actor.user_id.clone()
    } else if mentors.iter().any(|(id, _)| id == mentor_id) {
        mentor_id.to_string()
    } else {
        return Ok(Choices {
            types,
            mentors,
            ..Default::default()
        });
    };
    let associations: Vec<(String, String)> = la::table
        .filter(la::id.eq_any(actor.associations.clone()))
        .filter(
            la::id.nullable().eq_any(
                uor::table
                    .filter(uor::user_id.eq(mentor.clone()))
                    .filter(uor::organization_id.eq(org.clone()))
                    .filter(uor::role_id.eq("peer_mentor"))
                    .filter(uor::revoked_at.is_null())
                    .select(uor::local_association_id),
            ),
        )
        .filter(la::is_active.eq(true))
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?;
    let mut contacts: Vec<(String, String)> = contacts::table
        .inner_join(cm::table)
        .filter(cm::user_id.eq(&mentor))
        .filter(cm::ended_at.is_null())
        .filter(contacts::organization_id.eq(&org))
        .filter(contacts::local_association_id.eq_any(actor.associations.clone()))
        .filter(contacts::is_active.eq(true))
        .order((contacts::name_key.asc(), contacts::id.asc()))
        .select((contacts::id, contacts::name))
        .load(conn)?;
    contacts.dedup_by(|a, b| a.0 == b.0);
    Ok(Choices {
        types,
        associations,
        contacts,
        mentors,
        mentor_id: mentor,
    })
}

// ---------------------------------------------------------------- registration

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ActivityForm {
    pub activity_type_id: String,
    pub occurred_on: String,
    pub duration_minutes: String,
    pub contact_id: String,
    pub participants: String,
    pub local_association_id: String,
    pub description: String,
    pub mentor_id: String,
}

impl ActivityForm {
    pub fn from(a: &Activity) -> ActivityForm {
        ActivityForm {
            activity_type_id: a.activity_type_id.clone(),
            occurred_on: a.occurred_on.to_string(),
            duration_minutes: a
                .duration_minutes
                .map(|v| v.to_string())
                .unwrap_or_default(),
            contact_id: a.contact_id.clone().unwrap_or_default(),
            participants: a.participants.map(|v| v.to_string()).unwrap_or_default(),
            local_association_id: a.local_association_id.clone(),
            description: a.description.clone().unwrap_or_default(),
            mentor_id: a.mentor_id.clone(),
        }
    }
}

struct Valid {
    activity_type: ActivityType,
    occurred_on: NaiveDate,
    duration_minutes: Option<i32>,
    contact_id: Option<String>,
    participants: Option<i32>,
    association: String,
    description: Option<String>,
    mentor_id: String,
}

fn number(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    range: std::ops::RangeInclusive<i32>,
    required: bool,
) -> Option<i32> {
    match raw.trim() {
        "" => {
            if required {
                errors.add(field, "err.required");
            }
            None
        }
        s => match s.parse::<i32>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errors.add(
                    field,
                    if field == "duration_minutes" {
                        "activity.err_minutes"
                    } else {
                        "activity.err_participants"
                    },
                );
                None
            }
        },
    }
}

fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ActivityForm,
    existing: Option<&Activity>,
) -> AppResult<Result<Valid, FieldErrors>> {
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    // The mentor: oneself, or (coordinator) a peer mentor of one of the coordinator's
    // associations; an existing activity keeps its mentor.
    let wanted = match existing {
        Some(e) => e.mentor_id.as_str(),
        None => f.mentor_id.as_str(),
    };
    let choices = choices(conn, actor, wanted)?;
    let mentor_id = choices.mentor_id.clone();
    if mentor_id.is_empty() {
        errors.add("mentor_id", "activity.err_mentor");
    }
    // The type: an active one of the organization (an existing activity keeps its own type).
    let activity_type = if existing.is_some_and(|e| e.activity_type_id == f.activity_type_id) {
        at::table
            .find(&f.activity_type_id)
            .select(ActivityType::as_select())
            .first(conn)
            .optional()?
    } else {
        choices
            .types
            .iter()
            .find(|t| t.id == f.activity_type_id)
            .cloned()
    };
    if activity_type.is_none() {
        errors.add("activity_type_id", "activity.err_type");
    }
    let today = today();
    let occurred_on = match NaiveDate::parse_from_str(f.occurred_on.trim(), "%Y-%m-%d") {
        Err(_) => {
            errors.add("occurred_on", "activity.err_date");
            None
        }
        Ok(d) if d > today => {
            errors.add("occurred_on", "activity.err_future");
            None
        }
        Ok(d) if !is_open(d, today) => {
            errors.add("occurred_on", "activity.err_closed");
            None
        }
        Ok(d) => Some(d),
    };
    let t = activity_type.as_ref();
    let duration_minutes = number(
        &mut errors,
        "duration_minutes",
        &f.duration_minutes,
        1..=1440,
        t.is_some_and(|t| t.requires_duration),
    );
    let participants = number(
        &mut errors,
        "participants",
        &f.participants,
        1..=10_000,
        t.is_some_and(|t| t.requires_participants),
    );
    // The association it is credited to: one of the mentor's, in the actor's scope. A mentor
    // with one association has it chosen for them.
    let mentor_associations: Vec<String> = uor::table
        .filter(uor::user_id.eq(&mentor_id))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .select(uor::local_association_id)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .filter(|a| {
            choices.associations.iter().any(|(id, _)| id == a)
                || existing.is_some_and(|e| &e.local_association_id == a)
        })
        .collect();
    let association = match f.local_association_id.trim() {
        "" if mentor_associations.len() == 1 => mentor_associations[0].clone(),
        "" => {
            errors.add("local_association_id", "activity.err_association");
            String::new()
        }
        a if mentor_associations.iter().any(|m| m == a) => a.to_string(),
        _ => {
            errors.add("local_association_id", "activity.err_association");
            String::new()
        }
    };
    let contact_id = match f.contact_id.trim() {
        "" => {
            if t.is_some_and(|t| t.is_outreach()) {
                errors.add("contact_id", "activity.err_contact_outreach");
            } else if t.is_some_and(|t| t.requires_contact) {
                errors.add("contact_id", "err.required");
            }
            None
        }
        c if choices.contacts.iter().any(|(id, _)| id == c)
            || existing.is_some_and(|e| e.contact_id.as_deref() == Some(c)) =>
        {
            Some(c.to_string())
        }
        _ => {
            errors.add("contact_id", "activity.err_contact");
            None
        }
    };
    let description = forms::opt(&Some(f.description.clone()));
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2000)
    {
        errors.add("description", "err.too_long");
    }
    if !mentor_id.is_empty() {
        let status: Option<String> = pm::table
            .filter(pm::user_id.eq(&mentor_id))
            .filter(pm::organization_id.eq(&org))
            .select(pm::status)
            .first(conn)
            .optional()?;
        if matches!(status.as_deref(), Some("suspended" | "deactivated")) {
            errors.add("mentor_id", "activity.err_mentor_inactive");
        }
    }
    match (activity_type, occurred_on, errors.is_empty()) {
        (Some(activity_type), Some(occurred_on), true) => Ok(Ok(Valid {
            activity_type,
            occurred_on,
            duration_minutes,
            contact_id,
            participants,
            association,
            description,
            mentor_id,
        })),
        _ => Ok(Err(errors)),
    }
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ActivityForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::PeerMentor, Role::Coordinator])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let v = match validate(tx.conn, actor, f, None)? {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        let outcome = bufdir::evaluate(
            &v.activity_type.kind,
            v.activity_type.bufdir_category.as_deref(),
            "registered",
            v.duration_minutes,
            v.participants,
            v.contact_id.is_some(),
        );
        let t = now();
        let a = Activity {
            id: new_id(),
            organization_id: org.clone(),
            local_association_id: v.association,
            activity_type_id: v.activity_type.id,
            is_proxy: v.mentor_id != actor.user_id,
            mentor_id: v.mentor_id,
            registered_by: actor.user_id.clone(),
            occurred_on: v.occurred_on,
            duration_minutes: v.duration_minutes,
            contact_id: v.contact_id,
            participants: v.participants,
            description: v.description,
            status: "registered".into(),
            bufdir_counts: outcome.counts,
            bufdir_reason: outcome.reason.into(),
            event_id: None,
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(act::table)
            .values(&a)
            .execute(tx.conn)?;
        Ok(Ok(a.id))
    })
}

/// One activity the actor may see, and whether they may change it; 404 for anything else.
/// The check behind the activity page, its edits and its documents.
pub fn find(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(Activity, bool)> {
    let a: Activity = visible(actor)?
        .filter(act::id.eq(id.to_string()))
        .select(Activity::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let editable =
        may_edit(actor, &a) && a.status == "registered" && is_open(a.occurred_on, today());
    Ok((a, editable))
}

/// One activity the actor may see, with names.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(ActivityRow, bool)> {
    let (a, editable) = find(conn, actor, id)?;
    let mut row = with_names(conn, vec![a], &FilterChoices::default())?
        .pop()
        .ok_or(AppError::NotFound)?;
    row.registered_by_name = users::table
        .find(&row.a.registered_by)
        .select(users::name)
        .first(conn)
        .optional()?;
    Ok((row, editable))
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &ActivityForm,
) -> AppResult<Result<(), FieldErrors>> {
    let (current, editable) = find(conn, actor, id)?;
    if !editable {
        return Err(AppError::NotFound);
    }
    crate::db::tx(conn, |tx| {
        let v = match validate(tx.conn, actor, f, Some(&current))? {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        let outcome = bufdir::evaluate(
            &v.activity_type.kind,
            v.activity_type.bufdir_category.as_deref(),
            "registered",
            v.duration_minutes,
            v.participants,
            v.contact_id.is_some(),
        );
        diesel::update(act::table.find(id))
            .set((
                act::activity_type_id.eq(&v.activity_type.id),
                act::local_association_id.eq(&v.association),
                act::occurred_on.eq(v.occurred_on),
                act::duration_minutes.eq(v.duration_minutes),
                act::contact_id.eq(&v.contact_id),
                act::participants.eq(v.participants),
                act::description.eq(&v.description),
                act::bufdir_counts.eq(outcome.counts),
                act::bufdir_reason.eq(outcome.reason),
                act::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        Ok(Ok(()))
    })
}

pub fn cancel(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    let (_, editable) = find(conn, actor, id)?;
    if !editable {
        return Err(AppError::NotFound);
    }
    let outcome = bufdir::evaluate("", None, "cancelled", None, None, false);
    diesel::update(act::table.find(id).filter(act::status.eq("registered")))
        .set((
            act::status.eq("cancelled"),
            act::bufdir_counts.eq(false),
            act::bufdir_reason.eq(outcome.reason),
            act::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub use super::list::*;
