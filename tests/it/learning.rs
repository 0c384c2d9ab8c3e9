//! Learning: courses, enrollment with a waitlist (capacity held under races, the first waiting
//! takes a freed seat), the coordinator's moves, and bad input.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::learning::enrollment::service::{self as enrollment, Outcome};
use likeperson::learning::seed as demo;
use likeperson::schema::{
    course_enrollments as ce, courses as co, notifications as n, organizations, users,
};

on_both_backends!(
    capacity_holds_when_many_enroll_at_once_and_the_rest_are_waitlisted_in_order,
    when_several_withdraw_at_once_each_freed_seat_goes_to_the_next_waiting,
    a_mentor_is_waitlisted_with_a_position_and_promoted_when_others_leave,
    deadline_double_enrollment_and_other_organizations_are_refused,
    a_coordinator_creates_a_course_and_bad_input_answers_422_with_values_kept,
    the_coordinator_moves_people_between_seats_and_the_waitlist,
);

fn org_id(app: &TestApp, short: &str) -> String {
    organizations::table
        .filter(organizations::short_name.eq(short))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// `n` fresh users (seat holders in races).
fn people(app: &TestApp, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let u = likeperson::users::model::User::new(
                &format!("racer{i}-{}@test.example", uuid::Uuid::new_v4()),
                &format!("Racer {i:02}"),
                None,
            );
            diesel::insert_into(users::table)
                .values(&u)
                .execute(&mut *app.conn())
                .unwrap();
            u.id
        })
        .collect()
}

fn course(app: &TestApp, capacity: i32) -> String {
    let org = org_id(app, "NHF");
    demo::insert_course(
        &mut app.conn(),
        &org,
        None,
        "Racekurs",
        10,
        1,
        capacity,
        None,
    )
    .unwrap()
    .id
}

fn statuses(app: &TestApp, course: &str, status: &str) -> Vec<String> {
    ce::table
        .filter(ce::course_id.eq(course))
        .filter(ce::status.eq(status))
        .order((ce::waitlisted_at.asc(), ce::user_id.asc()))
        .select(ce::user_id)
        .load(&mut *app.conn())
        .unwrap()
}

fn seats_taken(app: &TestApp, course: &str) -> i32 {
    enrollment::seats_taken(&mut app.conn(), course).unwrap()
}

fn course_by_title(app: &TestApp, short: &str, title: &str) -> String {
    co::table
        .filter(co::organization_id.eq(org_id(app, short)))
        .filter(co::title.eq(title))
        .select(co::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn seat_given(app: &TestApp, user: &str) -> i64 {
    n::table
        .filter(n::user_id.eq(user))
        .filter(n::scenario.eq("waitlist.seat_given"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn capacity_holds_when_many_enroll_at_once_and_the_rest_are_waitlisted_in_order(
    app: TestApp,
) {
    // As many racers as the test pool holds connections at once (each waits at the barrier
    // holding one).
    let id = course(&app, 2);
    let racers = people(&app, 4);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(racers.len()));
    let handles: Vec<_> = racers
        .iter()
        .map(|u| {
            let (pool, barrier, course, user) = (
                app.state.pool.clone(),
                barrier.clone(),
                id.clone(),
                u.clone(),
            );
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                enrollment::enroll_user(&mut conn, &course, &user).unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Outcome> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let seated = outcomes
        .iter()
        .filter(|o| **o == Outcome::Registered)
        .count();
    let waiting = outcomes
        .iter()
        .filter(|o| **o == Outcome::Waitlisted)
        .count();
    assert_eq!((seated, waiting), (2, 2), "{outcomes:?}");
    assert_eq!(seats_taken(&app, &id), 2);
    assert_eq!(enrollment::seated_count(&mut app.conn(), &id).unwrap(), 2);
    // Every waiting person has a distinct place, 1 and 2.
    let mut places: Vec<i64> = statuses(&app, &id, "waitlisted")
        .iter()
        .map(|u| {
            let at: Option<chrono::NaiveDateTime> = ce::table
                .filter(ce::course_id.eq(&id))
                .filter(ce::user_id.eq(u))
                .select(ce::waitlisted_at)
                .first(&mut *app.conn())
                .unwrap();
            likeperson::learning::courses::service::position(&mut app.conn(), &id, &at.unwrap(), u)
                .unwrap()
        })
        .collect();
    places.sort();
    assert_eq!(places, vec![1, 2]);
}

async fn when_several_withdraw_at_once_each_freed_seat_goes_to_the_next_waiting(app: TestApp) {
    let id = course(&app, 3);
    let racers = people(&app, 8);
    for u in &racers {
        enrollment::enroll_user(&mut app.conn(), &id, u).unwrap();
    }
    let seated = statuses(&app, &id, "registered");
    let waiting = statuses(&app, &id, "waitlisted");
    assert_eq!((seated.len(), waiting.len()), (3, 5));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(seated.len()));
    let handles: Vec<_> = seated
        .iter()
        .map(|u| {
            let (pool, barrier, course, user) = (
                app.state.pool.clone(),
                barrier.clone(),
                id.clone(),
                u.clone(),
            );
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                enrollment::withdraw_user(&mut conn, &course, &user).unwrap()
            })
        })
        .collect();
    let mut promoted: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap().1)
        .collect();
    promoted.sort();
    let mut first_three = waiting[..3].to_vec();
    first_three.sort();
    assert_eq!(promoted, first_three, "the first three waiting, once each");
    assert_eq!(seats_taken(&app, &id), 3);
    assert_eq!(enrollment::seated_count(&mut app.conn(), &id).unwrap(), 3);
    assert_eq!(statuses(&app, &id, "waitlisted"), waiting[3..].to_vec());
    for u in &waiting[..3] {
        assert_eq!(seat_given(&app, u), 1, "each promoted person is told once");
    }
    for u in &waiting[3..] {
        assert_eq!(seat_given(&app, u), 0);
    }
}

async fn a_mentor_is_waitlisted_with_a_position_and_promoted_when_others_leave(mut app: TestApp) {
    let full = course_by_title(&app, "NHF", demo::FULL);
    let mentor = app.user_id("mentor@nhf.example");
    app.login("mentor@nhf.example").await;
    let list = app.get("/courses").await;
    assert_eq!(list.status, 200);
    assert!(list.has(demo::FULL) && list.has("Sett meg på venteliste"));
    let res = app
        .post(&format!("/courses/{full}/enroll"), &[("back", "show")])
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/courses/{full}")).await;
    assert!(
        page.has("Kurset er fullt, du står på venteliste."),
        "{}",
        page.body
    );
    assert!(page.has("Du er nr. 2 på ventelisten."));
    assert_eq!(seats_taken(&app, &full), 2);
    // htmx: the card is swapped and the outcome announced.
    let again = app.htmx_post(&format!("/courses/{full}/enroll")).await;
    assert!(again.has("Allerede påmeldt eller på venteliste."));
    // Two seat holders leave (one removed by the coordinator, one withdraws).
    let holders = statuses(&app, &full, "registered");
    let first_waiting = statuses(&app, &full, "waitlisted")[0].clone();
    assert_ne!(first_waiting, mentor);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let res = app
        .post(
            &format!("/courses/{full}/enrollments"),
            &[("user_id", &holders[0]), ("action", "remove")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(statuses(&app, &full, "waitlisted"), vec![mentor.clone()]);
    assert_eq!(seat_given(&app, &first_waiting), 1);
    assert_eq!(app.audit_count("course.removed"), 1);
    enrollment::withdraw_user(&mut app.conn(), &full, &holders[1]).unwrap();
    assert!(statuses(&app, &full, "registered").contains(&mentor));
    assert_eq!(seat_given(&app, &mentor), 1);
    assert_eq!(seats_taken(&app, &full), 2);
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/courses/{full}")).await;
    assert!(page.has("Meld meg av"), "enrolled now");
    let res = app
        .post(&format!("/courses/{full}/withdraw"), &[("back", "list")])
        .await;
    assert_eq!(res.location(), "/courses");
    assert_eq!(seats_taken(&app, &full), 1);
}

async fn deadline_double_enrollment_and_other_organizations_are_refused(mut app: TestApp) {
    let open = course_by_title(&app, "NHF", demo::OPEN);
    let other = course_by_title(&app, "HLF", demo::OPEN);
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&format!("/courses/{other}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/courses/{other}/enroll"), &[])
            .await
            .status,
        404
    );
    assert!(!app.get("/courses").await.has(&other));
    let before = seats_taken(&app, &open);
    app.post(&format!("/courses/{open}/enroll"), &[]).await;
    assert_eq!(seats_taken(&app, &open), before + 1);
    let res = app.htmx_post(&format!("/courses/{open}/enroll")).await;
    assert!(res.has("Allerede påmeldt eller på venteliste."));
    assert_eq!(seats_taken(&app, &open), before + 1, "nothing changed");
    // The deadline passes.
    diesel::update(co::table.find(&open))
        .set(co::enrollment_deadline.eq(likeperson::db::now() - chrono::Duration::hours(1)))
        .execute(&mut *app.conn())
        .unwrap();
    app.post(&format!("/courses/{open}/withdraw"), &[]).await;
    let seats = seats_taken(&app, &open);
    let res = app.htmx_post(&format!("/courses/{open}/enroll")).await;
    assert!(res.has("Påmeldingsfristen er ute."), "{}", res.body);
    assert_eq!(seats_taken(&app, &open), seats);
    // Not a page for other roles' ids either.
    assert_eq!(
        app.get("/courses/not-a-uuid").await.status,
        404,
        "a malformed id is not found"
    );
}

async fn a_coordinator_creates_a_course_and_bad_input_answers_422_with_values_kept(
    mut app: TestApp,
) {
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/courses/new").await.status, 200);
    let before: i64 = co::table.count().get_result(&mut *app.conn()).unwrap();
    let res = app
        .post(
            "/courses",
            &[
                ("title", "Mitt kurs"),
                ("associations", ""),
                ("capacity", "0"),
                ("day1_date", "2020-01-01"),
                ("day1_start", "10:00"),
                ("day1_end", "09:00"),
                ("deadline_date", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("value=\"Mitt kurs\""), "values kept");
    assert!(res.has("Et helt tall fra 1 til 10 000."));
    assert!(res.has("Oppgi sted eller lenke."));
    let after: i64 = co::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after);
    let assoc: String = likeperson::schema::local_associations::table
        .filter(likeperson::schema::local_associations::name.eq(crate::events::HOME))
        .select(likeperson::schema::local_associations::id)
        .first(&mut *app.conn())
        .unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let deadline = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let res = app
        .post(
            "/courses",
            &[
                ("title", "Mitt kurs"),
                ("associations", &assoc),
                ("capacity", "8"),
                ("place", "Huset"),
                ("day1_date", &day),
                ("day1_start", "10:00"),
                ("day1_end", "15:00"),
                ("deadline_date", &deadline),
                ("deadline_time", "12:00"),
                ("certification_name", "Kursbevis"),
                ("validity_months", "24"),
                ("bufdir_training", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = app.get(res.location()).await;
    assert!(page.has("Mitt kurs") && page.has("Kursbevis (24)"));
    assert_eq!(app.audit_count("course.created"), 1);
    // Coordinators may not make whole-organization courses, and mentors no courses at all.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get("/courses/new").await.status, 404);
}

async fn the_coordinator_moves_people_between_seats_and_the_waitlist(mut app: TestApp) {
    let full = course_by_title(&app, "NHF", demo::FULL);
    let seated = statuses(&app, &full, "registered");
    let waiting = statuses(&app, &full, "waitlisted");
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{full}")).await;
    assert!(page.has("Flytt til venteliste") && page.has("Kursdeltaker 3 (NHF)"));
    // A full course gives no seat from the waitlist.
    app.post(
        &format!("/courses/{full}/enrollments"),
        &[("user_id", &waiting[0]), ("action", "seat")],
    )
    .await;
    assert_eq!(statuses(&app, &full, "waitlisted"), waiting);
    // Moving a seated person to the waitlist hands their seat to the first waiting.
    app.post(
        &format!("/courses/{full}/enrollments"),
        &[("user_id", &seated[0]), ("action", "waitlist")],
    )
    .await;
    assert!(statuses(&app, &full, "registered").contains(&waiting[0]));
    assert_eq!(statuses(&app, &full, "waitlisted"), vec![seated[0].clone()]);
    assert_eq!(seats_taken(&app, &full), 2);
    // Enrolling the mentor puts them on the waitlist, behind.
    let mentor = app.user_id("mentor@nhf.example");
    app.post(
        &format!("/courses/{full}/enrollments"),
        &[("user_id", &mentor), ("action", "enroll")],
    )
    .await;
    assert_eq!(
        statuses(&app, &full, "waitlisted"),
        vec![seated[0].clone(), mentor.clone()]
    );
    // Another organization's course answers 404.
    let other = course_by_title(&app, "HLF", demo::FULL);
    let res = app
        .post(
            &format!("/courses/{other}/enrollments"),
            &[("user_id", &mentor), ("action", "enroll")],
        )
        .await;
    assert_eq!(res.status, 404);
}
