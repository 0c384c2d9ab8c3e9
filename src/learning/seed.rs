//! Demo courses for every organization, in the association the demo mentor and coordinator
//! share: an open course, a full one with a waitlist, and a past one. Three demo course
//! participants per organization ("Kursdeltaker 1–3", peer mentors of that association) hold
//! the seats. The demo mentor holds certifications in every status (active, expiring, expired,
//! revoked); Barnekreftforeningen has approval requirements with gaps.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::certifications::model::Certification;
use super::courses::model::{Course, CourseDay};
use super::requirements::model::Requirement;
use crate::access::Role;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    approval_requirements, certifications, course_days, course_enrollments as ce, courses,
    organizations, requirement_records, user_organization_roles as uor, users,
};
use crate::users::model::{RoleGrant, User};

pub const OPEN: &str = "Grunnkurs for likepersoner";
pub const FULL: &str = "Samtaleteknikk";
pub const PAST: &str = "Oppfriskningskurs";

/// A start instant at a full hour in Norway, `days` from today.
pub(crate) fn at_hour(days: i64, hour: u32) -> NaiveDateTime {
    let date = crate::activities::service::today() + Duration::days(days);
    crate::events::service::oslo_to_utc(&date.to_string(), &format!("{hour:02}:00"))
        .unwrap_or_else(|| date.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// Inserts a course of `days` days starting `from` days from today.
#[allow(clippy::too_many_arguments)]
pub fn insert_course(
    conn: &mut DbConn,
    org: &str,
    association: Option<&str>,
    title: &str,
    from: i64,
    days: i64,
    capacity: i32,
    certification: Option<(&str, i32)>,
) -> QueryResult<Course> {
    let t = now();
    let c = Course {
        id: new_id(),
        organization_id: org.to_string(),
        local_association_id: None,
        title: title.to_string(),
        description: "Innføring i rollen som likeperson: taushetsplikt, samtaler og egne grenser."
            .into(),
        place: Some("Frivillighetshuset".into()),
        online_url: None,
        capacity,
        seats_taken: 0,
        enrollment_deadline: at_hour(from - 2, 23),
        starts_at: at_hour(from, 9),
        certification_name: certification.map(|(n, _)| n.to_string()),
        validity_months: certification.map(|(_, m)| m),
        bufdir_training: true,
        status: "open".into(),
        created_by: None,
        created_at: t,
        updated_at: t,
        cancel_reason: None,
    };
    diesel::insert_into(courses::table)
        .values(&c)
        .execute(conn)?;
    let audience: Vec<String> = association.map(str::to_string).into_iter().collect();
    super::courses::service::set_audience(conn, &c.id, &audience)?;
    for d in 0..days {
        diesel::insert_into(course_days::table)
            .values(&CourseDay {
                id: new_id(),
                course_id: c.id.clone(),
                starts_at: at_hour(from + d, 9),
                ends_at: at_hour(from + d, 15),
            })
            .execute(conn)?;
    }
    Ok(c)
}

/// Enrolls directly (seed only): a seat counted, or a place on the waitlist.
pub fn put(conn: &mut DbConn, course: &Course, user: &str, status: &str) -> QueryResult<()> {
    let t = now();
    diesel::insert_into(ce::table)
        .values((
            ce::id.eq(new_id()),
            ce::course_id.eq(&course.id),
            ce::user_id.eq(user),
            ce::status.eq(status),
            ce::waitlisted_at.eq((status == "waitlisted").then_some(t)),
            ce::enrolled_at.eq(t),
            ce::updated_at.eq(t),
        ))
        .execute(conn)?;
    if status != "waitlisted" && status != "withdrawn" {
        diesel::update(courses::table.find(&course.id))
            .set(courses::seats_taken.eq(courses::seats_taken + 1))
            .execute(conn)?;
    }
    Ok(())
}

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let orgs: Vec<(String, String)> = organizations::table
        .order(organizations::name.asc())
        .select((organizations::id, organizations::short_name))
        .load(conn)?;
    for (org, short) in orgs {
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
        let home: Option<Option<String>> = uor::table
            .filter(uor::organization_id.eq(&org))
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::user_id.eq(&coordinator))
            .select(uor::local_association_id)
            .first(conn)
            .optional()?;
        let Some(Some(home)) = home else { continue };
        let domain: String = users::table
            .find(&mentor)
            .select(users::email)
            .first::<String>(conn)?
            .split('@')
            .nth(1)
            .unwrap_or("example")
            .to_string();
        let mut others = Vec::new();
        for i in 1..=3 {
            let u = User::new(
                &format!("kursdeltaker{i}@{domain}"),
                &format!("Kursdeltaker {i} ({short})"),
                None,
            );
            diesel::insert_into(users::table).values(&u).execute(conn)?;
            diesel::insert_into(uor::table)
                .values(&RoleGrant::new(
                    &u.id,
                    Some(&org),
                    Role::PeerMentor,
                    Some(&home),
                    None,
                ))
                .execute(conn)?;
            others.push(u.id);
        }
        let cert = Some(("Godkjent likeperson", 24));
        // Open: for the whole organization, a seat held by one participant.
        let open = insert_course(conn, &org, None, OPEN, 14, 2, 12, cert)?;
        put(conn, &open, &others[0], "registered")?;
        // Full: two seats, both taken, one waiting.
        let full = insert_course(conn, &org, Some(&home), FULL, 21, 1, 2, None)?;
        put(conn, &full, &others[0], "registered")?;
        put(conn, &full, &others[1], "registered")?;
        put(conn, &full, &others[2], "waitlisted")?;
        // Past: the mentor and a participant attended.
        let past = insert_course(conn, &org, Some(&home), PAST, -30, 1, 10, cert)?;
        put(conn, &past, &mentor, "registered")?;
        put(conn, &past, &others[1], "registered")?;
        certifications(conn, &org, &mentor, &others[0])?;
        if short == "Blindeforbundet" {
            super::programs::seed::seed_demo(conn, &org, &home, &mentor, &others)?;
        }
        if short == "Barnekreftforeningen" {
            requirements(conn, &org, &mentor, &others)?;
        }
    }
    Ok(())
}

/// The demo mentor's certifications in every status, and one for a participant.
fn certifications(conn: &mut DbConn, org: &str, mentor: &str, other: &str) -> QueryResult<()> {
    let today = crate::activities::service::today();
    let days = Duration::days;
    // (holder, name, issued days ago, expires in days, revoked reason)
    type Held<'a> = (&'a str, &'a str, i64, Option<i64>, Option<&'a str>);
    let list: [Held; 5] = [
        (mentor, "Godkjent likeperson", 60, Some(670), None),
        (mentor, "Førstehjelp", 345, Some(20), None),
        (mentor, "Samtaleteknikk", 800, Some(-70), None),
        (
            mentor,
            "Taushetsplikt i praksis",
            100,
            None,
            Some("Utstedt ved en feil"),
        ),
        (other, "Godkjent likeperson", 30, Some(700), None),
    ];
    for (user, name, ago, expires, revoked) in list {
        diesel::insert_into(certifications::table)
            .values(&Certification {
                id: new_id(),
                organization_id: org.to_string(),
                user_id: user.to_string(),
                course_id: None,
                name: name.to_string(),
                issued_on: today - days(ago),
                expires_on: expires.map(|e| today + days(e)),
                revoked_at: revoked.map(|_| now()),
                revoked_reason: revoked.map(str::to_string),
                verify_token: super::certifications::service::new_token(),
                created_at: now(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Barnekreftforeningen's approval requirements (basic course, confidentiality declaration,
/// police certificate, yearly follow-up talk, refresher every two years): the demo mentor
/// meets all but the follow-up talk, which is expiring; the participants have gaps.
fn requirements(conn: &mut DbConn, org: &str, mentor: &str, others: &[String]) -> QueryResult<()> {
    let today = crate::activities::service::today();
    let t = now();
    let specs: [(&str, &str, Option<&str>, Option<i32>); 5] = [
        ("course", "Grunnkurs", Some("Godkjent likeperson"), Some(24)),
        ("declaration", "Taushetserklæring", None, None),
        ("police_certificate", "Politiattest", None, Some(36)),
        ("follow_up", "Årlig oppfølgingssamtale", None, Some(12)),
        (
            "refresher",
            "Oppfriskningskurs",
            Some("Godkjent likeperson"),
            Some(24),
        ),
    ];
    let mut ids = Vec::new();
    for (kind, name, cert, months) in specs {
        let r = Requirement {
            id: new_id(),
            organization_id: org.to_string(),
            kind: kind.into(),
            name: name.into(),
            certification_name: cert.map(str::to_string),
            validity_months: months,
            is_active: true,
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(approval_requirements::table)
            .values(&r)
            .execute(conn)?;
        ids.push(r.id);
    }
    // (who, requirement index, days ago)
    let mut records: Vec<(&str, usize, i64)> =
        vec![(mentor, 1, 400), (mentor, 2, 700), (mentor, 3, 350)];
    records.push((&others[0], 1, 30));
    records.push((&others[1], 2, 1200));
    for (user, i, ago) in records {
        diesel::insert_into(requirement_records::table)
            .values((
                requirement_records::id.eq(new_id()),
                requirement_records::organization_id.eq(org),
                requirement_records::requirement_id.eq(&ids[i]),
                requirement_records::user_id.eq(user),
                requirement_records::fulfilled_on.eq(today - Duration::days(ago)),
                requirement_records::recorded_by.eq(None::<String>),
                requirement_records::created_at.eq(t),
            ))
            .execute(conn)?;
    }
    Ok(())
}
