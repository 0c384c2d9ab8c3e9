//! Organization administration: terminology, users and roles, regions, organizations, audit.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{audit_log, user_organization_roles as uor};

on_both_backends!(
    a_terminology_override_shows_on_every_page_of_that_organization_only,
    an_invited_user_sets_a_password_and_gets_the_role,
    roles_are_assigned_and_revoked_with_audit_entries,
    an_administrator_signs_a_user_out_everywhere,
    regions_are_created_and_names_are_unique,
    the_global_administrator_manages_organizations,
    the_audit_log_is_scoped_append_only_and_chained,
    an_open_audited_change_does_not_hold_up_another,
    settings_change_the_language_and_accessibility_classes,
);

async fn a_terminology_override_shows_on_every_page_of_that_organization_only(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/labels?q=lokallag&show=all").await;
    assert!(page.has("name=\"label:nav.associations\""));
    let res = app
        .post(
            "/labels",
            &[
                ("locale", "nb"),
                ("label:nav.associations", "Lokalforeninger"),
                ("label:page.associations", "Våre lokalforeninger"),
                ("label:no.such.key", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    for path in ["/", "/regions", "/users", "/associations"] {
        assert!(
            app.get(path).await.has(">Lokalforeninger</a>"),
            "the menu on {path} uses the override"
        );
    }
    assert!(app
        .get("/associations")
        .await
        .has("<h1>Våre lokalforeninger</h1>"));
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert!(
        app.get("/").await.has(">Lokalforeninger</a>"),
        "everyone in the organization sees it"
    );
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let other = app.get("/").await;
    assert!(!other.has("Lokalforeninger"));
    assert!(other.has(">Lokallag</a>"));
    // Emptying the field returns to the default.
    app.logout().await;
    app.login("admin@nhf.example").await;
    app.post(
        "/labels",
        &[("locale", "nb"), ("label:nav.associations", "")],
    )
    .await;
    assert!(app.get("/").await.has(">Lokallag</a>"));
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("labels.updated"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(audited, 2);
}

async fn an_invited_user_sets_a_password_and_gets_the_role(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let assoc = app.association_ids("NHF")[4].clone();
    let bad = app
        .post(
            "/users/invite",
            &[
                ("email", "ny.likeperson@example.no"),
                ("name", "Nina Ny"),
                ("role", "peer_mentor"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "a peer mentor needs an association");
    assert!(bad.has("Velg et lokallag for denne rollen."));
    assert!(bad.has("value=\"Nina Ny\""));
    let res = app
        .post(
            "/users/invite",
            &[
                ("email", "Ny.Likeperson@example.no"),
                ("name", "Nina Ny"),
                ("role", "peer_mentor"),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let user_page = app.get(res.location()).await;
    assert!(user_page.has("ny.likeperson@example.no"));
    assert!(user_page.has("Invitasjonen er sendt."));
    let token = app.mail_token("ny.likeperson@example.no");
    app.logout().await;
    let res = app
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "quiet-river-morning"),
                ("confirm", "quiet-river-morning"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.login_with("ny.likeperson@example.no", "quiet-river-morning")
            .await
            .status,
        303
    );
    assert!(app.get("/").await.has("<strong>Likeperson – NHF</strong>"));
}

async fn roles_are_assigned_and_revoked_with_audit_entries(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let assoc = app.association_ids("NHF")[7].clone();
    let blind_assoc = app.association_ids("Blindeforbundet")[0].clone();
    let foreign = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "coordinator"), ("association_id", &blind_assoc)],
        )
        .await;
    assert_eq!(
        foreign.status, 422,
        "an association of another organization cannot be chosen"
    );
    let global = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "global_admin")],
        )
        .await;
    assert_eq!(
        global.status, 422,
        "an organization admin cannot make a global admin"
    );
    let res = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "coordinator"), ("association_id", &assoc)],
        )
        .await;
    assert_eq!(res.status, 303);
    let twice = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "coordinator"), ("association_id", &assoc)],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.has("Brukeren har allerede denne rollen."));
    let grant: String = uor::table
        .filter(uor::user_id.eq(&mentor))
        .filter(uor::role_id.eq("coordinator"))
        .filter(uor::revoked_at.is_null())
        .select(uor::id)
        .first(&mut *app.conn())
        .unwrap();
    let res = app
        .post(&format!("/users/{mentor}/roles/{grant}/revoke"), &[])
        .await;
    assert_eq!(res.status, 303);
    let revoked: Option<chrono::NaiveDateTime> = uor::table
        .find(&grant)
        .select(uor::revoked_at)
        .first(&mut *app.conn())
        .unwrap();
    assert!(revoked.is_some(), "revoked, kept as history");
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::target_id.eq(&mentor))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(actions, ["role.assigned", "role.revoked"]);
}

async fn an_administrator_signs_a_user_out_everywhere(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let mentor_device = app.take_cookies();
    app.login("admin@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let res = app
        .post(&format!("/users/{mentor}/sessions/end"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert!(app
        .get(res.location())
        .await
        .has("Brukeren er logget ut på alle enheter."));
    app.set_cookies(mentor_device);
    assert_eq!(
        app.get("/").await.status,
        303,
        "the mentor must sign in again"
    );
}

async fn regions_are_created_and_names_are_unique(mut app: TestApp) {
    app.login("admin@hlf.example").await;
    let res = app
        .post("/regions", &[("name", "Svalbard"), ("code", "SVA")])
        .await;
    assert_eq!(res.status, 303);
    assert!(app.get("/regions").await.has(">Svalbard</a>"));
    let dup = app.post("/regions", &[("name", "Svalbard")]).await;
    assert_eq!(dup.status, 422);
    assert!(dup.has("Navnet er allerede i bruk"));
    assert!(
        dup.has(">Svalbard</a>"),
        "the list is still shown with the form"
    );
}

async fn the_global_administrator_manages_organizations(mut app: TestApp) {
    app.login("global@likeperson.example").await;
    let bad = app
        .post(
            "/organizations",
            &[
                ("name", "Norges Astma- og Allergiforbund"),
                ("short_name", "NAAF"),
                ("org_number", "123456789"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("kontrollsiffer"));
    assert!(bad.has("value=\"NAAF\""));
    let dup = app
        .post(
            "/organizations",
            &[("name", "Norges Handikapforbund"), ("short_name", "X")],
        )
        .await;
    assert_eq!(dup.status, 422);
    let ok = app
        .post(
            "/organizations",
            &[
                ("name", "Norges Astma- og Allergiforbund"),
                ("short_name", "NAAF"),
                ("org_number", "974 760 673"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(app
        .get("/organizations")
        .await
        .has("Norges Astma- og Allergiforbund"));
}

async fn the_audit_log_is_scoped_append_only_and_chained(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let nhf_assoc = app.association_ids("NHF")[0].clone();
    app.post(&format!("/associations/{nhf_assoc}/deactivate"), &[])
        .await;
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let blind_assoc = app.association_ids("Blindeforbundet")[0].clone();
    app.post(&format!("/associations/{blind_assoc}/deactivate"), &[])
        .await;
    let log = app.get("/audit").await;
    assert!(log.has(&blind_assoc[..8]));
    assert!(
        !log.has(&nhf_assoc[..8]),
        "another organization's entries are not shown"
    );
    app.logout().await;
    app.login("global@likeperson.example").await;
    let all = app.get("/audit").await;
    // The global administrator reads the records by name (the pages behind them are the
    // organizations' own, so there is no link).
    let name = |id: &str| -> String {
        likeperson::schema::local_associations::table
            .find(id)
            .select(likeperson::schema::local_associations::name)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert!(all.has(&name(&blind_assoc)) && all.has(&name(&nhf_assoc)));
    assert!(all.has("Kjeden av kontrollsummer er hel."));
    // Append-only on the database itself.
    let mut conn = app.conn();
    assert!(diesel::update(audit_log::table)
        .set(audit_log::action.eq("tampered"))
        .execute(&mut *conn)
        .is_err());
    assert!(diesel::delete(audit_log::table)
        .execute(&mut *conn)
        .is_err());
    assert_eq!(
        likeperson::audit::service::verify_chain(&mut conn).unwrap(),
        None
    );
}

/// Issue 10: the chain is linked after the commit, so an audited change that is still open
/// does not make another audited change wait (before, both took the chain's lock until their
/// commit). Every entry ends up linked, and an entry that is neither linked nor pending breaks
/// the verification.
async fn an_open_audited_change_does_not_hold_up_another(app: TestApp) {
    use likeperson::audit::service::{append, verify_chain, Event};
    use std::sync::mpsc;
    use std::time::Duration;
    let pool = app.state.pool.clone();
    let (opened_tx, opened) = mpsc::channel();
    let (done_tx, done) = mpsc::channel::<()>();
    let slow = std::thread::spawn(move || {
        let mut c = pool.get().unwrap();
        likeperson::db::tx(&mut c, |tx| {
            append(
                tx,
                Event {
                    action: "test.slow",
                    ..Default::default()
                },
            )?;
            opened_tx.send(()).unwrap();
            // Held open until the other change has committed, or 20 seconds at most.
            let other_first = done.recv_timeout(Duration::from_secs(20)).is_ok();
            Ok::<_, diesel::result::Error>(other_first)
        })
        .unwrap()
    });
    opened.recv().unwrap();
    let is_sqlite = matches!(*app.conn(), likeperson::db::DbConn::Sqlite(_));
    if !is_sqlite {
        // SQLite has one writer at a time by design; the lock this test is about is
        // PostgreSQL's.
        let mut c = app.conn();
        likeperson::db::tx(&mut c, |tx| {
            append(
                tx,
                Event {
                    action: "test.fast",
                    ..Default::default()
                },
            )
        })
        .unwrap();
        done_tx.send(()).unwrap();
        assert!(
            slow.join().unwrap(),
            "the second audited change committed while the first was still open"
        );
    } else {
        done_tx.send(()).unwrap();
        slow.join().unwrap();
    }
    let mut conn = app.conn();
    assert_eq!(verify_chain(&mut conn).unwrap(), None);
    let pending: i64 = likeperson::schema::audit_pending::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(pending, 0, "verification links what is pending first");
    // An entry written around the chain (no pending row) is caught.
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(likeperson::db::new_id()),
            audit_log::seq.eq(1_000_000_i64),
            audit_log::action.eq("test.sneaked"),
            audit_log::created_at.eq(likeperson::db::now()),
        ))
        .execute(&mut *conn)
        .unwrap();
    assert!(verify_chain(&mut conn).unwrap().is_some());
}

async fn settings_change_the_language_and_accessibility_classes(mut app: TestApp) {
    app.login("mentor@blindeforbundet.example").await;
    let res = app
        .post(
            "/account/settings",
            &[
                ("language", "en"),
                ("larger_text", "on"),
                ("high_contrast", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get("/account/settings").await;
    assert!(page.has("<html lang=\"en\""));
    assert!(page.has("Your changes are saved."));
    assert!(page.has("class=\"larger-text high-contrast\""));
    assert!(app.get("/").await.has("Sign out"));
}
