//! The start pages by role: the mentor's one-tap registration for a contact, their events and
//! this year's count; the coordinator's to-do list, this month's figures per association and
//! quiet mentors, all within scope; the organization administrator's figures and what needs
//! configuring; the global administrator's organizations without an administrator.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{
    activities as act, activity_types as at, contacts, local_associations as la,
    organizations as o, user_organization_roles as uor,
};

on_both_backends!(
    the_mentor_starts_with_register_and_registers_for_a_contact_in_two_taps,
    the_registration_form_takes_only_prefills_in_scope,
    the_mentors_year_count_and_events_come_from_the_database,
    the_coordinators_todo_counts_follow_changes_in_scope_only,
    the_coordinators_month_figures_per_association_and_quiet_mentors,
    the_org_admin_sees_figures_and_what_needs_configuring,
    the_global_admin_sees_organizations_without_an_administrator,
    start_pages_speak_english_to_english_users,
);

pub fn association(app: &TestApp, name: &str) -> String {
    la::table
        .filter(la::name.eq(name))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

pub fn contact_named(app: &TestApp, name: &str) -> String {
    contacts::table
        .filter(contacts::name.eq(name))
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// An active NHF activity type of this kind.
pub fn nhf_type(app: &TestApp, kind: &str) -> String {
    at::table
        .inner_join(o::table)
        .filter(o::short_name.eq("NHF"))
        .filter(at::kind.eq(kind))
        .filter(at::is_active.eq(true))
        .order(at::sort_order.asc())
        .select(at::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn today() -> String {
    likeperson::activities::service::today().to_string()
}

/// The number in front of a to-do line.
fn todo_count(body: &str, label: &str) -> i64 {
    let re = regex::Regex::new(&format!(
        r#"<strong class="todo-count">(\d+)</strong> {}"#,
        regex::escape(label)
    ))
    .unwrap();
    re.captures(body)
        .unwrap_or_else(|| panic!("a to-do line for {label:?}"))[1]
        .parse()
        .unwrap()
}

/// The "activities" figure of an association's row of this month's table.
fn month_activities(body: &str, association_id: &str) -> i64 {
    let re = regex::Regex::new(&format!(
        r#"association={association_id}">[^<]*</a></th>\s*<td data-label="[^"]*">(\d+)</td>"#
    ))
    .unwrap();
    re.captures(body)
        .unwrap_or_else(|| panic!("a row for {association_id} in {body}"))[1]
        .parse()
        .unwrap()
}

/// A contact created through the form (by a mentor it is assigned to them).
async fn create_contact(app: &mut TestApp, name: &str, association_id: &str) -> String {
    let res = app
        .post(
            "/contacts",
            &[("name", name), ("association_id", association_id)],
        )
        .await;
    assert_eq!(res.status, 303, "{name} is created: {}", res.body);
    contact_named(app, name)
}

async fn the_mentor_starts_with_register_and_registers_for_a_contact_in_two_taps(mut app: TestApp) {
    let home_assoc = association(&app, "NHF Oslo sentrum");
    app.login("mentor@nhf.example").await;
    let contact = create_contact(&mut app, "Åse Tapstad", &home_assoc).await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    let register = home.body.find("Registrer aktivitet").unwrap();
    let contacts_heading = home.body.find("Mine kontakter").unwrap();
    assert!(
        register < contacts_heading,
        "register activity comes before everything else"
    );
    assert!(home.has(r#"class="ds-button home-register" data-variant="primary" data-size="lg" href="/activities/new""#));
    assert!(home.has("Åse Tapstad"));
    assert!(
        home.has("Ingen aktivitet ennå"),
        "a new contact has none yet"
    );

    // Tap 1: the contact's register link opens the form with contact and association chosen.
    let re = regex::Regex::new(&format!(
        r#"href="(/activities/new\?contact_id={contact}[^"]*)""#
    ))
    .unwrap();
    let link = re
        .captures(&home.body)
        .expect("a register link for the contact")[1]
        .replace("&#38;", "&");
    assert!(link.contains(&format!("local_association_id={home_assoc}")));
    let form = app.get(&link).await;
    assert_eq!(form.status, 200);
    assert!(form.has(&format!(r#"<option value="{contact}" selected>"#)));
    assert!(form.has(&format!(r#"<option value="{home_assoc}" selected>"#)));

    // Tap 2: register. The mentor's last type and minutes came with the link.
    let activity_type = regex::Regex::new(r#"activity_type_id=([0-9a-f\-]{36})"#)
        .unwrap()
        .captures(&link)
        .map(|c| c[1].to_string())
        .expect("the mentor's last type is prefilled");
    assert!(form.has(&format!(r#"value="{activity_type}" required checked"#)));
    let minutes = regex::Regex::new(r#"duration_minutes=(\d+)"#)
        .unwrap()
        .captures(&link)
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| "60".into());
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", activity_type.as_str()),
                ("occurred_on", &today()),
                ("duration_minutes", &minutes),
                ("contact_id", &contact),
                ("local_association_id", &home_assoc),
                ("mentor_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "registered: {}", res.body);
    let home = app.get("/").await;
    let shown = likeperson::activities::service::today()
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        home.has(&format!(
            r#"<a href="/activities?contact={contact}">{shown}</a>"#
        )),
        "the contact now shows today's activity, linked to their activities"
    );
    let list = app.get(&format!("/activities?contact={contact}")).await;
    assert_eq!(list.status, 200);
    let rows = regex::Regex::new(r#"href="/activities/[0-9a-f\-]{36}""#).unwrap();
    assert_eq!(
        rows.find_iter(&list.body).count(),
        1,
        "the contact's one activity, and only it"
    );
}

async fn the_registration_form_takes_only_prefills_in_scope(mut app: TestApp) {
    let blind_contact: String = contacts::table
        .inner_join(o::table.on(o::id.eq(contacts::organization_id)))
        .filter(o::short_name.eq("Blindeforbundet"))
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap();
    let kind = nhf_type(&app, "one_to_one");
    app.login("mentor@nhf.example").await;
    let form = app
        .get(&format!(
            "/activities/new?contact_id={blind_contact}&activity_type_id={kind}&duration_minutes=45&local_association_id=nonsense"
        ))
        .await;
    assert_eq!(form.status, 200);
    assert!(
        !form.has(&format!(r#"<option value="{blind_contact}""#)),
        "another organization's contact is neither offered nor chosen"
    );
    assert!(form.has(&format!(r#"value="{kind}" required checked"#)));
    assert!(form.has(r#"value="45""#));
    let odd = app
        .get("/activities/new?duration_minutes=x&activity_type_id=y&contact_id=%3Cb%3E")
        .await;
    assert_eq!(
        odd.status, 200,
        "nonsense prefills are shown, never a 400 or 500"
    );
    assert!(!odd.has("<b>"), "and escaped");
    app.logout().await;
    app.login("admin@nhf.example").await;
    assert_eq!(
        app.get(&format!("/activities/new?contact={blind_contact}"))
            .await
            .status,
        404
    );
}

async fn the_mentors_year_count_and_events_come_from_the_database(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let year_start = likeperson::activities::service::today()
        .format("%Y-01-01")
        .to_string();
    let expected: i64 = act::table
        .filter(act::mentor_id.eq(&mentor))
        .filter(act::status.eq("registered"))
        .filter(
            act::occurred_on
                .ge(chrono::NaiveDate::parse_from_str(&year_start, "%Y-%m-%d").unwrap()),
        )
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    let home = app.get("/").await;
    assert!(
        home.has(&format!(
            "<strong>{expected}</strong> aktiviteter registrert"
        )),
        "this year's count is {expected}"
    );
    assert!(home.has(&format!("/activities?from={year_start}&#38;to=")));
    assert!(
        home.has(crate::events::OPEN),
        "an upcoming event of the mentor's association is listed"
    );
    assert!(
        !home.has(crate::events::UNMARKED),
        "a past event is not upcoming"
    );
    // One more activity counts at once.
    let contact = contact_named_assigned(&app, &mentor);
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &nhf_type(&app, "phone")),
                ("occurred_on", &today()),
                ("duration_minutes", "15"),
                ("contact_id", &contact.0),
                ("local_association_id", &contact.1),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let home = app.get("/").await;
    assert!(home.has(&format!(
        "<strong>{}</strong> aktiviteter registrert",
        expected + 1
    )));
}

/// A contact assigned to the user, in one of the user's associations: (contact, association).
pub fn contact_named_assigned(app: &TestApp, user: &str) -> (String, String) {
    use likeperson::schema::contact_mentors as cm;
    let assocs: Vec<Option<String>> = uor::table
        .filter(uor::user_id.eq(user))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .select(uor::local_association_id)
        .load(&mut *app.conn())
        .unwrap();
    let assocs: Vec<String> = assocs.into_iter().flatten().collect();
    contacts::table
        .inner_join(cm::table)
        .filter(cm::user_id.eq(user))
        .filter(cm::ended_at.is_null())
        .filter(contacts::local_association_id.eq_any(assocs))
        .select((contacts::id, contacts::local_association_id))
        .first(&mut *app.conn())
        .unwrap()
}

const NO_MENTOR: &str = "kontakter uten likeperson";
const NOT_REACHED: &str = "kontakter uten aktivitet de siste 10 dagene";
const AWAITING: &str = "arrangementer venter på oppmøteregistrering";
const QUIET: &str = "likepersoner uten aktivitet de siste 30 dagene";

async fn the_coordinators_todo_counts_follow_changes_in_scope_only(mut app: TestApp) {
    let in_scope = association(&app, "NHF Bærum");
    let home_assoc = association(&app, "NHF Oslo sentrum");
    let outside = association(&app, "NHF Tromsø");
    app.login("coordinator@nhf.example").await;
    let before = app.get("/").await;
    assert_eq!(before.status, 200);
    let (no_mentor, not_reached, awaiting) = (
        todo_count(&before.body, NO_MENTOR),
        todo_count(&before.body, NOT_REACHED),
        todo_count(&before.body, AWAITING),
    );
    assert!(awaiting >= 1, "the demo's unmarked event waits");
    assert!(before.has(r#"href="/events""#));
    assert!(before.has(&format!(
        r#"href="{}""#,
        likeperson::home::service::HREF_CONTACTS_NO_MENTOR
    )));

    // A contact without a mentor in scope counts; one outside the coordinator's associations
    // (created by the organization administrator) does not.
    create_contact(&mut app, "Uten Mentor Innenfor", &in_scope).await;
    app.logout().await;
    app.login("admin@nhf.example").await;
    create_contact(&mut app, "Uten Mentor Utenfor", &outside).await;
    app.logout().await;

    // A mentor's new contact has a mentor and no activity: not reached.
    app.login("mentor@nhf.example").await;
    let reached = create_contact(&mut app, "Ny Kontakt Nåddsen", &home_assoc).await;
    app.logout().await;

    app.login("coordinator@nhf.example").await;
    let after = app.get("/").await;
    assert_eq!(todo_count(&after.body, NO_MENTOR), no_mentor + 1);
    assert_eq!(todo_count(&after.body, NOT_REACHED), not_reached + 1);
    assert_eq!(todo_count(&after.body, AWAITING), awaiting);

    // An activity with the contact today takes it off the list.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &nhf_type(&app, "one_to_one")),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("contact_id", &reached),
                ("local_association_id", &home_assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let last = app.get("/").await;
    assert_eq!(todo_count(&last.body, NOT_REACHED), not_reached);

    // Another organization's coordinator is not moved by any of it.
    app.logout().await;
    app.login("coordinator@blindeforbundet.example").await;
    let blind = app.get("/").await;
    assert!(!blind.has("Uten Mentor"));
    assert!(!blind.has("NHF Bærum"));
}

async fn the_coordinators_month_figures_per_association_and_quiet_mentors(mut app: TestApp) {
    let home_assoc = association(&app, "NHF Oslo sentrum");
    let tromso = association(&app, "NHF Tromsø");
    app.login("coordinator@nhf.example").await;
    let before = app.get("/").await;
    let count = month_activities(&before.body, &home_assoc);
    assert!(
        !before.has(&format!("association={tromso}")),
        "only the coordinator's associations have rows"
    );
    let quiet = todo_count(&before.body, QUIET);
    app.logout().await;

    // An activity this month in the association adds one to its row.
    app.login("mentor@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let (contact, assoc) = contact_named_assigned(&app, &mentor);
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &nhf_type(&app, "one_to_one")),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("contact_id", &contact),
                ("local_association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.logout().await;

    // A new peer mentor in scope, and one outside it, without any activity.
    app.login("admin@nhf.example").await;
    for (email, name, a) in [
        (
            "stille@nhf.example",
            "Østen Stille",
            association(&app, "NHF Bærum"),
        ),
        ("borte@nhf.example", "Østen Borte", tromso.clone()),
    ] {
        let res = app
            .post(
                "/users/invite",
                &[
                    ("email", email),
                    ("name", name),
                    ("role", "peer_mentor"),
                    ("association_id", &a),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{name} is invited: {}", res.body);
        app.set_password_by_mail(email, "quiet-river-morning").await;
    }
    app.logout().await;

    app.login("coordinator@nhf.example").await;
    let after = app.get("/").await;
    let expected = count + i64::from(assoc == home_assoc);
    assert_eq!(month_activities(&after.body, &home_assoc), expected);
    assert_eq!(todo_count(&after.body, QUIET), quiet + 1);
    assert!(after.has("Østen Stille"), "the quiet mentor is named");
    assert!(!after.has("Østen Borte"), "outside the scope");
}

async fn the_org_admin_sees_figures_and_what_needs_configuring(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.has("Organisasjonen i tall"));
    assert!(home.has("<strong>20</strong> Lokallag"));
    assert!(home.has("Lokallag uten koordinator"));
    assert!(
        home.has("<strong class=\"todo-count\">17</strong> Lokallag uten koordinator"),
        "17 of the 20 associations have no coordinator"
    );
    assert!(!home.has("Ingen aktivitetstyper"));
    // The link leads to the filtered list, which agrees.
    let list = app.get("/associations?coordinator=none").await;
    assert_eq!(list.status, 200);
    assert!(list.has("av 17"), "the list shows the same 17");
    assert!(!list.has(">NHF Bærum<"));

    // No active activity types and an association without a region: both need configuring.
    let nhf: String = o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(at::table.filter(at::organization_id.eq(&nhf)))
        .set(at::is_active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::update(la::table.filter(la::name.eq("NHF Tromsø")))
        .set(la::region_id.eq(None::<String>))
        .execute(&mut *app.conn())
        .unwrap();
    let home = app.get("/").await;
    assert!(home.has("Ingen aktivitetstyper"));
    assert!(home.has(r#"href="/activity-types/new""#));
    assert!(home.has("lokallag uten region"));
    let list = app.get("/associations?region=none").await;
    assert!(list.has("NHF Tromsø"));
    assert!(list.has("av 1 "));
    // Blindeforbundet's administrator is untouched.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let blind = app.get("/").await;
    assert!(!blind.has("Ingen aktivitetstyper"));
    assert!(!blind.has("NHF"));
}

async fn the_global_admin_sees_organizations_without_an_administrator(mut app: TestApp) {
    app.login("global@likeperson.example").await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.has("Norges Handikapforbund"));
    assert!(!home.has("Organisasjoner uten administrator"));
    let nhf: String = o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(
        uor::table
            .filter(uor::organization_id.eq(&nhf))
            .filter(uor::role_id.eq("org_admin")),
    )
    .set(uor::revoked_at.eq(Some(likeperson::db::now())))
    .execute(&mut *app.conn())
    .unwrap();
    let home = app.get("/").await;
    assert!(home.has("Organisasjoner uten administrator: 1"));
    assert!(home.has(&format!("/organizations/{nhf}/edit")));
}

async fn start_pages_speak_english_to_english_users(mut app: TestApp) {
    for (email, text) in [
        ("mentor@nhf.example", "My contacts"),
        ("coordinator@nhf.example", "contacts without a peer mentor"),
        ("admin@nhf.example", "The organization in figures"),
    ] {
        app.logout().await;
        app.login(email).await;
        let res = app
            .post(
                "/account/settings",
                &[("language", "en"), ("calendar_week_start", "monday")],
            )
            .await;
        assert_eq!(res.status, 303);
        let home = app.get("/").await;
        assert!(home.has(text), "{email} reads {text:?}");
        assert!(!home.has("home."), "no raw label keys");
    }
}
