//! Demo activity types and a year of activities, and a fast generator of many activities for
//! benchmarks (`likeperson seed --activities N`).

use chrono::{Duration, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::bufdir;
use super::model::{Activity, ActivityType};
use super::service::today;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    activities, activity_types, contact_mentors, organizations, user_organization_roles as uor,
};

/// (name, kind, Bufdir category, requires participants)
const DEMO_TYPES: [(&str, &str, Option<&str>, bool); 6] = [
    ("Hjemmebesøk", "one_to_one", Some("outreach"), false),
    (
        "Møte ute (kafé, tur)",
        "one_to_one",
        Some("outreach"),
        false,
    ),
    ("Telefonsamtale", "phone", None, false),
    ("Samtalegruppe", "group", Some("group"), true),
    ("Likepersonskurs", "training", Some("training"), false),
    ("Sosialt treff", "social", None, true),
];

/// A small deterministic generator, so demo data is the same on every machine.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let t = now();
    let orgs: Vec<String> = organizations::table
        .order(organizations::name.asc())
        .select(organizations::id)
        .load(conn)?;
    let mut rng = Lcg(20261124);
    let today = today();
    for org in orgs {
        let mut types = Vec::new();
        for (i, (name, kind, category, participants)) in DEMO_TYPES.iter().enumerate() {
            let ty = ActivityType {
                id: new_id(),
                organization_id: org.clone(),
                name: name.to_string(),
                name_key: crate::web::forms::search_key(name),
                kind: kind.to_string(),
                bufdir_category: category.map(str::to_string),
                requires_duration: true,
                requires_participants: *participants,
                requires_contact: false,
                allows_expenses: *kind != "phone",
                is_active: true,
                sort_order: i as i32 * 10,
                created_at: t,
                updated_at: t,
            };
            diesel::insert_into(activity_types::table)
                .values(&ty)
                .execute(conn)?;
            types.push(ty);
        }
        let grants: Vec<(String, Option<String>)> = uor::table
            .filter(uor::organization_id.eq(&org))
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::revoked_at.is_null())
            .select((uor::user_id, uor::local_association_id))
            .load(conn)?;
        for (mentor, association) in grants {
            let Some(association) = association else {
                continue;
            };
            let contacts: Vec<String> = contact_mentors::table
                .filter(contact_mentors::user_id.eq(&mentor))
                .filter(contact_mentors::ended_at.is_null())
                .select(contact_mentors::contact_id)
                .load(conn)?;
            for _ in 0..60 {
                let ty = &types[rng.next(types.len() as u64) as usize];
                let date = today - Duration::days(rng.next(365) as i64);
                let minutes = [30, 45, 60, 90, 120, 180][rng.next(6) as usize];
                let participants =
                    (ty.kind == "group" || ty.kind == "social").then(|| 2 + rng.next(9) as i32);
                let contact =
                    (ty.kind == "one_to_one" || ty.kind == "phone") && !contacts.is_empty();
                let contact_id =
                    contact.then(|| contacts[rng.next(contacts.len() as u64) as usize].clone());
                let outcome = bufdir::evaluate(
                    &ty.kind,
                    ty.bufdir_category.as_deref(),
                    "registered",
                    Some(minutes),
                    participants,
                    contact_id.is_some(),
                );
                let a = Activity {
                    id: new_id(),
                    organization_id: org.clone(),
                    local_association_id: association.clone(),
                    activity_type_id: ty.id.clone(),
                    mentor_id: mentor.clone(),
                    registered_by: mentor.clone(),
                    is_proxy: false,
                    occurred_on: date,
                    duration_minutes: Some(minutes),
                    contact_id,
                    participants,
                    description: None,
                    status: "registered".into(),
                    bufdir_counts: outcome.counts,
                    bufdir_reason: outcome.reason.into(),
                    event_id: None,
                    created_at: t,
                    updated_at: t,
                };
                diesel::insert_into(activities::table)
                    .values(&a)
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// The Bufdir outcome of a generated row, in SQL (`t` the type, `mc` the mentor's contact), as
/// `bufdir::evaluate` decides it for the generator's durations and participants.
const COUNTS: &str = "t.bufdir_category IS NOT NULL AND t.kind NOT IN ('phone', 'social')
                 AND (t.bufdir_category <> 'outreach' OR mc.contact_id IS NOT NULL)";
const REASON: &str = "CASE WHEN t.bufdir_category IS NULL OR t.kind IN ('phone', 'social') THEN 'bufdir.not_counted_type'
                      WHEN t.bufdir_category = 'outreach' AND mc.contact_id IS NULL THEN 'bufdir.outreach_no_contact'
                      ELSE 'bufdir.counts_' || t.bufdir_category END";

/// Adds `n` activities spread over every peer mentor grant, activity type and the last three
/// years, in one statement per backend (the benchmark's large data). One-to-one and phone rows
/// are with the mentor's first assigned contact, where they have one.
pub fn generate(conn: &mut DbConn, n: u64) -> anyhow::Result<()> {
    let start: NaiveDate = today() - Duration::days(3 * 365);
    let sql = match conn {
        DbConn::Postgres(_) => format!(
            "WITH g AS (SELECT uor.user_id, uor.local_association_id, uor.organization_id,
                        row_number() OVER (ORDER BY uor.id) - 1 AS k
                 FROM user_organization_roles uor
                 WHERE uor.role_id = 'peer_mentor' AND uor.revoked_at IS NULL AND uor.local_association_id IS NOT NULL),
             gc AS (SELECT count(*) AS c FROM g),
             mc AS (SELECT user_id, min(contact_id) AS contact_id FROM contact_mentors WHERE ended_at IS NULL GROUP BY user_id),
             t AS (SELECT id, organization_id, kind, bufdir_category,
                        row_number() OVER (PARTITION BY organization_id ORDER BY sort_order, id) - 1 AS k,
                        count(*) OVER (PARTITION BY organization_id) AS c
                 FROM activity_types WHERE is_active)
             INSERT INTO activities (id, organization_id, local_association_id, activity_type_id, mentor_id, registered_by,
                 is_proxy, occurred_on, duration_minutes, contact_id, participants, description, status, bufdir_counts,
                 bufdir_reason, event_id, created_at, updated_at)
             SELECT gen_random_uuid()::text, g.organization_id, g.local_association_id, t.id, g.user_id, g.user_id, FALSE,
                 DATE '{start}' + (s.i * 7919 % 1095)::int, CASE WHEN t.kind = 'training' THEN 120 ELSE 60 END,
                 CASE WHEN t.kind IN ('one_to_one', 'phone') THEN mc.contact_id END, CASE WHEN t.kind IN ('group', 'social') THEN 5 END,
                 NULL, 'registered', {counts},
                 {reason}, NULL, now(), now()
             FROM generate_series(0::bigint, {last}) AS s(i)
             CROSS JOIN gc
             JOIN g ON g.k = s.i % gc.c
             JOIN t ON t.organization_id = g.organization_id AND t.k = (s.i / gc.c) % t.c
             LEFT JOIN mc ON mc.user_id = g.user_id",
            last = n.saturating_sub(1),
            counts = COUNTS,
            reason = REASON,
        ),
        DbConn::Sqlite(_) => format!(
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {last}),
             g AS (SELECT uor.user_id, uor.local_association_id, uor.organization_id,
                        row_number() OVER (ORDER BY uor.id) - 1 AS k
                 FROM user_organization_roles uor
                 WHERE uor.role_id = 'peer_mentor' AND uor.revoked_at IS NULL AND uor.local_association_id IS NOT NULL),
             gc AS (SELECT count(*) AS c FROM g),
             mc AS (SELECT user_id, min(contact_id) AS contact_id FROM contact_mentors WHERE ended_at IS NULL GROUP BY user_id),
             t AS (SELECT id, organization_id, kind, bufdir_category,
                        row_number() OVER (PARTITION BY organization_id ORDER BY sort_order, id) - 1 AS k,
                        count(*) OVER (PARTITION BY organization_id) AS c
                 FROM activity_types WHERE is_active)
             INSERT INTO activities (id, organization_id, local_association_id, activity_type_id, mentor_id, registered_by,
                 is_proxy, occurred_on, duration_minutes, contact_id, participants, description, status, bufdir_counts,
                 bufdir_reason, event_id, created_at, updated_at)
             SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-a'
                        || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
                 g.organization_id, g.local_association_id, t.id, g.user_id, g.user_id, 0,
                 date('{start}', '+' || (s.i * 7919 % 1095) || ' days'), CASE WHEN t.kind = 'training' THEN 120 ELSE 60 END,
                 CASE WHEN t.kind IN ('one_to_one', 'phone') THEN mc.contact_id END,
                 CASE WHEN t.kind IN ('group', 'social') THEN 5 END, NULL, 'registered',
                 {counts}, {reason}, NULL, datetime('now'), datetime('now')
             FROM s
             CROSS JOIN gc
             JOIN g ON g.k = s.i % gc.c
             JOIN t ON t.organization_id = g.organization_id AND t.k = (s.i / gc.c) % t.c
             LEFT JOIN mc ON mc.user_id = g.user_id",
            last = n.saturating_sub(1),
            counts = COUNTS,
            reason = REASON,
        ),
    };
    conn.batch_execute(&sql)?;
    Ok(())
}
