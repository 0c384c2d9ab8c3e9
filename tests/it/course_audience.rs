//! A course for several associations: the mentors of any of them see it and enroll; a mentor
//! of a third association neither sees it in the catalogue nor enrolls (404); coordinators
//! offer and choose only their own associations, and keep others' when they edit.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{
    course_associations as cas, course_enrollments as ce, courses as co, local_associations as la,
};

on_both_backends!(
    a_course_for_two_associations_is_invisible_to_a_mentor_of_a_third,
    a_coordinator_chooses_only_their_associations_and_keeps_others_on_edit,
);

fn assoc(app: &TestApp, name: &str) -> String {
    la::table
        .filter(la::name.eq(name))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn dates() -> (String, String) {
    let day = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let deadline = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    (day, deadline)
}

/// Creates a course through the form for the given associations; the new course's id.
async fn create(app: &mut TestApp, title: &str, associations: &[&str]) -> crate::common::Resp {
    let (day, deadline) = dates();
    let mut form: Vec<(&str, &str)> = vec![
        ("title", title),
        ("capacity", "5"),
        ("place", "Huset"),
        ("day1_date", &day),
        ("day1_start", "10:00"),
        ("day1_end", "15:00"),
        ("deadline_date", &deadline),
        ("deadline_time", "12:00"),
    ];
    for a in associations {
        form.push(("associations", a));
    }
    app.post("/courses", &form).await
}

fn course_id(app: &TestApp, title: &str) -> String {
    co::table
        .filter(co::title.eq(title))
        .select(co::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn audience(app: &TestApp, course: &str) -> Vec<String> {
    cas::table
        .filter(cas::course_id.eq(course))
        .order(cas::local_association_id.asc())
        .select(cas::local_association_id)
        .load(&mut *app.conn())
        .unwrap()
}

async fn a_course_for_two_associations_is_invisible_to_a_mentor_of_a_third(mut app: TestApp) {
    // mentor@nhf is in Oslo sentrum and Oslo øst; the coordinator has those and Bærum.
    let (baerum_id, drammen, ost) = (
        assoc(&app, "NHF Bærum"),
        assoc(&app, "NHF Drammen"),
        assoc(&app, "NHF Oslo øst"),
    );
    app.login("admin@nhf.example").await;
    let res = create(
        &mut app,
        "Kurs for Bærum og Drammen",
        &[&baerum_id, &drammen],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let elsewhere = course_id(&app, "Kurs for Bærum og Drammen");
    let mut both = vec![baerum_id.clone(), drammen.clone()];
    both.sort();
    assert_eq!(audience(&app, &elsewhere), both);
    let page = app.get(&format!("/courses/{elsewhere}")).await;
    assert!(page.has("NHF Bærum, NHF Drammen"), "{}", page.body);
    let res = create(&mut app, "Kurs for Oslo øst og Bærum", &[&ost, &baerum_id]).await;
    assert_eq!(res.status, 303);
    let mine = course_id(&app, "Kurs for Oslo øst og Bærum");
    app.logout().await;

    app.login("mentor@nhf.example").await;
    let list = app.get("/courses").await;
    assert!(list.has("Kurs for Oslo øst og Bærum"));
    assert!(
        !list.has("Kurs for Bærum og Drammen"),
        "not in the catalogue"
    );
    assert_eq!(app.get(&format!("/courses/{elsewhere}")).await.status, 404);
    let res = app.post(&format!("/courses/{elsewhere}/enroll"), &[]).await;
    assert_eq!(res.status, 404, "cannot enroll");
    let res = app.post(&format!("/courses/{mine}/enroll"), &[]).await;
    assert_eq!(res.status, 303);
    let mentor = app.user_id("mentor@nhf.example");
    let enrolled: Vec<String> = ce::table
        .filter(ce::user_id.eq(&mentor))
        .filter(ce::status.eq("registered"))
        .select(ce::course_id)
        .load(&mut *app.conn())
        .unwrap();
    assert!(enrolled.contains(&mine) && !enrolled.contains(&elsewhere));
    app.logout().await;

    // The coordinator (Bærum is theirs) arranges it, but cannot enroll mentor@nhf in it.
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{elsewhere}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.has(&format!("value=\"{mentor}\"")), "not offered");
    let res = app
        .post(
            &format!("/courses/{elsewhere}/enrollments"),
            &[("user_id", &mentor), ("action", "enroll")],
        )
        .await;
    assert_eq!(res.status, 404);
}

async fn a_coordinator_chooses_only_their_associations_and_keeps_others_on_edit(mut app: TestApp) {
    let (baerum_id, drammen, sentrum) = (
        assoc(&app, "NHF Bærum"),
        assoc(&app, "NHF Drammen"),
        assoc(&app, "NHF Oslo sentrum"),
    );
    app.login("coordinator@nhf.example").await;
    let form = app.get("/courses/new").await;
    assert!(
        form.has(&baerum_id) && !form.has(&drammen),
        "only their own offered"
    );
    let before: i64 = co::table.count().get_result(&mut *app.conn()).unwrap();
    // Someone else's association, or none: 422, values kept, nothing made.
    let res = create(&mut app, "Koordinatorkurs", &[&baerum_id, &drammen]).await;
    assert_eq!(res.status, 422);
    assert!(res.has("value=\"Koordinatorkurs\""));
    let res = create(&mut app, "Koordinatorkurs", &[]).await;
    assert_eq!(res.status, 422);
    let after: i64 = co::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after);
    app.logout().await;
    // The administrator makes one for Bærum and Drammen; the coordinator swaps Bærum for
    // Oslo sentrum, and Drammen (not theirs) stays.
    app.login("admin@nhf.example").await;
    assert_eq!(
        create(&mut app, "Felleskurs", &[&baerum_id, &drammen])
            .await
            .status,
        303
    );
    let id = course_id(&app, "Felleskurs");
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/courses/{id}/edit")).await;
    assert_eq!(page.status, 200);
    let field = |name: &str| -> String {
        let re = regex::Regex::new(&format!(r#"name="{name}"[^>]*value="([^"]*)""#)).unwrap();
        re.captures(&page.body).unwrap()[1].to_string()
    };
    let (day, deadline) = (field("day1_date"), field("deadline_date"));
    let res = app
        .post(
            &format!("/courses/{id}"),
            &[
                ("title", "Felleskurs"),
                ("associations", &sentrum),
                ("capacity", "5"),
                ("place", "Huset"),
                ("day1_date", &day),
                ("day1_start", "10:00"),
                ("day1_end", "15:00"),
                ("deadline_date", &deadline),
                ("deadline_time", "12:00"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mut expected = vec![sentrum.clone(), drammen.clone()];
    expected.sort();
    assert_eq!(audience(&app, &id), expected);
}
