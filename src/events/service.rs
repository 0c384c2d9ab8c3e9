//! The rules for events. Every query is scoped by the actor: a peer mentor sees the events of
//! their associations, a coordinator those of theirs, an organization administrator the
//! organization's (read only); anything else is not found.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::Oslo;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::Actor;
use crate::access::Role;
use crate::activities::service as activities;
use crate::audit::service::{self as audit, Event as AuditEvent};
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::schema::{
    activity_types as at, event_attendees as ea, events as ev, local_associations as la,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// Past events per page of the coordinator's list.
pub const PAGE_SIZE: i64 = 20;
/// At most this many upcoming events are listed (an association plans a few a month).
const UPCOMING_MAX: i64 = 100;

pub(super) fn audit_event<'a>(
    actor: &'a Actor,
    org: &'a str,
    action: &'a str,
    target_id: &'a str,
    detail: serde_json::Value,
) -> AuditEvent<'a> {
    AuditEvent {
        organization_id: Some(org),
        actor_user_id: Some(&actor.user_id),
        action,
        target_type: Some("event"),
        target_id: Some(target_id),
        detail: Some(detail),
        ip: actor.ip.as_deref(),
    }
}

/// The date of an instant in Norway.
pub fn oslo_date(utc: NaiveDateTime) -> NaiveDate {
    utc.and_utc().with_timezone(&Oslo).date_naive()
}

/// A date and a wall-clock time in Norway as a UTC instant (`None` for a time that does not
/// exist, in the spring-forward gap).
pub fn oslo_to_utc(date: &str, time: &str) -> Option<NaiveDateTime> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Oslo.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|dt| dt.naive_utc())
}

// ---------------------------------------------------------------- scope

/// Events the actor may see, before any filter.
fn visible(actor: &Actor) -> AppResult<ev::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let q = ev::table.filter(ev::organization_id.eq(org)).into_boxed();
    Ok(match actor.role() {
        Role::PeerMentor | Role::Coordinator => {
            q.filter(ev::local_association_id.eq_any(actor.associations.clone()))
        }
        Role::OrgAdmin => q,
        Role::GlobalAdmin | Role::Account => return Err(AppError::NotFound),
    })
}

/// Loads the rows for these ids with names and the actor's own registration, in `ids` order.
fn load_rows(conn: &mut DbConn, actor: &Actor, ids: &[String]) -> QueryResult<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Event, String)> = ev::table
        .inner_join(la::table)
        .filter(ev::id.eq_any(ids))
        .select((Event::as_select(), la::name))
        .load(conn)?;
    let type_ids: Vec<String> = rows
        .iter()
        .filter_map(|(e, _)| e.activity_type_id.clone())
        .collect();
    let types: Vec<(String, String)> = at::table
        .filter(at::id.eq_any(type_ids))
        .select((at::id, at::name))
        .load(conn)?;
    let mine: Vec<(String, String)> = ea::table
        .filter(ea::user_id.eq(&actor.user_id))
        .filter(ea::event_id.eq_any(ids))
        .select((ea::event_id, ea::status))
        .load(conn)?;
    let t = now();
    let mut out: Vec<EventRow> = rows
        .into_iter()
        .map(|(e, association_name)| EventRow {
            type_name: types
                .iter()
                .find(|(id, _)| Some(id) == e.activity_type_id.as_ref())
                .map(|(_, n)| n.clone()),
            my_status: mine
                .iter()
                .find(|(id, _)| *id == e.id)
                .map(|(_, s)| s.clone()),
            started: e.starts_at <= t,
            association_name,
            e,
        })
        .collect();
    out.sort_by_key(|r| ids.iter().position(|i| *i == r.e.id));
    Ok(out)
}

/// One event the actor may see.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<EventRow> {
    let ids: Vec<String> = visible(actor)?
        .filter(ev::id.eq(id.to_string()))
        .select(ev::id)
        .load(conn)?;
    load_rows(conn, actor, &ids)?
        .pop()
        .ok_or(AppError::NotFound)
}

/// One event the actor coordinates (coordinators only; everyone else: not found).
pub(super) fn coordinated(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<EventRow> {
    actor.require(&[Role::Coordinator])?;
    get(conn, actor, id)
}

// ---------------------------------------------------------------- lists

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Filter {
    pub association: String,
    pub page: Option<i64>,
}

impl Filter {
    /// The query string without the page, ending in `&` or `?` for the page link.
    pub fn base(&self) -> String {
        match crate::db::parse_id(&self.association) {
            Some(a) => format!("/events?association={a}&"),
            None => "/events?".into(),
        }
    }
}

/// What the list page shows: events awaiting attendance (coordinators), upcoming ones, and a
/// page of past ones (not for mentors).
pub struct Lists {
    pub awaiting: Vec<EventRow>,
    pub upcoming: Vec<EventRow>,
    pub past: PageOf<EventRow>,
}

pub fn lists(conn: &mut DbConn, actor: &Actor, f: &Filter) -> AppResult<Lists> {
    actor.require(&[Role::PeerMentor, Role::Coordinator, Role::OrgAdmin])?;
    let t = now();
    let scoped = || -> AppResult<ev::BoxedQuery<'static, DbConnBackend>> {
        let mut q = visible(actor)?;
        if let Some(a) = crate::db::parse_id(&f.association) {
            q = q.filter(ev::local_association_id.eq(a));
        }
        Ok(q)
    };
    let upcoming_ids: Vec<String> = scoped()?
        .filter(ev::starts_at.gt(t))
        .order((ev::starts_at.asc(), ev::id.asc()))
        .limit(UPCOMING_MAX)
        .select(ev::id)
        .load(conn)?;
    let upcoming = load_rows(conn, actor, &upcoming_ids)?;
    let paging = Paging::new(f.page, PAGE_SIZE);
    if actor.role() == Role::PeerMentor {
        return Ok(Lists {
            awaiting: Vec::new(),
            upcoming,
            past: PageOf {
                rows: Vec::new(),
                total: 0,
                page: 1,
                per_page: PAGE_SIZE,
            },
        });
    }
    // Started, planned events with a registration still unmarked: the coordinator's to-do.
    let awaiting_ids: Vec<String> = if actor.role() == Role::Coordinator {
        let mut q = ev::table
            .inner_join(ea::table)
            .filter(ev::organization_id.eq(actor.org()?.to_string()))
            .filter(ev::local_association_id.eq_any(actor.associations.clone()))
            .filter(ev::starts_at.le(t))
            .filter(ev::status.eq("planned"))
            .filter(ev::activity_id.is_null())
            .filter(ea::status.eq("registered"))
            .into_boxed();
        if let Some(a) = crate::db::parse_id(&f.association) {
            q = q.filter(ev::local_association_id.eq(a));
        }
        q.select((ev::starts_at, ev::id))
            .distinct()
            .order((ev::starts_at.desc(), ev::id.desc()))
            .limit(UPCOMING_MAX)
            .load::<(NaiveDateTime, String)>(conn)?
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    } else {
        Vec::new()
    };
    // An event awaiting attendance is listed there, not again among the past ones.
    let total: i64 = scoped()?
        .filter(ev::starts_at.le(t))
        .filter(ev::id.ne_all(awaiting_ids.clone()))
        .count()
        .get_result(conn)?;
    let past_ids: Vec<String> = scoped()?
        .filter(ev::starts_at.le(t))
        .filter(ev::id.ne_all(awaiting_ids.clone()))
        .order((ev::starts_at.desc(), ev::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(ev::id)
        .load(conn)?;
    Ok(Lists {
        awaiting: load_rows(conn, actor, &awaiting_ids)?,
        upcoming,
        past: paging.page_of(load_rows(conn, actor, &past_ids)?, total),
    })
}

pub use crate::activities::service::Options;

/// Associations for the list filter: the coordinator's, or the organization's for an admin.
pub fn filter_associations(conn: &mut DbConn, actor: &Actor) -> AppResult<Options> {
    let org = actor.org()?.to_string();
    let mut q = la::table.filter(la::organization_id.eq(org)).into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(la::id.eq_any(actor.associations.clone()));
    }
    Ok(q.order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?)
}

// ---------------------------------------------------------------- create and edit

/// What the event form offers: the coordinator's active associations and the active types.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub associations: Options,
    pub types: Options,
}

pub fn choices(conn: &mut DbConn, actor: &Actor) -> AppResult<Choices> {
    actor.require(&[Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let associations = la::table
        .filter(la::organization_id.eq(&org))
        .filter(la::id.eq_any(actor.associations.clone()))
        .filter(la::is_active.eq(true))
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?;
    let types = activities::active_types(conn, &org)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(Choices {
        associations,
        types,
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct EventForm {
    pub title: String,
    pub local_association_id: String,
    pub activity_type_id: String,
    pub date: String,
    pub time: String,
    pub duration_minutes: String,
    pub place: String,
    pub capacity: String,
    pub description: String,
    /// Only approved mentors may register (the checkbox).
    pub requires_approval: Option<String>,
}

impl EventForm {
    pub fn from(e: &Event) -> EventForm {
        let local = e.starts_at.and_utc().with_timezone(&Oslo);
        EventForm {
            title: e.title.clone(),
            local_association_id: e.local_association_id.clone(),
            activity_type_id: e.activity_type_id.clone().unwrap_or_default(),
            date: local.format("%Y-%m-%d").to_string(),
            time: local.format("%H:%M").to_string(),
            duration_minutes: e.duration_minutes.to_string(),
            place: e.place.clone().unwrap_or_default(),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            description: e.description.clone().unwrap_or_default(),
            requires_approval: e.requires_approval.then(|| "1".to_string()),
        }
    }
}

struct Valid {
    title: String,
    association: String,
    activity_type_id: Option<String>,
    starts_at: NaiveDateTime,
    duration_minutes: i32,
    place: Option<String>,
    capacity: Option<i32>,
    description: Option<String>,
    requires_approval: bool,
}

fn number(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    range: std::ops::RangeInclusive<i32>,
) -> Option<i32> {
    match raw.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errors.add(field, "event.err_number");
                None
            }
        },
    }
}

fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &EventForm,
    existing: Option<&Event>,
) -> AppResult<Result<Valid, FieldErrors>> {
    let choices = choices(conn, actor)?;
    let mut errors = FieldErrors::new();
    let title = forms::fold_whitespace(&f.title);
    if title.is_empty() {
        errors.add("title", "err.required");
    } else if title.chars().count() > 200 {
        errors.add("title", "err.too_long");
    }
    let association = f.local_association_id.trim().to_string();
    let keeps_own = existing.is_some_and(|e| e.local_association_id == association);
    if association.is_empty() {
        errors.add("local_association_id", "err.required");
    } else if !keeps_own
        && !choices
            .associations
            .iter()
            .any(|(id, _)| *id == association)
    {
        errors.add("local_association_id", "err.choice");
    }
    let activity_type_id = match f.activity_type_id.trim() {
        "" => None,
        t if choices.types.iter().any(|(id, _)| id == t)
            || existing.is_some_and(|e| e.activity_type_id.as_deref() == Some(t)) =>
        {
            Some(t.to_string())
        }
        _ => {
            errors.add("activity_type_id", "err.choice");
            None
        }
    };
    if NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d").is_err() {
        errors.add("date", "event.err_date");
    }
    if NaiveTime::parse_from_str(f.time.trim(), "%H:%M").is_err() {
        errors.add("time", "event.err_time");
    }
    let starts_at = oslo_to_utc(&f.date, &f.time);
    if starts_at.is_none() {
        errors.add("time", "event.err_time");
    }
    let duration = number(
        &mut errors,
        "duration_minutes",
        &f.duration_minutes,
        1..=1440,
    );
    if f.duration_minutes.trim().is_empty() {
        errors.add("duration_minutes", "err.required");
    }
    let capacity = number(&mut errors, "capacity", &f.capacity, 1..=10_000);
    if let (Some(c), Some(e)) = (capacity, existing) {
        if c < e.seats_taken {
            errors.add("capacity", "event.err_capacity_below");
        }
    }
    let place = forms::opt(&Some(forms::fold_whitespace(&f.place)));
    if place.as_ref().is_some_and(|p| p.chars().count() > 200) {
        errors.add("place", "err.too_long");
    }
    let description = forms::opt(&Some(f.description.clone()));
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2000)
    {
        errors.add("description", "err.too_long");
    }
    match (starts_at, duration, errors.is_empty()) {
        (Some(starts_at), Some(duration_minutes), true) => Ok(Ok(Valid {
            title,
            association,
            activity_type_id,
            starts_at,
            duration_minutes,
            place,
            capacity,
            description,
            requires_approval: f.requires_approval.is_some(),
        })),
        _ => Ok(Err(errors)),
    }
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &EventForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::Coordinator])?;
    let org = actor.org()?.to_string();
    let v = match validate(conn, actor, f, None)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let t = now();
    let e = Event {
        id: new_id(),
        organization_id: org.clone(),
        local_association_id: v.association,
        activity_type_id: v.activity_type_id,
        title: v.title,
        description: v.description,
        place: v.place,
        starts_at: v.starts_at,
        duration_minutes: v.duration_minutes,
        capacity: v.capacity,
        status: "planned".into(),
        activity_id: None,
        created_by: Some(actor.user_id.clone()),
        created_at: t,
        updated_at: t,
        seats_taken: 0,
        cancel_reason: None,
        requires_approval: v.requires_approval,
    };
    crate::db::tx(conn, |tx| {
        diesel::insert_into(ev::table).values(&e).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.created",
                &e.id,
                serde_json::json!({ "title": e.title, "starts_at": e.starts_at.to_string() }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(e.id))
}

/// Whether the coordinator may still edit or cancel the event: planned, no activity produced.
pub fn editable(row: &EventRow) -> bool {
    row.e.status == "planned" && row.e.activity_id.is_none()
}

pub fn for_edit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<EventRow> {
    let row = coordinated(conn, actor, id)?;
    if !editable(&row) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &EventForm,
) -> AppResult<Result<(), FieldErrors>> {
    let row = for_edit(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let v = match validate(conn, actor, f, Some(&row.e))? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    crate::db::tx(conn, |tx| {
        // The capacity may not drop below the seats taken meanwhile.
        let n = diesel::update(
            ev::table
                .find(id)
                .filter(ev::status.eq("planned"))
                .filter(ev::activity_id.is_null()),
        )
        .filter(ev::seats_taken.le(v.capacity.unwrap_or(i32::MAX)))
        .set((
            ev::title.eq(&v.title),
            ev::local_association_id.eq(&v.association),
            ev::activity_type_id.eq(&v.activity_type_id),
            ev::starts_at.eq(v.starts_at),
            ev::duration_minutes.eq(v.duration_minutes),
            ev::place.eq(&v.place),
            ev::capacity.eq(v.capacity),
            ev::description.eq(&v.description),
            ev::requires_approval.eq(v.requires_approval),
            ev::updated_at.eq(now()),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            let mut errors = FieldErrors::new();
            errors.add("capacity", "event.err_capacity_below");
            return Ok(Err(errors));
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.updated",
                id,
                serde_json::json!({ "title": v.title, "starts_at": v.starts_at.to_string(), "capacity": v.capacity }),
            ),
        )?;
        let when = v
            .starts_at
            .and_utc()
            .with_timezone(&Oslo)
            .format("%-d.%-m.%Y %H:%M")
            .to_string();
        let place = v.place.clone().unwrap_or_default();
        let when = if place.is_empty() {
            when
        } else {
            format!("{when}, {place}")
        };
        tell_attendees(
            tx.conn,
            &org,
            id,
            "event.changed",
            serde_json::json!({ "title": v.title, "when": when }),
        )?;
        Ok(Ok(()))
    })
}

/// Tells everyone registered for the event (in the caller's transaction).
fn tell_attendees(
    conn: &mut DbConn,
    org: &str,
    id: &str,
    scenario: &'static str,
    params: serde_json::Value,
) -> QueryResult<()> {
    let users: Vec<String> = ea::table
        .filter(ea::event_id.eq(id))
        .filter(ea::status.eq("registered"))
        .select(ea::user_id)
        .load(conn)?;
    let notice = crate::notifications::Notice {
        user_id: "",
        org_id: Some(org),
        role: Some(Role::PeerMentor),
        scenario,
        subject_kind: "event",
        subject_id: id,
        link: format!("/events/{id}"),
        params,
    };
    crate::notifications::service::notify_each(conn, users, &notice, None)?;
    Ok(())
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CancelForm {
    pub reason: String,
}

/// Cancels an event with a reason. Registrations stay, so mentors see it was cancelled.
pub fn cancel(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &CancelForm,
) -> AppResult<Result<(), FieldErrors>> {
    for_edit(conn, actor, id)?;
    let org = actor.org()?.to_string();
    let reason = forms::fold_whitespace(&f.reason);
    let mut errors = FieldErrors::new();
    if reason.is_empty() {
        errors.add("reason", "err.required");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "err.too_long");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    crate::db::tx(conn, |tx| {
        diesel::update(ev::table.find(id).filter(ev::status.eq("planned")))
            .set((
                ev::status.eq("cancelled"),
                ev::cancel_reason.eq(&reason),
                ev::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.cancelled",
                id,
                serde_json::json!({ "reason": reason }),
            ),
        )?;
        let title: String = ev::table.find(id).select(ev::title).first(tx.conn)?;
        tell_attendees(
            tx.conn,
            &org,
            id,
            "event.cancelled",
            serde_json::json!({ "title": title, "reason": reason }),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}

pub use super::participation::*;
