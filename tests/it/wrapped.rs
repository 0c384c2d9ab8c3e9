//! The annual summary ("Wrapped"): the job's figures over a hand-counted year, its idempotence,
//! the mentor's page and card, the kind empty state, scope (another organization's mentor is
//! 404, a mentor sees only their own year) and the scope's totals.

use crate::common::TestApp;
use crate::on_both_backends;
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use likeperson::activities::model::Activity;
use likeperson::jobs;
use likeperson::reports::wrapped::compute;
use likeperson::reports::wrapped::model::AnnualSummary;
use likeperson::schema::{
    activity_types as at, annual_summaries as asum, badges as b, contacts,
    course_enrollments as ce, courses as co, event_attendees as ea, events as ev,
    organizations as o, user_badges as ub, user_organization_roles as uor,
};

on_both_backends!(
    the_job_counts_a_mentors_year_by_hand,
    the_job_is_idempotent_and_computing_again_keeps_the_rows,
    the_mentor_sees_their_year_and_downloads_the_card,
    a_year_without_figures_is_a_kind_empty_state,
    another_organizations_mentor_and_another_mentors_year_are_out_of_reach,
    the_scope_totals_add_up_the_summaries,
);

/// Three years ago: no demo activity (the demo's are within the last 365 days).
fn year() -> i32 {
    likeperson::activities::service::today().year() - 3
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    day(y, m, d).and_hms_opt(12, 0, 0).unwrap()
}

fn org_id(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

struct Fixture {
    org: String,
    mentor: String,
}

fn association_of(app: &TestApp, org: &str, user: &str) -> String {
    uor::table
        .filter(uor::user_id.eq(user))
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq("peer_mentor"))
        .order(uor::local_association_id.asc())
        .select(uor::local_association_id.assume_not_null())
        .first(&mut *app.conn())
        .unwrap()
}

#[allow(clippy::too_many_arguments)]
fn add(
    app: &TestApp,
    org: &str,
    assoc: &str,
    mentor: &str,
    date: NaiveDate,
    minutes: i32,
    contact: Option<&str>,
    status: &str,
) {
    let type_id: String = at::table
        .filter(at::organization_id.eq(org))
        .order(at::sort_order.asc())
        .select(at::id)
        .first(&mut *app.conn())
        .unwrap();
    let t = likeperson::db::now();
    let a = Activity {
        id: likeperson::db::new_id(),
        organization_id: org.into(),
        local_association_id: assoc.into(),
        activity_type_id: type_id,
        mentor_id: mentor.into(),
        registered_by: mentor.into(),
        is_proxy: false,
        occurred_on: date,
        duration_minutes: Some(minutes),
        contact_id: contact.map(str::to_string),
        participants: None,
        description: None,
        status: status.into(),
        bufdir_counts: false,
        bufdir_reason: "bufdir.not_counted_type".into(),
        event_id: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(likeperson::schema::activities::table)
        .values(&a)
        .execute(&mut *app.conn())
        .unwrap();
}

fn event(
    app: &TestApp,
    org: &str,
    assoc: &str,
    user: &str,
    when: chrono::NaiveDateTime,
    status: &str,
) {
    let id = likeperson::db::new_id();
    let t = likeperson::db::now();
    diesel::insert_into(ev::table)
        .values((
            ev::id.eq(&id),
            ev::organization_id.eq(org),
            ev::local_association_id.eq(assoc),
            ev::title.eq("Sommerfest"),
            ev::starts_at.eq(when),
            ev::duration_minutes.eq(120),
            ev::status.eq("planned"),
            ev::created_at.eq(t),
            ev::updated_at.eq(t),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(ea::table)
        .values((
            ea::id.eq(likeperson::db::new_id()),
            ea::event_id.eq(&id),
            ea::user_id.eq(user),
            ea::status.eq(status),
            ea::registered_at.eq(when),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

fn course(app: &TestApp, org: &str, user: &str, when: chrono::NaiveDateTime, status: &str) {
    let id = likeperson::db::new_id();
    let t = likeperson::db::now();
    diesel::insert_into(co::table)
        .values((
            co::id.eq(&id),
            co::organization_id.eq(org),
            co::title.eq("Grunnkurs"),
            co::description.eq("Kurs"),
            co::capacity.eq(10),
            co::seats_taken.eq(1),
            co::enrollment_deadline.eq(when - chrono::Duration::days(7)),
            co::starts_at.eq(when),
            co::bufdir_training.eq(true),
            co::status.eq("open"),
            co::created_at.eq(t),
            co::updated_at.eq(t),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(ce::table)
        .values((
            ce::id.eq(likeperson::db::new_id()),
            ce::course_id.eq(&id),
            ce::user_id.eq(user),
            ce::status.eq(status),
            ce::enrolled_at.eq(when - chrono::Duration::days(10)),
            ce::updated_at.eq(when),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

fn badge(app: &TestApp, org: &str, user: &str, name: &str, when: chrono::NaiveDateTime) {
    let id = likeperson::db::new_id();
    let t = likeperson::db::now();
    diesel::insert_into(b::table)
        .values((
            b::id.eq(&id),
            b::organization_id.eq(org),
            b::name.eq(name),
            b::description.eq("Et merke"),
            b::icon.eq("heart"),
            b::trigger_kind.eq("activities"),
            b::threshold.eq(1000),
            b::is_active.eq(false),
            b::created_at.eq(t),
            b::updated_at.eq(t),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(ub::table)
        .values((
            ub::id.eq(likeperson::db::new_id()),
            ub::badge_id.eq(&id),
            ub::user_id.eq(user),
            ub::organization_id.eq(org),
            ub::awarded_at.eq(when),
            ub::reason.eq("activities=1000"),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

/// NHF's demo mentor, hand-counted (see each line):
/// - the year: 6 registered activities (3 in March, June, November, 31 December), 360 minutes,
///   2 different contacts; a cancelled one and one on 1 January the year after do not count;
/// - the year before: 2 activities, 90 minutes, 1 contact;
/// - 1 event attended (another only registered), 1 course completed (another a no-show),
///   1 badge awarded that year (another the year before).
fn fixture(app: &TestApp) -> Fixture {
    let org = org_id(app, "NHF");
    let mentor = app.user_id("mentor@nhf.example");
    let assoc = association_of(app, &org, &mentor);
    let people: Vec<String> = contacts::table
        .filter(contacts::organization_id.eq(&org))
        .order(contacts::id.asc())
        .select(contacts::id)
        .limit(2)
        .load(&mut *app.conn())
        .unwrap();
    let (c1, c2) = (people[0].as_str(), people[1].as_str());
    let y = year();
    let add = |d: NaiveDate, m: i32, c: Option<&str>, st: &str| {
        add(app, &org, &assoc, &mentor, d, m, c, st)
    };
    add(day(y, 3, 3), 60, Some(c1), "registered");
    add(day(y, 3, 10), 90, Some(c2), "registered");
    add(day(y, 3, 20), 30, None, "registered");
    add(day(y, 3, 15), 60, Some(c1), "cancelled");
    add(day(y, 6, 5), 45, Some(c1), "registered");
    add(day(y, 11, 30), 120, Some(c1), "registered");
    add(day(y, 12, 31), 15, Some(c2), "registered");
    add(day(y + 1, 1, 1), 60, Some(c1), "registered");
    add(day(y - 1, 4, 1), 60, Some(c1), "registered");
    add(day(y - 1, 4, 2), 30, Some(c1), "registered");
    event(app, &org, &assoc, &mentor, at(y, 5, 10), "attended");
    event(app, &org, &assoc, &mentor, at(y, 8, 10), "registered");
    course(app, &org, &mentor, at(y, 9, 1), "attended");
    course(app, &org, &mentor, at(y, 10, 1), "no_show");
    badge(app, &org, &mentor, "Årets stjerne", at(y, 6, 1));
    badge(app, &org, &mentor, "Fjorårets merke", at(y - 1, 6, 1));
    Fixture { org, mentor }
}

fn summary(app: &TestApp, org: &str, user: &str, year: i32) -> Option<AnnualSummary> {
    asum::table
        .filter(asum::organization_id.eq(org))
        .filter(asum::user_id.eq(user))
        .filter(asum::year.eq(year))
        .select(AnnualSummary::as_select())
        .first(&mut *app.conn())
        .optional()
        .unwrap()
}

fn all_rows(app: &TestApp) -> Vec<AnnualSummary> {
    asum::table
        .order(asum::id.asc())
        .select(AnnualSummary::as_select())
        .load(&mut *app.conn())
        .unwrap()
}

/// Runs the registered job once, as `likeperson run-jobs --job reports.wrapped` does.
fn run_job(app: &TestApp) -> jobs::Outcome {
    let job: Vec<jobs::Job> = jobs::all()
        .into_iter()
        .filter(|j| j.name == "reports.wrapped")
        .collect();
    assert_eq!(job.len(), 1, "the job is registered");
    let mut out = jobs::run_due(&mut app.conn(), &job, &app.jobs_env(), true);
    out.remove(0).1
}

async fn the_job_counts_a_mentors_year_by_hand(app: TestApp) {
    let f = fixture(&app);
    assert!(matches!(run_job(&app), jobs::Outcome::Ran(_)));
    let s = summary(&app, &f.org, &f.mentor, year()).expect("the year is computed");
    assert_eq!(s.activities, 6);
    assert_eq!(s.minutes, 360);
    assert_eq!(s.contacts, 2);
    assert_eq!(s.busiest_month, Some(3));
    assert_eq!(s.busiest_month_activities, 3);
    assert_eq!(s.events, 1);
    assert_eq!(s.courses, 1);
    assert_eq!(s.badges, 1);
    assert_eq!(
        (
            s.previous_activities,
            s.previous_minutes,
            s.previous_contacts
        ),
        (2, 90, 1)
    );
    // The year before is computed too (from the organization's first activity on).
    let before = summary(&app, &f.org, &f.mentor, year() - 1).unwrap();
    assert_eq!(
        (before.activities, before.minutes, before.badges),
        (2, 90, 1)
    );
    // Nothing in another organization: Blindeforbundet's rows know nothing of this.
    let blind = org_id(&app, "Blindeforbundet");
    assert!(summary(&app, &blind, &f.mentor, year()).is_none());
}

async fn the_job_is_idempotent_and_computing_again_keeps_the_rows(app: TestApp) {
    let f = fixture(&app);
    run_job(&app);
    let first = all_rows(&app);
    assert!(!first.is_empty());
    // A second run writes nothing: the same rows, ids and times.
    run_job(&app);
    assert_eq!(all_rows(&app), first);
    assert_eq!(compute::run(&mut app.conn()).unwrap().written, 0);
    // Computing again rewrites the rows in place: the same ids and figures.
    compute::compute_org_year(&mut app.conn(), &f.org, year(), true).unwrap();
    let again = all_rows(&app);
    assert_eq!(again.len(), first.len());
    for (a, b) in again.iter().zip(&first) {
        assert_eq!((&a.id, a.figures()), (&b.id, b.figures()));
    }
    // A late registration shows after computing again, not before.
    let assoc = association_of(&app, &f.org, &f.mentor);
    add(
        &app,
        &f.org,
        &assoc,
        &f.mentor,
        day(year(), 7, 1),
        60,
        None,
        "registered",
    );
    run_job(&app);
    assert_eq!(
        summary(&app, &f.org, &f.mentor, year()).unwrap().activities,
        6
    );
    compute::compute_org_year(&mut app.conn(), &f.org, year(), true).unwrap();
    assert_eq!(
        summary(&app, &f.org, &f.mentor, year()).unwrap().activities,
        7
    );
}

async fn the_mentor_sees_their_year_and_downloads_the_card(mut app: TestApp) {
    fixture(&app);
    run_job(&app);
    let y = year();
    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/wrapped/{y}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Ditt år som likeperson"), "{}", page.body);
    assert!(
        page.has(r#"<span class="wrapped-number">6,0</span>"#),
        "hours"
    );
    assert!(
        page.has(r#"<span class="wrapped-number">6</span>"#),
        "activities"
    );
    assert!(
        page.has(r#"<span class="wrapped-number">2</span>"#),
        "contacts"
    );
    assert!(page.has(r#"<p class="wrapped-month">mars</p>"#));
    assert!(page.has("3 aktiviteter den måneden"));
    assert!(page.has("Årets stjerne"));
    assert!(
        !page.has("Fjorårets merke"),
        "last year's badge is not this year's"
    );
    assert!(page.has("+4 flere enn året før"), "6 activities against 2");
    assert!(page.has(&format!(r#"download="likeperson-{y}.svg""#)));
    let card = app.get(&format!("/wrapped/{y}/card.svg")).await;
    assert_eq!(card.status, 200);
    assert!(card.header("content-type").starts_with("image/svg+xml"));
    assert!(card.header("content-disposition").contains("attachment"));
    assert!(card.has("<title id=\"card-t\">Mitt år som likeperson"));
    assert!(card.has("<desc id=\"card-d\">6,0 timer sammen med andre. 6 aktiviteter"));
    assert!(card.has("Årets stjerne"));
    // The start page links last year's summary once there is one.
    let last = likeperson::activities::service::today().year() - 1;
    let f = Fixture {
        org: org_id(&app, "NHF"),
        mentor: app.user_id("mentor@nhf.example"),
    };
    let assoc = association_of(&app, &f.org, &f.mentor);
    add(
        &app,
        &f.org,
        &assoc,
        &f.mentor,
        day(last, 2, 2),
        60,
        None,
        "registered",
    );
    compute::compute_org_year(&mut app.conn(), &f.org, last, true).unwrap();
    let home = app.get("/").await;
    assert!(
        home.has(&format!(r#"href="/wrapped/{last}""#)),
        "{}",
        home.body
    );
}

async fn a_year_without_figures_is_a_kind_empty_state(mut app: TestApp) {
    run_job(&app);
    let this = likeperson::activities::service::today().year();
    let quiet = this - 5;
    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/wrapped/{quiet}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Ingen tall for dette året ennå"));
    assert!(page.has("hvert bidrag teller"));
    assert!(!page.has("wrapped-number"));
    assert_eq!(
        app.get(&format!("/wrapped/{quiet}/card.svg")).await.status,
        404
    );
    let now = app.get(&format!("/wrapped/{this}")).await;
    assert_eq!(now.status, 200);
    assert!(now.has("Året er ikke over ennå"));
    assert_eq!(app.get("/wrapped/1066").await.status, 404);
    assert_eq!(app.get(&format!("/wrapped/{}", this + 1)).await.status, 404);
}

async fn another_organizations_mentor_and_another_mentors_year_are_out_of_reach(mut app: TestApp) {
    let f = fixture(&app);
    run_job(&app);
    let y = year();
    // Blindeforbundet's administrator: NHF's mentor does not exist for them.
    app.login("admin@blindeforbundet.example").await;
    let other = app.get(&format!("/wrapped/{y}/mentors/{}", f.mentor)).await;
    assert_eq!(other.status, 404);
    let totals = app.get(&format!("/wrapped/{y}/organization")).await;
    assert_eq!(totals.status, 200);
    assert!(!totals.has("Mona Mentor (NHF)"));
    app.logout().await;
    // NHF's administrator sees the mentor's year.
    app.login("admin@nhf.example").await;
    let seen = app.get(&format!("/wrapped/{y}/mentors/{}", f.mentor)).await;
    assert_eq!(seen.status, 200);
    assert!(seen.has("Mona Mentor (NHF)"));
    assert!(seen.has(r#"<span class="wrapped-number">6,0</span>"#));
    assert!(!seen.has("card.svg"), "no card for someone else's year");
    app.logout().await;
    // Another mentor (Blindeforbundet's) opens the same year: their own, empty, not NHF's.
    app.login("mentor@blindeforbundet.example").await;
    let own = app.get(&format!("/wrapped/{y}")).await;
    assert_eq!(own.status, 200);
    assert!(own.has("Ingen tall for dette året ennå"));
    assert!(!own.has("Årets stjerne"));
    app.logout().await;
    // A mentor cannot open another mentor's year by id.
    let coordinator = app.user_id("coordinator@nhf.example");
    app.login("mentor@nhf.example").await;
    let by_id = app
        .get(&format!("/wrapped/{y}/mentors/{coordinator}"))
        .await;
    assert_eq!(by_id.status, 404);
    let mine = app.get(&format!("/wrapped/{y}/mentors/{}", f.mentor)).await;
    assert_eq!(
        mine.status, 404,
        "the coordinators' view is not the mentor's"
    );
}

async fn the_scope_totals_add_up_the_summaries(mut app: TestApp) {
    let f = fixture(&app);
    run_job(&app);
    let y = year();
    app.login("admin@nhf.example").await;
    let page = app.get(&format!("/wrapped/{y}/organization")).await;
    assert_eq!(page.status, 200);
    // Only the fixture mentor has figures three years ago.
    assert!(
        page.has("<li><strong>1</strong> likepersoner som var aktive"),
        "{}",
        page.body
    );
    assert!(page.has("<li><strong>6,0</strong> timer</li>"));
    assert!(page.has("<li><strong>6</strong> aktiviteter</li>"));
    assert!(page.has("Flest hadde sin travleste måned i <strong>mars</strong> (1)"));
    assert!(page.has(&format!("/wrapped/{y}/mentors/{}", f.mentor)));
    // Computing again: a redirect, a flash, one audit entry, the same rows.
    let before = all_rows(&app).len();
    let res = app.post(&format!("/wrapped/{y}/recompute"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), format!("/wrapped/{y}/organization"));
    assert_eq!(app.audit_count("annual_summary.recompute"), 1);
    assert_eq!(all_rows(&app).len(), before);
    let after = app.get(res.location()).await;
    assert!(after.has("Året er regnet ut på nytt."));
    app.logout().await;
    // The coordinator of the mentor's associations sees them too.
    app.login("coordinator@nhf.example").await;
    let scoped = app.get(&format!("/wrapped/{y}/organization")).await;
    assert_eq!(scoped.status, 200);
    assert!(scoped.has("<li><strong>6</strong> aktiviteter</li>"));
    assert!(scoped.has("Mona Mentor (NHF)"));
}
