//! Mentor approval requirements (configured per organization, recorded by date, met by
//! certifications, gating assignment dispatch) and the learning hooks of notifications and
//! badges: course tomorrow, certification and requirement expiring, the digest's count, the
//! course-completed badge.

use crate::common::TestApp;
use crate::on_both_backends;
use chrono::Duration;
use diesel::prelude::*;
use likeperson::db::now;
use likeperson::learning::certifications::service as certs;
use likeperson::learning::requirements::service as req;
use likeperson::learning::seed as demo;
use likeperson::notifications::reminders;
use likeperson::notifications::scenarios::Pass;
use likeperson::schema::{
    approval_requirements as ar, course_enrollments as ce, courses as co, organizations,
    user_badges as ub,
};

on_both_backends!(
    requirements_are_configured_recorded_by_date_and_decide_eligibility,
    reminders_digest_and_badges_find_courses_and_expiring_certifications,
);

fn org_id(app: &TestApp, short: &str) -> String {
    organizations::table
        .filter(organizations::short_name.eq(short))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    likeperson::activities::service::today()
}

async fn requirements_are_configured_recorded_by_date_and_decide_eligibility(mut app: TestApp) {
    let org = org_id(&app, "NHF");
    let mentor = app.user_id("mentor@nhf.example");
    assert!(
        req::eligible(&mut app.conn(), &org, &mentor).unwrap(),
        "no requirements: eligible"
    );
    app.login("admin@nhf.example").await;
    assert_eq!(app.get("/requirement-settings").await.status, 200);
    let res = app
        .post(
            "/requirement-settings",
            &[
                ("kind", ""),
                ("name", "Politiattest"),
                ("validity_months", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("value=\"Politiattest\""));
    let res = app
        .post(
            "/requirement-settings",
            &[
                ("kind", "police_certificate"),
                ("name", "Politiattest"),
                ("validity_months", "36"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = app
        .post(
            "/requirement-settings",
            &[
                ("kind", "course"),
                ("name", "Grunnkurs"),
                ("validity_months", "24"),
            ],
        )
        .await;
    assert_eq!(
        res.status, 422,
        "a course requirement names its certification"
    );
    app.post(
        "/requirement-settings",
        &[
            ("kind", "course"),
            ("name", "Grunnkurs"),
            ("certification_name", "Godkjent likeperson"),
            ("validity_months", "24"),
        ],
    )
    .await;
    assert_eq!(app.audit_count("requirement.created"), 2);
    assert!(!req::eligible(&mut app.conn(), &org, &mentor).unwrap());
    assert_eq!(
        likeperson::assignments::dispatch::certification_requirement(
            &mut app.conn(),
            &org,
            &mentor
        )
        .unwrap(),
        Some("req.ineligible")
    );
    app.logout().await;
    // An event that demands approval refuses the mentor, with the reason; nothing changes.
    let event = crate::events::event_in(&app, crate::events::HOME, crate::events::OPEN);
    diesel::update(likeperson::schema::events::table.find(&event))
        .set(likeperson::schema::events::requires_approval.eq(true))
        .execute(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    let res = app.htmx_post(&format!("/events/{event}/register")).await;
    assert!(
        res.has("Du oppfyller ikke godkjenningskravene for dette."),
        "{}",
        res.body
    );
    let seats: i32 = likeperson::schema::events::table
        .find(&event)
        .select(likeperson::schema::events::seats_taken)
        .first(&mut *app.conn())
        .unwrap();
    app.logout().await;

    app.login("coordinator@nhf.example").await;
    let page = app.get("/requirements/mentors").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Mona Mentor (NHF)") && page.has("Mangler"));
    let police: String = ar::table
        .filter(ar::organization_id.eq(&org))
        .filter(ar::name.eq("Politiattest"))
        .select(ar::id)
        .first(&mut *app.conn())
        .unwrap();
    let tomorrow = (today() + Duration::days(1)).to_string();
    let res = app
        .post(
            "/requirements/mentors",
            &[
                ("user_id", &mentor),
                ("requirement_id", &police),
                ("fulfilled_on", &tomorrow),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "not in the future");
    // Seen about 35.5 months ago: valid for about two more weeks, so expiring.
    let seen = (today() - Duration::days(1080)).to_string();
    let res = app
        .post(
            "/requirements/mentors",
            &[
                ("user_id", &mentor),
                ("requirement_id", &police),
                ("fulfilled_on", &seen),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    // The course requirement is met by the certification.
    certs::issue(
        &mut app.conn(),
        &org,
        &mentor,
        None,
        "Godkjent likeperson",
        today(),
        Some(24),
    )
    .unwrap();
    assert!(req::eligible(&mut app.conn(), &org, &mentor).unwrap());
    // Another organization's mentor cannot be recorded here.
    let other = app.user_id("mentor@hlf.example");
    let res = app
        .post(
            "/requirements/mentors",
            &[
                ("user_id", &other),
                ("requirement_id", &police),
                ("fulfilled_on", &seen),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    app.logout().await;

    app.login("mentor@nhf.example").await;
    let mine = app.get("/requirements/mine").await;
    assert!(mine.has("Politiattest") && mine.has("Utløper snart"));
    assert!(mine.has("Grunnkurs") && mine.has("Oppfylt"));
    // Approved now: the event takes the registration.
    app.htmx_post(&format!("/events/{event}/register")).await;
    let after: i32 = likeperson::schema::events::table
        .find(&event)
        .select(likeperson::schema::events::seats_taken)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(after, seats + 1);
    assert_eq!(app.get("/requirement-settings").await.status, 404);
    assert_eq!(app.get("/requirements/mentors").await.status, 404);
    // The requirement reminder: due 30 days before the end.
    let due = reminders::requirement_expiring(&mut app.conn(), &Pass::at(now())).unwrap();
    assert!(due
        .iter()
        .any(|d| d.user_id == mentor && d.subject_id == police));
}

async fn reminders_digest_and_badges_find_courses_and_expiring_certifications(app: TestApp) {
    let org = org_id(&app, "NHF");
    let mentor = app.user_id("mentor@nhf.example");
    let pass = Pass::at(now());
    let assocs = app.association_ids("NHF");
    let expiring_before = likeperson::notifications::digest::certifications_expiring(
        &mut app.conn(),
        &org,
        &assocs,
        &pass,
    )
    .unwrap();
    // A course tomorrow with the mentor seated.
    let course = demo::insert_course(
        &mut app.conn(),
        &org,
        None,
        "Morgendagens kurs",
        1,
        1,
        5,
        None,
    )
    .unwrap();
    likeperson::learning::enrollment::service::enroll_user(&mut app.conn(), &course.id, &mentor)
        .unwrap();
    let due = reminders::course_tomorrow(&mut app.conn(), &pass).unwrap();
    assert_eq!(
        due.iter()
            .filter(|d| d.subject_id == course.id && d.user_id == mentor)
            .count(),
        1
    );
    // Expiring in 20 days: the 30-day notice; in 5 days: both; expired or revoked: none.
    let c20 = certs::issue(&mut app.conn(), &org, &mentor, None, "A", today(), Some(12)).unwrap();
    diesel::update(likeperson::schema::certifications::table.find(&c20))
        .set(likeperson::schema::certifications::expires_on.eq(Some(today() + Duration::days(20))))
        .execute(&mut *app.conn())
        .unwrap();
    let c5 = certs::issue(&mut app.conn(), &org, &mentor, None, "B", today(), Some(1)).unwrap();
    diesel::update(likeperson::schema::certifications::table.find(&c5))
        .set(likeperson::schema::certifications::expires_on.eq(Some(today() + Duration::days(5))))
        .execute(&mut *app.conn())
        .unwrap();
    let gone = certs::issue(&mut app.conn(), &org, &mentor, None, "C", today(), Some(1)).unwrap();
    diesel::update(likeperson::schema::certifications::table.find(&gone))
        .set(likeperson::schema::certifications::expires_on.eq(Some(today() - Duration::days(1))))
        .execute(&mut *app.conn())
        .unwrap();
    let due = reminders::certification_expiring(&mut app.conn(), &pass).unwrap();
    let of = |id: &str| due.iter().filter(|d| d.subject_id == id).count();
    assert_eq!((of(&c20), of(&c5), of(&gone)), (1, 2, 0));
    // Made once each by the engine.
    reminders::run(&mut app.conn(), &pass).unwrap();
    let again = reminders::run(&mut app.conn(), &pass).unwrap();
    assert_eq!(again.total(), 0);
    // The digest counts the two expiring in the coordinator's associations.
    let n = likeperson::notifications::digest::certifications_expiring(
        &mut app.conn(),
        &org,
        &assocs,
        &pass,
    )
    .unwrap();
    assert_eq!(n, expiring_before + 2);
    // The course-completed badge: one completed course earns it.
    let t = now();
    let badge = likeperson::engagement::model::Badge {
        id: likeperson::db::new_id(),
        organization_id: org.clone(),
        name: "Kursfugl".into(),
        description: "Fullførte et kurs".into(),
        icon: "book".into(),
        image_key: None,
        image_type: None,
        trigger_kind: "course_completed".into(),
        threshold: 1,
        is_active: true,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(likeperson::schema::badges::table)
        .values(&badge)
        .execute(&mut *app.conn())
        .unwrap();
    likeperson::engagement::badges::service::award_due(&mut app.conn()).unwrap();
    let held = |app: &TestApp| -> i64 {
        ub::table
            .filter(ub::badge_id.eq(&badge.id))
            .filter(ub::user_id.eq(&mentor))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(held(&app), 0, "not completed yet");
    diesel::update(
        ce::table
            .filter(ce::course_id.eq(&course.id))
            .filter(ce::user_id.eq(&mentor)),
    )
    .set(ce::status.eq("attended"))
    .execute(&mut *app.conn())
    .unwrap();
    likeperson::engagement::badges::service::award_due(&mut app.conn()).unwrap();
    assert_eq!(held(&app), 1);
    let _ = co::table;
}
