//! Group programs (Blindeforbundet's group mentoring and career workshops): a coordinator
//! creates one with its days (bad input kept on a 422), adds mentors and invited members,
//! marks attendance per day (never before the day starts; everyone at once with exceptions),
//! and sees who completed every day. Another organization's programs and people are not found;
//! a mentor sees the programs they take part in.

use crate::common::TestApp;
use crate::on_both_backends;
use actix_web::test;
use diesel::prelude::*;
use likeperson::learning::programs::seed::{self as demo, PAST_PROGRAM, UPCOMING_PROGRAM};
use likeperson::schema::{
    contacts, mentor_program_sessions as ps, mentor_programs as mp, organizations,
    workshop_attendance as wa, workshop_participants as wp,
};

on_both_backends!(
    a_coordinator_creates_a_program_with_its_days_and_bad_input_is_kept,
    another_organizations_programs_and_people_are_not_found,
    attendance_before_a_day_starts_is_refused_and_nothing_is_saved,
    everyone_present_keeps_the_exceptions_and_completion_counts_every_day,
    the_demo_workshop_shows_who_completed_every_day,
    removing_a_participant_removes_their_attendance,
    a_mentor_sees_the_programs_they_take_part_in,
);

fn org(app: &TestApp, short: &str) -> String {
    organizations::table
        .filter(organizations::short_name.eq(short))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn program(app: &TestApp, title: &str) -> (String, Option<String>) {
    mp::table
        .filter(mp::title.eq(title))
        .select((mp::id, mp::local_association_id))
        .first(&mut *app.conn())
        .unwrap()
}

fn days(app: &TestApp, program: &str) -> Vec<String> {
    ps::table
        .filter(ps::program_id.eq(program))
        .order(ps::starts_at.asc())
        .select(ps::id)
        .load(&mut *app.conn())
        .unwrap()
}

fn count_programs(app: &TestApp) -> i64 {
    mp::table.count().get_result(&mut *app.conn()).unwrap()
}

fn marks(app: &TestApp, day: &str) -> Vec<(String, bool)> {
    wa::table
        .filter(wa::session_id.eq(day))
        .order(wa::participant_id.asc())
        .select((wa::participant_id, wa::attended))
        .load(&mut *app.conn())
        .unwrap()
}

/// A contact of the association, by name.
fn member(app: &TestApp, association: &str, nth: i64) -> (String, String) {
    contacts::table
        .filter(contacts::local_association_id.eq(association))
        .filter(contacts::erased_at.is_null())
        .order(contacts::name_key.asc())
        .offset(nth)
        .select((contacts::id, contacts::name))
        .first(&mut *app.conn())
        .unwrap()
}

fn participant(app: &TestApp, program: &str, user: Option<&str>, contact: Option<&str>) -> String {
    let mut q = wp::table.filter(wp::program_id.eq(program)).into_boxed();
    if let Some(u) = user {
        q = q.filter(wp::user_id.eq(u));
    }
    if let Some(c) = contact {
        q = q.filter(wp::contact_id.eq(c));
    }
    q.select(wp::id).first(&mut *app.conn()).unwrap()
}

/// Marks one participant present or absent through htmx, as the list's buttons do.
async fn mark(app: &mut TestApp, path: &str, attended: &str) -> crate::common::Resp {
    let token = app.token().await;
    app.send(
        test::TestRequest::post()
            .uri(path)
            .insert_header(("HX-Request", "true"))
            .insert_header(("X-CSRF-Token", token))
            .set_form(vec![("attended", attended)]),
    )
    .await
}

/// The names listed under "completed every day" on the program page.
fn completed_names(body: &str) -> String {
    let start = body
        .find("<ul id=\"completed\">")
        .expect("a completed list");
    let end = body[start..].find("</ul>").unwrap();
    body[start..start + end].to_string()
}

/// A form's fields.
type Form = Vec<(&'static str, String)>;

/// A valid form for a program in `association`, with days 10 and 11 days ahead.
fn valid_form(association: &str) -> Vec<(&'static str, String)> {
    let day = |n: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string();
    vec![
        ("kind", "career_workshop".into()),
        ("title", "Jobbsøking med skjermleser".into()),
        ("description", "Tre samlinger.".into()),
        ("association", association.into()),
        ("place", "Blindeforbundet, Oslo".into()),
        ("online_url", String::new()),
        ("day1_date", day(10)),
        ("day1_start", "10:00".into()),
        ("day1_end", "14:00".into()),
        ("day2_date", day(11)),
        ("day2_start", "10:00".into()),
        ("day2_end", "14:00".into()),
        ("day3_date", String::new()),
        ("day3_start", String::new()),
        ("day3_end", String::new()),
    ]
}

fn with(
    form: &[(&'static str, String)],
    field: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> =
        form.iter().filter(|(k, _)| *k != field).cloned().collect();
    f.push((field, value.to_string()));
    f
}

async fn post(
    app: &mut TestApp,
    path: &str,
    form: &[(&'static str, String)],
) -> crate::common::Resp {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &pairs).await
}

async fn a_coordinator_creates_a_program_with_its_days_and_bad_input_is_kept(mut app: TestApp) {
    let (_, home) = program(&app, UPCOMING_PROGRAM);
    let home = home.unwrap();
    app.login("coordinator@blindeforbundet.example").await;
    assert!(
        app.get("/courses").await.has("href=\"/programs\""),
        "linked in the navigation"
    );
    assert_eq!(app.get("/programs/new").await.status, 200);
    let form = valid_form(&home);
    let before = count_programs(&app);
    let long = "x".repeat(10_000);
    let bad: Vec<(&str, Form, &str)> = vec![
        (
            "end before start",
            with(&form, "day1_end", "09:00"),
            "Oppgi dato, og et sluttidspunkt etter start.",
        ),
        (
            "no days",
            with(
                &with(
                    &with(&with(&form, "day1_date", ""), "day1_start", ""),
                    "day1_end",
                    "",
                ),
                "day2_date",
                "",
            ),
            "Oppgi minst én dag.",
        ),
        (
            "absurd date",
            with(&form, "day1_date", "99999-01-01"),
            "Oppgi dato, og et sluttidspunkt etter start.",
        ),
        (
            "far ahead",
            with(&form, "day1_date", "2999-01-01"),
            "for langt fram i tid",
        ),
        (
            "past",
            with(&form, "day1_date", "2020-01-01"),
            "Dagen må være fram i tid.",
        ),
        (
            "long title",
            with(&form, "title", &long),
            "Teksten er for lang.",
        ),
        (
            "long description",
            with(&form, "description", &long),
            "Teksten er for lang.",
        ),
        (
            "unknown kind",
            with(&form, "kind", "party"),
            "Velg et av alternativene.",
        ),
    ];
    for (what, f, message) in bad {
        let res = post(&mut app, "/programs", &f).await;
        assert_eq!(res.status, 422, "{what}");
        assert!(res.has(message), "{what}: {message}");
        assert!(
            res.has("Blindeforbundet, Oslo"),
            "{what}: the values are kept"
        );
    }
    let res = post(&mut app, "/programs", &with(&form, "title", "Kveld\u{7}")).await;
    assert_eq!(res.status, 422, "control characters");
    assert_eq!(count_programs(&app), before, "nothing saved");
    // Another association than the coordinator's is not a choice.
    let other = app
        .association_ids("Blindeforbundet")
        .into_iter()
        .find(|a| *a != home)
        .unwrap();
    let res = post(&mut app, "/programs", &with(&form, "association", &other)).await;
    assert_eq!(res.status, 422);
    let res = post(&mut app, "/programs", &form).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = res.location().trim_start_matches("/programs/").to_string();
    assert_eq!(days(&app, &id).len(), 2);
    assert_eq!(app.audit_count("program.created"), 1);
    let page = app.get(&format!("/programs/{id}")).await;
    assert!(page.has("Jobbsøking med skjermleser") && page.has("Karriereverksted"));
    assert!(page.has("Ingen deltakere ennå."));
    // A mentor takes part: told of the change of days and of the cancellation.
    let mentor = app.user_id("mentor@blindeforbundet.example");
    let res = app
        .post(
            &format!("/programs/{id}/participants"),
            &[("user_id", &mentor)],
        )
        .await;
    assert_eq!(res.status, 303);
    let told = |app: &TestApp, scenario: &str| -> i64 {
        likeperson::schema::notifications::table
            .filter(likeperson::schema::notifications::user_id.eq(&mentor))
            .filter(likeperson::schema::notifications::scenario.eq(scenario))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    // Edited before the start: one day more; the edit form shows the saved values.
    let edit = app.get(&format!("/programs/{id}/edit")).await;
    assert!(edit.has("Jobbsøking med skjermleser") && edit.has("value=\"10:00\""));
    let day3 = (chrono::Utc::now().date_naive() + chrono::Duration::days(12)).to_string();
    let f = with(
        &with(&with(&form, "day3_date", &day3), "day3_start", "10:00"),
        "day3_end",
        "12:00",
    );
    let res = post(&mut app, &format!("/programs/{id}"), &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(days(&app, &id).len(), 3);
    assert_eq!(app.audit_count("program.updated"), 1);
    assert_eq!(told(&app, "program.changed"), 1, "the days changed");
    // Saved again unchanged: nobody is told again.
    let res = post(&mut app, &format!("/programs/{id}"), &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(told(&app, "program.changed"), 1);
    // The list shows it.
    assert!(app.get("/programs").await.has(&format!("/programs/{id}")));
    // Cancelled: no longer edited, logged.
    let res = app.post(&format!("/programs/{id}/cancel"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(app.get(&format!("/programs/{id}")).await.has("Avlyst"));
    assert_eq!(app.get(&format!("/programs/{id}/edit")).await.status, 404);
    assert_eq!(app.audit_count("program.cancelled"), 1);
    assert_eq!(told(&app, "program.cancelled"), 1);
}

async fn another_organizations_programs_and_people_are_not_found(mut app: TestApp) {
    let (blind, home) = program(&app, PAST_PROGRAM);
    let blind_day = days(&app, &blind)[0].clone();
    let blind_member = member(&app, &home.unwrap(), 0).0;
    let blind_mentor = app.user_id("mentor@blindeforbundet.example");
    for who in ["coordinator@nhf.example", "admin@nhf.example"] {
        app.login(who).await;
        assert_eq!(
            app.get(&format!("/programs/{blind}")).await.status,
            404,
            "{who}"
        );
        assert_eq!(
            app.get(&format!("/programs/{blind}/days/{blind_day}"))
                .await
                .status,
            404
        );
        assert!(!app.get("/programs").await.has(PAST_PROGRAM), "not listed");
        let res = app
            .post(&format!("/programs/{blind}/days/{blind_day}/all"), &[])
            .await;
        assert_eq!(res.status, 404);
        app.logout().await;
    }
    // An NHF program: a Blindeforbundet member or mentor cannot be added to it.
    let nhf = org(&app, "NHF");
    let scope: String = likeperson::schema::local_associations::table
        .filter(likeperson::schema::local_associations::name.eq("NHF Bærum"))
        .select(likeperson::schema::local_associations::id)
        .first(&mut *app.conn())
        .unwrap();
    let (p, _) = demo::insert_program(
        &mut app.conn(),
        &nhf,
        Some(&scope),
        "group_mentoring",
        "Samtalegruppe",
        &[5],
    )
    .unwrap();
    app.login("coordinator@nhf.example").await;
    let path = format!("/programs/{}/participants", p.id);
    let res = app.post(&path, &[("contact_id", &blind_member)]).await;
    assert_eq!(res.status, 404, "another organization's member");
    let res = app.post(&path, &[("user_id", &blind_mentor)]).await;
    assert_eq!(res.status, 404, "another organization's mentor");
    let res = app
        .post(&path, &[("user_id", ""), ("contact_id", "")])
        .await;
    assert_eq!(res.status, 422, "nobody chosen");
    assert!(res.has("Velg enten én"));
    let nhf_mentor = app.user_id("mentor@nhf.example");
    let res = app.post(&path, &[("user_id", &nhf_mentor)]).await;
    assert_eq!(res.status, 303);
    let res = app.post(&path, &[("user_id", &nhf_mentor)]).await;
    assert_eq!(res.status, 422, "once per program");
    assert_eq!(app.audit_count("program.participant_added"), 1);
    // The other organization's administrator does not find the NHF program.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(app.get(&format!("/programs/{}", p.id)).await.status, 404);
    let res = app.post(&path, &[("user_id", &blind_mentor)]).await;
    assert_eq!(res.status, 404);
}

async fn attendance_before_a_day_starts_is_refused_and_nothing_is_saved(mut app: TestApp) {
    let (id, _) = program(&app, UPCOMING_PROGRAM);
    let day = days(&app, &id)[0].clone();
    let mentor = app.user_id("mentor@blindeforbundet.example");
    let p = participant(&app, &id, Some(&mentor), None);
    app.login("coordinator@blindeforbundet.example").await;
    let page = app.get(&format!("/programs/{id}/days/{day}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Oppmøte kan registreres når dagen har begynt."));
    let res = app
        .htmx_post(&format!("/programs/{id}/days/{day}/all"))
        .await;
    assert!(
        res.has("Oppmøte kan registreres når dagen har begynt."),
        "{}",
        res.body
    );
    let res = mark(&mut app, &format!("/programs/{id}/days/{day}/{p}"), "yes").await;
    assert!(res.has("Oppmøte kan registreres når dagen har begynt."));
    assert!(marks(&app, &day).is_empty(), "nothing saved");
    assert_eq!(app.audit_count("program.attendance_all"), 0);
    assert_eq!(app.audit_count("program.attendance_marked"), 0);
}

async fn everyone_present_keeps_the_exceptions_and_completion_counts_every_day(mut app: TestApp) {
    let (_, home) = program(&app, PAST_PROGRAM);
    let home = home.unwrap();
    let blind = org(&app, "Blindeforbundet");
    let (p, _) = demo::insert_program(
        &mut app.conn(),
        &blind,
        Some(&home),
        "group_mentoring",
        "Samtalegruppe",
        &[-3, -2],
    )
    .unwrap();
    let day = days(&app, &p.id);
    let mentor = app.user_id("mentor@blindeforbundet.example");
    let (contact, contact_name) = member(&app, &home, 2);
    app.login("coordinator@blindeforbundet.example").await;
    let path = format!("/programs/{}/participants", p.id);
    assert_eq!(app.post(&path, &[("user_id", &mentor)]).await.status, 303);
    assert_eq!(
        app.post(&path, &[("contact_id", &contact)]).await.status,
        303
    );
    let pm = participant(&app, &p.id, Some(&mentor), None);
    let pc = participant(&app, &p.id, None, Some(&contact));
    // Day 1: the member is marked absent first, then everyone present: the exception stays.
    let base = format!("/programs/{}/days/{}", p.id, day[0]);
    let res = mark(&mut app, &format!("{base}/{pc}"), "no").await;
    assert!(res.has("Oppmøtet er lagret."), "{}", res.body);
    let res = app.htmx_post(&format!("{base}/all")).await;
    assert!(res.has("Oppmøtet er lagret."));
    let mut want = vec![(pm.clone(), true), (pc.clone(), false)];
    want.sort();
    assert_eq!(marks(&app, &day[0]), want);
    // Day 2: everyone present.
    app.htmx_post(&format!("/programs/{}/days/{}/all", p.id, day[1]))
        .await;
    assert_eq!(marks(&app, &day[1]).len(), 2);
    assert_eq!(app.audit_count("program.attendance_marked"), 1);
    assert_eq!(app.audit_count("program.attendance_all"), 2);
    // The mentor was present both days; the member missed one.
    let page = app.get(&format!("/programs/{}", p.id)).await;
    let done = completed_names(&page.body);
    assert!(!done.contains(&contact_name), "the member missed a day");
    let mentor_name: String = likeperson::schema::users::table
        .find(&mentor)
        .select(likeperson::schema::users::name)
        .first(&mut *app.conn())
        .unwrap();
    assert!(done.contains(&mentor_name));
    // Correcting the exception completes the member too.
    mark(&mut app, &format!("{base}/{pc}"), "yes").await;
    let done = completed_names(&app.get(&format!("/programs/{}", p.id)).await.body);
    assert!(done.contains(&contact_name) && done.contains(&mentor_name));
}

async fn the_demo_workshop_shows_who_completed_every_day(mut app: TestApp) {
    let (id, home) = program(&app, PAST_PROGRAM);
    let home = home.unwrap();
    let (_, first) = member(&app, &home, 0);
    let (_, second) = member(&app, &home, 1);
    app.login("coordinator@blindeforbundet.example").await;
    let page = app.get(&format!("/programs/{id}")).await;
    assert_eq!(page.status, 200);
    let done = completed_names(&page.body);
    for name in ["Kursdeltaker 1 (Blindeforbundet)", first.as_str()] {
        assert!(done.contains(name), "{name} completed: {done}");
    }
    for name in ["Kursdeltaker 2 (Blindeforbundet)", second.as_str()] {
        assert!(!done.contains(name), "{name} did not: {done}");
    }
    assert!(page.has("3 / 3") && page.has("2 / 3") && page.has("1 / 3"));
}

async fn removing_a_participant_removes_their_attendance(mut app: TestApp) {
    let (id, _) = program(&app, PAST_PROGRAM);
    let user = app.user_id("kursdeltaker2@blindeforbundet.example");
    let p = participant(&app, &id, Some(&user), None);
    let day = days(&app, &id)[0].clone();
    assert!(marks(&app, &day).iter().any(|(who, _)| *who == p));
    app.login("coordinator@blindeforbundet.example").await;
    let res = app
        .post(&format!("/programs/{id}/participants/{p}/remove"), &[])
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/programs/{id}")).await;
    let start = page.body.find("id=\"participants\"").unwrap();
    let end = page.body.find("Legg til deltaker").unwrap();
    let listed = &page.body[start..end];
    assert!(
        !listed.contains("Kursdeltaker 2 (Blindeforbundet)"),
        "no longer listed"
    );
    assert!(listed.contains("Kursdeltaker 1 (Blindeforbundet)"));
    assert!(
        !marks(&app, &day).iter().any(|(who, _)| *who == p),
        "their marks are gone"
    );
    assert_eq!(app.audit_count("program.participant_removed"), 1);
    // Removed already: not found.
    let res = app
        .post(&format!("/programs/{id}/participants/{p}/remove"), &[])
        .await;
    assert_eq!(res.status, 404);
}

async fn a_mentor_sees_the_programs_they_take_part_in(mut app: TestApp) {
    let (past, home) = program(&app, PAST_PROGRAM);
    let (upcoming, _) = program(&app, UPCOMING_PROGRAM);
    let blind = org(&app, "Blindeforbundet");
    let (other, _) = demo::insert_program(
        &mut app.conn(),
        &blind,
        home.as_deref(),
        "group_mentoring",
        "Uten meg",
        &[4],
    )
    .unwrap();
    let day = days(&app, &past)[0].clone();
    app.login("mentor@blindeforbundet.example").await;
    assert!(app.get("/courses").await.has("href=\"/programs\""));
    let list = app.get("/programs").await;
    assert_eq!(list.status, 200);
    assert!(list.has(PAST_PROGRAM) && list.has(UPCOMING_PROGRAM));
    assert!(!list.has("Uten meg"), "not a participant");
    assert_eq!(app.get(&format!("/programs/{past}")).await.status, 200);
    assert_eq!(app.get(&format!("/programs/{upcoming}")).await.status, 200);
    assert_eq!(
        app.get(&format!("/programs/{}", other.id)).await.status,
        404
    );
    // A mentor neither marks attendance nor edits.
    assert_eq!(
        app.get(&format!("/programs/{past}/days/{day}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&format!("/programs/{past}/days/{day}/all"), &[])
            .await
            .status,
        404
    );
    assert_eq!(app.get("/programs/new").await.status, 404);
    // The NHF mentor takes part in none.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let list = app.get("/programs").await;
    assert!(!list.has(PAST_PROGRAM) && !list.has(UPCOMING_PROGRAM));
}
