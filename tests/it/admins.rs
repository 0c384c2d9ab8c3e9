//! Organization administrators and users: no lock-out (the last administrator stays, two
//! revoking each other at once leave one), confirmation before removing one's own role, editing
//! users (a new e-mail address only once confirmed) and deactivating them.

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::access::Role;
use likeperson::schema::{settings, user_organization_roles as uor, users};
use likeperson::users::model::{RoleGrant, Setting, User};

on_both_backends!(
    the_last_administrator_cannot_be_revoked_or_deactivated,
    removing_ones_own_administrator_role_asks_for_confirmation,
    two_administrators_revoking_each_other_at_once_leave_one,
    a_new_email_address_takes_effect_only_when_confirmed,
    a_deactivated_user_cannot_sign_in_and_leaves_the_choices_but_not_the_records,
    administrators_edit_only_members_of_their_organization,
);

fn nhf(app: &TestApp) -> String {
    use likeperson::schema::organizations as o;
    o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// A second administrator of NHF (only that role), who can sign in.
fn second_admin(app: &TestApp, email: &str) -> String {
    let org = nhf(app);
    let hash = likeperson::auth::password::hash(PASSWORD);
    let u = User::new(email, "Andre Admin", Some(hash));
    let mut c = app.conn();
    diesel::insert_into(users::table)
        .values(&u)
        .execute(&mut *c)
        .unwrap();
    diesel::insert_into(settings::table)
        .values(&Setting::defaults(&u.id))
        .execute(&mut *c)
        .unwrap();
    diesel::insert_into(uor::table)
        .values(&RoleGrant::new(
            &u.id,
            Some(&org),
            Role::OrgAdmin,
            None,
            None,
        ))
        .execute(&mut *c)
        .unwrap();
    u.id
}

fn admin_grant(app: &TestApp, user: &str) -> Option<String> {
    uor::table
        .filter(uor::user_id.eq(user))
        .filter(uor::role_id.eq("org_admin"))
        .filter(uor::revoked_at.is_null())
        .select(uor::id)
        .first(&mut *app.conn())
        .optional()
        .unwrap()
}

fn active_admins(app: &TestApp) -> i64 {
    uor::table
        .filter(uor::organization_id.eq(nhf(app)))
        .filter(uor::role_id.eq("org_admin"))
        .filter(uor::revoked_at.is_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn the_last_administrator_cannot_be_revoked_or_deactivated(mut app: TestApp) {
    let admin = app.user_id("admin@nhf.example");
    let grant = admin_grant(&app, &admin).unwrap();
    app.login("admin@nhf.example").await;
    let res = app
        .post(
            &format!("/users/{admin}/roles/{grant}/revoke"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(admin_grant(&app, &admin), Some(grant.clone()), "kept");
    let page = app.get(&format!("/users/{admin}")).await;
    assert!(page.has("Organisasjonen må ha minst én aktiv administrator."));
    // With a second administrator who is then deactivated, the first is the last one again.
    let other = second_admin(&app, "andre.admin@nhf.example");
    let res = app.post(&format!("/users/{other}/deactivate"), &[]).await;
    assert_eq!(res.status, 303);
    let other_grant = admin_grant(&app, &other).unwrap();
    let mut b = app.client();
    assert_eq!(
        b.login("andre.admin@nhf.example").await.status,
        422,
        "refused"
    );
    let res = app
        .post(
            &format!("/users/{admin}/roles/{grant}/revoke"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(
        admin_grant(&app, &admin).is_some(),
        "a deactivated admin does not count"
    );
    assert!(admin_grant(&app, &other).is_some());
    let _ = other_grant;
    assert_eq!(app.audit_count("role.revoked"), 0);
}

async fn removing_ones_own_administrator_role_asks_for_confirmation(mut app: TestApp) {
    second_admin(&app, "andre.admin@nhf.example");
    let admin = app.user_id("admin@nhf.example");
    let grant = admin_grant(&app, &admin).unwrap();
    app.login("admin@nhf.example").await;
    let path = format!("/users/{admin}/roles/{grant}/revoke");
    let ask = app.post(&path, &[]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.has("name=\"confirm\""), "a confirmation form");
    assert!(admin_grant(&app, &admin).is_some(), "nothing changed yet");
    let done = app.post(&path, &[("confirm", "1")]).await;
    assert_eq!(done.status, 303);
    assert!(admin_grant(&app, &admin).is_none());
    assert_eq!(app.audit_count("role.revoked"), 1);
}

async fn two_administrators_revoking_each_other_at_once_leave_one(mut app: TestApp) {
    let other = second_admin(&app, "andre.admin@nhf.example");
    let admin = app.user_id("admin@nhf.example");
    let (ga, gb) = (
        admin_grant(&app, &admin).unwrap(),
        admin_grant(&app, &other).unwrap(),
    );
    let mut b = app.client();
    app.login("admin@nhf.example").await;
    b.login("andre.admin@nhf.example").await;
    let pa = format!("/users/{other}/roles/{gb}/revoke");
    let pb = format!("/users/{admin}/roles/{ga}/revoke");
    let (ra, rb) = futures_util::future::join(app.post(&pa, &[]), b.post(&pb, &[])).await;
    // The loser is refused (the last administrator stays, 303 with the message) or, having lost
    // its only role before its request was read, no longer reaches the page (404).
    assert!(
        matches!((ra.status, rb.status), (303, 303) | (404, 303) | (303, 404)),
        "{} {}",
        ra.status,
        rb.status
    );
    assert_eq!(active_admins(&app), 1, "exactly one administrator is left");
    assert_eq!(app.audit_count("role.revoked"), 1);
}

async fn a_new_email_address_takes_effect_only_when_confirmed(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    app.login("admin@nhf.example").await;
    let form = app.get(&format!("/users/{mentor}/edit")).await;
    assert_eq!(form.status, 200);
    let bad = app
        .post(
            &format!("/users/{mentor}"),
            &[("name", "Mona Ny"), ("email", "coordinator@nhf.example")],
        )
        .await;
    assert_eq!(bad.status, 422, "an address in use");
    assert!(bad.has("value=\"Mona Ny\""), "the values are kept");
    let res = app
        .post(
            &format!("/users/{mentor}"),
            &[("name", "Mona Ny"), ("email", "mona.ny@example.no")],
        )
        .await;
    assert_eq!(res.status, 303);
    let (name, email): (String, String) = users::table
        .find(&mentor)
        .select((users::name, users::email))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(name, "Mona Ny", "the name at once");
    assert_eq!(email, "mentor@nhf.example", "the address not yet");
    let token = app.mail_token("mona.ny@example.no");
    let mut browser = app.client();
    assert_eq!(
        browser
            .get(&format!("/email/confirm?token={token}"))
            .await
            .status,
        200
    );
    let email: String = users::table
        .find(&mentor)
        .select(users::email)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        email, "mentor@nhf.example",
        "following the link changes nothing"
    );
    let ok = browser.post("/email/confirm", &[("token", &token)]).await;
    assert_eq!(ok.status, 200);
    let again = browser.post("/email/confirm", &[("token", &token)]).await;
    assert_eq!(again.status, 404, "single use");
    assert_eq!(
        browser.login("mona.ny@example.no").await.status,
        303,
        "signs in with the new address"
    );
    assert_eq!(app.audit_count("user.updated"), 1);
    assert_eq!(app.audit_count("user.email_changed"), 1);
}

async fn a_deactivated_user_cannot_sign_in_and_leaves_the_choices_but_not_the_records(
    mut app: TestApp,
) {
    let mentor = app.user_id("mentor@nhf.example");
    let mut phone = app.client();
    assert_eq!(phone.login("mentor@nhf.example").await.status, 303);
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    assert!(coordinator
        .get("/activities/new")
        .await
        .has("Mona Mentor (NHF)"));
    app.login("admin@nhf.example").await;
    let res = app.post(&format!("/users/{mentor}/deactivate"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("user.deactivated"), 1);
    assert_ne!(phone.get("/").await.status, 200, "the session ended");
    let refused = phone.login("mentor@nhf.example").await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.has("E-post eller passord er feil."),
        "the same generic message"
    );
    let form = coordinator.get("/activities/new").await;
    assert!(!form.has("Mona Mentor (NHF)"), "not a choice any more");
    let list = coordinator.get("/activities").await;
    assert!(list.has("Mona Mentor (NHF)"), "still on old activities");
    let page = app.get(&format!("/users/{mentor}")).await;
    assert_eq!(page.status, 200, "kept");
}

async fn administrators_edit_only_members_of_their_organization(mut app: TestApp) {
    let global = app.user_id("global@likeperson.example");
    let blind_mentor = app.user_id("mentor@blindeforbundet.example");
    let admin = app.user_id("admin@nhf.example");
    app.login("admin@nhf.example").await;
    for path in [
        format!("/users/{blind_mentor}/edit"),
        format!("/users/{global}/edit"),
    ] {
        assert_eq!(app.get(&path).await.status, 404, "{path}");
    }
    for who in [&blind_mentor, &global] {
        let edit = app
            .post(
                &format!("/users/{who}"),
                &[("name", "X"), ("email", "x@example.no")],
            )
            .await;
        assert_eq!(edit.status, 404);
        let off = app.post(&format!("/users/{who}/deactivate"), &[]).await;
        assert_eq!(off.status, 404);
    }
    let own = app.post(&format!("/users/{admin}/deactivate"), &[]).await;
    assert_eq!(own.status, 303);
    let active: bool = users::table
        .find(&admin)
        .select(users::is_active)
        .first(&mut *app.conn())
        .unwrap();
    assert!(active, "not oneself");
    assert_eq!(app.audit_count("user.deactivated"), 0);
}
