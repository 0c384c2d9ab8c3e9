//! Issue 9, small gaps: a deactivated user can be reactivated (by an organization administrator,
//! or the global administrator for an organization's administrator), a pending invitation can
//! be cancelled, and an account without a current grant signs in to its invitations and its
//! account pages only.

use crate::common::{TestApp, PASSWORD};
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::access::Role;
use likeperson::schema::{
    invitations, organizations as o, settings, user_organization_roles as uor, users,
};
use likeperson::users::model::{RoleGrant, Setting, User};

on_both_backends!(
    an_administrator_reactivates_a_deactivated_user,
    the_global_admin_reactivates_an_organizations_administrator,
    an_administrator_cancels_a_pending_invitation,
    the_global_admin_cancels_an_administrator_invitation,
    an_account_without_a_role_signs_in_to_its_invitations_only,
    an_account_without_a_role_reaches_nothing_else,
    a_cancellation_racing_an_acceptance_leaves_one_outcome,
);

fn org_id(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// An account with a password and the given grant in NHF, or none.
fn account(app: &TestApp, email: &str, role: Option<Role>) -> String {
    let hash = likeperson::auth::password::hash(PASSWORD);
    let u = User::new(email, "Ola Uten Rolle", Some(hash));
    let mut c = app.conn();
    diesel::insert_into(users::table)
        .values(&u)
        .execute(&mut *c)
        .unwrap();
    diesel::insert_into(settings::table)
        .values(&Setting::defaults(&u.id))
        .execute(&mut *c)
        .unwrap();
    drop(c);
    if let Some(role) = role {
        let org = org_id(app, "NHF");
        diesel::insert_into(uor::table)
            .values(&RoleGrant::new(&u.id, Some(&org), role, None, None))
            .execute(&mut *app.conn())
            .unwrap();
    }
    u.id
}

fn status_of(app: &TestApp, invitation: &str) -> String {
    invitations::table
        .find(invitation)
        .select(invitations::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn invitation_of(app: &TestApp, email: &str) -> String {
    invitations::table
        .filter(invitations::email.eq(email))
        .order(invitations::created_at.desc())
        .select(invitations::id)
        .first(&mut *app.conn())
        .unwrap()
}

async fn invite_mentor(app: &mut TestApp, email: &str) -> String {
    let assoc = app.association_ids("NHF")[0].clone();
    let res = app
        .post(
            "/users/invite",
            &[
                ("email", email),
                ("name", "Invitert Person"),
                ("role", "peer_mentor"),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    invitation_of(app, email)
}

async fn an_administrator_reactivates_a_deactivated_user(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    app.login("admin@nhf.example").await;
    assert_eq!(
        app.post(&format!("/users/{mentor}/deactivate"), &[])
            .await
            .status,
        303
    );
    let mut phone = app.client();
    assert_eq!(phone.login("mentor@nhf.example").await.status, 422);
    let page = app.get(&format!("/users/{mentor}")).await;
    assert!(page.has(&format!("action=\"/users/{mentor}/reactivate\"")));
    assert!(!page.has(&format!("action=\"/users/{mentor}/deactivate\"")));

    // Another organization's administrator and the mentor's own coordinator cannot.
    let mut other = app.client();
    other.login("admin@blindeforbundet.example").await;
    let res = other
        .post(&format!("/users/{mentor}/reactivate"), &[])
        .await;
    assert_eq!(res.status, 404);
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    let res = coordinator
        .post(&format!("/users/{mentor}/reactivate"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(app.audit_count("user.reactivated"), 0);

    let res = app.post(&format!("/users/{mentor}/reactivate"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), format!("/users/{mentor}"));
    assert!(app
        .get(&format!("/users/{mentor}"))
        .await
        .has("Brukeren er aktivert igjen og kan logge inn."));
    assert_eq!(app.audit_count("user.reactivated"), 1);
    let (active, deactivated_at): (bool, Option<chrono::NaiveDateTime>) = users::table
        .find(&mentor)
        .select((users::is_active, users::deactivated_at))
        .first(&mut *app.conn())
        .unwrap();
    assert!(active && deactivated_at.is_none());
    assert_eq!(phone.login("mentor@nhf.example").await.status, 303);
    assert_eq!(
        phone.get("/activities").await.status,
        200,
        "signed in again"
    );

    // Reactivating an active user changes nothing and says so.
    app.post(&format!("/users/{mentor}/reactivate"), &[]).await;
    assert!(app
        .get(&format!("/users/{mentor}"))
        .await
        .has("Brukeren er ikke deaktivert."));
    assert_eq!(app.audit_count("user.reactivated"), 1);
}

async fn the_global_admin_reactivates_an_organizations_administrator(mut app: TestApp) {
    let nhf = org_id(&app, "NHF");
    let second = account(&app, "andre.admin@nhf.example", Some(Role::OrgAdmin));
    let mentor = app.user_id("mentor@nhf.example");
    app.login("admin@nhf.example").await;
    assert_eq!(
        app.post(&format!("/users/{second}/deactivate"), &[])
            .await
            .status,
        303
    );
    // An organization administrator cannot use the global administrator's route.
    let res = app
        .post(
            &format!("/organizations/{nhf}/admins/{second}/reactivate"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
    app.logout().await;

    app.login("global@likeperson.example").await;
    let page = app.get(&format!("/organizations/{nhf}")).await;
    assert!(page.has(&format!(
        "action=\"/organizations/{nhf}/admins/{second}/reactivate\""
    )));
    // Only administrators of that organization.
    let res = app
        .post(
            &format!("/organizations/{nhf}/admins/{mentor}/reactivate"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
    let blind = org_id(&app, "Blindeforbundet");
    let res = app
        .post(
            &format!("/organizations/{blind}/admins/{second}/reactivate"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404);

    let res = app
        .post(
            &format!("/organizations/{nhf}/admins/{second}/reactivate"),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(app.audit_count("user.reactivated"), 1);
    let mut browser = app.client();
    assert_eq!(browser.login("andre.admin@nhf.example").await.status, 303);
    assert_eq!(browser.get("/users").await.status, 200);
}

async fn an_administrator_cancels_a_pending_invitation(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    // A new account: its set-password link stops working.
    let new = invite_mentor(&mut app, "ny.person@example.org").await;
    let token = app.mail_token("ny.person@example.org");
    let list = app.get("/users").await;
    assert!(list.has(&format!("action=\"/users/invitations/{new}/cancel\"")));

    let mut other = app.client();
    other.login("admin@blindeforbundet.example").await;
    let res = other
        .post(&format!("/users/invitations/{new}/cancel"), &[])
        .await;
    assert_eq!(res.status, 404, "another organization's invitation");
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    let res = coordinator
        .post(&format!("/users/invitations/{new}/cancel"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(status_of(&app, &new), "pending");

    let res = app
        .post(&format!("/users/invitations/{new}/cancel"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/users");
    assert_eq!(status_of(&app, &new), "cancelled");
    assert_eq!(app.audit_count("invitation.cancelled"), 1);
    assert!(!app
        .get("/users")
        .await
        .has(&format!("/users/invitations/{new}/cancel")));
    let res = app
        .post(&format!("/users/invitations/{new}/cancel"), &[])
        .await;
    assert_eq!(res.status, 404, "only once");
    let mut browser = app.client();
    let res = browser
        .post(
            "/password/reset",
            &[
                ("token", &token),
                ("password", "et-langt-nytt-passord-42"),
                ("confirm", "et-langt-nytt-passord-42"),
            ],
        )
        .await;
    assert_ne!(res.status, 303, "the invitation link no longer works");
    let invited = app.user_id("ny.person@example.org");
    let grants: i64 = uor::table
        .filter(uor::user_id.eq(&invited))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(grants, 0);

    // An existing account: it no longer sees the invitation, nor can answer it.
    let existing = invite_mentor(&mut app, "mentor@blindeforbundet.example").await;
    let mut invitee = app.client();
    invitee.login("mentor@blindeforbundet.example").await;
    assert!(invitee
        .get("/account/invitations")
        .await
        .has(&format!("/account/invitations/{existing}/accept")));
    app.post(&format!("/users/invitations/{existing}/cancel"), &[])
        .await;
    assert!(!invitee
        .get("/account/invitations")
        .await
        .has(&format!("/account/invitations/{existing}/accept")));
    let res = invitee
        .post(&format!("/account/invitations/{existing}/accept"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(status_of(&app, &existing), "cancelled");

    // An answered invitation cannot be cancelled.
    let answered = invite_mentor(&mut app, "mentor@blindeforbundet.example").await;
    invitee
        .post(&format!("/account/invitations/{answered}/decline"), &[])
        .await;
    let res = app
        .post(&format!("/users/invitations/{answered}/cancel"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(status_of(&app, &answered), "declined");
    assert_eq!(app.audit_count("invitation.cancelled"), 2);
}

async fn the_global_admin_cancels_an_administrator_invitation(mut app: TestApp) {
    let nhf = org_id(&app, "NHF");
    let blind = org_id(&app, "Blindeforbundet");
    app.login("global@likeperson.example").await;
    let res = app
        .post(
            &format!("/organizations/{nhf}/admins"),
            &[("email", "ny.admin@nhf.example"), ("name", "Ny Admin")],
        )
        .await;
    assert_eq!(res.status, 303);
    let id = invitation_of(&app, "ny.admin@nhf.example");
    let page = app.get(&format!("/organizations/{nhf}")).await;
    assert!(page.has(&format!(
        "action=\"/organizations/{nhf}/invitations/{id}/cancel\""
    )));
    let res = app
        .post(
            &format!("/organizations/{blind}/invitations/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404, "under another organization");
    let mut admin = app.client();
    admin.login("admin@nhf.example").await;
    let res = admin
        .post(
            &format!("/organizations/{nhf}/invitations/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(res.status, 404, "the global administrator's route");

    let res = app
        .post(
            &format!("/organizations/{nhf}/invitations/{id}/cancel"),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&app, &id), "cancelled");
    assert_eq!(app.audit_count("invitation.cancelled"), 1);
    assert!(!app
        .get(&format!("/organizations/{nhf}"))
        .await
        .has("ny.admin@nhf.example"));
}

async fn an_account_without_a_role_signs_in_to_its_invitations_only(mut app: TestApp) {
    account(&app, "uten.rolle@example.org", None);
    let mut person = app.client();
    let res = person.login("uten.rolle@example.org").await;
    assert_eq!(res.status, 303, "signs in");
    let home = person.get("/").await;
    assert_eq!(home.status, 303);
    assert_eq!(home.location(), "/account/invitations");
    let page = person.get("/account/invitations").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Du har ingen rolle i en organisasjon ennå."));
    assert!(page.has("Du har ingen invitasjoner som venter på svar."));
    assert!(!page.has("href=\"/activities\""), "no role's menu");
    assert_eq!(app.audit_count("auth.sign_in"), 1);

    // Invited, it sees and accepts the invitation, and then has the role.
    app.login("admin@nhf.example").await;
    let id = invite_mentor(&mut app, "uten.rolle@example.org").await;
    let page = person.get("/account/invitations").await;
    assert!(page.has(&format!("/account/invitations/{id}/accept")));
    assert_eq!(person.get("/activities").await.status, 404, "not yet");
    let res = person
        .post(&format!("/account/invitations/{id}/accept"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&app, &id), "accepted");
    assert_eq!(person.get("/").await.status, 200, "a start page now");
    assert_eq!(person.get("/activities").await.status, 200);
}

async fn an_account_without_a_role_reaches_nothing_else(mut app: TestApp) {
    account(&app, "uten.rolle@example.org", None);
    let nhf = org_id(&app, "NHF");
    let mentor = app.user_id("mentor@nhf.example");
    let contact: String = {
        use likeperson::schema::contacts as c;
        c::table.select(c::id).first(&mut *app.conn()).unwrap()
    };
    let assoc = app.association_ids("NHF")[0].clone();
    assert_eq!(app.login("uten.rolle@example.org").await.status, 303);
    let ok = [
        "/account/invitations",
        "/account/settings",
        "/account/sessions",
        "/account/password",
    ];
    for path in ok {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    let hidden = [
        "/activities".to_string(),
        "/activities/new".into(),
        "/activities/export".into(),
        "/activity-types".into(),
        "/contacts".into(),
        "/contacts/new".into(),
        format!("/contacts/{contact}"),
        "/mentors".into(),
        format!("/mentors/{mentor}"),
        "/events".into(),
        "/events/new".into(),
        "/associations".into(),
        format!("/associations/{assoc}"),
        "/regions".into(),
        "/users".into(),
        "/users/invite".into(),
        format!("/users/{mentor}"),
        "/labels".into(),
        "/audit".into(),
        "/search?q=a".into(),
        "/organizations".into(),
        format!("/organizations/{nhf}"),
    ];
    for path in &hidden {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    let ctx = format!("{nhf}:org_admin");
    let posts = [
        ("/activities".to_string(), vec![("occurred_on", "")]),
        ("/contacts".into(), vec![("name", "X")]),
        ("/users/invite".into(), vec![("email", "a@b.example")]),
        (format!("/users/{mentor}/deactivate"), vec![]),
        (
            format!("/organizations/{nhf}/admins"),
            vec![("email", "a@b.example")],
        ),
        ("/context".into(), vec![("context", ctx.as_str())]),
    ];
    for (path, form) in &posts {
        assert_eq!(app.post(path, form).await.status, 404, "POST {path}");
    }
    // Its own account pages work.
    let res = app.post("/account/settings", &[("language", "en")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.post("/account/sessions/others/end", &[]).await.status,
        303
    );
}

async fn a_cancellation_racing_an_acceptance_leaves_one_outcome(mut app: TestApp) {
    let invitee_id = app.user_id("mentor@blindeforbundet.example");
    app.login("admin@nhf.example").await;
    let mut invitee = app.client();
    invitee.login("mentor@blindeforbundet.example").await;
    for _ in 0..3 {
        let id = invite_mentor(&mut app, "mentor@blindeforbundet.example").await;
        let cancel = format!("/users/invitations/{id}/cancel");
        let accept = format!("/account/invitations/{id}/accept");
        let (c, a) =
            futures_util::future::join(app.post(&cancel, &[]), invitee.post(&accept, &[])).await;
        let status = status_of(&app, &id);
        let grants: i64 = uor::table
            .filter(uor::user_id.eq(&invitee_id))
            .filter(uor::revoked_at.is_null())
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::organization_id.eq(org_id(&app, "NHF")))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        match status.as_str() {
            "cancelled" => {
                assert_eq!((c.status, a.status), (303, 404));
                assert_eq!(grants, 0, "no role from a cancelled invitation");
            }
            "accepted" => {
                assert_eq!((c.status, a.status), (404, 303));
                assert_eq!(grants, 1);
                // Take the role back for the next round.
                let grant: String = uor::table
                    .filter(uor::user_id.eq(&invitee_id))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::role_id.eq("peer_mentor"))
                    .filter(uor::organization_id.eq(org_id(&app, "NHF")))
                    .select(uor::id)
                    .first(&mut *app.conn())
                    .unwrap();
                let res = app
                    .post(&format!("/users/{invitee_id}/roles/{grant}/revoke"), &[])
                    .await;
                assert_eq!(res.status, 303);
            }
            other => panic!("unexpected status {other}"),
        }
    }
}
