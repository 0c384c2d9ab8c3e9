//! Events: the coordinator's forms and scope, mentors' registration (capacity held under a race),
//! attendance marking, and the group activity an event produces for Bufdir.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{
    activities as act, audit_log, event_attendees as ea, events as ev, local_associations as la,
    peer_mentors as pm,
};

on_both_backends!(
    a_coordinator_creates_an_event_and_bad_input_answers_422_with_values_kept,
    events_are_scoped_to_associations_and_organizations,
    a_mentor_registers_unregisters_and_registers_again,
    the_last_seat_goes_to_exactly_one_of_several_racing_mentors,
    full_started_and_cancelled_events_refuse_registration_with_a_message,
    a_mentor_who_is_not_active_cannot_register,
    attendance_is_marked_by_the_coordinator_only_and_logged,
    the_group_activity_is_produced_once_with_participants_and_the_bufdir_verdict,
    a_walk_in_mentor_of_the_association_is_added_as_attended,
);

/// The id of the demo event with this title in the named association.
pub fn event_in(app: &TestApp, association: &str, title: &str) -> String {
    ev::table
        .inner_join(la::table)
        .filter(la::name.eq(association))
        .filter(ev::title.eq(title))
        .select(ev::id)
        .first(&mut *app.conn())
        .unwrap()
}

pub const OPEN: &str = "Samtalegruppe: hverdagsmestring";
pub const FULL: &str = "Kafétreff for nye likepersoner";
pub const UNMARKED: &str = "Turgruppe i marka";
pub const PRODUCED: &str = "Samtalegruppe: erfaringsutveksling";
pub const HOME: &str = "NHF Oslo sentrum";

fn seats(app: &TestApp, id: &str) -> i32 {
    ev::table
        .find(id)
        .select(ev::seats_taken)
        .first(&mut *app.conn())
        .unwrap()
}

fn attendee_status(app: &TestApp, event: &str, user: &str) -> Vec<String> {
    ea::table
        .filter(ea::event_id.eq(event))
        .filter(ea::user_id.eq(user))
        .select(ea::status)
        .load(&mut *app.conn())
        .unwrap()
}

async fn a_coordinator_creates_an_event_and_bad_input_answers_422_with_values_kept(
    mut app: TestApp,
) {
    app.login("coordinator@nhf.example").await;
    let list = app.get("/events").await;
    assert_eq!(list.status, 200);
    assert!(
        list.has("Venter på oppmøteregistrering"),
        "the to-do comes first"
    );
    assert!(list.has(UNMARKED));
    let form = app.get("/events/new").await;
    assert_eq!(form.status, 200);
    let before: i64 = ev::table.count().get_result(&mut *app.conn()).unwrap();
    let blind = app.association_ids("Blindeforbundet")[0].clone();
    let res = app
        .post(
            "/events",
            &[
                ("title", "  "),
                ("local_association_id", &blind),
                ("date", "2026-13-01"),
                ("time", "25:00"),
                ("duration_minutes", "abc"),
                ("capacity", "0"),
                ("place", "Huset"),
                ("description", "Kaffe og prat"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("error-summary"));
    assert!(res.has("value=\"abc\""), "values are kept");
    assert!(res.has("value=\"Huset\""));
    assert!(res.has(">Kaffe og prat</textarea>"));
    assert!(res.has("aria-describedby=\"f-title-error\""));
    assert!(res.has("id=\"f-capacity-error\""));
    assert!(res.has("id=\"f-local_association_id-error\""));
    let after: i64 = ev::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after, "nothing saved");

    let home = app.association_ids("NHF")[0].clone();
    let home: String = la::table
        .filter(la::name.eq(HOME))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap_or(home);
    let res = app
        .post(
            "/events",
            &[
                ("title", "Bowling"),
                ("local_association_id", &home),
                ("date", "2027-01-15"),
                ("time", "18:30"),
                ("duration_minutes", "120"),
                ("capacity", "8"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(res.location()).await;
    assert!(page.has("Arrangementet er opprettet."));
    assert!(page.has("15.01.2027 18:30"), "shown in Oslo time");
    let stored: chrono::NaiveDateTime = ev::table
        .filter(ev::title.eq("Bowling"))
        .select(ev::starts_at)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored.to_string(), "2027-01-15 17:30:00", "stored in UTC");
    let logged: i64 = audit_log::table
        .filter(audit_log::action.eq("event.created"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(logged, 1);
}

async fn events_are_scoped_to_associations_and_organizations(mut app: TestApp) {
    let open = event_in(&app, HOME, OPEN);
    let elsewhere = event_in(&app, "NHF Tromsø", OPEN);
    let blind = event_in(&app, "Blindeforbundet Oslo sentrum", OPEN);
    app.login("coordinator@nhf.example").await;
    let list = app.get("/events").await;
    assert!(list.has(&open));
    assert!(
        list.has("Gjennomført"),
        "a past event reads as held, not as planned"
    );
    assert!(!list.has(&elsewhere), "other associations are absent");
    assert!(!list.has(&blind), "other organizations are absent");
    assert_eq!(app.get(&format!("/events/{elsewhere}")).await.status, 404);
    assert_eq!(app.get(&format!("/events/{blind}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/events/{elsewhere}/cancel"), &[("reason", "x")])
            .await
            .status,
        404
    );
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let list = app.get("/events").await;
    assert!(list.has(&open));
    assert!(!list.has(&elsewhere));
    assert_eq!(app.get(&format!("/events/{elsewhere}")).await.status, 404);
    app.logout().await;
    app.login("admin@nhf.example").await;
    let list = app.get("/events").await;
    assert!(
        list.has(&elsewhere),
        "the admin reads the whole organization"
    );
    assert!(!list.has(&blind));
    assert!(!list.has("/events/new"), "admins only read");
}

async fn a_mentor_registers_unregisters_and_registers_again(mut app: TestApp) {
    let open = event_in(&app, HOME, OPEN);
    let mentor = app.user_id("mentor@nhf.example");
    app.login("mentor@nhf.example").await;
    let list = app.get("/events").await;
    assert!(list.has("Meld meg på"));
    assert_eq!(seats(&app, &open), 1);
    let res = app.htmx_post(&format!("/events/{open}/register")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.has(&format!("id=\"event-{open}\"")),
        "the card is swapped"
    );
    assert!(res.has("hx-swap-oob"), "the outcome is announced");
    assert!(res.has("Du er påmeldt."));
    assert!(res.has("Meld meg av"));
    assert!(res.has("data-focus-after-swap"));
    assert_eq!(seats(&app, &open), 2);
    assert_eq!(attendee_status(&app, &open, &mentor), ["registered"]);
    // Without JavaScript: a plain form post, back to the list with a message.
    let res = app
        .post(&format!("/events/{open}/unregister"), &[("back", "list")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/events");
    assert!(app.get("/events").await.has("Du er meldt av."));
    assert_eq!(seats(&app, &open), 1, "the seat is given back");
    assert_eq!(attendee_status(&app, &open, &mentor), ["cancelled"]);
    let res = app
        .post(&format!("/events/{open}/register"), &[("back", "show")])
        .await;
    assert_eq!(res.location(), format!("/events/{open}"));
    assert_eq!(seats(&app, &open), 2);
    assert_eq!(
        attendee_status(&app, &open, &mentor),
        ["registered"],
        "the same row is registered again"
    );
    // Registering twice takes no second seat.
    app.post(&format!("/events/{open}/register"), &[]).await;
    assert_eq!(seats(&app, &open), 2);
}

async fn the_last_seat_goes_to_exactly_one_of_several_racing_mentors(app: TestApp) {
    let open = event_in(&app, HOME, OPEN);
    // One seat left.
    diesel::update(ev::table.find(&open))
        .set(ev::capacity.eq(Some(2)))
        .execute(&mut *app.conn())
        .unwrap();
    let users: Vec<String> = likeperson::schema::users::table
        .filter(likeperson::schema::users::email.like("%@%.example"))
        .select(likeperson::schema::users::id)
        .limit(4)
        .load(&mut *app.conn())
        .unwrap();
    let users: Vec<String> = users
        .into_iter()
        .filter(|u| attendee_status(&app, &open, u).is_empty())
        .collect();
    assert!(users.len() >= 3, "enough racers");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(users.len()));
    let handles: Vec<_> = users
        .iter()
        .map(|u| {
            let (pool, barrier, event, user) = (
                app.state.pool.clone(),
                barrier.clone(),
                open.clone(),
                u.clone(),
            );
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                likeperson::events::service::take_seat(&mut conn, &event, &user).unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    use likeperson::events::service::Outcome;
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == Outcome::Registered)
            .count(),
        1,
        "exactly one wins: {outcomes:?}"
    );
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Outcome::Registered | Outcome::Full)));
    assert_eq!(seats(&app, &open), 2);
    let registered: i64 = ea::table
        .filter(ea::event_id.eq(&open))
        .filter(ea::status.eq("registered"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(registered, 2);
}

async fn full_started_and_cancelled_events_refuse_registration_with_a_message(mut app: TestApp) {
    let full = event_in(&app, HOME, FULL);
    let started = event_in(&app, HOME, UNMARKED);
    let open = event_in(&app, HOME, OPEN);
    let mentor = app.user_id("mentor@nhf.example");
    app.login("mentor@nhf.example").await;
    let res = app.htmx_post(&format!("/events/{full}/register")).await;
    assert_eq!(res.status, 200);
    assert!(res.has("Arrangementet er fullt."));
    assert!(attendee_status(&app, &full, &mentor).is_empty());
    assert_eq!(seats(&app, &full), 1);
    let page = app.get(&format!("/events/{full}")).await;
    assert!(page.has("Arrangementet er fullt."));
    assert!(!page.has("Meld meg på"));
    let res = app.htmx_post(&format!("/events/{started}/register")).await;
    assert!(res.has("Påmeldingen er stengt."));
    let res = app
        .htmx_post(&format!("/events/{started}/unregister"))
        .await;
    assert!(res.has("Påmeldingen er stengt."));
    assert_eq!(attendee_status(&app, &started, &mentor), ["registered"]);
    app.logout().await;

    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get(&format!("/events/{open}/cancel")).await.status, 200);
    let res = app
        .post(&format!("/events/{open}/cancel"), &[("reason", " ")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("id=\"f-reason-error\""));
    let res = app
        .post(&format!("/events/{open}/cancel"), &[("reason", "Sykdom")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.get(&format!("/events/{open}/edit")).await.status, 404);
    app.logout().await;

    app.login("mentor@nhf.example").await;
    let list = app.get("/events").await;
    assert!(list.has("Avlyst"), "the cancelled state stays visible");
    let page = app.get(&format!("/events/{open}")).await;
    assert!(page.has("Sykdom"), "with the reason");
    let res = app.htmx_post(&format!("/events/{open}/register")).await;
    assert!(res.has("Påmeldingen er stengt."));
    assert!(attendee_status(&app, &open, &mentor).is_empty());
}

async fn a_mentor_who_is_not_active_cannot_register(mut app: TestApp) {
    let open = event_in(&app, HOME, OPEN);
    let mentor = app.user_id("mentor@nhf.example");
    diesel::update(pm::table.filter(pm::user_id.eq(&mentor)))
        .set(pm::status.eq("paused"))
        .execute(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    let res = app.post(&format!("/events/{open}/register"), &[]).await;
    assert_eq!(res.status, 303);
    let page = app.get(res.location()).await;
    assert!(page.has("Bare aktive likepersoner kan melde seg på."));
    assert!(attendee_status(&app, &open, &mentor).is_empty());
    assert_eq!(seats(&app, &open), 1);
}

async fn attendance_is_marked_by_the_coordinator_only_and_logged(mut app: TestApp) {
    let unmarked = event_in(&app, HOME, UNMARKED);
    let open = event_in(&app, HOME, OPEN);
    let mentor = app.user_id("mentor@nhf.example");
    let coordinator = app.user_id("coordinator@nhf.example");
    let path = format!("/events/{unmarked}/attendees/{mentor}");
    app.login("mentor@nhf.example").await;
    assert_eq!(app.post(&path, &[("status", "attended")]).await.status, 404);
    app.logout().await;
    app.login("admin@nhf.example").await;
    assert_eq!(
        app.post(&path, &[("status", "attended")]).await.status,
        404,
        "admins read only"
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/events/{unmarked}")).await;
    assert!(page.has(&format!("id=\"att-{mentor}\"")));
    assert!(page.has("aria-pressed=\"false\""));
    let token = app.token().await;
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&path)
                .insert_header(("HX-Request", "true"))
                .insert_header(("X-CSRF-Token", token))
                .set_form([("status", "attended")]),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.has(&format!("<tr id=\"att-{mentor}\"")));
    assert!(res.has("hx-swap-oob"));
    assert!(res.has("aria-pressed=\"true\" data-focus-after-swap"));
    assert!(
        res.has("<section id=\"group-activity\" aria-labelledby=\"group-activity-heading\" hx-swap-oob=\"true\">"),
        "the group-activity section follows the marking"
    );
    let (status, by): (String, Option<String>) = ea::table
        .filter(ea::event_id.eq(&unmarked))
        .filter(ea::user_id.eq(&mentor))
        .select((ea::status, ea::marked_by))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (status.as_str(), by),
        ("attended", Some(coordinator.clone()))
    );
    let res = app.post(&path, &[("status", "no_show")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(attendee_status(&app, &unmarked, &mentor), ["no_show"]);
    assert_eq!(app.post(&path, &[("status", "nonsense")]).await.status, 404);
    assert_eq!(
        app.post(
            &format!("/events/{open}/attendees/{coordinator}"),
            &[("status", "attended")]
        )
        .await
        .status,
        404,
        "not before the start"
    );
    let logged: i64 = audit_log::table
        .filter(audit_log::action.eq("event.attendance_marked"))
        .filter(audit_log::target_id.eq(&unmarked))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(logged, 2);
}

async fn the_group_activity_is_produced_once_with_participants_and_the_bufdir_verdict(
    mut app: TestApp,
) {
    let unmarked = event_in(&app, HOME, UNMARKED);
    let produced = event_in(&app, HOME, PRODUCED);
    let mentor = app.user_id("mentor@nhf.example");
    let coordinator = app.user_id("coordinator@nhf.example");
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/events/{produced}")).await;
    assert!(
        page.has("Gruppe under 3 deltakere."),
        "the demo verdict and why"
    );
    assert!(page.has("/activities/"));
    let action = format!("/events/{unmarked}/activity");
    let res = app.post(&action, &[("mentor_id", &mentor)]).await;
    assert_eq!(res.status, 422, "attendance must be marked first");
    assert!(res.has("Marker oppmøte for alle påmeldte først."));
    let mark = |u: &str| format!("/events/{unmarked}/attendees/{u}");
    app.post(&mark(&mentor), &[("status", "attended")]).await;
    app.post(&mark(&coordinator), &[("status", "no_show")])
        .await;
    let res = app.post(&action, &[("mentor_id", &coordinator)]).await;
    assert_eq!(res.status, 422, "the leader must have attended");
    let res = app.post(&action, &[("mentor_id", &mentor)]).await;
    assert_eq!(res.status, 303);
    let page = app.get(res.location()).await;
    assert!(page.has("Gruppeaktiviteten er registrert."));
    assert!(page.has("Teller ikke for Bufdir"));
    assert!(page.has("Gruppe under 3 deltakere."));
    let (a_id, participants, event_id, proxy, by, minutes): (
        String,
        Option<i32>,
        Option<String>,
        bool,
        String,
        Option<i32>,
    ) = act::table
        .filter(act::event_id.eq(&unmarked))
        .select((
            act::id,
            act::participants,
            act::event_id,
            act::is_proxy,
            act::registered_by,
            act::duration_minutes,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(participants, Some(1));
    assert_eq!(event_id.as_deref(), Some(unmarked.as_str()));
    assert!(proxy);
    assert_eq!(by, coordinator);
    assert_eq!(minutes, Some(120));
    let linked: Option<String> = ev::table
        .find(&unmarked)
        .select(ev::activity_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(linked, Some(a_id));
    let res = app.post(&action, &[("mentor_id", &mentor)]).await;
    assert_eq!(res.status, 422, "only once");
    assert!(res.has("allerede registrert som aktivitet"));
    let count: i64 = act::table
        .filter(act::event_id.eq(&unmarked))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(
        app.post(&mark(&mentor), &[("status", "no_show")])
            .await
            .status,
        404,
        "attendance is closed once the activity exists"
    );
}

async fn a_walk_in_mentor_of_the_association_is_added_as_attended(mut app: TestApp) {
    let home: String = la::table
        .filter(la::name.eq(HOME))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap();
    let mentor = app.user_id("mentor@nhf.example");
    let yesterday =
        (likeperson::activities::service::today() - chrono::Duration::days(1)).to_string();
    app.login("coordinator@nhf.example").await;
    let res = app
        .post(
            "/events",
            &[
                ("title", "Spontant treff"),
                ("local_association_id", &home),
                ("date", &yesterday),
                ("time", "12:00"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let id = res.location().trim_start_matches("/events/").to_string();
    let page = app.get(&format!("/events/{id}")).await;
    assert!(page.has("Ingen er påmeldt."));
    assert!(
        page.has(&format!("<option value=\"{mentor}\">")),
        "mentors of the association are offered"
    );
    let elsewhere = app.user_id("mentor@blindeforbundet.example");
    let res = app
        .post(
            &format!("/events/{id}/attendees"),
            &[("user_id", &elsewhere)],
        )
        .await;
    assert_eq!(res.status, 422, "only mentors of the association");
    let res = app
        .post(&format!("/events/{id}/attendees"), &[("user_id", &mentor)])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(attendee_status(&app, &id, &mentor), ["attended"]);
}
