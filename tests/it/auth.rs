//! Sign-in, sign-out, rate limits, password reset, sessions and the context switcher.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{audit_log, sessions};

on_both_backends!(
    sign_in_renews_the_session_and_shows_the_home_page,
    a_wrong_password_answers_422_without_telling_whether_the_email_exists,
    sign_in_is_rate_limited_per_account_and_recorded,
    sign_out_ends_the_session,
    password_reset_by_mail_sets_a_new_password_once,
    sessions_page_lists_devices_and_ends_the_others,
    an_idle_session_expires,
    a_user_with_several_roles_switches_context,
    a_deactivated_user_cannot_sign_in_and_loses_the_session,
    reading_pages_does_not_write_the_session_row,
);

async fn sign_in_renews_the_session_and_shows_the_home_page(mut app: TestApp) {
    let login = app.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.has("<h1>Logg inn</h1>"));
    let before = login.header("set-cookie").to_string();
    assert!(
        before.contains("likeperson_session="),
        "the sign-in form starts a session for its CSRF token"
    );
    assert!(before.contains("HttpOnly") && before.contains("SameSite=Lax"));
    let res = app.login("coordinator@nhf.example").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/");
    let after = res.header("set-cookie").to_string();
    assert_ne!(
        before.split(';').next(),
        after.split(';').next(),
        "a new session id at sign-in"
    );
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.has("Velkommen, Kari Koordinator (NHF)"));
    assert!(
        home.has("NHF Bærum"),
        "the coordinator's associations are listed"
    );
    let entries: i64 = audit_log::table
        .filter(audit_log::action.eq("auth.sign_in"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(entries, 1);
}

async fn a_wrong_password_answers_422_without_telling_whether_the_email_exists(mut app: TestApp) {
    let known = app.login_with("mentor@nhf.example", "wrong-password").await;
    let unknown = app.login_with("nobody@nhf.example", "wrong-password").await;
    for (res, email) in [
        (&known, "mentor@nhf.example"),
        (&unknown, "nobody@nhf.example"),
    ] {
        assert_eq!(res.status, 422);
        assert!(res.has("E-post eller passord er feil."));
        assert!(
            res.has(&format!("value=\"{email}\"")),
            "the e-mail is kept in the form"
        );
    }
    assert_eq!(app.get("/").await.status, 303, "still signed out");
    let failed: i64 = audit_log::table
        .filter(audit_log::action.eq("auth.sign_in_failed"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(failed, 2);
}

async fn sign_in_is_rate_limited_per_account_and_recorded(mut app: TestApp) {
    for _ in 0..5 {
        assert_eq!(
            app.login_with("admin@hlf.example", "not-the-password")
                .await
                .status,
            422
        );
    }
    let blocked = app.login("admin@hlf.example").await;
    assert_eq!(
        blocked.status, 429,
        "even the right password is refused while the limit holds"
    );
    assert!(blocked.has("For mange forsøk"));
    // Another account from the same address is not blocked by the account limit.
    assert_eq!(app.login("mentor@hlf.example").await.status, 303);
    let limited: i64 = audit_log::table
        .filter(audit_log::action.eq("auth.sign_in_rate_limited"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(limited, 1);
}

async fn sign_out_ends_the_session(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get("/").await.status, 200);
    let rows_before: i64 = sessions::table
        .filter(sessions::user_id.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(rows_before, 1);
    app.logout().await;
    let res = app.get("/").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/login?next=%2F");
    let rows_after: i64 = sessions::table
        .filter(sessions::user_id.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(rows_after, 0, "the session row is gone");
}

fn mail_link(app: &TestApp, to: &str) -> Option<String> {
    app.deliver_mail();
    let dir = app.data_dir.join("mail");
    let re = regex::Regex::new(r"token=([A-Za-z0-9_\-]+)").unwrap();
    for entry in std::fs::read_dir(dir).ok()? {
        let text = std::fs::read_to_string(entry.ok()?.path()).ok()?;
        let unfolded = text
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        if unfolded.contains(&format!("To: {to}")) {
            return re.captures(&unfolded).map(|c| c[1].to_string());
        }
    }
    None
}

async fn password_reset_by_mail_sets_a_new_password_once(mut app: TestApp) {
    let res = app
        .post("/password/forgot", &[("email", "nobody@nhf.example")])
        .await;
    assert_eq!(res.status, 200);
    assert!(res.has("Hvis adressen hører til en konto"));
    assert!(
        mail_link(&app, "nobody@nhf.example").is_none(),
        "no mail for an unknown address"
    );
    let res = app
        .post("/password/forgot", &[("email", "mentor@nhf.example")])
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.has("Hvis adressen hører til en konto"),
        "the same answer as for an unknown address"
    );
    let token = mail_link(&app, "mentor@nhf.example").expect("a reset mail was written");
    let form = app.get(&format!("/password/reset?token={token}")).await;
    assert_eq!(form.status, 200);
    let mismatch = app
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "blue-harbour-lantern"),
                ("confirm", "other"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.has("Passordene er ikke like."));
    let common = app
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    assert_eq!(common.status, 422);
    assert!(common.has("for vanlig"));
    let ok = app
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "blue-harbour-lantern"),
                ("confirm", "blue-harbour-lantern"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/login?reset=1");
    let again = app
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "another-fine-phrase"),
                ("confirm", "another-fine-phrase"),
            ],
        )
        .await;
    assert_eq!(again.status, 404, "a token works once");
    assert_eq!(
        app.login("mentor@nhf.example").await.status,
        422,
        "the old password no longer works"
    );
    assert_eq!(
        app.login_with("mentor@nhf.example", "blue-harbour-lantern")
            .await
            .status,
        303
    );
}

async fn sessions_page_lists_devices_and_ends_the_others(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let first = app.take_cookies();
    app.login("admin@nhf.example").await;
    let page = app.get("/account/sessions").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Denne enheten"));
    assert_eq!(
        page.body.matches("/end\" class=\"inline-form\"").count(),
        1,
        "one other session can be ended"
    );
    let res = app.post("/account/sessions/others/end", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.get("/").await.status,
        200,
        "this device stays signed in"
    );
    app.set_cookies(first);
    assert_eq!(
        app.get("/").await.status,
        303,
        "the other device is signed out"
    );
}

async fn an_idle_session_expires(mut app: TestApp) {
    app.login("mentor@blindeforbundet.example").await;
    assert_eq!(app.get("/").await.status, 200);
    let past = likeperson::db::now() - chrono::TimeDelta::minutes(1);
    diesel::update(sessions::table.filter(sessions::user_id.is_not_null()))
        .set(sessions::expires_at.eq(past))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(app.get("/").await.status, 303);
}

async fn a_user_with_several_roles_switches_context(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let home = app.get("/").await;
    assert!(
        home.has("name=\"context\""),
        "the header offers a context switch"
    );
    assert!(home.has("href=\"/associations\""));
    let nhf = {
        use likeperson::schema::organizations as o;
        o::table
            .filter(o::short_name.eq("NHF"))
            .select(o::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let blind = {
        use likeperson::schema::organizations as o;
        o::table
            .filter(o::short_name.eq("Blindeforbundet"))
            .select(o::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let res = app
        .post("/context", &[("context", &format!("{nhf}:peer_mentor"))])
        .await;
    assert_eq!(res.status, 303);
    let home = app.get("/").await;
    assert!(home.has("Du har byttet rolle"), "the switch is confirmed");
    assert!(home.has("<strong>Likeperson – NHF</strong>"));
    assert!(
        !home.has("href=\"/associations\""),
        "a peer mentor's menu has no association list"
    );
    assert_eq!(app.get("/associations").await.status, 404);
    let res = app
        .post("/context", &[("context", &format!("{blind}:coordinator"))])
        .await;
    assert_eq!(res.status, 404, "a context the user does not hold");
}

async fn a_deactivated_user_cannot_sign_in_and_loses_the_session(mut app: TestApp) {
    use likeperson::schema::users;
    app.login("mentor@hlf.example").await;
    assert_eq!(app.get("/").await.status, 200);
    diesel::update(users::table.filter(users::email.eq("mentor@hlf.example")))
        .set(users::is_active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get("/").await.status,
        303,
        "the next request is signed out"
    );
    assert_eq!(app.login("mentor@hlf.example").await.status, 422);
}

/// A page load without a flash leaves the session row alone: a write per request would cost a
/// disk write each time and, on SQLite, reset every other connection's page cache.
async fn reading_pages_does_not_write_the_session_row(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/").await.status, 200);
    let seen = |app: &TestApp| {
        sessions::table
            .filter(sessions::user_id.is_not_null())
            .select((
                sessions::state,
                sessions::last_seen_at,
                sessions::expires_at,
            ))
            .load::<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)>(&mut *app.conn())
            .unwrap()
    };
    let before = seen(&app);
    assert_eq!(before.len(), 1);
    std::thread::sleep(std::time::Duration::from_millis(20));
    for path in ["/", "/activities", "/contacts", "/activities?after=x"] {
        app.get(path).await;
    }
    assert_eq!(seen(&app), before, "GET requests rewrote the session row");
}
