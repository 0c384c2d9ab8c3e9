//! Changing a course: the coordinator edits it (more seats go to the waitlist, the enrolled are
//! told of new days or place), cancels it (each enrolled or waiting person told once), and
//! writes to everyone enrolled (exactly those, not the withdrawn; bad input kept on a 422).

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::learning::enrollment::service as enrollment;
use likeperson::learning::seed as demo;
use likeperson::schema::{
    course_enrollments as ce, courses as co, notifications as n, organizations,
};

on_both_backends!(
    cancelling_a_course_tells_each_enrolled_and_waiting_person_once,
    a_message_reaches_exactly_the_enrolled_and_bad_input_is_kept,
    editing_a_course_seats_the_waitlist_and_tells_the_enrolled_of_new_days,
);

fn course(app: &TestApp, short: &str, title: &str) -> String {
    let org: String = organizations::table
        .filter(organizations::short_name.eq(short))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap();
    co::table
        .filter(co::organization_id.eq(org))
        .filter(co::title.eq(title))
        .select(co::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn with_status(app: &TestApp, course: &str, status: &str) -> Vec<String> {
    ce::table
        .filter(ce::course_id.eq(course))
        .filter(ce::status.eq(status))
        .order((ce::waitlisted_at.asc(), ce::user_id.asc()))
        .select(ce::user_id)
        .load(&mut *app.conn())
        .unwrap()
}

fn told(app: &TestApp, user: &str, scenario: &str) -> i64 {
    n::table
        .filter(n::user_id.eq(user))
        .filter(n::scenario.eq(scenario))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn told_anyone(app: &TestApp, scenario: &str) -> i64 {
    n::table
        .filter(n::scenario.eq(scenario))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn cancelling_a_course_tells_each_enrolled_and_waiting_person_once(mut app: TestApp) {
    let full = course(&app, "NHF", demo::FULL);
    let seated = with_status(&app, &full, "registered");
    let waiting = with_status(&app, &full, "waitlisted");
    assert_eq!((seated.len(), waiting.len()), (2, 1));
    // Someone who withdrew is not told.
    let mentor = app.user_id("mentor@nhf.example");
    enrollment::enroll_user(&mut app.conn(), &full, &mentor).unwrap();
    enrollment::withdraw_user(&mut app.conn(), &full, &mentor).unwrap();
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{full}")).await;
    assert!(page.has(&format!("/courses/{full}/cancel")));
    assert_eq!(
        app.get(&format!("/courses/{full}/cancel")).await.status,
        200
    );
    let res = app
        .post(&format!("/courses/{full}/cancel"), &[("reason", "  ")])
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(told_anyone(&app, "course.cancelled"), 0, "nothing sent");
    let res = app
        .post(
            &format!("/courses/{full}/cancel"),
            &[("reason", "Kursholder er syk")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    for u in seated.iter().chain(&waiting) {
        assert_eq!(told(&app, u, "course.cancelled"), 1, "each told once");
    }
    assert_eq!(told(&app, &mentor, "course.cancelled"), 0);
    assert_eq!(told_anyone(&app, "course.cancelled"), 3);
    assert_eq!(app.audit_count("course.cancelled"), 1);
    let page = app.get(&format!("/courses/{full}")).await;
    assert!(page.has("Avlyst") && page.has("Kursholder er syk"));
    // A cancelled course is not cancelled (or edited) again; nobody is told twice.
    let res = app
        .post(&format!("/courses/{full}/cancel"), &[("reason", "Igjen")])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(app.get(&format!("/courses/{full}/edit")).await.status, 404);
    assert_eq!(told_anyone(&app, "course.cancelled"), 3);
    // Another organization's course is not found.
    let other = course(&app, "HLF", demo::FULL);
    let res = app
        .post(&format!("/courses/{other}/cancel"), &[("reason", "x")])
        .await;
    assert_eq!(res.status, 404);
    // The mentor can neither enroll nor withdraw (no seat is handed on).
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let res = app.htmx_post(&format!("/courses/{full}/enroll")).await;
    assert!(
        res.has("Kurset har startet eller er avlyst."),
        "{}",
        res.body
    );
    assert_eq!(with_status(&app, &full, "waitlisted"), waiting);
    // The cancelled mail reached a participant.
    assert!(app
        .mails_to("kursdeltaker3@nhf.example")
        .iter()
        .any(|m| m.contains("Kursholder er syk")));
}

async fn a_message_reaches_exactly_the_enrolled_and_bad_input_is_kept(mut app: TestApp) {
    let full = course(&app, "NHF", demo::FULL);
    let seated = with_status(&app, &full, "registered");
    // One seated person withdraws; the waiting one takes the seat.
    enrollment::withdraw_user(&mut app.conn(), &full, &seated[0]).unwrap();
    let enrolled = with_status(&app, &full, "registered");
    assert_eq!(enrolled.len(), 2);
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{full}/message")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Meldingen går til 2 påmeldte"), "{}", page.body);
    // Bad input: empty, too long (kept), control characters.
    let res = app
        .post(&format!("/courses/{full}/message"), &[("body", "")])
        .await;
    assert_eq!(res.status, 422);
    let long = "å".repeat(10_000);
    let res = app
        .post(&format!("/courses/{full}/message"), &[("body", &long)])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(&long), "the text is kept");
    assert!(res.has("høyst 2000 tegn"));
    let res = app
        .post(&format!("/courses/{full}/message"), &[("body", "Hei\u{7}")])
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(told_anyone(&app, "course.message"), 0, "nothing sent");
    let res = app
        .post(
            &format!("/courses/{full}/message"),
            &[("body", "Husk matpakke.\nVi starter presis.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    for u in &enrolled {
        assert_eq!(told(&app, u, "course.message"), 1);
    }
    assert_eq!(
        told(&app, &seated[0], "course.message"),
        0,
        "not the withdrawn"
    );
    assert_eq!(told_anyone(&app, "course.message"), 2);
    assert_eq!(app.audit_count("course.message_sent"), 1);
    // By e-mail too, with the message as written.
    let to: String = likeperson::schema::users::table
        .find(&enrolled[0])
        .select(likeperson::schema::users::email)
        .first(&mut *app.conn())
        .unwrap();
    let mails = app.mails_to(&to);
    assert!(
        mails.iter().any(|m| m.contains("Husk matpakke.")),
        "{mails:?}"
    );
    // A mentor writes to nobody; another organization's course is not found.
    let other = course(&app, "HLF", demo::FULL);
    let res = app
        .post(&format!("/courses/{other}/message"), &[("body", "Hei")])
        .await;
    assert_eq!(res.status, 404);
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let res = app
        .post(&format!("/courses/{full}/message"), &[("body", "Hei")])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(told_anyone(&app, "course.message"), 2);
}

async fn editing_a_course_seats_the_waitlist_and_tells_the_enrolled_of_new_days(mut app: TestApp) {
    let full = course(&app, "NHF", demo::FULL);
    let seated = with_status(&app, &full, "registered");
    let waiting = with_status(&app, &full, "waitlisted");
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{full}/edit")).await;
    assert_eq!(page.status, 200);
    assert!(page.has(&format!("value=\"{}\"", demo::FULL)), "filled in");
    let field = |name: &str| -> String {
        let re = regex::Regex::new(&format!(r#"name="{name}"[^>]*value="([^"]*)""#)).unwrap();
        re.captures(&page.body)
            .map(|c| c[1].to_string())
            .unwrap_or_default()
    };
    let assoc: String = {
        let re = regex::Regex::new(r#"name="associations" value="([^"]+)" checked>"#).unwrap();
        re.captures(&page.body).unwrap()[1].to_string()
    };
    let (day, deadline) = (field("day1_date"), field("deadline_date"));
    let base = |capacity: &'static str, place: &'static str| {
        vec![
            ("title", demo::FULL.to_string()),
            ("associations", assoc.clone()),
            ("capacity", capacity.to_string()),
            ("place", place.to_string()),
            ("day1_date", day.clone()),
            ("day1_start", "09:00".to_string()),
            ("day1_end", "15:00".to_string()),
            ("deadline_date", deadline.clone()),
            ("deadline_time", "23:00".to_string()),
        ]
    };
    let send = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    // Fewer seats than taken: 422, values kept, nothing changed.
    let form = send(&base("1", "Frivillighetshuset"));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post(&format!("/courses/{full}"), &pairs).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.has("Færre plasser enn de som allerede er tatt."),
        "{}",
        res.body
    );
    assert!(res.has("value=\"1\""));
    // A seat more and a new place: the first waiting takes the seat; all are told of the place.
    let form = send(&base("3", "Nytt sted"));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post(&format!("/courses/{full}"), &pairs).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(with_status(&app, &full, "registered").contains(&waiting[0]));
    assert_eq!(told(&app, &waiting[0], "waitlist.seat_given"), 1);
    for u in seated.iter().chain(&waiting) {
        assert_eq!(told(&app, u, "course.changed"), 1);
    }
    assert_eq!(app.audit_count("course.updated"), 1);
    // Only the title changed: nobody is told again.
    let mut form = send(&base("3", "Nytt sted"));
    form[0].1 = "Samtaleteknikk 2".into();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.post(&format!("/courses/{full}"), &pairs).await.status,
        303
    );
    assert_eq!(told_anyone(&app, "course.changed"), 3);
    // Another organization's course, and a mentor: not found.
    let other = course(&app, "HLF", demo::FULL);
    assert_eq!(
        app.post(&format!("/courses/{other}"), &pairs).await.status,
        404
    );
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&format!("/courses/{full}/edit")).await.status, 404);
    assert_eq!(
        app.post(&format!("/courses/{full}"), &pairs).await.status,
        404
    );
}
