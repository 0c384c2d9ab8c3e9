//! The coordinators' weekly digest: once a week (from Monday 06:00 in Norway) each coordinator
//! gets, per organization, what happened in their associations: new activities in the last
//! seven days, contacts not reached for the organization's number of days, claims waiting,
//! certifications expiring within 30 days (learning; 0 until it exists) and mentors without an
//! activity for 30 days. One per coordinator, organization and week, by the same unique key as
//! the reminders (scenario `digest.weekly`, subject the organization, due the week's Monday);
//! users turn it off on their notification choices like any other scenario.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::render::{self, Section};
use super::scenarios::{fill, Pass};
use super::service::{notify_with, Notice};
use crate::access::Role;
use crate::db::DbConn;
use crate::schema::{
    activities as act, certifications as ct, contacts as c, organizations as o, peer_mentors as pm,
    reimbursements as rb, reminders as rm, user_organization_roles as uor, users,
};

pub const SCENARIO: &str = "digest.weekly";
/// Names listed per section in the mail.
const NAMES: usize = 5;
/// Days without an activity before a mentor is listed as quiet.
const QUIET_MENTOR_DAYS: i64 = 30;

/// The Monday of `d`'s week.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// What one digest holds.
#[derive(Debug, Default, Clone)]
pub struct Digest {
    pub activities: i64,
    pub contacts_not_reached: i64,
    pub claims_waiting: i64,
    pub certifications_expiring: i64,
    pub quiet_mentors: Vec<String>,
}

/// Certifications of the associations' peer mentors (not revoked) expiring within 30 days:
/// one `COUNT` with an `EXISTS` on the holder's grants, so a mentor of several associations
/// counts once.
pub fn certifications_expiring(
    conn: &mut DbConn,
    org: &str,
    associations: &[String],
    pass: &Pass,
) -> QueryResult<i64> {
    let horizon =
        pass.today + Duration::days(crate::learning::certifications::model::EXPIRING_DAYS);
    ct::table
        .filter(ct::organization_id.eq(org))
        .filter(ct::revoked_at.is_null())
        .filter(ct::expires_on.ge(pass.today))
        .filter(ct::expires_on.le(horizon))
        .filter(exists(
            uor::table
                .filter(uor::user_id.eq(ct::user_id))
                .filter(uor::organization_id.eq(org))
                .filter(uor::local_association_id.eq_any(associations))
                .filter(uor::role_id.eq(Role::PeerMentor.key()))
                .filter(uor::revoked_at.is_null()),
        ))
        .count()
        .get_result(conn)
}

/// The digest of a coordinator's associations in one organization.
pub fn compute(
    conn: &mut DbConn,
    org: &str,
    associations: &[String],
    pass: &Pass,
) -> QueryResult<Digest> {
    let days: i32 = o::table
        .find(org)
        .select(o::reminder_inactive_days)
        .first(conn)?;
    let week_ago = pass.now - Duration::days(7);
    let activities: i64 = act::table
        .filter(act::organization_id.eq(org))
        .filter(act::local_association_id.eq_any(associations))
        .filter(act::status.eq("registered"))
        .filter(act::created_at.ge(week_ago))
        .count()
        .get_result(conn)?;
    let reached_since = pass.today - Duration::days(i64::from(days));
    let contacts_not_reached: i64 = c::table
        .filter(c::organization_id.eq(org))
        .filter(c::local_association_id.eq_any(associations))
        .filter(c::is_active.eq(true))
        .filter(c::erased_at.is_null())
        .filter(not(exists(
            act::table
                .filter(act::contact_id.eq(c::id.nullable()))
                .filter(act::status.eq("registered"))
                .filter(act::occurred_on.gt(reached_since)),
        )))
        .count()
        .get_result(conn)?;
    let claims_waiting: i64 = rb::table
        .filter(rb::organization_id.eq(org))
        .filter(rb::local_association_id.eq_any(associations))
        .filter(rb::status.eq("submitted"))
        .count()
        .get_result(conn)?;
    let quiet_since = pass.today - Duration::days(QUIET_MENTOR_DAYS);
    let mut quiet: Vec<(String, String, String)> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .inner_join(
            pm::table.on(pm::user_id
                .eq(uor::user_id)
                .and(pm::organization_id.nullable().eq(uor::organization_id))),
        )
        .filter(uor::organization_id.eq(org))
        .filter(uor::local_association_id.eq_any(associations))
        .filter(uor::role_id.eq(Role::PeerMentor.key()))
        .filter(uor::revoked_at.is_null())
        .filter(users::is_active.eq(true))
        .filter(pm::status.eq("active"))
        .filter(not(exists(
            act::table
                .filter(act::mentor_id.eq(uor::user_id))
                .filter(act::organization_id.eq(org))
                .filter(act::status.eq("registered"))
                .filter(act::occurred_on.gt(quiet_since)),
        )))
        .select((users::name_key, users::id, users::name))
        .load(conn)?;
    quiet.sort();
    quiet.dedup_by(|a, b| a.1 == b.1);
    Ok(Digest {
        activities,
        contacts_not_reached,
        claims_waiting,
        certifications_expiring: certifications_expiring(conn, org, associations, pass)?,
        quiet_mentors: quiet.into_iter().map(|(_, _, name)| name).collect(),
    })
}

/// Makes the week's digests that are due and not made yet; how many were made.
pub fn run(conn: &mut DbConn, pass: &Pass) -> QueryResult<usize> {
    let monday = week_of(pass.today);
    if pass.now < super::reminders::day_start(monday) + Duration::hours(6) {
        return Ok(0);
    }
    let grants: Vec<(String, Option<String>, Option<String>)> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .inner_join(o::table.on(o::id.nullable().eq(uor::organization_id)))
        .filter(uor::role_id.eq(Role::Coordinator.key()))
        .filter(uor::revoked_at.is_null())
        .filter(users::is_active.eq(true))
        .filter(o::is_active.eq(true))
        .select((
            uor::user_id,
            uor::organization_id,
            uor::local_association_id,
        ))
        .load(conn)?;
    let mut wanted: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (user, org, association) in grants {
        if let (Some(org), Some(a)) = (org, association) {
            wanted.entry((user, org)).or_default().push(a);
        }
    }
    let known: HashSet<(String, String)> = rm::table
        .filter(rm::scenario.eq(SCENARIO))
        .filter(rm::due_on.eq(monday))
        .select((rm::user_id, rm::subject_id))
        .load(conn)?
        .into_iter()
        .collect();
    let mut made = 0;
    for ((user, org), associations) in wanted {
        if known.contains(&(user.clone(), org.clone())) {
            continue;
        }
        let d = compute(conn, &org, &associations, pass)?;
        if make(conn, &user, &org, monday, &d)? {
            made += 1;
        }
    }
    Ok(made)
}

fn make(
    conn: &mut DbConn,
    user: &str,
    org: &str,
    monday: NaiveDate,
    d: &Digest,
) -> QueryResult<bool> {
    let params = serde_json::json!({
        "activities": d.activities.to_string(),
        "contacts": d.contacts_not_reached.to_string(),
        "claims": d.claims_waiting.to_string(),
        "certifications": d.certifications_expiring.to_string(),
        "mentors": d.quiet_mentors.len().to_string(),
    });
    let key = super::reminders::Key {
        user_id: user,
        org_id: org,
        scenario: SCENARIO,
        subject_kind: "organization",
        subject_id: org,
        due_on: monday,
    };
    super::reminders::once(conn, &key, &|c| {
        notify_with(
            c,
            &Notice {
                user_id: user,
                org_id: Some(org),
                role: Some(Role::Coordinator),
                scenario: SCENARIO,
                subject_kind: "organization",
                subject_id: org,
                link: "/".into(),
                params: params.clone(),
            },
            &|labels, name, title| {
                let section = |key: &str, count: i64, names: &[String]| Section {
                    heading: labels.get(key).to_string(),
                    count,
                    items: names.iter().take(NAMES).cloned().collect(),
                    more: (names.len().saturating_sub(NAMES)) as i64,
                };
                let sections = [
                    section("ntf.digest.activities", d.activities, &[]),
                    section("ntf.digest.contacts", d.contacts_not_reached, &[]),
                    section("ntf.digest.claims", d.claims_waiting, &[]),
                    section("ntf.digest.certifications", d.certifications_expiring, &[]),
                    section(
                        "ntf.digest.mentors",
                        d.quiet_mentors.len() as i64,
                        &d.quiet_mentors,
                    ),
                ];
                let intro = fill(labels.get("ntf.digest.intro"), &params);
                render::digest(labels, name, title, &intro, &sections)
            },
        )
    })
}
