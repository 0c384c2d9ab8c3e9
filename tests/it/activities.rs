//! Activity registration, the Bufdir rules as people see them, proxy registration, scoping,
//! editing within the open period, the coordinator's list and its CSV export, activity types.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{activities as act, activity_types as at, audit_log, organizations as o};

on_both_backends!(
    a_mentor_registers_an_activity_and_sees_whether_it_counts,
    bad_input_answers_422_with_messages_and_values_and_saves_nothing,
    a_mentor_with_one_association_has_it_chosen,
    a_coordinator_registers_on_behalf_of_a_mentor_in_scope_only,
    activities_are_scoped_to_mentor_association_and_organization,
    editing_recomputes_bufdir_and_cancelling_stops_counting_within_the_open_period,
    the_coordinator_list_filters_and_exports_csv,
    activity_types_are_managed_and_deactivated_never_deleted,
    lists_the_page_and_the_export_name_the_contact,
    the_coordinator_filters_by_contact_and_searches_text,
    a_text_search_reads_a_bounded_window_and_searches_on,
    a_coordinators_pages_merge_their_associations_each_row_once_in_order,
    an_outreach_activity_needs_its_contact_and_without_one_does_not_count,
    proxy_registration_offers_the_chosen_mentors_associations_and_contacts,
    a_contact_not_the_mentors_or_out_of_scope_is_refused_at_the_field,
    a_mentor_with_many_contacts_is_offered_every_one,
);

fn type_id(app: &TestApp, org: &str, name: &str) -> String {
    at::table
        .inner_join(o::table)
        .filter(o::short_name.eq(org))
        .filter(at::name.eq(name))
        .select(at::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn today() -> String {
    likeperson::activities::service::today().to_string()
}

/// The NHF mentor's two associations (Oslo sentrum and Oslo øst in the demo data).
fn nhf_mentor_associations(app: &TestApp) -> Vec<String> {
    use likeperson::schema::user_organization_roles as uor;
    let mentor = app.user_id("mentor@nhf.example");
    uor::table
        .filter(uor::user_id.eq(mentor))
        .filter(uor::role_id.eq("peer_mentor"))
        .select(uor::local_association_id)
        .load::<Option<String>>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .flatten()
        .collect()
}

async fn a_mentor_registers_an_activity_and_sees_whether_it_counts(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let form = app.get("/activities/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.has(&format!("value=\"{}\"", today())),
        "the date defaults to today"
    );
    assert!(
        form.has("name=\"local_association_id\" required"),
        "a mentor in several associations must choose"
    );
    let group = type_id(&app, "NHF", "Samtalegruppe");
    let assoc = nhf_mentor_associations(&app)[0].clone();
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &group),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("participants", "2"),
                ("local_association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(res.location()).await;
    assert!(page.has("Aktiviteten er registrert."));
    assert!(page.has("Teller ikke for Bufdir"));
    assert!(page.has("Gruppe under 3 deltakere."), "the reason is shown");
    let phone = type_id(&app, "NHF", "Telefonsamtale");
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &phone),
                ("occurred_on", &today()),
                ("duration_minutes", "20"),
                ("local_association_id", &assoc),
            ],
        )
        .await;
    assert!(app
        .get(res.location())
        .await
        .has("Telefonsamtaler teller ikke."));
    let visit = type_id(&app, "NHF", "Hjemmebesøk");
    let (contact, _) = mentors_contact(&app);
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "90"),
                ("contact_id", &contact),
                ("local_association_id", &assoc),
            ],
        )
        .await;
    let page = app.get(res.location()).await;
    assert!(page.has("<strong>Teller for Bufdir:</strong>"));
    let mine = app.get("/activities").await;
    assert!(mine.has("<h1>Mine aktiviteter</h1>"));
    assert!(mine.has("Gruppe under 3 deltakere."));
    let stored: (bool, String, bool) = act::table
        .filter(act::activity_type_id.eq(&group))
        .filter(act::participants.eq(2))
        .select((act::bufdir_counts, act::bufdir_reason, act::is_proxy))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, (false, "bufdir.group_too_small".into(), false));
}

async fn bad_input_answers_422_with_messages_and_values_and_saves_nothing(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let before: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    let group = type_id(&app, "NHF", "Samtalegruppe");
    let blind_assoc = app.association_ids("Blindeforbundet")[0].clone();
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &group),
                ("occurred_on", "2999-01-01"),
                ("duration_minutes", "abc"),
                ("participants", ""),
                ("local_association_id", &blind_assoc),
                ("description", "Kaffe og prat"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    for message in [
        "Datoen kan ikke være fram i tid.",
        "Skriv antall minutter",
        "Feltet må fylles ut.",
        "Velg hvilket lokallag aktiviteten hører til.",
    ] {
        assert!(res.has(message), "the page says: {message}");
    }
    assert!(
        res.has("value=\"2999-01-01\"")
            && res.has("value=\"abc\"")
            && res.has("Kaffe og prat</textarea>"),
        "values kept"
    );
    assert!(
        res.has(&format!("value=\"{group}\" required checked")),
        "the chosen type stays chosen"
    );
    let res = app.post("/activities", &[("occurred_on", &today())]).await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg hva slags aktivitet det var."));
    let after: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after, "nothing saved");
}

async fn a_mentor_with_one_association_has_it_chosen(mut app: TestApp) {
    app.login("mentor@blindeforbundet.example").await;
    let form = app.get("/activities/new").await;
    assert!(
        !form.has("<select id=\"f-local_association_id\""),
        "no choice to make"
    );
    let visit = type_id(&app, "Blindeforbundet", "Hjemmebesøk");
    let (contact, _) = contact_of(&app, "mentor@blindeforbundet.example");
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "45"),
                ("contact_id", &contact),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "the single association is used");
}

async fn a_coordinator_registers_on_behalf_of_a_mentor_in_scope_only(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let form = app.get("/activities/new").await;
    assert!(form.has("Likeperson det registreres for"));
    let visit = type_id(&app, "NHF", "Hjemmebesøk");
    // Oslo sentrum is both the mentor's and the coordinator's.
    let shared = {
        use likeperson::schema::local_associations as la;
        la::table
            .filter(la::name.eq("NHF Oslo sentrum"))
            .select(la::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let (contact, _) = mentors_contact(&app);
    let res = app
        .post(
            "/activities",
            &[
                ("mentor_id", &mentor),
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("contact_id", &contact),
                ("local_association_id", &shared),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(res.location()).await;
    assert!(
        page.has("registrert av koordinator"),
        "recorded as a proxy registration"
    );
    assert!(page.has("Kari Koordinator (NHF)"));
    let blind_mentor = app.user_id("mentor@blindeforbundet.example");
    let res = app
        .post(
            "/activities",
            &[
                ("mentor_id", &blind_mentor),
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("local_association_id", &shared),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg en likeperson i dine lokallag."));
    let proxied: (bool, String) = act::table
        .filter(act::mentor_id.eq(&mentor))
        .filter(act::is_proxy.eq(true))
        .select((act::is_proxy, act::registered_by))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(proxied, (true, app.user_id("coordinator@nhf.example")));
}

fn an_activity_of(app: &TestApp, email: &str) -> String {
    let user = app.user_id(email);
    act::table
        .filter(act::mentor_id.eq(user))
        .order(act::occurred_on.desc())
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap()
}

async fn activities_are_scoped_to_mentor_association_and_organization(mut app: TestApp) {
    let own = an_activity_of(&app, "mentor@nhf.example");
    let coordinators = an_activity_of(&app, "coordinator@nhf.example");
    let blind = an_activity_of(&app, "mentor@blindeforbundet.example");
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&format!("/activities/{own}")).await.status, 200);
    assert_eq!(
        app.get(&format!("/activities/{coordinators}")).await.status,
        404,
        "another mentor's activity"
    );
    assert_eq!(app.get(&format!("/activities/{blind}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/activities/{blind}/cancel"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/activities/export.csv").await.status,
        404,
        "mentors do not export"
    );
    let list = app.get("/activities").await;
    assert!(list.has(&own) || list.has("Neste"));
    assert!(!list.has(&coordinators) && !list.has(&blind));
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(
        app.get(&format!("/activities/{own}")).await.status,
        404,
        "another organization"
    );
    assert_eq!(app.get(&format!("/activities/{blind}")).await.status, 200);
    let csv = app.get("/activities/export.csv").await;
    assert!(
        !csv.has("NHF"),
        "the export holds nothing of another organization"
    );
}

async fn editing_recomputes_bufdir_and_cancelling_stops_counting_within_the_open_period(
    mut app: TestApp,
) {
    app.login("mentor@blindeforbundet.example").await;
    let group = type_id(&app, "Blindeforbundet", "Samtalegruppe");
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &group),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("participants", "2"),
            ],
        )
        .await;
    let path = res.location().to_string();
    let id = path.trim_start_matches("/activities/").to_string();
    let edit = app.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(edit.has("value=\"2\""));
    let res = app
        .post(
            &path,
            &[
                ("activity_type_id", &group),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("participants", "4"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(app
        .get(&path)
        .await
        .has("Gruppe med minst 3 deltakere og minst 45 minutter."));
    let res = app.post(&format!("{path}/cancel"), &[]).await;
    assert_eq!(res.status, 303);
    let page = app.get(&path).await;
    assert!(page.has("Aktiviteten er avlyst.") && page.has("Avlyst aktivitet teller ikke."));
    assert!(
        !page.has("/cancel\""),
        "a cancelled activity cannot be changed"
    );
    assert_eq!(app.get(&format!("{path}/edit")).await.status, 404);
    // An activity of a closed year cannot be changed.
    let mentor = app.user_id("mentor@blindeforbundet.example");
    let old: String = act::table
        .filter(act::mentor_id.eq(mentor))
        .filter(act::id.ne(&id))
        .filter(act::status.eq("registered"))
        .filter(
            act::occurred_on.ge(chrono::NaiveDate::from_ymd_opt(
                chrono::Datelike::year(&likeperson::activities::service::today()),
                1,
                1,
            )
            .unwrap()),
        )
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/activities/{old}/edit")).await.status,
        200,
        "open before"
    );
    let two_years_ago = likeperson::activities::service::today() - chrono::Duration::days(800);
    diesel::update(act::table.find(&old))
        .set(act::occurred_on.eq(two_years_ago))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/activities/{old}/edit")).await.status,
        404
    );
    assert_eq!(
        app.post(&format!("/activities/{old}/cancel"), &[])
            .await
            .status,
        404
    );
}

async fn the_coordinator_list_filters_and_exports_csv(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let list = app.get("/activities").await;
    assert_eq!(list.status, 200);
    assert!(list.has("<h1>Aktiviteter</h1>"));
    assert!(
        list.has("Mona Mentor (NHF)"),
        "the mentors of the coordinator's associations"
    );
    let phone = type_id(&app, "NHF", "Telefonsamtale");
    let filtered = app
        .get(&format!("/activities?activity_type={phone}&bufdir=counts"))
        .await;
    assert!(filtered.has("Ingen treff."), "phone calls never count");
    let not = app
        .get(&format!("/activities?activity_type={phone}&bufdir=not"))
        .await;
    assert!(not.has("Telefonsamtaler teller ikke."));
    let csv = app
        .get(&format!("/activities/export.csv?activity_type={phone}"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("attachment"));
    assert!(
        csv.body
            .starts_with("\u{feff}\"Dato\";\"Type\";\"Lokallag\";\"Likeperson\";"),
        "a BOM and a header row: {}",
        &csv.body[..60.min(csv.body.len())]
    );
    let lines: Vec<&str> = csv.body.lines().skip(1).collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l.contains(";\"Telefonsamtale\";")
        && l.contains(";\"Nei\";\"Telefonsamtaler teller ikke.\";")));
    let in_db: i64 = {
        use likeperson::schema::local_associations as la;
        let scope: Vec<String> = la::table
            .filter(la::name.eq_any(["NHF Bærum", "NHF Oslo sentrum", "NHF Oslo øst"]))
            .select(la::id)
            .load(&mut *app.conn())
            .unwrap();
        act::table
            .filter(act::activity_type_id.eq(&phone))
            .filter(act::local_association_id.eq_any(scope))
            .filter(act::status.eq("registered"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(
        lines.len() as i64,
        in_db,
        "the export holds exactly the filtered rows of the coordinator's associations"
    );
    let exported: i64 = audit_log::table
        .filter(audit_log::action.eq("activities.exported"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(exported, 1, "exports are audit-logged");
}

async fn activity_types_are_managed_and_deactivated_never_deleted(mut app: TestApp) {
    app.login("admin@hlf.example").await;
    let bad = app
        .post(
            "/activity-types",
            &[("name", ""), ("kind", "nonsense"), ("bufdir_category", "x")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("Feltet må fylles ut.") && bad.has("Velg et av alternativene."));
    let dup = app
        .post(
            "/activity-types",
            &[("name", "telefonsamtale"), ("kind", "phone")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.has("Navnet er allerede i bruk"));
    let ok = app
        .post(
            "/activity-types",
            &[
                ("name", "Tolkeoppdrag"),
                ("kind", "one_to_one"),
                ("bufdir_category", "outreach"),
                ("requires_duration", "on"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(app.get("/activity-types").await.has(">Tolkeoppdrag</a>"));
    let visit = type_id(&app, "HLF", "Hjemmebesøk");
    let used: i64 = act::table
        .filter(act::activity_type_id.eq(&visit))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert!(used > 0);
    let res = app
        .post(
            &format!("/activity-types/{visit}"),
            &[
                ("name", "Hjemmebesøk"),
                ("kind", "one_to_one"),
                ("bufdir_category", "outreach"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "saved without is_active: deactivated");
    let still: i64 = at::table
        .filter(at::id.eq(&visit))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(still, 1, "never deleted");
    app.logout().await;
    app.login("mentor@hlf.example").await;
    let form = app.get("/activities/new").await;
    assert!(!form.has(&visit), "a deactivated type is not offered");
    assert!(form.has("Tolkeoppdrag"));
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
}

/// A contact assigned to the NHF demo mentor: (id, name).
fn mentors_contact(app: &TestApp) -> (String, String) {
    contact_of(app, "mentor@nhf.example")
}

/// A contact assigned to a mentor: (id, name).
fn contact_of(app: &TestApp, email: &str) -> (String, String) {
    use likeperson::schema::{contact_mentors as cm, contacts};
    let mentor = app.user_id(email);
    cm::table
        .inner_join(contacts::table)
        .filter(cm::user_id.eq(mentor))
        .filter(cm::ended_at.is_null())
        .order(contacts::name_key.asc())
        .select((contacts::id, contacts::name))
        .first(&mut *app.conn())
        .unwrap()
}

/// The mentor registers a home visit with their contact (Oslo sentrum, shared with the
/// coordinator); returns the activity's path.
async fn visit_with(app: &mut TestApp, contact: &str, note: &str) -> String {
    let visit = type_id(app, "NHF", "Hjemmebesøk");
    let shared = {
        use likeperson::schema::local_associations as la;
        la::table
            .filter(la::name.eq("NHF Oslo sentrum"))
            .select(la::id)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("contact_id", contact),
                ("local_association_id", &shared),
                ("description", note),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "registered");
    res.location().to_string()
}

async fn lists_the_page_and_the_export_name_the_contact(mut app: TestApp) {
    let (contact, name) = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    let path = visit_with(&mut app, &contact, "Tur i parken").await;
    let page = app.get(&path).await;
    assert!(page.has(&format!("<dd>{name}</dd>")), "the activity page");
    let mine = app.get("/activities").await;
    assert!(mine.has("<th scope=\"col\">Kontakt</th>"));
    assert!(
        mine.has(&format!("data-label=\"Kontakt\">{name}</td>")),
        "the mentor's list names the contact"
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let list = app.get("/activities").await;
    assert!(
        list.has(&format!("data-label=\"Kontakt\">{name}</td>")),
        "the coordinator's list names the contact"
    );
    let csv = app.get("/activities/export.csv").await;
    assert!(
        csv.body.starts_with(
            "\u{feff}\"Dato\";\"Type\";\"Lokallag\";\"Likeperson\";\"Kontakt\";\"Minutter\";"
        ),
        "a contact column: {}",
        &csv.body[..80.min(csv.body.len())]
    );
    assert!(
        csv.body
            .lines()
            .any(|l| l.contains(&format!("\"Mona Mentor (NHF)\";\"{name}\";"))),
        "the row names the contact"
    );
}

async fn the_coordinator_filters_by_contact_and_searches_text(mut app: TestApp) {
    let (contact, name) = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    let path = visit_with(&mut app, &contact, "Snakket om Ærlighet og båtliv").await;
    let id = path.trim_start_matches("/activities/").to_string();
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let by_contact = app.get(&format!("/activities?contact={contact}")).await;
    assert_eq!(by_contact.status, 200);
    assert!(by_contact.has(&id), "the contact's activity is listed");
    assert!(by_contact.has(&format!("<strong>Kontakt:</strong> {name}")));
    assert!(by_contact.has("Fjern filteret"));
    let in_db: i64 = act::table
        .filter(act::contact_id.eq(&contact))
        .filter(act::status.eq("registered"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let row_link = regex::Regex::new(r#"href="/activities/[0-9a-f-]{36}""#).unwrap();
    let listed = row_link.find_iter(&by_contact.body).count() as i64;
    assert_eq!(
        listed,
        in_db.min(50),
        "every row is the contact's (the list links each row once)"
    );
    let other = {
        use likeperson::schema::contacts;
        contacts::table
            .filter(contacts::id.ne(&contact))
            .filter(contacts::name.ne(&name))
            .select(contacts::name)
            .first::<String>(&mut *app.conn())
            .unwrap()
    };
    assert!(
        !by_contact.has(&format!(">{other}</td>")),
        "no other contact's rows"
    );
    // The description, whatever the case of æ, ø and å.
    let found = app.get("/activities?q=%C3%A6RLIGHET").await;
    assert!(found.has(&id), "found by a word of the description");
    let found = app.get("/activities?q=B%C3%85TLIV").await;
    assert!(found.has(&id));
    // The contact's name.
    let upper = name.to_uppercase();
    let found = app
        .get(&format!(
            "/activities?q={}",
            likeperson::web::urlencode(&upper)
        ))
        .await;
    assert!(found.has(&id), "found by the contact's name");
    assert!(
        found.has(&format!("value=\"{upper}\"")),
        "the search is kept"
    );
    let none = app.get("/activities?q=ingenting-slikt").await;
    assert!(none.has("Ingen treff."));
    // Out of scope: a contact of another organization filters to nothing.
    let blind_contact: String = {
        use likeperson::schema::{contacts, organizations as o};
        contacts::table
            .inner_join(o::table.on(o::id.eq(contacts::organization_id)))
            .filter(o::short_name.eq("Blindeforbundet"))
            .select(contacts::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let res = app
        .get(&format!("/activities?contact={blind_contact}"))
        .await;
    assert_eq!(res.status, 200);
    assert!(res.has("Ingen treff.") && !res.has("<strong>Kontakt:</strong>"));
}

async fn a_text_search_reads_a_bounded_window_and_searches_on(mut app: TestApp) {
    use likeperson::activities::service::SEARCH_WINDOW;
    // Many newer activities, then one old one with the word.
    likeperson::activities::seed::generate(&mut app.conn(), 6 * SEARCH_WINDOW as u64).unwrap();
    let (contact, _) = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    let path = visit_with(&mut app, &contact, "Kaffe med sjeldenord").await;
    let id = path.trim_start_matches("/activities/").to_string();
    let long_ago = likeperson::activities::service::today() - chrono::Duration::days(4 * 365);
    diesel::update(act::table.find(&id))
        .set(act::occurred_on.eq(long_ago))
        .execute(&mut *app.conn())
        .unwrap();
    app.logout().await;
    app.login("admin@nhf.example").await;
    let mut link = "/activities?q=sjeldenord".to_string();
    let mut stops = 0;
    let next = regex::Regex::new(r#"href="([^"]+)" rel="next""#).unwrap();
    loop {
        let page = app
            .get(&link.replace("&amp;", "&").replace("&#38;", "&"))
            .await;
        assert_eq!(page.status, 200);
        if page.has(&id) {
            break;
        }
        assert!(
            page.has("Søket har lest aktivitetene til og med"),
            "a page without the hit says how far the search has read"
        );
        assert!(page.has("Søk videre i eldre aktiviteter"));
        link = next.captures(&page.body).expect("a link to search on")[1].to_string();
        stops += 1;
        assert!(stops < 20, "the search ends");
    }
    assert!(
        stops >= 1,
        "the window stopped the first page before the old row"
    );
}

/// The coordinator's list merges one range per association in SQL (`UnionAll::merged`): walked
/// page by page through its "next" links, it shows every registered activity of their
/// associations once, newest first (by date, then id), and nothing else.
async fn a_coordinators_pages_merge_their_associations_each_row_once_in_order(mut app: TestApp) {
    use likeperson::schema::user_organization_roles as uor;
    likeperson::activities::seed::generate(&mut app.conn(), 400).unwrap();
    let coordinator = app.user_id("coordinator@nhf.example");
    let mut associations: Vec<String> = uor::table
        .filter(uor::user_id.eq(&coordinator))
        .filter(uor::role_id.eq("coordinator"))
        .filter(uor::revoked_at.is_null())
        .select(uor::local_association_id)
        .load::<Option<String>>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    associations.sort();
    associations.dedup();
    assert!(associations.len() > 1, "the demo coordinator has several");
    // Half of them on one day, so that pages break within a day and the id decides.
    let day = likeperson::activities::service::today() - chrono::Duration::days(1);
    diesel::update(
        act::table
            .filter(act::local_association_id.eq_any(&associations))
            .filter(act::id.lt("8")),
    )
    .set(act::occurred_on.eq(day))
    .execute(&mut *app.conn())
    .unwrap();
    let expected: Vec<String> = act::table
        .filter(act::local_association_id.eq_any(&associations))
        .filter(act::status.eq("registered"))
        .order((act::occurred_on.desc(), act::id.desc()))
        .select(act::id)
        .load(&mut *app.conn())
        .unwrap();
    let busy = associations
        .iter()
        .filter(|a| {
            act::table
                .filter(act::local_association_id.eq(*a))
                .count()
                .get_result::<i64>(&mut *app.conn())
                .unwrap()
                > 0
        })
        .count();
    assert!(busy > 1, "rows of several associations to merge");
    assert!(expected.len() > 120, "three pages or more");
    app.login("coordinator@nhf.example").await;
    let row = regex::Regex::new(r#"href="/activities/([0-9a-f-]{36})""#).unwrap();
    let next = regex::Regex::new(r#"href="([^"]+)" rel="next""#).unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut link = Some("/activities".to_string());
    let mut pages = 0;
    while let Some(path) = link {
        let page = app
            .get(&path.replace("&amp;", "&").replace("&#38;", "&"))
            .await;
        assert_eq!(page.status, 200);
        let mut ids: Vec<String> = row
            .captures_iter(&page.body)
            .map(|c| c[1].to_string())
            .collect();
        ids.dedup();
        assert!(ids.len() <= 50, "a page holds at most 50 rows");
        seen.extend(ids);
        link = next.captures(&page.body).map(|c| c[1].to_string());
        pages += 1;
        assert!(pages < 100, "the pages end");
    }
    assert_eq!(seen, expected);
}

async fn an_outreach_activity_needs_its_contact_and_without_one_does_not_count(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let before: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    let visit = type_id(&app, "NHF", "Hjemmebesøk");
    let assoc = nhf_mentor_associations(&app)[0].clone();
    let form = app.get("/activities/new").await;
    assert!(
        form.has("Hvem <span class=\"muted\">(valgfritt)</span>"),
        "optional until a type is chosen"
    );
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &visit),
                ("occurred_on", &today()),
                ("duration_minutes", "60"),
                ("local_association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(
        "<p class=\"field-error ds-validation-message\" id=\"f-contact_id-error\">Oppsøkende aktivitet må ha en kontakt. Velg hvem du møtte.</p>"
    ));
    assert!(
        !res.has("Hvem <span class=\"muted\">(valgfritt)</span>"),
        "not labelled optional for an outreach type"
    );
    let after: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after, "nothing saved");
    // An outreach activity stored without its contact (a mentor with no contacts, through the
    // generator that evaluates the same rules) does not count, and says why.
    {
        use likeperson::schema::contact_mentors as cm;
        let mentor = app.user_id("mentor@nhf.example");
        diesel::update(cm::table.filter(cm::user_id.eq(&mentor)))
            .set(cm::ended_at.eq(chrono::Utc::now().naive_utc()))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let old: Vec<String> = act::table.select(act::id).load(&mut *app.conn()).unwrap();
    likeperson::activities::seed::generate(&mut app.conn(), 500).unwrap();
    let (id, counts, reason): (String, bool, String) = act::table
        .filter(act::id.ne_all(&old))
        .filter(act::mentor_id.eq(app.user_id("mentor@nhf.example")))
        .filter(act::activity_type_id.eq(&visit))
        .select((act::id, act::bufdir_counts, act::bufdir_reason))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (counts, reason.as_str()),
        (false, "bufdir.outreach_no_contact")
    );
    let page = app.get(&format!("/activities/{id}")).await;
    assert!(page.has("Teller ikke for Bufdir"));
    assert!(page.has("Oppsøkende samtale uten kontakt: velg hvem samtalen var med."));
}

fn association_named(app: &TestApp, name: &str) -> String {
    use likeperson::schema::local_associations as la;
    la::table
        .filter(la::name.eq(name))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// A contact of the association that is not assigned to `email`: (id, name).
fn not_assigned_to(app: &TestApp, association: &str, email: &str) -> (String, String) {
    use likeperson::schema::{contact_mentors as cm, contacts};
    let user = app.user_id(email);
    let mine: Vec<String> = cm::table
        .filter(cm::user_id.eq(user))
        .select(cm::contact_id)
        .load(&mut *app.conn())
        .unwrap();
    contacts::table
        .filter(contacts::local_association_id.eq(association_named(app, association)))
        .filter(contacts::id.ne_all(mine))
        .order(contacts::name_key.asc())
        .select((contacts::id, contacts::name))
        .first(&mut *app.conn())
        .unwrap()
}

async fn proxy_registration_offers_the_chosen_mentors_associations_and_contacts(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let (contact, name) = mentors_contact(&app);
    let (_, stranger) = not_assigned_to(&app, "NHF Bærum", "mentor@nhf.example");
    let elsewhere = association_named(&app, "NHF Bærum");
    let sentrum = association_named(&app, "NHF Oslo sentrum");
    app.login("coordinator@nhf.example").await;
    let blank = app.get("/activities/new").await;
    assert_eq!(blank.status, 200);
    assert!(blank.has("Velg likepersonen først."));
    assert!(
        !blank.has("id=\"f-contact_id\""),
        "no contacts before a mentor is chosen"
    );
    assert!(
        blank.has("hx-get=\"/activities/new\" hx-trigger=\"change\" hx-target=\"#mentor-fields\"")
    );
    assert!(
        blank.has("<form class=\"toolbar\" method=\"get\" action=\"/activities/new\">"),
        "without JavaScript the mentor form reloads the page"
    );
    // A plain reload with the mentor chosen.
    let form = app
        .get(&format!("/activities/new?mentor_id={mentor}"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.has(&format!("<option value=\"{contact}\">{name}</option>")));
    assert!(
        !form.has(&format!(">{stranger}</option>")),
        "not another's contact"
    );
    assert!(
        form.has(&format!("<option value=\"{sentrum}\">")),
        "the mentor's association"
    );
    assert!(
        !form.has(&format!("<option value=\"{elsewhere}\">")),
        "not the coordinator's other one"
    );
    assert!(form.has(&format!(
        "<input type=\"hidden\" name=\"mentor_id\" value=\"{mentor}\">"
    )));
    // The htmx request gets the fields alone.
    let part = app
        .htmx_get(
            &format!("/activities/new?mentor_id={mentor}"),
            "mentor-fields",
        )
        .await;
    assert_eq!(part.status, 200);
    assert!(part
        .body
        .trim_start()
        .starts_with("<div id=\"mentor-fields\""));
    assert!(!part.has("<html"));
    assert!(part.has(&format!("<option value=\"{contact}\">{name}</option>")));
    // Another organization's mentor offers nothing.
    let blind = app.user_id("mentor@blindeforbundet.example");
    let other = app.get(&format!("/activities/new?mentor_id={blind}")).await;
    assert!(other.has("Velg likepersonen først.") && !other.has("id=\"f-contact_id\""));
}

async fn a_contact_not_the_mentors_or_out_of_scope_is_refused_at_the_field(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let (strangers, _) = not_assigned_to(&app, "NHF Oslo sentrum", "mentor@nhf.example");
    let (blinds, _) = contact_of(&app, "mentor@blindeforbundet.example");
    let (contact, _) = mentors_contact(&app);
    let sentrum = association_named(&app, "NHF Oslo sentrum");
    let group = type_id(&app, "NHF", "Samtalegruppe");
    let before: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    let day = today();
    // A group of four for the mentor, with this contact.
    let with = |contact: &str| -> Vec<(String, String)> {
        [
            ("mentor_id", mentor.as_str()),
            ("activity_type_id", &group),
            ("occurred_on", &day),
            ("duration_minutes", "60"),
            ("participants", "4"),
            ("contact_id", contact),
            ("local_association_id", &sentrum),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    app.login("coordinator@nhf.example").await;
    for wrong in [strangers.as_str(), blinds.as_str(), "not-an-id"] {
        let res = app.post("/activities", &fields(&with(wrong))).await;
        assert_eq!(res.status, 422, "{wrong} is refused");
        assert!(res.has(
            "<p class=\"field-error ds-validation-message\" id=\"f-contact_id-error\">Velg en av kontaktene som er tildelt likepersonen.</p>"
        ));
        assert!(res.has("value=\"4\""), "values kept");
    }
    let after: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(before, after, "nothing saved");
    let res = app.post("/activities", &fields(&with(&contact))).await;
    assert_eq!(res.status, 303, "the mentor's own contact is accepted");
    // A mentor is refused another's contact the same way.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let own = with(&strangers);
    let res = app.post("/activities", &fields(&own)[1..]).await;
    assert_eq!(res.status, 422);
    assert!(res.has("id=\"f-contact_id-error\""));
}

async fn a_mentor_with_many_contacts_is_offered_every_one(mut app: TestApp) {
    use likeperson::people::care::model::Assignment;
    use likeperson::people::contacts::model::Contact;
    use likeperson::schema::{contact_mentors as cm, contacts};
    let mentor = app.user_id("mentor@nhf.example");
    let sentrum = association_named(&app, "NHF Oslo sentrum");
    let org: String = {
        use likeperson::schema::organizations as o;
        o::table
            .filter(o::short_name.eq("NHF"))
            .select(o::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let t = chrono::Utc::now().naive_utc();
    let mut conn = app.conn();
    for i in 0..520 {
        let name = format!("Øystein Mange {i:03}");
        let c = Contact {
            id: uuid::Uuid::new_v4().to_string(),
            organization_id: org.clone(),
            local_association_id: sentrum.clone(),
            name_key: name.to_lowercase(),
            name,
            birth_year: None,
            phone: None,
            phone_key: None,
            email: None,
            municipality: None,
            interest_group: None,
            sensitive_notes: None,
            consent_given: false,
            consent_on: None,
            is_active: true,
            created_by: None,
            created_at: t,
            updated_at: t,
            street_address: None,
            postal_code: None,
            postal_place: None,
            erased_at: None,
        };
        diesel::insert_into(contacts::table)
            .values(&c)
            .execute(&mut *conn)
            .unwrap();
        diesel::insert_into(cm::table)
            .values(&Assignment {
                id: uuid::Uuid::new_v4().to_string(),
                contact_id: c.id,
                user_id: mentor.clone(),
                assigned_by: None,
                assigned_at: t,
                ended_at: None,
            })
            .execute(&mut *conn)
            .unwrap();
    }
    drop(conn);
    app.login("coordinator@nhf.example").await;
    let form = app
        .get(&format!("/activities/new?mentor_id={mentor}"))
        .await;
    assert!(form.has(">Øystein Mange 000</option>"));
    assert!(
        form.has(">Øystein Mange 519</option>"),
        "the last of 520 contacts is offered, nothing is cut off"
    );
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let own = app.get("/activities/new").await;
    assert!(own.has(">Øystein Mange 519</option>"));
}

/// Form fields as `post` takes them.
fn fields(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

mod generator {
    use super::*;

    async fn the_benchmark_generator_adds_valid_activities(app: TestApp) {
        let before: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
        let old: Vec<String> = act::table.select(act::id).load(&mut *app.conn()).unwrap();
        likeperson::activities::seed::generate(&mut app.conn(), 2000).unwrap();
        let after: i64 = act::table.count().get_result(&mut *app.conn()).unwrap();
        assert_eq!(after - before, 2000);
        // Every generated row is credited to one of its mentor's associations and is
        // evaluated as the Bufdir rules would.
        /// kind, category, counts, reason, contact
        type Row = (String, Option<String>, bool, String, Option<String>);
        let rows: Vec<Row> = act::table
            .inner_join(at::table)
            .filter(act::id.ne_all(&old))
            .select((
                at::kind,
                at::bufdir_category,
                act::bufdir_counts,
                act::bufdir_reason,
                act::contact_id,
            ))
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(rows.len(), 2000);
        assert!(rows.iter().all(|(kind, cat, counts, reason, contact)| {
            let expected = !matches!(kind.as_str(), "phone" | "social")
                && cat.is_some()
                && (cat.as_deref() != Some("outreach") || contact.is_some());
            *counts == expected && likeperson::labels::is_known(reason)
        }));
        assert!(
            rows.iter()
                .any(|r| r.1.as_deref() == Some("outreach") && r.4.is_some()),
            "outreach rows are with a contact"
        );
    }

    crate::on_both_backends!(the_benchmark_generator_adds_valid_activities);
}
