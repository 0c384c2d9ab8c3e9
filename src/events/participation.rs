//! Taking part in an event: registration (one seat at a time, `crate::seats`), attendance with
//! walk-ins, and the group activity made from who attended. Re-exported by `service`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use super::service::{audit_event, coordinated, get, oslo_date, Options};
use crate::access::Actor;
use crate::access::Role;
use crate::activities::service::{self as activities, ActivityForm};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    activities as act, event_attendees as ea, events as ev, user_organization_roles as uor, users,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

// ---------------------------------------------------------------- registration

/// What a registration attempt came to; each has a message for the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Registered,
    Unregistered,
    AlreadyRegistered,
    Full,
    Closed,
    NotActive,
    NotApproved,
}

impl Outcome {
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Registered => "event.registered",
            Outcome::Unregistered => "event.unregistered",
            Outcome::AlreadyRegistered => "event.already_registered",
            Outcome::Full => "event.full_message",
            Outcome::Closed => "event.closed_message",
            Outcome::NotActive => "event.not_active_message",
            Outcome::NotApproved => "req.event_not_approved",
        }
    }
    pub fn kind(self) -> &'static str {
        match self {
            Outcome::Registered | Outcome::Unregistered | Outcome::AlreadyRegistered => "success",
            _ => "error",
        }
    }
}

/// Takes a seat for the user: one conditional update of the seat counter (so the last seat
/// goes to exactly one of several racing requests, on both backends), then the registration
/// (a new row, or the cancelled one registered again), in one transaction.
pub fn take_seat(conn: &mut DbConn, event_id: &str, user_id: &str) -> AppResult<Outcome> {
    crate::db::tx(conn, |tx| {
        let t = now();
        match crate::seats::take(tx.conn, crate::seats::Pool::Event, event_id)? {
            crate::seats::Take::Taken => {}
            crate::seats::Take::Full => return Ok(Outcome::Full),
            crate::seats::Take::Closed => return Ok(Outcome::Closed),
        }
        let existing: Option<String> = ea::table
            .filter(ea::event_id.eq(event_id))
            .filter(ea::user_id.eq(user_id))
            .select(ea::status)
            .first(tx.conn)
            .optional()?;
        match existing.as_deref() {
            Some("registered") => {
                give_back_seat(tx.conn, event_id)?;
                return Ok(Outcome::AlreadyRegistered);
            }
            Some(_) => {
                diesel::update(
                    ea::table
                        .filter(ea::event_id.eq(event_id))
                        .filter(ea::user_id.eq(user_id)),
                )
                .set((
                    ea::status.eq("registered"),
                    ea::registered_at.eq(t),
                    ea::marked_at.eq(None::<NaiveDateTime>),
                    ea::marked_by.eq(None::<String>),
                ))
                .execute(tx.conn)?;
            }
            None => {
                diesel::insert_into(ea::table)
                    .values(&Attendee {
                        id: new_id(),
                        event_id: event_id.to_string(),
                        user_id: user_id.to_string(),
                        status: "registered".into(),
                        registered_at: t,
                        marked_at: None,
                        marked_by: None,
                    })
                    .execute(tx.conn)?;
            }
        }
        Ok::<_, AppError>(Outcome::Registered)
    })
}

fn give_back_seat(c: &mut DbConn, event_id: &str) -> QueryResult<()> {
    crate::seats::give_back(c, crate::seats::Pool::Event, event_id)
}

/// A peer mentor registers for an event of one of their associations.
pub fn register(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(EventRow, Outcome)> {
    actor.require(&[Role::PeerMentor])?;
    let row = get(conn, actor, id)?;
    let status = crate::people::mentors::service::status_of(conn, &actor.user_id, actor.org()?)?;
    let outcome = if status.as_deref() != Some("active") {
        Outcome::NotActive
    } else if row.e.requires_approval
        && !crate::learning::requirements::service::eligible(conn, actor.org()?, &actor.user_id)?
    {
        Outcome::NotApproved
    } else if row.cancelled() || row.started {
        Outcome::Closed
    } else if row.registered() {
        Outcome::AlreadyRegistered
    } else {
        take_seat(conn, id, &actor.user_id)?
    };
    Ok((get(conn, actor, id)?, outcome))
}

/// A peer mentor withdraws before the start; the seat is given back.
pub fn unregister(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(EventRow, Outcome)> {
    actor.require(&[Role::PeerMentor])?;
    let row = get(conn, actor, id)?;
    if row.cancelled() || row.started {
        return Ok((row, Outcome::Closed));
    }
    crate::db::tx(conn, |tx| {
        let n = diesel::update(
            ea::table
                .filter(ea::event_id.eq(id))
                .filter(ea::user_id.eq(&actor.user_id))
                .filter(ea::status.eq("registered")),
        )
        .set(ea::status.eq("cancelled"))
        .execute(tx.conn)?;
        if n == 1 {
            crate::seats::release(tx.conn, crate::seats::Pool::Event, id)?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok((get(conn, actor, id)?, Outcome::Unregistered))
}

// ---------------------------------------------------------------- attendance

/// Registered and marked attendees (not those who withdrew), by name.
pub fn attendees(conn: &mut DbConn, event_id: &str) -> QueryResult<Vec<AttendeeRow>> {
    let rows: Vec<(Attendee, String)> = ea::table
        .inner_join(users::table)
        .filter(ea::event_id.eq(event_id))
        .filter(ea::status.ne("cancelled"))
        .order((users::name.asc(), ea::id.asc()))
        .select((Attendee::as_select(), users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, name)| AttendeeRow { a, name })
        .collect())
}

/// Whether attendance can be marked: started, planned, no activity produced yet.
pub fn marking_open(row: &EventRow) -> bool {
    row.started && row.e.status == "planned" && row.e.activity_id.is_none()
}

/// The coordinator marks one attendee as attended or no-show (logged).
pub fn mark(
    conn: &mut DbConn,
    actor: &Actor,
    event_id: &str,
    user_id: &str,
    status: &str,
) -> AppResult<AttendeeRow> {
    let row = coordinated(conn, actor, event_id)?;
    if !marking_open(&row) || !ATTENDANCE.contains(&status) {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let n = diesel::update(
            ea::table
                .filter(ea::event_id.eq(event_id))
                .filter(ea::user_id.eq(user_id))
                .filter(ea::status.ne("cancelled")),
        )
        .set((
            ea::status.eq(status),
            ea::marked_at.eq(Some(now())),
            ea::marked_by.eq(Some(&actor.user_id)),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.attendance_marked",
                event_id,
                serde_json::json!({ "user_id": user_id, "status": status }),
            ),
        )?;
        Ok(())
    })?;
    attendees(conn, event_id)?
        .into_iter()
        .find(|a| a.a.user_id == user_id)
        .ok_or(AppError::NotFound)
}

/// Peer mentors of the event's association who are not on the list: walk-in candidates.
pub fn walk_in_choices(conn: &mut DbConn, row: &EventRow) -> QueryResult<Options> {
    let listed: Vec<String> = ea::table
        .filter(ea::event_id.eq(&row.e.id))
        .filter(ea::status.ne("cancelled"))
        .select(ea::user_id)
        .load(conn)?;
    let mentors: Vec<String> = uor::table
        .filter(uor::organization_id.eq(&row.e.organization_id))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .filter(uor::local_association_id.eq(&row.e.local_association_id))
        .select(uor::user_id)
        .load(conn)?;
    users::table
        .filter(users::id.eq_any(mentors))
        .filter(users::id.ne_all(listed))
        .filter(users::is_active.eq(true))
        .order(users::name.asc())
        .select((users::id, users::name))
        .load(conn)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct WalkInForm {
    pub user_id: String,
}

/// Adds a mentor of the association who came without registering, as attended.
pub fn walk_in(
    conn: &mut DbConn,
    actor: &Actor,
    event_id: &str,
    f: &WalkInForm,
) -> AppResult<Result<(), FieldErrors>> {
    let row = coordinated(conn, actor, event_id)?;
    if !marking_open(&row) {
        return Err(AppError::NotFound);
    }
    if !walk_in_choices(conn, &row)?
        .iter()
        .any(|(id, _)| *id == f.user_id)
    {
        let mut errors = FieldErrors::new();
        errors.add("user_id", "err.choice");
        return Ok(Err(errors));
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let t = now();
        let n = diesel::update(
            ea::table
                .filter(ea::event_id.eq(event_id))
                .filter(ea::user_id.eq(&f.user_id)),
        )
        .set((
            ea::status.eq("attended"),
            ea::marked_at.eq(Some(t)),
            ea::marked_by.eq(Some(&actor.user_id)),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(ea::table)
                .values(&Attendee {
                    id: new_id(),
                    event_id: event_id.to_string(),
                    user_id: f.user_id.clone(),
                    status: "attended".into(),
                    registered_at: t,
                    marked_at: Some(t),
                    marked_by: Some(actor.user_id.clone()),
                })
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.attendance_marked",
                event_id,
                serde_json::json!({ "user_id": f.user_id, "status": "attended", "walk_in": true }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}

// ---------------------------------------------------------------- the group activity

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProduceForm {
    pub mentor_id: String,
    pub activity_type_id: String,
}

/// The produced activity as the event page shows it: id, whether it counts, and why.
pub fn produced(conn: &mut DbConn, row: &EventRow) -> QueryResult<Option<(String, bool, String)>> {
    let Some(id) = &row.e.activity_id else {
        return Ok(None);
    };
    act::table
        .find(id)
        .select((act::id, act::bufdir_counts, act::bufdir_reason))
        .first(conn)
        .optional()
}

/// Whether the event can become a group activity now: attendance open and fully marked, with
/// someone attending.
pub fn can_produce(attendees: &[AttendeeRow], row: &EventRow) -> bool {
    marking_open(row)
        && attendees.iter().all(|a| a.a.status != "registered")
        && attendees.iter().any(|a| a.is("attended"))
}

/// Registers the event as one group activity through the activities service (its validation
/// and Bufdir rules), led by an attending mentor, on the coordinator's behalf. Only once: the
/// event is claimed with a conditional update on `activity_id IS NULL`.
pub fn produce(
    conn: &mut DbConn,
    actor: &Actor,
    event_id: &str,
    f: &ProduceForm,
) -> AppResult<Result<String, FieldErrors>> {
    let row = coordinated(conn, actor, event_id)?;
    let org = actor.org()?.to_string();
    let list = attendees(conn, event_id)?;
    let mut errors = FieldErrors::new();
    if row.e.activity_id.is_some() {
        errors.add("mentor_id", "event.err_already_produced");
        return Ok(Err(errors));
    }
    if !marking_open(&row) {
        return Err(AppError::NotFound);
    }
    if list.iter().any(|a| a.is("registered")) {
        errors.add("mentor_id", "event.err_unmarked");
    }
    let attended: Vec<&AttendeeRow> = list.iter().filter(|a| a.is("attended")).collect();
    if attended.is_empty() {
        errors.add("mentor_id", "event.err_nobody_attended");
    } else if !attended.iter().any(|a| a.a.user_id == f.mentor_id) {
        errors.add("mentor_id", "event.err_leader");
    }
    let type_id = match &row.e.activity_type_id {
        Some(t) => t.clone(),
        None => {
            let active = activities::active_types(conn, &org)?;
            if active.iter().any(|t| t.id == f.activity_type_id) {
                f.activity_type_id.clone()
            } else {
                errors.add("activity_type_id", "err.required");
                String::new()
            }
        }
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let form = ActivityForm {
        activity_type_id: type_id.clone(),
        occurred_on: oslo_date(row.e.starts_at).to_string(),
        duration_minutes: row.e.duration_minutes.to_string(),
        contact_id: String::new(),
        participants: attended.len().to_string(),
        local_association_id: row.e.local_association_id.clone(),
        description: row.e.title.clone(),
        mentor_id: f.mentor_id.clone(),
    };
    crate::db::tx(conn, |tx| {
        let activity_id = match activities::create(tx.conn, actor, &form)? {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        let claimed = diesel::update(ev::table.find(event_id).filter(ev::activity_id.is_null()))
            .set((
                ev::activity_id.eq(&activity_id),
                ev::activity_type_id.eq(&type_id),
                ev::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        if claimed == 0 {
            // Another request produced it meanwhile: roll this one back.
            return Err(AppError::NotFound);
        }
        diesel::update(act::table.find(&activity_id))
            .set((act::event_id.eq(event_id), act::is_proxy.eq(true)))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "event.activity_produced",
                event_id,
                serde_json::json!({ "activity_id": activity_id, "participants": attended.len() }),
            ),
        )?;
        Ok(Ok(activity_id))
    })
}
