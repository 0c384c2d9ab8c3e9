//! What a new user tripped on (issue 9): terminology by concept, settings that do nothing,
//! a readable audit log and association page, phone navigation and words instead of numbers.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::settings;

on_both_backends!(
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
