//! The fixed cost of a page (issue 10, part 2): how many SQL statements a request runs, counted
//! by Diesel's connection instrumentation (`db::Pool::statements`), and that what is read once
//! per request instead of kept is still seen by every instance at the next request.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{sessions, user_organization_roles as uor};

on_both_backends!(
    lists_run_at_most_five_statements_and_start_pages_are_bounded,
    a_signed_in_page_reads_session_user_grants_and_labels_in_one_statement,
    changes_made_through_another_instance_take_effect_at_the_next_request,
    postgres_runs_generic_plans_and_the_queue_is_few_statements,
);

/// The statements one GET runs, after a first visit of the same page (which may extend the
/// session's idle timeout and resolve the organization's labels, both kept for a while).
async fn statements_of(app: &mut TestApp, path: &str) -> u64 {
    assert_eq!(app.get(path).await.status, 200, "{path}");
    let before = app.state.pool.statements();
    let res = app.get(path).await;
    assert_eq!(res.status, 200, "{path}");
    app.state.pool.statements() - before
}

async fn lists_run_at_most_five_statements_and_start_pages_are_bounded(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let list = app.get("/activities").await;
    assert!(list.has("<table"), "the list has rows");
    let n = statements_of(&mut app, "/activities").await;
    assert!(n <= 5, "the coordinator's list ran {n} statements");
    let n = statements_of(&mut app, "/activities?status=all&bufdir=counts").await;
    assert!(n <= 5, "the coordinator's filtered list ran {n} statements");
    // The start pages' counts, with the invitations and the assignments notice, are one
    // statement (`db::Counts`); the rest are their lists (src/home).
    let n = statements_of(&mut app, "/").await;
    assert!(n <= 4, "the coordinator's start page ran {n} statements");
    app.logout().await;

    app.login("mentor@nhf.example").await;
    let n = statements_of(&mut app, "/activities").await;
    assert!(n <= 5, "the mentor's list ran {n} statements");
    let n = statements_of(&mut app, "/").await;
    assert!(n <= 5, "the mentor's start page ran {n} statements");
    app.logout().await;

    app.login("admin@nhf.example").await;
    let n = statements_of(&mut app, "/").await;
    assert!(
        n <= 4,
        "the organization administrator's start page ran {n} statements"
    );
}

async fn a_signed_in_page_reads_session_user_grants_and_labels_in_one_statement(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    // The settings page needs nothing beyond the actor: what every page pays before its own work.
    let n = statements_of(&mut app, "/account/settings").await;
    assert_eq!(n, 1, "session, user, settings, grants and labels version");
    let anonymous = app.state.pool.statements();
    let mut stranger = app.client();
    assert_eq!(stranger.get("/healthz").await.status, 200);
    assert_eq!(app.state.pool.statements() - anonymous, 1);
}

async fn changes_made_through_another_instance_take_effect_at_the_next_request(app: TestApp) {
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    // The same browser answered by a second server on the same database, each with its caches
    // warm.
    let mut elsewhere = coordinator.another_instance().await;
    for c in [&mut coordinator, &mut elsewhere] {
        let page = c.get("/activities").await;
        assert!(page.has(">Lokallag</a>"), "the default term");
    }
    let mut admin = elsewhere.client();
    admin.login("admin@nhf.example").await;

    // A label override made on the other instance.
    let res = admin
        .post(
            "/labels",
            &[
                ("locale", "nb"),
                ("label:nav.associations", "Lokalforeninger"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(
        coordinator
            .get("/activities")
            .await
            .has(">Lokalforeninger</a>"),
        "the override shows at the next request on this instance"
    );
    let res = admin
        .post(
            "/labels",
            &[("locale", "nb"), ("label:nav.associations", "")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(coordinator.get("/activities").await.has(">Lokallag</a>"));

    // A grant revoked on the other instance: the coordinator loses that association at once.
    let me = coordinator.user_id("coordinator@nhf.example");
    let grants: Vec<(String, Option<String>)> = uor::table
        .filter(uor::user_id.eq(&me))
        .filter(uor::role_id.eq("coordinator"))
        .filter(uor::revoked_at.is_null())
        .select((uor::id, uor::local_association_id))
        .load(&mut *coordinator.conn())
        .unwrap();
    assert!(
        grants.len() > 1,
        "the demo coordinator has several associations"
    );
    let (grant, association) = (&grants[0].0, grants[0].1.clone().unwrap());
    let filtered = format!("/activities?association={association}");
    assert_eq!(coordinator.get(&filtered).await.status, 200);
    let res = admin
        .post(&format!("/users/{me}/roles/{grant}/revoke"), &[])
        .await;
    assert_eq!(res.status, 303);
    let after = coordinator.get(&filtered).await;
    assert!(
        !after.has(&format!("value=\"{association}\"")),
        "the revoked association is no longer offered"
    );

    // The session ended on the other instance: signed out at the next request here.
    let res = admin.post(&format!("/users/{me}/sessions/end"), &[]).await;
    assert_eq!(res.status, 303);
    let live: i64 = sessions::table
        .filter(sessions::user_id.eq(&me))
        .filter(sessions::revoked_at.is_null())
        .count()
        .get_result(&mut *coordinator.conn())
        .unwrap();
    assert_eq!(live, 0);
    let res = coordinator.get("/activities").await;
    assert_eq!(res.status, 303, "signed out");
    assert!(res.location().starts_with("/login"));
}

/// On PostgreSQL every pooled connection runs its prepared statements with their generic
/// plans (`plan_cache_mode = force_generic_plan`, set when a connection is opened; the lists'
/// statements were checked to get good ones, see ARCHITECTURE.md). The approval queue, its
/// coordinator's three association ranges and a filtered page with its bounded read, stays a
/// few statements on both backends.
async fn postgres_runs_generic_plans_and_the_queue_is_few_statements(mut app: TestApp) {
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        plan_cache_mode: String,
    }
    let mut conn = app.conn();
    if let likeperson::db::DbConn::Postgres(pg) = &mut *conn {
        let s: Setting = diesel::sql_query("SHOW plan_cache_mode")
            .get_result(pg)
            .unwrap();
        assert_eq!(s.plan_cache_mode, "force_generic_plan");
    }
    drop(conn);
    app.login("coordinator@nhf.example").await;
    let n = statements_of(&mut app, "/claims").await;
    assert!(n <= 6, "the coordinator's queue ran {n} statements");
    let n = statements_of(&mut app, "/claims?reason=receipts&min=100&max=5000").await;
    assert!(
        n <= 7,
        "the coordinator's filtered queue ran {n} statements"
    );
}
