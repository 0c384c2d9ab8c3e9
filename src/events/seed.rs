//! Demo events for every organization, in the first association of the demo coordinator (where
//! the demo mentor and the coordinator are peer mentors): past events with attendance marked
//! (one turned into the group activity), one past event still unmarked, upcoming events with
//! registrations (one full), and one in an association outside the coordinator's scope.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::model::{Attendee, Event};
use crate::activities::bufdir;
use crate::activities::model::Activity;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    activities, activity_types as at, event_attendees, events, local_associations as la,
    organizations, user_organization_roles as uor, users,
};

/// (title, days from today, hour, minutes, capacity, activity type, place)
pub(crate) type Spec = (
    &'static str,
    i64,
    u32,
    i32,
    Option<i32>,
    &'static str,
    &'static str,
);

const PAST_PRODUCED: Spec = (
    "Samtalegruppe: erfaringsutveksling",
    -21,
    18,
    90,
    Some(12),
    "Samtalegruppe",
    "Frivillighetshuset",
);
const PAST_MARKED: Spec = (
    "Sommeravslutning",
    -45,
    17,
    120,
    None,
    "Sosialt treff",
    "Parken",
);
const PAST_UNMARKED: Spec = (
    "Turgruppe i marka",
    -2,
    11,
    120,
    Some(15),
    "Samtalegruppe",
    "Sognsvann",
);
const UPCOMING_OPEN: Spec = (
    "Samtalegruppe: hverdagsmestring",
    7,
    18,
    90,
    Some(10),
    "Samtalegruppe",
    "Frivillighetshuset",
);
const UPCOMING_FULL: Spec = (
    "Kafétreff for nye likepersoner",
    10,
    12,
    60,
    Some(1),
    "Sosialt treff",
    "Kafé Sentrum",
);
const UPCOMING_COURSE: Spec = (
    "Likepersonskurs, del 2",
    21,
    10,
    180,
    None,
    "Likepersonskurs",
    "Lokalene til lokallaget",
);

/// A start instant at a full hour in Norway, `days` from now.
fn at_hour(days: i64, hour: u32) -> NaiveDateTime {
    let date = crate::activities::service::today() + Duration::days(days);
    let time = chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    super::service::oslo_to_utc(&date.to_string(), &time.format("%H:%M").to_string())
        .unwrap_or_else(|| date.and_time(time))
}

pub(crate) fn insert_event(
    conn: &mut DbConn,
    org: &str,
    association: &str,
    spec: &Spec,
    types: &[(String, String)],
    created_by: Option<&str>,
) -> anyhow::Result<Event> {
    let t = now();
    let (title, days, hour, minutes, capacity, type_name, place) = *spec;
    let e = Event {
        id: new_id(),
        organization_id: org.to_string(),
        local_association_id: association.to_string(),
        activity_type_id: types
            .iter()
            .find(|(_, n)| n == type_name)
            .map(|(id, _)| id.clone()),
        title: title.into(),
        description: None,
        place: Some(place.into()),
        starts_at: at_hour(days, hour),
        duration_minutes: minutes,
        capacity,
        status: "planned".into(),
        activity_id: None,
        created_by: created_by.map(str::to_string),
        created_at: t,
        updated_at: t,
        seats_taken: 0,
        cancel_reason: None,
        requires_approval: false,
    };
    diesel::insert_into(events::table)
        .values(&e)
        .execute(conn)?;
    Ok(e)
}

pub(crate) fn attend(
    conn: &mut DbConn,
    e: &Event,
    user: &str,
    status: &str,
    marked_by: Option<&str>,
) -> anyhow::Result<()> {
    let t = now();
    diesel::insert_into(event_attendees::table)
        .values(&Attendee {
            id: new_id(),
            event_id: e.id.clone(),
            user_id: user.to_string(),
            status: status.into(),
            registered_at: t,
            marked_at: marked_by.map(|_| t),
            marked_by: marked_by.map(str::to_string),
        })
        .execute(conn)?;
    if status != "cancelled" {
        diesel::update(events::table.find(&e.id))
            .set(events::seats_taken.eq(events::seats_taken + 1))
            .execute(conn)?;
    }
    Ok(())
}

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let orgs: Vec<String> = organizations::table
        .order(organizations::name.asc())
        .select(organizations::id)
        .load(conn)?;
    for org in orgs {
        let types: Vec<(String, String)> = at::table
            .filter(at::organization_id.eq(&org))
            .select((at::id, at::name))
            .load(conn)?;
        let user_of = |conn: &mut DbConn, prefix: &str| -> QueryResult<Option<String>> {
            users::table
                .filter(
                    users::id.eq_any(
                        uor::table
                            .filter(uor::organization_id.eq(org.clone()))
                            .select(uor::user_id),
                    ),
                )
                .filter(users::email.like(format!("{prefix}@%")))
                .select(users::id)
                .first(conn)
                .optional()
        };
        let (Some(mentor), Some(coordinator)) =
            (user_of(conn, "mentor")?, user_of(conn, "coordinator")?)
        else {
            continue;
        };
        // The association both demo accounts are peer mentors of.
        let shared: Vec<Option<String>> = uor::table
            .filter(uor::organization_id.eq(&org))
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::user_id.eq(&coordinator))
            .select(uor::local_association_id)
            .load(conn)?;
        let Some(Some(home)) = shared.into_iter().next() else {
            continue;
        };
        let coord = Some(coordinator.as_str());

        let e = insert_event(conn, &org, &home, &PAST_PRODUCED, &types, coord)?;
        attend(conn, &e, &mentor, "attended", coord)?;
        attend(conn, &e, &coordinator, "attended", coord)?;
        produce(conn, &e, &mentor, &coordinator, 2)?;

        let e = insert_event(conn, &org, &home, &PAST_MARKED, &types, coord)?;
        attend(conn, &e, &mentor, "no_show", coord)?;
        attend(conn, &e, &coordinator, "attended", coord)?;

        let e = insert_event(conn, &org, &home, &PAST_UNMARKED, &types, coord)?;
        attend(conn, &e, &mentor, "registered", None)?;
        attend(conn, &e, &coordinator, "registered", None)?;

        let e = insert_event(conn, &org, &home, &UPCOMING_OPEN, &types, coord)?;
        attend(conn, &e, &coordinator, "registered", None)?;

        let e = insert_event(conn, &org, &home, &UPCOMING_FULL, &types, coord)?;
        attend(conn, &e, &coordinator, "registered", None)?;

        insert_event(conn, &org, &home, &UPCOMING_COURSE, &types, coord)?;

        // One event elsewhere in the organization, outside the demo coordinator's scope.
        let elsewhere: Option<String> = la::table
            .filter(la::organization_id.eq(&org))
            .filter(la::name.like("% Tromsø"))
            .select(la::id)
            .first(conn)
            .optional()?;
        if let Some(elsewhere) = elsewhere {
            insert_event(conn, &org, &elsewhere, &UPCOMING_OPEN, &types, None)?;
        }
    }
    Ok(())
}

/// The group activity of a past event, evaluated by the Bufdir rules like any activity.
fn produce(
    conn: &mut DbConn,
    e: &Event,
    leader: &str,
    coordinator: &str,
    participants: i32,
) -> anyhow::Result<()> {
    let Some(type_id) = &e.activity_type_id else {
        return Ok(());
    };
    let (kind, category): (String, Option<String>) = at::table
        .find(type_id)
        .select((at::kind, at::bufdir_category))
        .first(conn)?;
    let outcome = bufdir::evaluate(
        &kind,
        category.as_deref(),
        "registered",
        Some(e.duration_minutes),
        Some(participants),
        false,
    );
    let t = now();
    let a = Activity {
        id: new_id(),
        organization_id: e.organization_id.clone(),
        local_association_id: e.local_association_id.clone(),
        activity_type_id: type_id.clone(),
        mentor_id: leader.to_string(),
        registered_by: coordinator.to_string(),
        is_proxy: true,
        occurred_on: super::service::oslo_date(e.starts_at),
        duration_minutes: Some(e.duration_minutes),
        contact_id: None,
        participants: Some(participants),
        description: Some(e.title.clone()),
        status: "registered".into(),
        bufdir_counts: outcome.counts,
        bufdir_reason: outcome.reason.into(),
        event_id: Some(e.id.clone()),
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(activities::table)
        .values(&a)
        .execute(conn)?;
    diesel::update(events::table.find(&e.id))
        .set(events::activity_id.eq(&a.id))
        .execute(conn)?;
    Ok(())
}
