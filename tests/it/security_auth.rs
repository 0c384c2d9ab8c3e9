//! Issue 8, findings 1, 3, 6 and 9: invitations instead of silent attachment, sign-out that a
//! racing request cannot undo, audit entries only inside transactions, and the in-app password
//! change.

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use futures_util::future::join_all;

on_both_backends!(concurrent_sign_ins_and_exports_all_succeed_and_keep_the_audit_chain,);

const EXPORTS: i64 = 48;

fn chain_intact(app: &TestApp) {
    assert_eq!(
        likeperson::audit::service::verify_chain(&mut app.conn()).unwrap(),
        None,
        "the audit chain holds"
    );
}

/// Finding 6: sign-in and the CSV export appended to the audit log outside a transaction, so
/// racing writers collided on the chain's sequence number and answered 500.
async fn concurrent_sign_ins_and_exports_all_succeed_and_keep_the_audit_chain(app: TestApp) {
    let (signed_in, failed, exported) = (
        app.audit_count("auth.sign_in"),
        app.audit_count("auth.sign_in_failed"),
        app.audit_count("activities.exported"),
    );
    let mut exporter = app.client();
    assert_eq!(exporter.login("coordinator@nhf.example").await.status, 303);
    let emails = [
        "mentor@nhf.example",
        "coordinator@nhf.example",
        "admin@nhf.example",
        "admin@blindeforbundet.example",
        "global@likeperson.example",
    ];
    // Each racer gets its sign-in form (and CSRF token) first, then all go at once.
    let mut racers = Vec::new();
    for i in 0..16 {
        let mut c = app.client();
        let token = c.get("/login").await.csrf();
        let (email, password) = if i % 4 == 3 {
            (
                format!("nobody{i}@example.no"),
                "wrong-password".to_string(),
            )
        } else {
            (emails[i % emails.len()].to_string(), PASSWORD.to_string())
        };
        racers.push(Box::pin(async move {
            let res = c
                .post_raw(
                    "/login",
                    &[
                        ("csrf_token", &token),
                        ("email", &email),
                        ("password", &password),
                    ],
                )
                .await;
            ("sign-in", res.status)
        })
            as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>);
    }
    for _ in 0..EXPORTS {
        let mut c = app.client();
        c.set_cookies(exporter.jar());
        racers.push(Box::pin(async move {
            let res = c.get("/activities/export.csv").await;
            ("export", res.status)
        }));
    }
    let outcomes = tokio_timeout(join_all(racers)).await;
    for (kind, status) in &outcomes {
        assert!(
            matches!((*kind, *status), ("sign-in", 303 | 422) | ("export", 200)),
            "{kind} answered {status}: {outcomes:?}"
        );
    }
    assert_eq!(app.audit_count("auth.sign_in") - signed_in, 12 + 1);
    assert_eq!(app.audit_count("auth.sign_in_failed") - failed, 4);
    assert_eq!(app.audit_count("activities.exported") - exported, EXPORTS);
    chain_intact(&app);
}

/// Bounds a racing test in time without asserting speed.
async fn tokio_timeout<F: std::future::Future>(f: F) -> F::Output {
    actix_web::rt::time::timeout(std::time::Duration::from_secs(120), f)
        .await
        .expect("the racing requests finish")
}
