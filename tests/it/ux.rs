//! What a new user tripped on (issue 9): terminology by concept, settings that do nothing,
//! a readable audit log and association page, phone navigation and words instead of numbers.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::settings;

on_both_backends!(
    renaming_the_mentor_concept_reaches_menu_titles_headings_and_counts,
    settings_show_no_notification_toggles_and_keep_the_stored_choice,
    the_activity_type_says_what_may_carry_expenses_is_for,
);

async fn settings_show_no_notification_toggles_and_keep_the_stored_choice(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let page = app.get("/account/settings").await;
    assert_eq!(page.status, 200);
    assert!(!page.has("notify_email") && !page.has("notify_in_app"));
    assert!(
        !page.has("Varsler"),
        "no notification toggle until notifications exist"
    );
    // An old form (or a crafted post) that sends the toggles changes nothing about them.
    let res = app
        .post(
            "/account/settings",
            &[("language", "nb"), ("larger_text", "on")],
        )
        .await;
    assert_eq!(res.status, 303);
    let user = app.user_id("mentor@nhf.example");
    let (email, in_app, larger): (bool, bool, bool) = settings::table
        .find(&user)
        .select((
            settings::notify_email,
            settings::notify_in_app,
            settings::larger_text,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert!(email && in_app, "the stored notification choices are kept");
    assert!(larger);
}

async fn the_activity_type_says_what_may_carry_expenses_is_for(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/activity-types/new").await;
    assert_eq!(page.status, 200);
    assert!(page.has("name=\"allows_expenses\""));
    assert!(page.has("aria-describedby=\"f-allows_expenses-hint\""));
    assert!(page.has("Brukes når utlegg kommer"));
}

async fn renaming_the_mentor_concept_reaches_menu_titles_headings_and_counts(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/labels").await;
    assert_eq!(page.status, 200);
    assert!(
        page.has("Hva dere kaller en likeperson"),
        "concepts in plain words"
    );
    assert!(page.has("name=\"label:term.mentor.pl\""));
    assert!(
        !page.has("(term.") && !page.has("(nav."),
        "no technical keys shown"
    );
    let res = app
        .post(
            "/labels",
            &[
                ("locale", "nb"),
                ("label:term.mentor.sg", "kontaktperson"),
                ("label:term.mentor.def", "kontaktpersonen"),
                ("label:term.mentor.pl", "kontaktpersoner"),
                ("label:term.mentor.pl_def", "kontaktpersonene"),
                ("label:term.mentor.a", "en kontaktperson"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let mentors = app.get("/mentors").await;
    assert!(mentors.has(">Kontaktpersoner</a>"), "the menu");
    assert!(mentors.has("<title>Kontaktpersoner – "), "the page title");
    assert!(mentors.has("<h1>Kontaktpersoner</h1>"), "the heading");
    let count = regex::Regex::new(r"av \d+ kontaktpersoner</p>").unwrap();
    assert!(count.is_match(&mentors.body), "the count sentence");
    let activities = app.get("/activities").await;
    assert!(activities.has("Registrer på vegne av en kontaktperson"));
    assert!(activities.has(">Kontaktperson</th>"), "a column heading");
    // (/events is left out: the demo events have "likepersoner" in their titles)
    for path in ["/", "/mentors", "/activities", "/contacts"] {
        let body = app.get(path).await.body;
        assert!(
            !body.contains("likeperson") && !body.contains("Likepersoner"),
            "no old word left on {path}"
        );
    }
    // Sentences with an article follow.
    let res = app
        .post(
            "/activities",
            &[("mentor_id", "nobody"), ("occurred_on", "x")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg en kontaktperson i dine lokallag."));
    // Another organization keeps its words.
    app.logout().await;
    app.login("coordinator@blindeforbundet.example").await;
    let other = app.get("/mentors").await;
    assert!(other.has("<h1>Likepersoner</h1>") && other.has(">Likepersoner</a>"));
    assert!(!other.has("ontaktperson"));
}
