//! The global administrator appoints, replaces and removes an organization's administrators:
//! a new organization leads to inviting its first administrator, who accepts by choosing a
//! password; the last active administrator stays.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{organizations as o, user_organization_roles as uor};

on_both_backends!(
    a_new_organization_invites_its_first_administrator,
    the_global_admin_cannot_revoke_the_last_administrator,
    only_the_global_admin_sees_an_organizations_administrators,
);

const NEW_PASSWORD: &str = "et-langt-nytt-passord-42";

fn org_id(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn admin_grants(app: &TestApp, org: &str, user: &str) -> Vec<String> {
    uor::table
        .filter(uor::organization_id.eq(org))
        .filter(uor::user_id.eq(user))
        .filter(uor::role_id.eq("org_admin"))
        .filter(uor::revoked_at.is_null())
        .select(uor::id)
        .load(&mut *app.conn())
        .unwrap()
}

async fn invite_and_accept(app: &mut TestApp, org: &str, email: &str, name: &str) -> String {
    let res = app
        .post(
            &format!("/organizations/{org}/admins"),
            &[("email", email), ("name", name)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/organizations/{org}"));
    let user = app.user_id(email);
    assert!(
        admin_grants(app, org, &user).is_empty(),
        "not before consent"
    );
    let page = app.get(&format!("/organizations/{org}")).await;
    assert!(page.has(email), "listed as invited");
    app.set_password_by_mail(email, NEW_PASSWORD).await;
    let grants = admin_grants(app, org, &user);
    assert_eq!(grants.len(), 1, "administrator after accepting");
    grants[0].clone()
}

async fn a_new_organization_invites_its_first_administrator(mut app: TestApp) {
    app.login("global@likeperson.example").await;
    let res = app
        .post(
            "/organizations",
            &[
                ("name", "Ny forening for test"),
                ("short_name", "NFT"),
                ("default_locale", "nb"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let org = org_id(&app, "NFT");
    assert_eq!(res.location(), format!("/organizations/{org}#invite-admin"));
    let page = app.get(&format!("/organizations/{org}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Organisasjonen trenger sin første administrator."));
    assert!(page.has(&format!("action=\"/organizations/{org}/admins\"")));
    assert!(page.has("data-autofocus"));

    // Bad input: 422, the values kept.
    let res = app
        .post(
            &format!("/organizations/{org}/admins"),
            &[("email", "ikke-en-adresse"), ("name", "Første Admin")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Første Admin"));

    let first = invite_and_accept(&mut app, &org, "forste@nft.example", "Første Admin").await;
    assert_eq!(app.audit_count("invitation.created"), 1);
    let page = app.get(&format!("/organizations/{org}")).await;
    assert!(page.has("forste@nft.example") && page.has("Første Admin"));
    assert!(!page.has("Organisasjonen trenger sin første administrator."));

    // The new administrator signs in and administers that organization.
    let mut b = app.client();
    assert_eq!(
        b.login_with("forste@nft.example", NEW_PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(b.get("/users").await.status, 200);

    // Replace: invite the successor, then revoke the first once the successor has accepted.
    invite_and_accept(&mut app, &org, "andre@nft.example", "Andre Admin").await;
    let res = app
        .post(&format!("/organizations/{org}/admins/{first}/revoke"), &[])
        .await;
    assert_eq!(res.status, 303);
    let first_user = app.user_id("forste@nft.example");
    assert!(admin_grants(&app, &org, &first_user).is_empty(), "revoked");
    assert_eq!(app.audit_count("role.revoked"), 1);
}

async fn the_global_admin_cannot_revoke_the_last_administrator(mut app: TestApp) {
    let org = org_id(&app, "NHF");
    let admin = app.user_id("admin@nhf.example");
    let grant = admin_grants(&app, &org, &admin).pop().unwrap();
    app.login("global@likeperson.example").await;
    let res = app
        .post(&format!("/organizations/{org}/admins/{grant}/revoke"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        admin_grants(&app, &org, &admin),
        vec![grant.clone()],
        "kept"
    );
    let page = app.get(&format!("/organizations/{org}")).await;
    assert!(page.has("Organisasjonen må ha minst én aktiv administrator."));
    assert_eq!(app.audit_count("role.revoked"), 0);
    // A grant of another organization is not found through this one.
    let other = org_id(&app, "Blindeforbundet");
    let res = app
        .post(
            &format!("/organizations/{other}/admins/{grant}/revoke"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
}

async fn only_the_global_admin_sees_an_organizations_administrators(mut app: TestApp) {
    let org = org_id(&app, "NHF");
    let admin = app.user_id("admin@nhf.example");
    let grant = admin_grants(&app, &org, &admin).pop().unwrap();
    for who in ["admin@nhf.example", "coordinator@nhf.example"] {
        let mut b = app.client();
        b.login(who).await;
        assert_eq!(b.get(&format!("/organizations/{org}")).await.status, 404);
        let res = b
            .post(
                &format!("/organizations/{org}/admins"),
                &[("email", "x@nhf.example"), ("name", "X")],
            )
            .await;
        assert_eq!(res.status, 404, "{who}");
        let res = b
            .post(&format!("/organizations/{org}/admins/{grant}/revoke"), &[])
            .await;
        assert_eq!(res.status, 404, "{who}");
    }
    assert_eq!(app.audit_count("invitation.created"), 0);
    assert!(!admin_grants(&app, &org, &admin).is_empty());
    let _ = &mut app;
}
