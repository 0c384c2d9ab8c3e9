//! Many requests at once: more concurrent requests than the pool has connections are all
//! served, in turn, instead of some losing the race for a connection again and again.

use actix_web::test::TestRequest;

use crate::common::TestApp;
use crate::on_both_backends;

on_both_backends!(more_concurrent_requests_than_connections_all_complete);

/// Request work waits for a connection in a fair queue before it takes a thread, never inside
/// the pool. With 1 connection and a pool checkout timeout of 1 ms, 120 health checks, pages
/// and form posts sent at once all succeed: each is admitted only when a connection is free.
/// Before, every request parked its own thread in the pool and waited there, so here most of
/// them failed at once (and under load some waited for seconds while newcomers overtook them).
async fn more_concurrent_requests_than_connections_all_complete(app: TestApp) {
    let mut app = app
        .reconfigured(|c| {
            c.pool_size = 1;
            c.pool_timeout_ms = 1;
        })
        .await;
    app.login("coordinator@nhf.example").await;
    let token = app.token().await;
    let mut reqs = Vec::new();
    for i in 0..40 {
        reqs.push(TestRequest::get().uri("/healthz"));
        reqs.push(TestRequest::get().uri("/activities"));
        let language = if i % 2 == 0 { "nb" } else { "en" };
        reqs.push(TestRequest::post().uri("/account/settings").set_form(vec![
            ("csrf_token", token.as_str()),
            ("language", language),
            ("calendar_week_start", "monday"),
        ]));
    }
    let statuses = app.send_all(reqs).await;
    let expected: Vec<u16> = (0..40).flat_map(|_| [200, 200, 303]).collect();
    assert_eq!(statuses, expected);
}
