//! Reports: the Bufdir report over hand-counted fixtures (every counting rule and its edge), its
//! drill-down, scope, lifecycle (a submitted report is a frozen snapshot) and exports.

use crate::common::TestApp;
use crate::on_both_backends;
use chrono::NaiveDate;
use diesel::prelude::*;
use likeperson::activities::bufdir;
use likeperson::activities::model::Activity;
use likeperson::reports::bufdir::compute::{compute, Figures, Scope};
use likeperson::schema::{
    activities as act, activity_types as at, contacts, organizations as o,
    user_organization_roles as uor,
};

on_both_backends!(
    the_bufdir_report_counts_by_the_rules_per_association_and_in_total,
    the_report_page_drills_down_and_is_scoped,
    a_submitted_report_is_frozen_and_versions_are_compared,
    the_exports_carry_the_same_figures,
    training_course_days_count_and_the_roster_lists_approved_mentors,
    two_asking_at_once_compute_the_draft_once_and_a_long_run_shows_progress,
);

const YEAR: i32 = 2023;

struct Fixture {
    org: String,
    a1: String,
    a2: String,
    m1: String,
    m2: String,
    /// The contact erased after the fact.
    c3: String,
}

pub(crate) fn org_id(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn type_named(app: &TestApp, org: &str, name: &str) -> (String, String, Option<String>) {
    at::table
        .filter(at::organization_id.eq(org))
        .filter(at::name.eq(name))
        .select((at::id, at::kind, at::bufdir_category))
        .first(&mut *app.conn())
        .unwrap()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn add(
    app: &TestApp,
    org: &str,
    assoc: &str,
    mentor: &str,
    type_name: &str,
    date: (i32, u32, u32),
    minutes: i32,
    participants: Option<i32>,
    contact: Option<&str>,
    status: &str,
) -> String {
    let (type_id, kind, category) = type_named(app, org, type_name);
    let verdict = bufdir::evaluate(
        &kind,
        category.as_deref(),
        status,
        Some(minutes),
        participants,
        contact.is_some(),
    );
    let t = likeperson::db::now();
    let a = Activity {
        id: likeperson::db::new_id(),
        organization_id: org.into(),
        local_association_id: assoc.into(),
        activity_type_id: type_id,
        mentor_id: mentor.into(),
        registered_by: mentor.into(),
        is_proxy: false,
        occurred_on: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
        duration_minutes: Some(minutes),
        contact_id: contact.map(str::to_string),
        participants,
        description: None,
        status: status.into(),
        bufdir_counts: verdict.counts,
        bufdir_reason: verdict.reason.into(),
        event_id: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(act::table)
        .values(&a)
        .execute(&mut *app.conn())
        .unwrap();
    a.id
}

/// The hand-counted year (see each line): two associations of the coordinator, two mentors,
/// the first of them in both.
fn fixture(app: &TestApp) -> Fixture {
    let org = org_id(app, "NHF");
    let coordinator = app.user_id("coordinator@nhf.example");
    let mut mine: Vec<String> = uor::table
        .filter(uor::user_id.eq(&coordinator))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::local_association_id.is_not_null())
        .select(uor::local_association_id.assume_not_null())
        .order(uor::local_association_id.asc())
        .load(&mut *app.conn())
        .unwrap();
    // A grant per role: the same association may be listed twice.
    mine.dedup();
    assert!(mine.len() >= 2, "the coordinator has two associations");
    let (a1, a2) = (mine[0].clone(), mine[1].clone());
    let people: Vec<String> = contacts::table
        .filter(contacts::organization_id.eq(&org))
        .filter(contacts::local_association_id.eq_any([a1.clone(), a2.clone()]))
        .order(contacts::id.asc())
        .select(contacts::id)
        .limit(3)
        .load(&mut *app.conn())
        .unwrap();
    let (c1, c2, c3) = (people[0].clone(), people[1].clone(), people[2].clone());
    let m1 = app.user_id("mentor@nhf.example");
    let m2 = app.user_id("coordinator@nhf.example");
    let r = "registered";
    // Outreach: two visits to different people on one day count as two.
    add(
        app,
        &org,
        &a1,
        &m1,
        "Hjemmebesøk",
        (YEAR, 3, 1),
        60,
        None,
        Some(&c1),
        r,
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        "Hjemmebesøk",
        (YEAR, 3, 1),
        30,
        None,
        Some(&c2),
        r,
    );
    // Groups: 3 for 45 minutes counts; 2 participants or 44 minutes do not.
    add(
        app,
        &org,
        &a1,
        &m1,
        "Samtalegruppe",
        (YEAR, 4, 1),
        45,
        Some(3),
        None,
        r,
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        "Samtalegruppe",
        (YEAR, 4, 2),
        60,
        Some(2),
        None,
        r,
    );
    add(
        app,
        &org,
        &a1,
        &m2,
        "Samtalegruppe",
        (YEAR, 4, 3),
        44,
        Some(8),
        None,
        r,
    );
    // The first mentor in the second association too.
    add(
        app,
        &org,
        &a2,
        &m1,
        "Samtalegruppe",
        (YEAR, 5, 1),
        90,
        Some(5),
        None,
        r,
    );
    // Training: 2 × 45 minutes counts, 89 does not.
    add(
        app,
        &org,
        &a2,
        &m2,
        "Likepersonskurs",
        (YEAR, 5, 2),
        90,
        Some(4),
        None,
        r,
    );
    add(
        app,
        &org,
        &a2,
        &m2,
        "Likepersonskurs",
        (YEAR, 5, 3),
        89,
        Some(4),
        None,
        r,
    );
    // Cancelled, a phone call: not counted.
    add(
        app,
        &org,
        &a1,
        &m2,
        "Hjemmebesøk",
        (YEAR, 6, 1),
        60,
        None,
        Some(&c3),
        "cancelled",
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        "Telefonsamtale",
        (YEAR, 6, 2),
        20,
        None,
        Some(&c1),
        r,
    );
    // A visit to the contact who is erased afterwards: still counted.
    add(
        app,
        &org,
        &a2,
        &m2,
        "Hjemmebesøk",
        (YEAR, 6, 3),
        60,
        None,
        Some(&c3),
        r,
    );
    // Outside the year, and another organization's activity in it.
    add(
        app,
        &org,
        &a1,
        &m1,
        "Hjemmebesøk",
        (YEAR - 1, 12, 31),
        60,
        None,
        Some(&c1),
        r,
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        "Hjemmebesøk",
        (YEAR + 1, 1, 1),
        60,
        None,
        Some(&c1),
        r,
    );
    let blind = org_id(app, "Blindeforbundet");
    let blind_assoc = app.association_ids("Blindeforbundet")[0].clone();
    let blind_mentor = app.user_id("admin@blindeforbundet.example");
    add(
        app,
        &blind,
        &blind_assoc,
        &blind_mentor,
        "Samtalegruppe",
        (YEAR, 3, 1),
        60,
        Some(6),
        None,
        r,
    );
    Fixture {
        org,
        a1,
        a2,
        m1,
        m2,
        c3,
    }
}

fn figures(app: &TestApp, f: &Fixture) -> Figures {
    compute(&mut app.conn(), &f.org, YEAR, &Scope::Org).unwrap()
}

/// (activities, participants, people, mentors, minutes)
fn line(l: &likeperson::reports::bufdir::compute::Line) -> (i64, i64, i64, i64, i64) {
    (l.activities, l.participants, l.people, l.mentors, l.minutes)
}

fn check_hand_counted(r: &Figures, f: &Fixture) {
    let t = &r.total;
    assert_eq!(line(&t.categories[0]), (3, 3, 3, 2, 150), "outreach");
    assert_eq!(line(&t.categories[1]), (2, 8, 0, 1, 135), "groups");
    assert_eq!(line(&t.categories[2]), (1, 4, 0, 1, 90), "training");
    assert_eq!(
        line(&t.all),
        (6, 15, 3, 2, 375),
        "all; the mentor in two associations once"
    );
    let by = |id: &str| {
        r.associations
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.figures.clone())
            .unwrap()
    };
    let (b1, b2) = (by(&f.a1), by(&f.a2));
    assert_eq!(line(&b1.all), (3, 5, 2, 1, 135));
    assert_eq!(line(&b1.categories[0]), (2, 2, 2, 1, 90));
    assert_eq!(line(&b2.all), (3, 10, 1, 2, 240));
    assert_eq!(
        b1.all.mentors + b2.all.mentors,
        3,
        "each association counts the shared mentor; the total once"
    );
    let reasons: Vec<(&str, i64)> = r
        .not_counted
        .iter()
        .map(|n| (n.reason.as_str(), n.activities))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("bufdir.cancelled", 1),
            ("bufdir.group_too_short", 1),
            ("bufdir.group_too_small", 1),
            ("bufdir.phone_call", 1),
            ("bufdir.training_too_short", 1),
        ]
    );
    let roster: Vec<(&str, usize, i64)> = r
        .roster
        .iter()
        .map(|e| (e.mentor_id.as_str(), e.associations.len(), e.activities))
        .collect();
    assert_eq!(roster.len(), 2);
    assert!(roster.contains(&(f.m1.as_str(), 2, 4)));
    assert!(roster.contains(&(f.m2.as_str(), 1, 2)));
}

async fn the_bufdir_report_counts_by_the_rules_per_association_and_in_total(mut app: TestApp) {
    let f = fixture(&app);
    check_hand_counted(&figures(&app, &f), &f);
    // Erasing the contact after the fact changes nothing: the visit still counts.
    app.login("admin@nhf.example").await;
    let res = app
        .post(&format!("/contacts/{}/erase", f.c3), &[("confirm", "on")])
        .await;
    assert_eq!(res.status, 303);
    check_hand_counted(&figures(&app, &f), &f);
    // A coordinator's scope: only their associations, here both.
    let scoped = compute(
        &mut app.conn(),
        &f.org,
        YEAR,
        &Scope::Associations(vec![f.a1.clone()]),
    )
    .unwrap();
    assert_eq!(line(&scoped.total.all), (3, 5, 2, 1, 135));
}

async fn the_report_page_drills_down_and_is_scoped(mut app: TestApp) {
    let f = fixture(&app);
    app.login("admin@nhf.example").await;
    let page = app.get(&format!("/reports/bufdir/{YEAR}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Utkast"));
    assert!(page.has("Dette telte ikke"));
    assert!(page.has("<title id=\"chart-category-t\">"));
    // Drill-down: the counting outreach of the first association are its two visits.
    let drill = app
        .get(&format!(
            "/reports/bufdir/{YEAR}/activities?association={}&category=outreach",
            f.a1
        ))
        .await;
    assert_eq!(drill.status, 200);
    assert_eq!(drill.body.matches("<a href=\"/activities/").count(), 2);
    let not = app
        .get(&format!(
            "/reports/bufdir/{YEAR}/activities?counts=no&reason=bufdir.group_too_small"
        ))
        .await;
    assert_eq!(not.body.matches("<a href=\"/activities/").count(), 1);
    assert_eq!(
        app.get(&format!(
            "/reports/bufdir/{YEAR}/activities?category=nonsense"
        ))
        .await
        .status,
        404
    );
    assert_eq!(app.get("/reports/bufdir/1900").await.status, 404);
    assert_eq!(app.get("/reports/bufdir/abc").await.status, 404);
    // Another organization's admin sees none of it.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let theirs = app
        .get(&format!(
            "/reports/bufdir/{YEAR}/activities?association={}",
            f.a1
        ))
        .await;
    assert_eq!(theirs.body.matches("<a href=\"/activities/").count(), 0);
    // A coordinator sees their associations' draft and no lifecycle buttons.
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/reports/bufdir/{YEAR}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.has("/finalize"));
    assert_eq!(
        app.post(&format!("/reports/bufdir/{YEAR}/finalize"), &[])
            .await
            .status,
        404
    );
    // Mentors have no reports.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(
        app.get(&format!("/reports/bufdir/{YEAR}")).await.status,
        404
    );
}

async fn a_submitted_report_is_frozen_and_versions_are_compared(mut app: TestApp) {
    use likeperson::schema::bufdir_reports as br;
    let f = fixture(&app);
    app.login("admin@nhf.example").await;
    // Submitting a draft is refused (it must be final first).
    let res = app
        .post(&format!("/reports/bufdir/{YEAR}/submit"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("bufdir_report.submit"), 0);
    let res = app
        .post(&format!("/reports/bufdir/{YEAR}/finalize"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("bufdir_report.finalize"), 1);
    // Finalizing again does nothing.
    app.post(&format!("/reports/bufdir/{YEAR}/finalize"), &[])
        .await;
    assert_eq!(app.audit_count("bufdir_report.finalize"), 1);
    let res = app
        .post(&format!("/reports/bufdir/{YEAR}/submit"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("bufdir_report.submit"), 1);
    let status: String = br::table
        .filter(br::organization_id.eq(&f.org))
        .filter(br::year.eq(YEAR))
        .select(br::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "submitted");
    // A later activity changes the live figures, not the submitted report.
    add(
        &app,
        &f.org,
        &f.a1,
        &f.m1,
        "Samtalegruppe",
        (YEAR, 9, 1),
        60,
        Some(7),
        None,
        "registered",
    );
    assert_eq!(figures(&app, &f).total.all.activities, 7);
    let page = app.get(&format!("/reports/bufdir/{YEAR}?version=1")).await;
    assert!(page.has("Sendt inn"));
    let csv = app
        .get(&format!("/reports/bufdir/{YEAR}/export.csv?version=1"))
        .await;
    let total_line = csv
        .body
        .lines()
        .find(|l| l.starts_with("\"Totalt\";\"Alle kategorier\""))
        .unwrap()
        .to_string();
    assert!(total_line.contains("\"6\""), "{total_line}");
    // A new version is a draft with the new figures; the two compare.
    let res = app
        .post(&format!("/reports/bufdir/{YEAR}/new-version"), &[])
        .await;
    assert_eq!(res.status, 303);
    let v2 = app.get(&format!("/reports/bufdir/{YEAR}?version=2")).await;
    assert!(v2.has("Utkast"));
    let cmp = app
        .get(&format!("/reports/bufdir/{YEAR}/compare?a=1&b=2"))
        .await;
    assert_eq!(cmp.status, 200);
    assert!(cmp.has("<td>6</td><td>7</td><td>+1</td>"), "{}", cmp.body);
    assert_eq!(
        app.get(&format!("/reports/bufdir/{YEAR}?version=9"))
            .await
            .status,
        404
    );
}

async fn the_exports_carry_the_same_figures(mut app: TestApp) {
    let _f = fixture(&app);
    app.login("admin@nhf.example").await;
    let xlsx = app
        .get(&format!("/reports/bufdir/{YEAR}/export.xlsx"))
        .await;
    assert_eq!(xlsx.status, 200);
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let total = sheet
        .rows()
        .find(|r| r[0] == "Totalt" && r[1] == "Alle kategorier")
        .unwrap();
    assert_eq!(total[2].to_string(), "6", "activities");
    assert_eq!(total[3].to_string(), "15", "participants");
    assert_eq!(total[5].to_string(), "2", "mentors");
    let pdf = app.get(&format!("/reports/bufdir/{YEAR}/export.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert_eq!(app.audit_count("bufdir_report.export"), 2);
    assert_eq!(
        app.get(&format!("/reports/bufdir/{YEAR}/export.doc"))
            .await
            .status,
        404
    );
}

/// A course day of `minutes` from 10:00 UTC on the date, with attendance marks.
fn course_day(app: &TestApp, course: &str, date: (u32, u32), minutes: i64, marks: &[(&str, bool)]) {
    use likeperson::learning::courses::model::CourseDay;
    use likeperson::schema::{course_attendance as ca, course_days as cd};
    let starts = NaiveDate::from_ymd_opt(YEAR, date.0, date.1)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let day = CourseDay {
        id: likeperson::db::new_id(),
        course_id: course.into(),
        starts_at: starts,
        ends_at: starts + chrono::Duration::minutes(minutes),
    };
    diesel::insert_into(cd::table)
        .values(&day)
        .execute(&mut *app.conn())
        .unwrap();
    for (user, attended) in marks {
        diesel::insert_into(ca::table)
            .values((
                ca::course_day_id.eq(&day.id),
                ca::user_id.eq(*user),
                ca::attended.eq(*attended),
                ca::marked_at.eq(likeperson::db::now()),
            ))
            .execute(&mut *app.conn())
            .unwrap();
    }
}

fn course(app: &TestApp, org: &str, assoc: &str, bufdir_training: bool) -> String {
    use likeperson::learning::courses::model::Course;
    use likeperson::schema::courses;
    let t = likeperson::db::now();
    let start = NaiveDate::from_ymd_opt(YEAR, 9, 4)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let c = Course {
        id: likeperson::db::new_id(),
        organization_id: org.into(),
        local_association_id: Some(assoc.into()),
        title: if bufdir_training {
            "Grunnkurs"
        } else {
            "Kaffekurs"
        }
        .into(),
        description: String::new(),
        place: None,
        online_url: None,
        capacity: 10,
        seats_taken: 0,
        enrollment_deadline: start,
        starts_at: start,
        certification_name: None,
        validity_months: None,
        bufdir_training,
        status: "open".into(),
        cancel_reason: None,
        created_by: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(courses::table)
        .values(&c)
        .execute(&mut *app.conn())
        .unwrap();
    c.id
}

async fn training_course_days_count_and_the_roster_lists_approved_mentors(mut app: TestApp) {
    use likeperson::schema::peer_mentors as pm;
    let f = fixture(&app);
    let training = course(&app, &f.org, &f.a1, true);
    // 90 minutes, one present and one absent: a training day with one participant.
    course_day(
        &app,
        &training,
        (9, 4),
        90,
        &[(&f.m1, true), (&f.m2, false)],
    );
    // 89 minutes: too short, though attended.
    course_day(&app, &training, (9, 5), 89, &[(&f.m1, true)]);
    // Long enough, but nobody present.
    course_day(&app, &training, (9, 6), 120, &[(&f.m2, false)]);
    // Another course, not Bufdir training: never.
    let other = course(&app, &f.org, &f.a1, false);
    course_day(&app, &other, (9, 7), 120, &[(&f.m1, true)]);
    // The roster: the first mentor approved (active), the second not.
    diesel::update(
        pm::table
            .filter(pm::user_id.eq(&f.m1))
            .filter(pm::organization_id.eq(&f.org)),
    )
    .set(pm::status.eq("active"))
    .execute(&mut *app.conn())
    .unwrap();
    diesel::update(
        pm::table
            .filter(pm::user_id.eq(&f.m2))
            .filter(pm::organization_id.eq(&f.org)),
    )
    .set(pm::status.eq("deactivated"))
    .execute(&mut *app.conn())
    .unwrap();

    let r = figures(&app, &f);
    let t = &r.total;
    assert_eq!(r.course_days, 1);
    assert_eq!(
        line(&t.categories[2]),
        (2, 5, 0, 1, 180),
        "the activity's training day and the course day"
    );
    assert_eq!(line(&t.all), (7, 16, 3, 2, 465));
    let a1 = r.associations.iter().find(|a| a.id == f.a1).unwrap();
    assert_eq!(line(&a1.figures.all), (4, 6, 2, 1, 225));
    assert_eq!(line(&a1.figures.categories[2]), (1, 1, 0, 0, 90));
    let reasons: Vec<(&str, i64)> = r
        .not_counted
        .iter()
        .map(|n| (n.reason.as_str(), n.activities))
        .collect();
    assert!(
        reasons.contains(&("bufdir.training_too_short", 2)),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("bufdir.course_day_no_attendance", 1)),
        "{reasons:?}"
    );
    let roster: Vec<&str> = r.roster.iter().map(|e| e.mentor_id.as_str()).collect();
    assert_eq!(roster, vec![f.m1.as_str()], "only the approved mentor");
    assert_eq!(r.roster_not_approved, 1);

    // The drill-down lists the course day behind the training figure, and the two that did
    // not count under their reasons.
    app.login("admin@nhf.example").await;
    let drill = app
        .get(&format!(
            "/reports/bufdir/{YEAR}/activities?category=training"
        ))
        .await;
    assert_eq!(drill.status, 200);
    assert_eq!(
        drill
            .body
            .matches(&format!("href=\"/courses/{training}\""))
            .count(),
        1
    );
    assert!(drill.has("<time datetime=\"2023-09-04\">"));
    let short = app
        .get(&format!(
            "/reports/bufdir/{YEAR}/activities?counts=no&reason=bufdir.training_too_short"
        ))
        .await;
    assert!(short.has("<time datetime=\"2023-09-05\">"));
    assert_eq!(
        short.body.matches("<a href=\"/activities/").count(),
        1,
        "and the activity"
    );
    let page = app.get(&format!("/reports/bufdir/{YEAR}")).await;
    assert!(page.has("Kursdager") || page.has("kursdager"));
}

async fn two_asking_at_once_compute_the_draft_once_and_a_long_run_shows_progress(mut app: TestApp) {
    use likeperson::reports::runs::{self, Claim};
    use likeperson::schema::report_runs as rr;
    let f = fixture(&app);
    let admin = app.user_id("admin@nhf.example");
    app.login("admin@nhf.example").await;
    let uri = format!("/reports/bufdir/{YEAR}");
    let runs_of = |app: &TestApp| -> i32 {
        rr::table
            .filter(rr::organization_id.eq(&f.org))
            .filter(rr::kind.eq("bufdir"))
            .filter(rr::year.eq(YEAR))
            .filter(rr::scope_key.eq("org"))
            .select(rr::runs)
            .first(&mut *app.conn())
            .unwrap()
    };
    let age = |app: &TestApp| {
        diesel::update(rr::table.filter(rr::organization_id.eq(&f.org)))
            .set(rr::finished_at.eq(likeperson::db::now() - chrono::Duration::hours(1)))
            .execute(&mut *app.conn())
            .unwrap();
    };
    // Two at once: one computation.
    let get = || actix_web::test::TestRequest::get().uri(&uri);
    let statuses = app.send_all(vec![get(), get()]).await;
    assert_eq!(statuses, vec![200, 200]);
    assert_eq!(runs_of(&app), 1, "computed once");
    let page = app.get(&uri).await;
    assert!(page.has("Utkast"));
    assert_eq!(runs_of(&app), 1, "the fresh result read again");

    // A run someone else holds: the page shows its progress, polled every second with htmx
    // (and reloading itself without JavaScript), and then the result.
    age(&app);
    let key = likeperson::reports::bufdir::run::key(&f.org, YEAR, &Scope::Org);
    let ticket = match runs::claim(&mut app.conn(), &key, &admin).unwrap() {
        Claim::Mine(t) => t,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        runs::claim(&mut app.conn(), &key, &admin).unwrap(),
        Claim::Running
    ));
    runs::progress(&mut app.conn(), &ticket, 40, "report.step_courses").unwrap();
    let waiting = app.get(&uri).await;
    assert_eq!(waiting.status, 200);
    assert!(waiting.has("hx-trigger=\"every 1s\""), "{}", waiting.body);
    assert!(waiting.has("<progress id=\"run-bar\" max=\"100\" value=\"40\">"));
    assert!(waiting.has("<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>"));
    let poll = app
        .htmx_get(&format!("{uri}/progress"), "run-progress")
        .await;
    assert_eq!(poll.status, 200);
    assert!(poll.has("Kursdager") && !poll.has("<html"));
    assert_eq!(runs_of(&app), 2, "the held run only");
    // The holder finishes: the poll sends the page to the report, which reads its result.
    let figures = compute(&mut app.conn(), &f.org, YEAR, &Scope::Org).unwrap();
    runs::finish(
        &mut app.conn(),
        &ticket,
        &serde_json::to_string(&figures).unwrap(),
    )
    .unwrap();
    let poll = app
        .htmx_get(&format!("{uri}/progress"), "run-progress")
        .await;
    assert_eq!(poll.header("HX-Redirect"), uri);
    assert_eq!(app.get(&format!("{uri}/progress")).await.status, 303);
    assert!(app.get(&uri).await.has("Dette telte ikke"));
    assert_eq!(runs_of(&app), 2);

    // A run whose holder went away is taken over when its lease ends.
    age(&app);
    let Claim::Mine(_) = runs::claim(&mut app.conn(), &key, &admin).unwrap() else {
        panic!("claimed")
    };
    diesel::update(rr::table.filter(rr::organization_id.eq(&f.org)))
        .set(rr::locked_until.eq(likeperson::db::now() - chrono::Duration::seconds(1)))
        .execute(&mut *app.conn())
        .unwrap();
    assert!(app.get(&uri).await.has("Dette telte ikke"));
    assert_eq!(runs_of(&app), 4);
}
