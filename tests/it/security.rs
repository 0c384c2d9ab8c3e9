//! CSRF, security headers, no inline script or style, assets, health, redirects.

use crate::common::TestApp;
use crate::on_both_backends;
use actix_web::test::TestRequest;
use diesel::prelude::*;
use likeperson::schema::local_associations as la;

on_both_backends!(
    a_state_change_without_the_csrf_token_is_refused_with_403,
    every_response_carries_the_security_headers,
    pages_have_no_inline_script_or_style_and_configure_htmx,
    static_files_are_hashed_and_cached_for_a_year,
    health_answers_when_the_database_does,
    sign_in_never_redirects_off_site,
);

fn active(app: &TestApp, id: &str) -> bool {
    la::table
        .find(id)
        .select(la::is_active)
        .first(&mut *app.conn())
        .unwrap()
}

async fn a_state_change_without_the_csrf_token_is_refused_with_403(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let id = app.association_ids("NHF")[0].clone();
    let path = format!("/associations/{id}/deactivate");
    assert_eq!(app.post_raw(&path, &[]).await.status, 403, "no token");
    assert_eq!(
        app.post_raw(&path, &[("csrf_token", "forged")])
            .await
            .status,
        403,
        "wrong token"
    );
    let token = app.token().await;
    let cross = app
        .send(
            TestRequest::post()
                .uri(&path)
                .insert_header(("Origin", "https://evil.example"))
                .set_form([("csrf_token", token.as_str())]),
        )
        .await;
    assert_eq!(cross.status, 403, "another origin, even with the token");
    let site = app
        .send(
            TestRequest::post()
                .uri(&path)
                .insert_header(("Sec-Fetch-Site", "cross-site"))
                .insert_header(("X-CSRF-Token", token.as_str())),
        )
        .await;
    assert_eq!(site.status, 403);
    assert!(active(&app, &id), "nothing changed");
    assert!(app
        .post_raw("/logout", &[])
        .await
        .has("Skjemaet kunne ikke sendes"));
    let ok = app
        .send(
            TestRequest::post()
                .uri(&path)
                .insert_header(("X-CSRF-Token", token.as_str()))
                .insert_header(("Origin", "http://localhost:8080")),
        )
        .await;
    assert_eq!(ok.status, 303, "the header token from htmx works");
    assert!(!active(&app, &id));
}

async fn every_response_carries_the_security_headers(mut app: TestApp) {
    for path in ["/login", "/healthz", "/no-such-page"] {
        let res = app.get(path).await;
        let csp = res.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(res.header("x-content-type-options"), "nosniff");
        assert_eq!(res.header("referrer-policy"), "same-origin");
        assert_eq!(res.header("x-frame-options"), "DENY");
    }
}

async fn pages_have_no_inline_script_or_style_and_configure_htmx(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    for path in [
        "/",
        "/associations",
        "/associations/new",
        "/regions",
        "/users",
        "/labels",
        "/audit",
        "/account/settings",
        "/account/sessions",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(
            res.body.matches("<script").count(),
            res.body.matches("<script src=").count(),
            "{path} has an inline script"
        );
        assert!(
            !res.has(" style=") && !res.has("<style"),
            "{path} has inline style"
        );
        assert!(
            res.has(r#""allowEval":false"#)
                && res.has(r#""selfRequestsOnly":true"#)
                && res.has(r#""includeIndicatorStyles":false"#)
        );
        assert!(
            res.has("hx-headers='{\"X-CSRF-Token\":"),
            "{path} sends the CSRF token with htmx"
        );
        assert!(res.has("<a class=\"ds-skip-link\" href=\"#main\">"));
        assert!(res.has("<main id=\"main\""));
        assert_eq!(res.body.matches("<h1").count(), 1, "{path} has one h1");
        assert!(res.has("<html lang=\"nb\""));
    }
}

async fn static_files_are_hashed_and_cached_for_a_year(mut app: TestApp) {
    let login = app.get("/login").await;
    let re = regex::Regex::new(r#"src="(/static/[0-9a-f]{12}/js/htmx\.min\.js)""#).unwrap();
    let url = re
        .captures(&login.body)
        .expect("htmx is served from /static with a hash")[1]
        .to_string();
    let res = app.get(&url).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(res.header("content-type").contains("javascript"));
    let stale = app.get("/static/000000000000/js/htmx.min.js").await;
    assert_eq!(
        stale.header("cache-control"),
        "no-cache",
        "an old hash is served but not cached"
    );
    assert_eq!(app.get("/static/abc/nope.js").await.status, 404);
}

async fn health_answers_when_the_database_does(mut app: TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "ok");
}

async fn sign_in_never_redirects_off_site(mut app: TestApp) {
    let token = app.get("/login").await.csrf();
    let res = app
        .send(TestRequest::post().uri("/login").set_form([
            ("csrf_token", token.as_str()),
            ("email", "mentor@nhf.example"),
            ("password", crate::common::PASSWORD),
            ("next", "//evil.example/x"),
        ]))
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/");
    let res = app.get("/login?next=/associations").await;
    assert_eq!(res.status, 303, "already signed in: straight on");
    assert_eq!(res.location(), "/associations");
}
