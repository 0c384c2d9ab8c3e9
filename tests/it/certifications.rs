//! Course attendance per day, completion, and certifications: issued only to those present
//! every day, listed with their status, printed, verified by token, revoked with a reason.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::learning::seed as demo;
use likeperson::schema::{
    certifications as ct, course_attendance as ca, course_days as cd, course_enrollments as ce,
    courses as co, notifications as n, organizations,
};

on_both_backends!(
    attendance_waits_for_the_day_and_completion_certifies_only_those_present_every_day,
    certificates_show_their_status_verify_by_token_only_and_can_be_revoked_with_a_reason,
);

fn course_by_title(app: &TestApp, short: &str, title: &str) -> String {
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

fn first_day(app: &TestApp, course: &str) -> String {
    cd::table
        .filter(cd::course_id.eq(course))
        .order(cd::starts_at.asc())
        .select(cd::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn status_of(app: &TestApp, course: &str, user: &str) -> String {
    ce::table
        .filter(ce::course_id.eq(course))
        .filter(ce::user_id.eq(user))
        .select(ce::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn certs_of(app: &TestApp, user: &str) -> Vec<(String, String)> {
    ct::table
        .filter(ct::user_id.eq(user))
        .select((ct::id, ct::verify_token))
        .load(&mut *app.conn())
        .unwrap()
}

async fn attendance_waits_for_the_day_and_completion_certifies_only_those_present_every_day(
    mut app: TestApp,
) {
    let past = course_by_title(&app, "NHF", demo::PAST);
    let open = course_by_title(&app, "NHF", demo::FULL);
    let mentor = app.user_id("mentor@nhf.example");
    let other = app.user_id("kursdeltaker2@nhf.example");
    let before = certs_of(&app, &mentor).len();
    app.login("coordinator@nhf.example").await;
    // A day that has not begun takes no attendance.
    let future = first_day(&app, &open);
    let holder = app.user_id("kursdeltaker1@nhf.example");
    let res = app
        .htmx_post(&format!("/courses/{open}/days/{future}/all"))
        .await;
    assert!(res.has("Oppmøte kan registreres når dagen har begynt."));
    let marks: i64 = ca::table
        .filter(ca::course_day_id.eq(&future))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(marks, 0, "nothing saved");
    let res = app
        .post(
            &format!("/courses/{open}/days/{future}/{holder}"),
            &[("attended", "yes")],
        )
        .await;
    assert_eq!(res.status, 303);
    // Completing before the last day is refused.
    app.post(&format!("/courses/{open}/complete"), &[]).await;
    assert_eq!(status_of(&app, &open, &holder), "registered");

    let day = first_day(&app, &past);
    let sheet = app.get(&format!("/courses/{past}/days/{day}")).await;
    assert_eq!(sheet.status, 200);
    assert!(sheet.has("Alle til stede") && sheet.has("Mona Mentor (NHF)"));
    // An exception first, then everyone else present.
    let res = app
        .post(
            &format!("/courses/{past}/days/{day}/{other}"),
            &[("attended", "no")],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = app
        .htmx_post(&format!("/courses/{past}/days/{day}/all"))
        .await;
    assert!(res.has("Oppmøtet er lagret."));
    let marks: Vec<(String, bool)> = ca::table
        .filter(ca::course_day_id.eq(&day))
        .select((ca::user_id, ca::attended))
        .load(&mut *app.conn())
        .unwrap();
    assert!(marks.contains(&(mentor.clone(), true)));
    assert!(
        marks.contains(&(other.clone(), false)),
        "the exception kept"
    );
    let res = app.post(&format!("/courses/{past}/complete"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&app, &past, &mentor), "attended");
    assert_eq!(status_of(&app, &past, &other), "no_show");
    assert_eq!(certs_of(&app, &mentor).len(), before + 1);
    assert!(
        certs_of(&app, &other).is_empty(),
        "no certificate without attendance"
    );
    let told: i64 = n::table
        .filter(n::user_id.eq(&mentor))
        .filter(n::scenario.eq("certification.issued"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(told, 1);
    // Completing again changes nothing.
    app.post(&format!("/courses/{past}/complete"), &[]).await;
    assert_eq!(certs_of(&app, &mentor).len(), before + 1);
    assert_eq!(app.audit_count("course.completed"), 1);
    // A mentor has no attendance pages.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(
        app.get(&format!("/courses/{past}/days/{day}")).await.status,
        404
    );
}

fn give(
    app: &TestApp,
    user: &str,
    name: &str,
    issued_days_ago: i64,
    months: Option<i32>,
) -> String {
    let org: String = organizations::table
        .filter(organizations::short_name.eq("NHF"))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap();
    let issued = likeperson::activities::service::today() - chrono::Duration::days(issued_days_ago);
    likeperson::learning::certifications::service::issue(
        &mut app.conn(),
        &org,
        user,
        None,
        name,
        issued,
        months,
    )
    .unwrap()
}

async fn certificates_show_their_status_verify_by_token_only_and_can_be_revoked_with_a_reason(
    mut app: TestApp,
) {
    let mentor = app.user_id("mentor@nhf.example");
    // Valid 12 months, issued 11 months and 20 days ago: expiring; issued 2 years ago: expired.
    let expiring = give(&app, &mentor, "Førstehjelp", 355, Some(12));
    let expired = give(&app, &mentor, "Taushetsplikt", 800, Some(12));
    let active = give(&app, &mentor, "Grunnkurs", 10, Some(24));
    app.login("mentor@nhf.example").await;
    let list = app.get("/certifications").await;
    assert_eq!(list.status, 200);
    assert!(list.has("Utløper snart") && list.has("Utløpt") && list.has("Gyldig"));
    let page = app.get(&format!("/certifications/{active}")).await;
    assert_eq!(page.status, 200);
    let token: String = ct::table
        .find(&active)
        .select(ct::verify_token)
        .first(&mut *app.conn())
        .unwrap();
    assert!(page.has(&format!("/verify/{token}")));
    assert!(page.has(&format!("/certifications/{active}/qr.svg")));
    let qr = app.get(&format!("/certifications/{active}/qr.svg")).await;
    assert_eq!(qr.status, 200);
    assert!(qr.body.starts_with("<?xml") || qr.body.contains("<svg"));
    assert!(
        !page.has("Trekk tilbake sertifiseringen"),
        "a mentor does not revoke"
    );
    let pdf = app.get(&format!("/certifications/{active}/pdf")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.bytes.starts_with(b"%PDF"), "a PDF");
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert_eq!(
        app.post(
            &format!("/certifications/{active}/revoke"),
            &[("reason", "x")]
        )
        .await
        .status,
        404
    );
    // Someone else's certification is not found.
    let other = give(
        &app,
        &app.user_id("kursdeltaker1@nhf.example"),
        "Grunnkurs",
        1,
        None,
    );
    assert_eq!(
        app.get(&format!("/certifications/{other}")).await.status,
        404
    );
    app.logout().await;

    // Anyone with the link sees name, course, dates and validity; nothing else.
    let v = app.get(&format!("/verify/{token}")).await;
    assert_eq!(v.status, 200);
    assert!(v.has("Mona Mentor (NHF)") && v.has("Grunnkurs") && v.has("Gyldig"));
    assert!(!v.has("mentor@nhf.example") && !v.has(&active));
    assert_eq!(
        app.get(&format!("/verify/{active}")).await.status,
        404,
        "not by id"
    );
    assert_eq!(
        app.get("/verify/0123456789abcdef0123456789abcdef")
            .await
            .status,
        404
    );
    let _ = (expiring, expired);

    app.login("coordinator@nhf.example").await;
    let res = app
        .post(
            &format!("/certifications/{active}/revoke"),
            &[("reason", "  ")],
        )
        .await;
    assert_eq!(res.status, 422);
    let res = app
        .post(
            &format!("/certifications/{active}/revoke"),
            &[("reason", "Feil person")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("certification.revoked"), 1);
    app.logout().await;
    let v = app.get(&format!("/verify/{token}")).await;
    assert!(v.has("Trukket tilbake"));
    assert!(!v.has("Feil person"), "the reason is not public");
    // Another organization's coordinator does not find it.
    app.login("coordinator@hlf.example").await;
    assert_eq!(
        app.get(&format!("/certifications/{active}")).await.status,
        404
    );
}
