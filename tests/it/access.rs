//! The access table: every route × every role × every scope, with the expected answer.
//! Out of scope answers 404, as if the record did not exist; no session redirects to sign-in.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{organizations as o, regions as r};

on_both_backends!(
    every_route_answers_each_role_as_the_table_says,
    lists_agree_with_what_detail_pages_allow,
    the_import_upload_answers_each_role_as_the_table_says
);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Mentor,
    Coordinator,
    OrgAdmin,
    OtherOrgAdmin,
    Global,
}

/// A state change: path, form fields, expected status per role.
type PostRow = (String, Vec<(&'static str, String)>, [u16; 6]);

const WHO: [Who; 6] = [
    Who::Anonymous,
    Who::Mentor,
    Who::Coordinator,
    Who::OrgAdmin,
    Who::OtherOrgAdmin,
    Who::Global,
];

fn email(w: Who) -> Option<&'static str> {
    match w {
        Who::Anonymous => None,
        Who::Mentor => Some("mentor@nhf.example"),
        Who::Coordinator => Some("coordinator@nhf.example"),
        Who::OrgAdmin => Some("admin@nhf.example"),
        Who::OtherOrgAdmin => Some("admin@blindeforbundet.example"),
        Who::Global => Some("global@likeperson.example"),
    }
}

fn first_region(app: &TestApp, org: &str) -> String {
    r::table
        .inner_join(o::table)
        .filter(o::short_name.eq(org))
        .order(r::name.asc())
        .select(r::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The newest activity of a mentor (dated this year in the demo data, so it is still open).
fn newest_activity(app: &TestApp, email: &str) -> String {
    use likeperson::schema::activities as act;
    let user = app.user_id(email);
    act::table
        .filter(act::mentor_id.eq(user))
        .order(act::occurred_on.desc())
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn org_id(app: &TestApp, org: &str) -> String {
    o::table
        .filter(o::short_name.eq(org))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// An NHF association in the coordinator's scope (NHF Bærum is the first of their three).
fn coordinator_scope(app: &TestApp) -> String {
    use likeperson::schema::local_associations as la;
    la::table
        .filter(la::name.eq("NHF Bærum"))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// Records of the people domain for the table.
struct PeopleIds {
    /// mentor@nhf's profile.
    mentor_profile: String,
    /// A contact assigned to mentor@nhf.
    mine: String,
    /// A contact in coordinator@nhf's associations, not assigned to mentor@nhf.
    coordinators: String,
    /// An NHF contact outside coordinator@nhf's associations.
    outside: String,
    /// A contact of Blindeforbundet.
    blind_contact: String,
}

fn people_ids(app: &TestApp) -> PeopleIds {
    use likeperson::schema::{
        contact_mentors as cm, contacts as c, local_associations as la, peer_mentors as pm,
    };
    let conn = &mut *app.conn();
    let nhf = org_id(app, "NHF");
    let blind = org_id(app, "Blindeforbundet");
    let mentor = app.user_id("mentor@nhf.example");
    let scope: Vec<String> = la::table
        .filter(la::name.eq_any(["NHF Oslo sentrum", "NHF Oslo øst", "NHF Bærum"]))
        .select(la::id)
        .load(conn)
        .unwrap();
    let assigned: Vec<String> = cm::table
        .filter(cm::user_id.eq(&mentor))
        .filter(cm::ended_at.is_null())
        .select(cm::contact_id)
        .load(conn)
        .unwrap();
    PeopleIds {
        mentor_profile: pm::table
            .filter(pm::user_id.eq(&mentor))
            .filter(pm::organization_id.eq(&nhf))
            .select(pm::id)
            .first(conn)
            .unwrap(),
        mine: assigned[0].clone(),
        coordinators: c::table
            .filter(c::local_association_id.eq_any(&scope))
            .filter(c::id.ne_all(&assigned))
            .select(c::id)
            .first(conn)
            .unwrap(),
        outside: c::table
            .filter(c::organization_id.eq(&nhf))
            .filter(c::local_association_id.ne_all(&scope))
            .select(c::id)
            .first(conn)
            .unwrap(),
        blind_contact: c::table
            .filter(c::organization_id.eq(&blind))
            .select(c::id)
            .first(conn)
            .unwrap(),
    }
}

async fn every_route_answers_each_role_as_the_table_says(mut app: TestApp) {
    let in_scope = coordinator_scope(&app);
    let nhf_other = {
        use likeperson::schema::local_associations as la;
        la::table
            .filter(la::name.eq("NHF Tromsø"))
            .select(la::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let blind_assoc = app.association_ids("Blindeforbundet")[0].clone();
    let nhf_region = first_region(&app, "NHF");
    let blind_region = first_region(&app, "Blindeforbundet");
    let nhf_mentor = app.user_id("mentor@nhf.example");
    let blind_mentor = app.user_id("mentor@blindeforbundet.example");
    let nhf = org_id(&app, "NHF");
    let random = uuid::Uuid::new_v4().to_string();
    let nhf_admin = app.user_id("admin@nhf.example");
    let nhf_admin_grant: String = {
        use likeperson::schema::user_organization_roles as uor;
        uor::table
            .filter(uor::organization_id.eq(&nhf))
            .filter(uor::role_id.eq("org_admin"))
            .filter(uor::revoked_at.is_null())
            .select(uor::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let mentor_act = newest_activity(&app, "mentor@nhf.example");
    let blind_act = newest_activity(&app, "mentor@blindeforbundet.example");
    let nhf_type: String = {
        use likeperson::schema::activity_types as at;
        at::table
            .inner_join(o::table)
            .filter(o::short_name.eq("NHF"))
            .select(at::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let people = people_ids(&app);
    let document = {
        use likeperson::schema::documents as d;
        app.login("mentor@nhf.example").await;
        let pdf = crate::documents::PDF;
        let res = crate::documents::upload(&mut app, &mentor_act, "a.pdf", pdf).await;
        assert_eq!(res.status, 303, "a document to try the routes on");
        app.logout().await;
        d::table
            .select(d::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let (mentor_profile, mine, coordinators, outside, blind_contact) = (
        &people.mentor_profile,
        &people.mine,
        &people.coordinators,
        &people.outside,
        &people.blind_contact,
    );

    // (path, expected status for Anonymous, Mentor, Coordinator, OrgAdmin, OtherOrgAdmin, Global)
    let s = 303; // redirect to sign-in
    let table: Vec<(String, [u16; 6])> = vec![
        ("/".into(), [s, 200, 200, 200, 200, 200]),
        ("/account/settings".into(), [s, 200, 200, 200, 200, 200]),
        ("/account/sessions".into(), [s, 200, 200, 200, 200, 200]),
        ("/account/invitations".into(), [s, 200, 200, 200, 200, 200]),
        ("/account/password".into(), [s, 200, 200, 200, 200, 200]),
        ("/notifications".into(), [s, 200, 200, 200, 200, 200]),
        (
            "/notifications?before=x".into(),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/account/notifications".into(),
            [s, 200, 200, 200, 200, 200],
        ),
        ("/notifications/admin".into(), [s, 404, 404, 200, 200, 200]),
        ("/associations".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/associations?q=oslo&status=all".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        ("/associations/new".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/associations/{in_scope}"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/associations/{nhf_other}"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            format!("/associations/{blind_assoc}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/associations/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/associations/not-a-uuid".into(),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/associations/{in_scope}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            format!("/associations/{blind_assoc}/edit"),
            [s, 404, 404, 404, 200, 404],
        ),
        ("/regions".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/regions/{nhf_region}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            format!("/regions/{blind_region}/edit"),
            [s, 404, 404, 404, 200, 404],
        ),
        ("/users".into(), [s, 404, 404, 200, 200, 404]),
        ("/users/invite".into(), [s, 404, 404, 200, 200, 404]),
        (format!("/users/{nhf_mentor}"), [s, 404, 404, 200, 404, 404]),
        (
            format!("/users/{nhf_mentor}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            "/email/confirm?token=x".into(),
            [200, 200, 200, 200, 200, 200],
        ),
        (
            format!("/users/{blind_mentor}"),
            [s, 404, 404, 404, 200, 404],
        ),
        ("/labels".into(), [s, 404, 404, 200, 200, 404]),
        ("/audit".into(), [s, 404, 404, 200, 200, 200]),
        ("/organizations".into(), [s, 404, 404, 404, 404, 200]),
        ("/organizations/new".into(), [s, 404, 404, 404, 404, 200]),
        (
            format!("/organizations/{nhf}/edit"),
            [s, 404, 404, 404, 404, 200],
        ),
        (
            format!("/organizations/{nhf}"),
            [s, 404, 404, 404, 404, 200],
        ),
        (
            format!("/organizations/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        ("/activities".into(), [s, 200, 200, 200, 200, 404]),
        (
            format!("/activities?q=hansen&contact={mine}"),
            [s, 200, 200, 200, 200, 404],
        ),
        ("/activities/new".into(), [s, 200, 200, 404, 404, 404]),
        (
            format!(
                "/activities/new?contact={}&type={nhf_type}&minutes=30",
                people.mine
            ),
            [s, 200, 200, 404, 404, 404],
        ),
        (
            format!("/activities?contact={}&q=a", people.mine),
            [s, 200, 200, 200, 200, 404],
        ),
        ("/search".into(), [s, 404, 200, 200, 200, 404]),
        ("/search?q=berg".into(), [s, 404, 200, 200, 200, 404]),
        ("/search?q=%C3%98".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/associations?coordinator=none&region=none".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        (
            format!("/activities/new?mentor_id={nhf_mentor}"),
            [s, 200, 200, 404, 404, 404],
        ),
        (
            format!("/activities/{mentor_act}"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/activities/{blind_act}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/activities/{mentor_act}/edit"),
            [s, 200, 200, 404, 404, 404],
        ),
        (
            format!("/activities/{blind_act}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/activities/export.csv".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        ("/activity-types".into(), [s, 404, 404, 200, 200, 404]),
        ("/activity-types/new".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/activity-types/{nhf_type}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        ("/mentors".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/mentors?q=mona&status=active".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        (
            format!("/mentors/{mentor_profile}"),
            [s, 404, 200, 200, 404, 404],
        ),
        (format!("/mentors/{random}"), [s, 404, 404, 404, 404, 404]),
        ("/mentors/not-a-uuid".into(), [s, 404, 404, 404, 404, 404]),
        ("/contacts".into(), [s, 200, 200, 200, 200, 404]),
        (
            "/contacts?q=hansen&page=2".into(),
            [s, 200, 200, 200, 200, 404],
        ),
        ("/contacts/new".into(), [s, 200, 200, 200, 200, 404]),
        (format!("/contacts/{mine}"), [s, 200, 200, 200, 404, 404]),
        (
            format!("/contacts/{mine}/edit"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/contacts/{coordinators}"),
            [s, 404, 200, 200, 404, 404],
        ),
        (format!("/contacts/{outside}"), [s, 404, 404, 200, 404, 404]),
        (
            format!("/contacts/{outside}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            format!("/contacts/{blind_contact}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (format!("/contacts/{random}"), [s, 404, 404, 404, 404, 404]),
        ("/contacts/not-a-uuid".into(), [s, 404, 404, 404, 404, 404]),
        ("/no-such-page".into(), [404, 404, 404, 404, 404, 404]),
        (
            format!("/activities/{mentor_act}/documents/{document}"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/activities/{blind_act}/documents/{document}"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/activities/{mentor_act}/documents/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let (contact_gets, contact_posts) = contact_rows(&app, &people, &random);
    let (assignment_gets, assignment_posts) = assignment_rows(&app, &random, blind_contact);
    let (expense_gets, expense_posts) = expense_rows(&app, &random);
    let (engagement_gets, engagement_posts) = engagement_rows(&app, &random);
    let (learning_gets, learning_posts) = learning_rows(&app, &random);
    let (program_gets, program_posts) = program_rows(&app, &random);
    let (report_gets, report_posts) = report_rows();
    let (wrapped_gets, wrapped_posts) = wrapped_rows(&app);
    let table = [
        table,
        event_gets(&app, &random),
        learning_gets,
        program_gets,
        report_gets,
        wrapped_gets,
        contact_gets,
        assignment_gets,
        expense_gets,
        engagement_gets,
    ]
    .concat();
    // State changes: (path, form, expected per role). Each is tried with a valid CSRF token;
    // a success changes nothing that a later row depends on.
    let posts: Vec<PostRow> = vec![
        (
            format!("/associations/{nhf_other}/deactivate"),
            vec![],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/associations/{nhf_other}/reactivate"),
            vec![],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/associations/{blind_assoc}/deactivate"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            format!("/associations/{blind_assoc}/reactivate"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            "/associations".into(),
            vec![("name", String::new())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/associations/{in_scope}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            "/regions".into(),
            vec![("name", String::new())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/regions/{nhf_region}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            format!("/users/{nhf_mentor}/roles"),
            vec![("role", "nonsense".into())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            "/users/invite".into(),
            vec![("email", "bad".into())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/users/{blind_mentor}/sessions/end"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            format!("/users/{blind_mentor}/roles/{random}/revoke"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/context".into(),
            vec![("context", format!("{nhf}:org_admin"))],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/account/sessions/{random}/end"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/account/sessions/others/end".into(),
            vec![],
            [s, 303, 303, 303, 303, 303],
        ),
        (
            format!("/users/{nhf_mentor}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            format!("/users/{blind_mentor}/deactivate"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            format!("/users/{blind_mentor}/reactivate"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            format!("/users/invitations/{random}/cancel"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/users/invitations/not-a-uuid/cancel".into(),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/organizations/{nhf}/admins/{nhf_mentor}/reactivate"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/organizations/{nhf}/admins/{nhf_admin}/reactivate"),
            vec![],
            [s, 404, 404, 404, 404, 303],
        ),
        (
            format!("/organizations/{nhf}/invitations/{random}/cancel"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/email/confirm".into(),
            vec![("token", "x".into())],
            [404, 404, 404, 404, 404, 404],
        ),
        (
            "/labels".into(),
            vec![("locale", "nb".into())],
            [s, 404, 404, 303, 303, 404],
        ),
        (
            "/organizations".into(),
            vec![("name", String::new())],
            [s, 404, 404, 404, 404, 422],
        ),
        (
            format!("/organizations/{nhf}"),
            vec![("name", String::new())],
            [s, 404, 404, 404, 404, 422],
        ),
        (
            format!("/organizations/{nhf}/admins"),
            vec![("email", String::new())],
            [s, 404, 404, 404, 404, 422],
        ),
        (
            format!("/organizations/{random}/admins"),
            vec![("email", "x@example.org".into()), ("name", "X".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        // The last administrator's grant: refused for the global administrator (303 back).
        (
            format!("/organizations/{nhf}/admins/{nhf_admin_grant}/revoke"),
            vec![],
            [s, 404, 404, 404, 404, 303],
        ),
        (
            format!("/mentors/{mentor_profile}/status"),
            vec![("status", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/mentors/{mentor_profile}"),
            vec![("max_contacts", "x".into())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            "/contacts".into(),
            vec![("name", String::new())],
            [s, 422, 422, 422, 422, 404],
        ),
        (
            format!("/contacts/{mine}"),
            vec![("name", String::new())],
            [s, 422, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{outside}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            format!("/contacts/{mine}/caregivers"),
            vec![("cg_name", String::new())],
            [s, 422, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{coordinators}/notes"),
            vec![("body", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{blind_contact}/notes"),
            vec![("body", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
        (
            format!("/contacts/{mine}/mentors"),
            vec![("mentor_id", "x".into())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{mine}/mentors/{random}/end"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/account/settings".into(),
            vec![("language", "nb".into())],
            [s, 303, 303, 303, 303, 303],
        ),
        (
            "/account/notifications".into(),
            vec![("in_app", "claim.approved".into())],
            [s, 303, 303, 303, 303, 303],
        ),
        (
            "/notifications/read".into(),
            vec![],
            [s, 303, 303, 303, 303, 303],
        ),
        (
            format!("/notifications/{random}/read"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/notifications/{random}/open"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/notifications/admin".into(),
            vec![("reminder_inactive_days", "0".into())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/notifications/admin/outbox/{random}/retry"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/account/password".into(),
            vec![("current", String::new())],
            [s, 422, 422, 422, 422, 422],
        ),
        (
            format!("/account/invitations/{random}/accept"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/account/invitations/{random}/decline"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/account/invitations/not-a-uuid/accept".into(),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/activities".into(),
            vec![("occurred_on", String::new())],
            [s, 422, 422, 404, 404, 404],
        ),
        (
            format!("/activities/{mentor_act}"),
            vec![("activity_type_id", String::new())],
            [s, 422, 422, 404, 404, 404],
        ),
        (
            format!("/activities/{blind_act}/cancel"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/activity-types".into(),
            vec![("name", String::new())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/activity-types/{nhf_type}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            format!("/activities/{mentor_act}/documents"),
            vec![],
            [s, 422, 422, 404, 404, 404],
        ),
        (
            format!("/activities/{blind_act}/documents"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/activities/{mentor_act}/documents/{random}/delete"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/activities/{blind_act}/documents/{document}/delete"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts = [
        posts,
        event_posts(&app, &random),
        learning_posts,
        program_posts,
        report_posts,
        wrapped_posts,
        contact_posts,
        assignment_posts,
        expense_posts,
        engagement_posts,
    ]
    .concat();

    let mut failures = Vec::new();
    for (i, who) in WHO.iter().enumerate() {
        app.logout().await;
        if let Some(e) = email(*who) {
            assert_eq!(app.login(e).await.status, 303, "{e} signs in");
        }
        for (path, expected) in &table {
            let got = app.get(path).await.status;
            if got != expected[i] {
                failures.push(format!(
                    "GET {path} as {who:?}: expected {}, got {got}",
                    expected[i]
                ));
            }
        }
        for (path, form, expected) in &posts {
            let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let got = app.post(path, &fields).await.status;
            if got != expected[i] {
                failures.push(format!(
                    "POST {path} as {who:?}: expected {}, got {got}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access table mismatches:\n{}",
        failures.join("\n")
    );
}

/// `POST /import/upload/{kind}` takes a multipart body (the table's form-encoded one is refused
/// with 400 before any role is looked at), so it has its own rows: the import's file with the
/// token first, as the page's form sends it. Each administrator imports into their own
/// organization (a batch to preview); an unknown kind is no page.
async fn the_import_upload_answers_each_role_as_the_table_says(mut app: TestApp) {
    use crate::documents::post_parts;
    use likeperson::schema::import_batches as ib;
    let contacts =
        "navn;lokallag;fødselsår;telefon;kommune\nOpplastet Person;NHF Bærum;1960;;Oslo\n";
    let mentors = "Navn,E-post,Rolle,Lokallag\nKari Ny,kari.ny@example.org,likeperson,NHF Bærum\n";
    let batches =
        |app: &TestApp| -> i64 { ib::table.count().get_result(&mut *app.conn()).unwrap() };
    let s = 303;
    let rows: [(&str, &str, [u16; 6]); 3] = [
        (
            "/import/upload/contacts",
            contacts,
            [s, 404, 404, 303, 303, 404],
        ),
        (
            "/import/upload/mentors",
            mentors,
            [s, 404, 404, 303, 303, 404],
        ),
        (
            "/import/upload/nothing",
            contacts,
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let mut failures = Vec::new();
    for (i, who) in WHO.iter().enumerate() {
        app.logout().await;
        if let Some(e) = email(*who) {
            assert_eq!(app.login(e).await.status, 303, "{e} signs in");
        }
        for (path, csv, expected) in &rows {
            let before = batches(&app);
            let token = app.token().await;
            let res = post_parts(
                &mut app,
                path,
                &[
                    ("csrf_token", None, token.as_bytes()),
                    ("file", Some("import.csv"), csv.as_bytes()),
                ],
            )
            .await;
            let made = batches(&app) - before;
            let target = res.location().to_string();
            let ok = res.status == expected[i]
                && match (who, res.status) {
                    (Who::Anonymous, _) => target.starts_with("/login") && made == 0,
                    (_, 303) => target.starts_with("/import/") && made == 1,
                    _ => made == 0,
                };
            if !ok {
                failures.push(format!(
                    "POST {path} (multipart) as {who:?}: expected {}, got {} to {target:?}, {made} batches made",
                    expected[i], res.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "import upload mismatches:\n{}",
        failures.join("\n")
    );
}

async fn lists_agree_with_what_detail_pages_allow(mut app: TestApp) {
    let href = regex::Regex::new(r#"href="/associations/([0-9a-f\-]{36})""#).unwrap();
    for (email, expected_rows) in [
        ("coordinator@nhf.example", 3usize),
        ("admin@nhf.example", 20),
        ("admin@blindeforbundet.example", 20),
    ] {
        app.logout().await;
        app.login(email).await;
        let list = app.get("/associations?status=all").await;
        assert_eq!(list.status, 200);
        let ids: std::collections::BTreeSet<String> = href
            .captures_iter(&list.body)
            .map(|c| c[1].to_string())
            .collect();
        assert_eq!(
            ids.len(),
            expected_rows,
            "{email} sees {expected_rows} associations"
        );
        for id in &ids {
            assert_eq!(
                app.get(&format!("/associations/{id}")).await.status,
                200,
                "{email} may open {id} from the list"
            );
        }
        let own_org = if email.ends_with("nhf.example") {
            "NHF"
        } else {
            "Blindeforbundet"
        };
        let other = if own_org == "NHF" {
            "Blindeforbundet"
        } else {
            "NHF"
        };
        for id in app.association_ids(other) {
            assert!(
                !ids.contains(&id),
                "{email} never sees {other}'s associations"
            );
        }
        assert!(
            !list.has(&format!(">{other} ")),
            "no name of the other organization's associations appears"
        );
    }
}

/// The events rows: (upcoming in scope, elsewhere in NHF, Blindeforbundet's, past unmarked,
/// produced).
fn event_gets(app: &TestApp, random: &str) -> Vec<(String, [u16; 6])> {
    use crate::events::{event_in, HOME, OPEN, PRODUCED};
    let s = 303;
    let open = event_in(app, HOME, OPEN);
    let elsewhere = event_in(app, "NHF Tromsø", OPEN);
    let blind = event_in(app, "Blindeforbundet Oslo sentrum", OPEN);
    let produced = event_in(app, HOME, PRODUCED);
    vec![
        ("/events".into(), [s, 200, 200, 200, 200, 404]),
        (
            format!("/events?association={open}&page=2"),
            [s, 200, 200, 200, 200, 404],
        ),
        ("/events/new".into(), [s, 404, 200, 404, 404, 404]),
        (format!("/events/{open}"), [s, 200, 200, 200, 404, 404]),
        (format!("/events/{elsewhere}"), [s, 404, 404, 200, 404, 404]),
        (format!("/events/{blind}"), [s, 404, 404, 404, 200, 404]),
        (format!("/events/{produced}"), [s, 200, 200, 200, 404, 404]),
        (format!("/events/{random}"), [s, 404, 404, 404, 404, 404]),
        ("/events/not-a-uuid".into(), [s, 404, 404, 404, 404, 404]),
        (format!("/events/{open}/edit"), [s, 404, 200, 404, 404, 404]),
        (
            format!("/events/{elsewhere}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{produced}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{open}/cancel"),
            [s, 404, 200, 404, 404, 404],
        ),
        (
            format!("/events/{blind}/cancel"),
            [s, 404, 404, 404, 404, 404],
        ),
    ]
}

fn event_posts(app: &TestApp, random: &str) -> Vec<PostRow> {
    use crate::events::{event_in, HOME, OPEN, UNMARKED};
    let s = 303;
    let open = event_in(app, HOME, OPEN);
    let elsewhere = event_in(app, "NHF Tromsø", OPEN);
    let blind = event_in(app, "Blindeforbundet Oslo sentrum", OPEN);
    let unmarked = event_in(app, HOME, UNMARKED);
    let mentor = app.user_id("mentor@nhf.example");
    vec![
        (
            "/events".into(),
            vec![("title", String::new())],
            [s, 404, 422, 404, 404, 404],
        ),
        (
            format!("/events/{open}"),
            vec![("title", String::new())],
            [s, 404, 422, 404, 404, 404],
        ),
        (
            format!("/events/{elsewhere}"),
            vec![("title", String::new())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{open}/cancel"),
            vec![("reason", String::new())],
            [s, 404, 422, 404, 404, 404],
        ),
        (
            format!("/events/{blind}/cancel"),
            vec![("reason", "x".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{open}/register"),
            vec![],
            [s, 303, 404, 404, 404, 404],
        ),
        (
            format!("/events/{open}/unregister"),
            vec![],
            [s, 303, 404, 404, 404, 404],
        ),
        (
            format!("/events/{elsewhere}/register"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{random}/register"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{unmarked}/attendees/{mentor}"),
            vec![("status", "attended".into())],
            [s, 404, 303, 404, 404, 404],
        ),
        (
            format!("/events/{blind}/attendees/{mentor}"),
            vec![("status", "attended".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/events/{unmarked}/attendees"),
            vec![("user_id", "x".into())],
            [s, 404, 422, 404, 404, 404],
        ),
        (
            format!("/events/{unmarked}/activity"),
            vec![("mentor_id", String::new())],
            [s, 404, 422, 404, 404, 404],
        ),
        (
            format!("/events/{blind}/activity"),
            vec![("mentor_id", String::new())],
            [s, 404, 404, 404, 404, 404],
        ),
    ]
}

/// The rows of a contact's caregivers and notes, closing and erasing, and the list's filters.
/// Assignments: only Blindeforbundet uses them in the demo, so the NHF roles get 404 (the
/// NHF administrator sees the board saying so, and the settings); Blindeforbundet's
/// administrator sees the trail but never the details.
fn assignment_rows(
    app: &TestApp,
    random: &str,
    blind_contact: &str,
) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::schema::assignments as asg;
    let s = 303;
    let blind: String = asg::table
        .filter(asg::status.eq("dispatched"))
        .select(asg::id)
        .first(&mut *app.conn())
        .unwrap();
    let gets = vec![
        ("/assignments".into(), [s, 404, 404, 200, 200, 404]),
        (
            "/assignments?status=open&overdue=1&mentor=x".into(),
            [s, 404, 404, 200, 200, 404],
        ),
        ("/assignments/new".into(), [s, 404, 404, 404, 404, 404]),
        (
            format!("/assignments/new?contact={blind_contact}"),
            [s, 404, 404, 404, 404, 404],
        ),
        ("/assignments/settings".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/assignments/{blind}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/assignments/{blind}/details"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/assignments/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/assignments/{random}/details"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/assignments/not-a-uuid".into(),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts = vec![
        (
            "/assignments".into(),
            vec![("name", String::new())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/assignments/settings".into(),
            vec![("max_open_per_mentor", "0".into())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/assignments/{blind}/status"),
            vec![("action", "cancel".into()), ("reason", "x".into())],
            [s, 404, 404, 404, 409, 404],
        ),
        (
            format!("/assignments/{blind}/confirm"),
            vec![("password", "x".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/assignments/{blind}/reassign"),
            vec![("mentor_id", "x".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/assignments/{random}/status"),
            vec![("action", "acknowledge".into())],
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    (gets, posts)
}

fn contact_rows(
    app: &TestApp,
    people: &PeopleIds,
    random: &str,
) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::people::care::model::{Caregiver, Note};
    use likeperson::schema::{caregivers, notes};
    let s = 303;
    let t = chrono::Utc::now().naive_utc();
    let (mine, outside) = (&people.mine, &people.outside);
    let cg = uuid::Uuid::new_v4().to_string();
    let note = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(caregivers::table)
        .values(&Caregiver {
            id: cg.clone(),
            contact_id: mine.clone(),
            name: "Pål Pårørende".into(),
            relation: "Bror".into(),
            phone: None,
            email: None,
            may_contact: true,
            created_at: t,
            updated_at: t,
        })
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(notes::table)
        .values(&Note {
            id: note.clone(),
            contact_id: mine.clone(),
            author_id: app.user_id("mentor@nhf.example"),
            body: "Notat".into(),
            created_at: t,
        })
        .execute(&mut *app.conn())
        .unwrap();
    let profile = &people.mentor_profile;
    let gets = vec![
        (
            "/contacts?mentor=none&activity=quiet&status=all".into(),
            [s, 200, 200, 200, 200, 404],
        ),
        (
            format!("/contacts/{mine}?after=2020-01-01~{random}"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/mentors/{profile}?after=x&events_page=2"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/contacts/{mine}/caregivers/{cg}/edit"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/contacts/{mine}/caregivers/{random}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/contacts/{outside}/caregivers/{cg}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/contacts/{mine}/notes/{note}/edit"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/contacts/{mine}/notes/{random}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts: Vec<PostRow> = vec![
        (
            format!("/contacts/{mine}/caregivers/{cg}"),
            vec![("cg_name", String::new())],
            [s, 422, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{mine}/caregivers/{random}/remove"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/contacts/{mine}/notes/{note}"),
            vec![("body", String::new())],
            [s, 422, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{mine}/notes/{random}/remove"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/contacts/{outside}/close"),
            vec![],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/contacts/{outside}/reopen"),
            vec![],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/contacts/{mine}/erase"),
            vec![],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/contacts/{random}/erase"),
            vec![("confirm", "on".into())],
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    (gets, posts)
}

/// Expenses and claims: the mentor's pages, the coordinator's queue and decisions, the
/// administrator's types, rates, rules, tiers and exports.
fn expense_rows(app: &TestApp, random: &str) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::schema::{
        expense_types as et, expenses as ex, reimbursement_exports as rx, reimbursements as rb,
    };
    let s = 303;
    let conn = &mut *app.conn();
    let nhf = org_id(app, "NHF");
    let blind = org_id(app, "Blindeforbundet");
    let mentor = app.user_id("mentor@nhf.example");
    let open_line: String = ex::table
        .filter(ex::user_id.eq(&mentor))
        .filter(ex::reimbursement_id.is_null())
        .select(ex::id)
        .first(conn)
        .unwrap();
    let claim: String = rb::table
        .filter(rb::user_id.eq(&mentor))
        .filter(rb::status.eq("submitted"))
        .select(rb::id)
        .first(conn)
        .unwrap();
    let claimed_line: String = ex::table
        .filter(ex::reimbursement_id.eq(&claim))
        .select(ex::id)
        .first(conn)
        .unwrap();
    let blind_claim: String = rb::table
        .filter(rb::organization_id.eq(&blind))
        .filter(rb::status.eq("submitted"))
        .select(rb::id)
        .first(conn)
        .unwrap();
    let nhf_export: String = rx::table
        .filter(rx::organization_id.eq(&nhf))
        .select(rx::id)
        .first(conn)
        .unwrap();
    let nhf_type: String = et::table
        .filter(et::organization_id.eq(&nhf))
        .select(et::id)
        .first(conn)
        .unwrap();
    let gets: Vec<(String, [u16; 6])> = vec![
        ("/expenses".into(), [s, 200, 404, 404, 404, 404]),
        ("/expenses/new".into(), [s, 200, 404, 404, 404, 404]),
        (
            format!("/expenses/new?type={nhf_type}"),
            [s, 200, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/new?activity={random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/preview?type={nhf_type}&spent_on=2025-01-01&km=10"),
            [s, 200, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/{open_line}"),
            [s, 200, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/{open_line}/edit"),
            [s, 200, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/{claimed_line}"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/expenses/{claimed_line}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (format!("/expenses/{random}"), [s, 404, 404, 404, 404, 404]),
        (
            format!("/expenses/{open_line}/receipts/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        ("/claims".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/claims?reason=threshold&min=10&max=x&age=1&after=junk".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        (format!("/claims/{claim}"), [s, 200, 200, 200, 404, 404]),
        (
            format!("/claims/{blind_claim}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (format!("/claims/{random}"), [s, 404, 404, 404, 404, 404]),
        ("/claims/exports".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/claims/exports/{nhf_export}.csv"),
            [s, 404, 404, 200, 404, 404],
        ),
        (
            format!("/claims/exports/{nhf_export}.xlsx"),
            [s, 404, 404, 200, 404, 404],
        ),
        ("/expense-types".into(), [s, 404, 404, 200, 200, 404]),
        ("/expense-types/new".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/expense-types/{nhf_type}/edit"),
            [s, 404, 404, 200, 404, 404],
        ),
        ("/mileage-rates".into(), [s, 404, 404, 200, 200, 404]),
        ("/expense-settings".into(), [s, 404, 404, 200, 200, 404]),
        ("/honorarium".into(), [s, 404, 404, 200, 200, 404]),
        (
            format!("/honorarium?association={random}"),
            [s, 404, 404, 200, 200, 404],
        ),
        ("/expense-totals".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/expense-totals?year=1850".into(),
            [s, 404, 200, 200, 200, 404],
        ),
    ];
    let posts: Vec<PostRow> = vec![
        ("/expenses".into(), vec![], [s, 422, 404, 404, 404, 404]),
        (
            format!("/expenses/{claimed_line}"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/{random}/delete"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/expenses/{claimed_line}/delete"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        ("/claims".into(), vec![], [s, 422, 404, 404, 404, 404]),
        (
            "/claims".into(),
            vec![("expense", random.to_string())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/claims/{claim}/decide"),
            vec![("decision", "reject".into()), ("note", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/claims/{claim}/decide"),
            vec![("decision", "nonsense".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/claims/{blind_claim}/decide"),
            vec![("decision", "reject".into()), ("note", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
        (
            format!("/claims/{claim}/submit"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/claims/approve".into(),
            vec![],
            [s, 404, 303, 303, 303, 404],
        ),
        (
            format!("/claims/exports/{random}/paid"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/expense-types".into(),
            vec![("name", String::new())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/expense-types/{nhf_type}"),
            vec![("name", String::new())],
            [s, 404, 404, 422, 404, 404],
        ),
        (
            "/mileage-rates".into(),
            vec![],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            "/expense-settings".into(),
            vec![],
            [s, 404, 404, 422, 422, 404],
        ),
        ("/honorarium".into(), vec![], [s, 404, 404, 422, 422, 404]),
        (
            format!("/honorarium/{random}/delete"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    (gets, posts)
}

/// The engagement area and the import (issue 16). The recruitment link's landing page is
/// public; renewing a link is left out (it would end the link the GET rows use).
fn engagement_rows(app: &TestApp, random: &str) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::schema::{
        badges as b, external_resources as er, recruitment_referrals as rr, toolbox_cards as tc,
    };
    let s = 303;
    let conn = &mut *app.conn();
    let nhf = org_id(app, "NHF");
    let card: String = tc::table
        .filter(tc::organization_id.eq(&nhf))
        .select(tc::id)
        .first(conn)
        .unwrap();
    let resource: String = er::table
        .filter(er::organization_id.eq(&nhf))
        .select(er::id)
        .first(conn)
        .unwrap();
    let badge: String = b::table
        .filter(b::organization_id.eq(&nhf))
        .select(b::id)
        .first(conn)
        .unwrap();
    let token: String = rr::table
        .filter(rr::organization_id.eq(&nhf))
        .select(rr::token)
        .first(conn)
        .unwrap();
    let guessed = "0123456789abcdef0123456789abcdef";
    let admin = [s, 404, 404, 200, 200, 404];
    let nhf_admin = [s, 404, 404, 200, 404, 404];
    let none = [s, 404, 404, 404, 404, 404];
    let gets: Vec<(String, [u16; 6])> = vec![
        ("/toolbox".into(), [s, 200, 200, 200, 200, 404]),
        (
            "/toolbox?q=%25&category=x&favourites=1".into(),
            [s, 200, 200, 200, 200, 404],
        ),
        (format!("/toolbox/{card}"), [s, 200, 200, 200, 404, 404]),
        (format!("/toolbox/{random}"), none),
        (format!("/toolbox/{card}/picture"), none),
        ("/toolbox/manage".into(), admin),
        ("/toolbox/new".into(), admin),
        (format!("/toolbox/{card}/edit"), nhf_admin),
        ("/resources".into(), [s, 200, 200, 200, 200, 404]),
        ("/resources/new".into(), admin),
        (format!("/resources/{resource}/edit"), nhf_admin),
        (format!("/resources/{random}/edit"), none),
        ("/badges".into(), admin),
        ("/badges/new".into(), admin),
        (format!("/badges/{badge}/edit"), nhf_admin),
        (format!("/badges/{badge}/picture"), none),
        ("/badges/mine".into(), [s, 200, 200, 404, 404, 404]),
        ("/recruit".into(), [s, 200, 404, 404, 404, 404]),
        ("/recruit/qr.svg".into(), [s, 200, 404, 404, 404, 404]),
        ("/recruit/totals".into(), [s, 404, 200, 200, 200, 404]),
        (format!("/r/{token}"), [200; 6]),
        (format!("/r/{guessed}"), [404; 6]),
        ("/r/not-a-token".into(), [404; 6]),
        ("/organization-settings".into(), admin),
        ("/import".into(), admin),
        ("/import/sample/contacts".into(), admin),
        ("/import/sample/other".into(), none),
        (format!("/import/{random}"), none),
        (format!("/import/{random}/rejected.csv"), none),
    ];
    let empty = |k: &'static str| vec![(k, String::new())];
    let posts: Vec<PostRow> = vec![
        (
            "/toolbox".into(),
            empty("title"),
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/toolbox/{card}"),
            empty("title"),
            [s, 404, 404, 422, 404, 404],
        ),
        (
            format!("/toolbox/{card}/favourite"),
            vec![],
            [s, 303, 303, 303, 404, 404],
        ),
        (
            format!("/toolbox/{card}/move"),
            vec![("dir", "left".into())],
            none,
        ),
        (format!("/toolbox/{random}/delete"), vec![], none),
        (
            "/resources".into(),
            empty("title"),
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/resources/{resource}"),
            empty("title"),
            [s, 404, 404, 422, 404, 404],
        ),
        (format!("/resources/{random}/delete"), vec![], none),
        (
            "/badges".into(),
            empty("name"),
            [s, 404, 404, 422, 422, 404],
        ),
        (
            format!("/badges/{badge}"),
            empty("name"),
            [s, 404, 404, 422, 404, 404],
        ),
        (
            "/organization-settings".into(),
            vec![("membership_url", "javascript:alert(1)".into())],
            [s, 404, 404, 422, 422, 404],
        ),
        (format!("/import/{random}/run"), vec![], none),
    ];
    (gets, posts)
}

/// The reports rows: the list, this year's Bufdir report (a coordinator sees the draft of
/// their associations) and its lifecycle, which only an organization administrator moves, and
/// the team report with its exports.
fn report_rows() -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use chrono::Datelike;
    let s = 303;
    let year = likeperson::activities::service::today().year();
    let gets = vec![
        ("/reports".into(), [s, 404, 200, 200, 200, 404]),
        (
            format!("/reports/bufdir/{year}"),
            [s, 404, 200, 200, 200, 404],
        ),
        ("/reports/bufdir/1066".into(), [s, 404, 404, 404, 404, 404]),
        // No version has been finalized yet: nothing to compare, for every role.
        (
            format!("/reports/bufdir/{year}/compare"),
            [s, 404, 404, 404, 404, 404],
        ),
        // A draft's run: nothing running answers with the report's address.
        (
            format!("/reports/bufdir/{year}/progress"),
            [s, 404, 303, 303, 303, 404],
        ),
        // The team report: the actor's own associations (or organization) by default; one
        // that is not theirs to pick is out of scope.
        ("/reports/team".into(), [s, 404, 200, 200, 200, 404]),
        (
            "/reports/team/export.csv".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        (
            "/reports/team/export.xlsx".into(),
            [s, 404, 200, 200, 200, 404],
        ),
        (
            "/reports/team/export.pdf".into(),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            "/reports/team?association=not-an-association".into(),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts = vec![
        (
            format!("/reports/bufdir/{year}/finalize"),
            vec![],
            [s, 404, 404, 303, 303, 404],
        ),
        (
            format!("/reports/bufdir/{year}/submit"),
            vec![],
            [s, 404, 404, 303, 303, 404],
        ),
    ];
    (gets, posts)
}

/// The annual summary ("Wrapped") rows: the mentor's own year and card (last year, computed by
/// the demo seed), a mentor's year for a coordinator or administrator, the scope's totals and
/// "compute again" (past years only).
fn wrapped_rows(app: &TestApp) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use chrono::Datelike;
    use likeperson::schema::annual_summaries as asum;
    let s = 303;
    let this = likeperson::activities::service::today().year();
    let last = this - 1;
    let mentor = app.user_id("mentor@nhf.example");
    let blind_mentor = app.user_id("mentor@blindeforbundet.example");
    // The card exists when the demo's random activities gave the mentor a figure last year.
    let has_card = asum::table
        .filter(asum::user_id.eq(&mentor))
        .filter(asum::year.eq(last))
        .filter(asum::activities.gt(0))
        .count()
        .get_result::<i64>(&mut *app.conn())
        .unwrap()
        > 0;
    let card = if has_card { 200 } else { 404 };
    let gets = vec![
        (format!("/wrapped/{last}"), [s, 200, 404, 404, 404, 404]),
        (format!("/wrapped/{this}"), [s, 200, 404, 404, 404, 404]),
        ("/wrapped/1066".into(), [s, 404, 404, 404, 404, 404]),
        (
            format!("/wrapped/{last}/card.svg"),
            [s, card, 404, 404, 404, 404],
        ),
        (
            format!("/wrapped/{this}/card.svg"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/wrapped/{last}/organization"),
            [s, 404, 200, 200, 200, 404],
        ),
        (
            format!("/wrapped/{last}/mentors/{mentor}"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/wrapped/{last}/mentors/{blind_mentor}"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/wrapped/{last}/mentors/nonsense"),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts = vec![
        (
            format!("/wrapped/{last}/recompute"),
            vec![],
            [s, 404, 303, 303, 303, 404],
        ),
        (
            format!("/wrapped/{this}/recompute"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    (gets, posts)
}

/// The learning rows: courses (NHF's full one in the coordinator's home association, its past
/// one, Blindeforbundet's), a certificate of the NHF mentor and its public verification, the
/// approval requirement pages.
fn learning_rows(app: &TestApp, random: &str) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::learning::seed::{FULL, OPEN, PAST};
    use likeperson::schema::{certifications as ct, course_days as cd, courses as co};
    let s = 303;
    let course = |org: &str, title: &str| -> String {
        co::table
            .filter(co::organization_id.eq(org_id(app, org)))
            .filter(co::title.eq(title))
            .select(co::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let (full, open, past) = (
        course("NHF", FULL),
        course("NHF", OPEN),
        course("NHF", PAST),
    );
    let blind = course("Blindeforbundet", FULL);
    let day: String = cd::table
        .filter(cd::course_id.eq(&past))
        .select(cd::id)
        .first(&mut *app.conn())
        .unwrap();
    let mentor = app.user_id("mentor@nhf.example");
    let (cert, token): (String, String) = ct::table
        .filter(ct::user_id.eq(&mentor))
        .filter(ct::revoked_at.is_null())
        .order(ct::name.asc())
        .select((ct::id, ct::verify_token))
        .first(&mut *app.conn())
        .unwrap();
    let gets = vec![
        ("/courses".into(), [s, 200, 200, 200, 200, 404]),
        ("/courses/new".into(), [s, 404, 200, 200, 200, 404]),
        (format!("/courses/{full}"), [s, 200, 200, 200, 404, 404]),
        (format!("/courses/{blind}"), [s, 404, 404, 404, 200, 404]),
        (format!("/courses/{random}"), [s, 404, 404, 404, 404, 404]),
        (
            format!("/courses/{past}/days/{day}"),
            [s, 404, 200, 200, 404, 404],
        ),
        ("/certifications".into(), [s, 200, 200, 200, 200, 404]),
        (
            format!("/certifications/{cert}"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/certifications/{cert}/qr.svg"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/certifications/{cert}/pdf"),
            [s, 200, 200, 200, 404, 404],
        ),
        (
            format!("/certifications/{random}"),
            [s, 404, 404, 404, 404, 404],
        ),
        (format!("/verify/{token}"), [200; 6]),
        (format!("/verify/{cert}"), [404; 6]),
        ("/requirement-settings".into(), [s, 404, 404, 200, 200, 404]),
        ("/requirements/mine".into(), [s, 200, 404, 404, 404, 404]),
        ("/requirements/mentors".into(), [s, 404, 200, 200, 200, 404]),
        (
            format!("/courses/{full}/edit"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/courses/{blind}/edit"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/courses/{past}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/courses/{full}/cancel"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/courses/{blind}/cancel"),
            [s, 404, 404, 404, 200, 404],
        ),
        (
            format!("/courses/{full}/message"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/courses/{blind}/message"),
            [s, 404, 404, 404, 200, 404],
        ),
    ];
    // An approval requirement of NHF's (the demo has them only for Barnekreftforeningen).
    let requirement = {
        use likeperson::learning::requirements::model::Requirement;
        use likeperson::schema::approval_requirements as ar;
        let t = likeperson::db::now();
        let r = Requirement {
            id: likeperson::db::new_id(),
            organization_id: org_id(app, "NHF"),
            kind: "declaration".into(),
            name: "Taushetserklæring".into(),
            certification_name: None,
            validity_months: None,
            is_active: true,
            created_at: t,
            updated_at: t,
        };
        diesel::insert_into(ar::table)
            .values(&r)
            .execute(&mut *app.conn())
            .unwrap();
        r.id
    };
    let posts: Vec<PostRow> = vec![
        (
            "/courses".into(),
            vec![("title", String::new())],
            [s, 404, 422, 422, 422, 404],
        ),
        (
            format!("/courses/{open}/enroll"),
            vec![],
            [s, 303, 404, 404, 404, 404],
        ),
        (
            format!("/courses/{open}/withdraw"),
            vec![],
            [s, 303, 404, 404, 404, 404],
        ),
        (
            format!("/courses/{blind}/enroll"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/courses/{full}/enrollments"),
            vec![("user_id", mentor.clone()), ("action", "enroll".into())],
            [s, 404, 303, 303, 404, 404],
        ),
        (
            format!("/courses/{past}/days/{day}/all"),
            vec![],
            [s, 404, 303, 303, 404, 404],
        ),
        (
            format!("/certifications/{cert}/revoke"),
            vec![("reason", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            "/requirement-settings".into(),
            vec![("kind", String::new())],
            [s, 404, 404, 422, 422, 404],
        ),
        (
            "/requirements/mentors".into(),
            vec![("user_id", String::new())],
            [s, 404, 422, 422, 422, 404],
        ),
        (
            format!("/requirement-settings/{requirement}/active"),
            vec![("active", "yes".into())],
            [s, 404, 404, 303, 404, 404],
        ),
        (
            format!("/requirement-settings/{random}/active"),
            vec![("active", "yes".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        // Completing a course before its last day: a message, nothing changed.
        (
            format!("/courses/{full}/complete"),
            vec![],
            [s, 404, 303, 303, 404, 404],
        ),
        (
            format!("/courses/{blind}/complete"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
        (
            format!("/courses/{full}"),
            vec![("title", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/courses/{blind}"),
            vec![("title", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
        (
            format!("/courses/{full}/cancel"),
            vec![("reason", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/courses/{blind}/cancel"),
            vec![("reason", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
        (
            format!("/courses/{full}/message"),
            vec![("body", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/courses/{blind}/message"),
            vec![("body", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
    ];
    (gets, posts)
}

/// The group program rows: an NHF program to come and one under way (a day begun) in the
/// coordinator's association, and Blindeforbundet's demo workshop plus one its administrator
/// cancels.
fn program_rows(app: &TestApp, random: &str) -> (Vec<(String, [u16; 6])>, Vec<PostRow>) {
    use likeperson::learning::programs::seed::{insert_program, PAST_PROGRAM};
    use likeperson::schema::mentor_programs as mp;
    let s = 303;
    let nhf = org_id(app, "NHF");
    let scope = coordinator_scope(app);
    let new = |org: &str, scope: Option<&str>, title: &str, days: &[i64]| {
        insert_program(&mut app.conn(), org, scope, "group_mentoring", title, days).unwrap()
    };
    let (up, _) = new(&nhf, Some(&scope), "Samtalegruppe", &[5, 12]);
    let (now, now_days) = new(&nhf, Some(&scope), "Samtalegruppe i gang", &[-1, 6]);
    let (up, now, day) = (up.id, now.id, now_days[0].id.clone());
    let blind: String = mp::table
        .filter(mp::title.eq(PAST_PROGRAM))
        .select(mp::id)
        .first(&mut *app.conn())
        .unwrap();
    let blind_org = org_id(app, "Blindeforbundet");
    let (doomed, _) = new(&blind_org, None, "Avlyses", &[9]);
    let doomed = doomed.id;
    let gets = vec![
        ("/programs".into(), [s, 200, 200, 200, 200, 404]),
        ("/programs/new".into(), [s, 404, 200, 200, 200, 404]),
        (format!("/programs/{up}"), [s, 404, 200, 200, 404, 404]),
        (format!("/programs/{blind}"), [s, 404, 404, 404, 200, 404]),
        (format!("/programs/{random}"), [s, 404, 404, 404, 404, 404]),
        (format!("/programs/{up}/edit"), [s, 404, 200, 200, 404, 404]),
        (
            format!("/programs/{now}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/programs/{blind}/edit"),
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/programs/{now}/days/{day}"),
            [s, 404, 200, 200, 404, 404],
        ),
        (
            format!("/programs/{up}/days/{day}"),
            [s, 404, 404, 404, 404, 404],
        ),
    ];
    let posts: Vec<PostRow> = vec![
        (
            "/programs".into(),
            vec![("title", String::new())],
            [s, 404, 422, 422, 422, 404],
        ),
        (
            format!("/programs/{up}"),
            vec![("title", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/programs/{blind}"),
            vec![("title", String::new())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/programs/{up}/participants"),
            vec![("user_id", String::new())],
            [s, 404, 422, 422, 404, 404],
        ),
        (
            format!("/programs/{blind}/participants"),
            vec![("user_id", String::new())],
            [s, 404, 404, 404, 422, 404],
        ),
        (
            format!("/programs/{up}/participants/{random}/remove"),
            vec![],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/programs/{now}/days/{day}/all"),
            vec![],
            [s, 404, 303, 303, 404, 404],
        ),
        (
            format!("/programs/{now}/days/{day}/{random}"),
            vec![("attended", "yes".into())],
            [s, 404, 404, 404, 404, 404],
        ),
        (
            format!("/programs/{doomed}/cancel"),
            vec![],
            [s, 404, 404, 404, 303, 404],
        ),
    ];
    (gets, posts)
}
