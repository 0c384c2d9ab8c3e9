//! Contacts in a coordinator's day: an address for home visits, caregivers and notes edited
//! and removed (audited), closing and erasing a contact, the list's mentor and last activity
//! with its filters, and the consent date.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{
    activities as act, audit_log, caregivers, contact_mentors as cm, contacts,
    local_associations as la, notes,
};

on_both_backends!(
    a_contact_has_an_address_for_home_visits,
    the_consent_date_is_required_with_consent_and_defaults_to_today,
    caregivers_are_edited_and_removed_and_audited,
    notes_are_edited_and_removed_by_their_author_or_a_coordinator,
    a_closed_contact_gets_no_new_activities_and_keeps_its_history,
    erasing_a_contact_removes_its_personal_data_and_keeps_the_counts,
    the_list_shows_mentors_and_last_activity_and_filters_them,
    a_contacts_page_shows_its_activities_newest_first_and_paged,
    a_mentors_page_shows_their_activities_contacts_and_events,
);

fn association(app: &TestApp, name: &str) -> String {
    la::table
        .filter(la::name.eq(name))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The first contact actively assigned to the NHF demo mentor.
fn mentors_contact(app: &TestApp) -> String {
    let mentor = app.user_id("mentor@nhf.example");
    cm::table
        .inner_join(contacts::table)
        .filter(cm::user_id.eq(mentor))
        .filter(cm::ended_at.is_null())
        .order(contacts::name_key.asc())
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn audits(app: &TestApp, action: &str, target: &str) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .filter(audit_log::target_id.eq(target))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    likeperson::activities::service::today()
}

async fn a_contact_has_an_address_for_home_visits(mut app: TestApp) {
    let assoc = association(&app, "NHF Bærum");
    app.login("coordinator@nhf.example").await;
    let form = app.get("/contacts/new").await;
    assert!(form.has("id=\"f-street_address\"") && form.has("id=\"f-postal_code\""));
    let bad = app
        .post(
            "/contacts",
            &[
                ("name", "Hedda Husbesøk"),
                ("association_id", &assoc),
                ("street_address", "Sjøgata 4"),
                ("postal_code", "13O0"),
                ("postal_place", "Sandvika"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has(
        "<p class=\"field-error ds-validation-message\" id=\"f-postal_code-error\">Skriv et postnummer med fire siffer.</p>"
    ));
    assert!(bad.has("value=\"Sjøgata 4\"") && bad.has("value=\"13O0\""));
    let ok = app
        .post(
            "/contacts",
            &[
                ("name", "Hedda Husbesøk"),
                ("association_id", &assoc),
                ("street_address", "Sjøgata 4"),
                ("postal_code", "1300"),
                ("postal_place", "Sandvika"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let page = app.get(ok.location()).await;
    assert!(page.has("<dd>Sjøgata 4, 1300 Sandvika</dd>"));
    let edit = app.get(&format!("{}/edit", ok.location())).await;
    assert!(edit.has("value=\"Sjøgata 4\"") && edit.has("value=\"1300\""));
    let stored: (Option<String>, Option<String>, Option<String>) = contacts::table
        .filter(contacts::name.eq("Hedda Husbesøk"))
        .select((
            contacts::street_address,
            contacts::postal_code,
            contacts::postal_place,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        stored,
        (
            Some("Sjøgata 4".into()),
            Some("1300".into()),
            Some("Sandvika".into())
        )
    );
}

async fn the_consent_date_is_required_with_consent_and_defaults_to_today(mut app: TestApp) {
    let assoc = association(&app, "NHF Bærum");
    app.login("coordinator@nhf.example").await;
    let form = app.get("/contacts/new").await;
    assert!(
        form.has("<label for=\"f-consent_on\">Dato for samtykke</label>"),
        "not labelled optional"
    );
    assert!(form.has(&format!(
        "id=\"f-consent_on\" name=\"consent_on\" type=\"date\" value=\"{}\"",
        today()
    )));
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Siri Samtykke"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "ticked without a date");
    let on: Option<chrono::NaiveDate> = contacts::table
        .filter(contacts::name.eq("Siri Samtykke"))
        .select(contacts::consent_on)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(on, Some(today()), "consent is given today");
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Sara Samtykke"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", "i går"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Skriv datoen samtykket ble gitt."));
    // Without consent no date is kept.
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Stine Uten"),
                ("association_id", &assoc),
                ("consent_on", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let on: Option<chrono::NaiveDate> = contacts::table
        .filter(contacts::name.eq("Stine Uten"))
        .select(contacts::consent_on)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(on, None);
}

async fn caregivers_are_edited_and_removed_and_audited(mut app: TestApp) {
    let id = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    let res = app
        .post(
            &format!("/contacts/{id}/caregivers"),
            &[("cg_name", "Åse Berg"), ("cg_relation", "Datter")],
        )
        .await;
    assert_eq!(res.status, 303);
    let cg: String = caregivers::table
        .filter(caregivers::contact_id.eq(&id))
        .filter(caregivers::name.eq("Åse Berg"))
        .select(caregivers::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has(&format!("href=\"/contacts/{id}/caregivers/{cg}/edit\"")));
    let edit = app
        .get(&format!("/contacts/{id}/caregivers/{cg}/edit"))
        .await;
    assert_eq!(edit.status, 200);
    assert!(edit.has("value=\"Åse Berg\"") && edit.has("value=\"Datter\""));
    let path = format!("/contacts/{id}/caregivers/{cg}");
    let bad = app
        .post(
            &path,
            &[
                ("cg_name", ""),
                ("cg_relation", "Svigerdatter"),
                ("cg_phone", "12"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("<p class=\"field-error ds-validation-message\" id=\"f-cg_name-error\">Feltet må fylles ut.</p>"));
    assert!(bad.has("value=\"Svigerdatter\""), "values kept");
    let ok = app
        .post(
            &path,
            &[
                ("cg_name", "Åse Berg-Hansen"),
                ("cg_relation", "Svigerdatter"),
                ("cg_phone", "+47 900 11 222"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let stored: (String, String, Option<String>, bool) = caregivers::table
        .find(&cg)
        .select((
            caregivers::name,
            caregivers::relation,
            caregivers::phone,
            caregivers::may_contact,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        stored,
        (
            "Åse Berg-Hansen".into(),
            "Svigerdatter".into(),
            Some("+47 900 11 222".into()),
            false
        )
    );
    assert_eq!(audits(&app, "caregiver.updated", &id), 1);
    let res = app.post(&format!("{path}/remove"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(app
        .get(&format!("/contacts/{id}"))
        .await
        .has("Pårørende er fjernet."));
    let left: i64 = caregivers::table
        .filter(caregivers::id.eq(&cg))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(audits(&app, "caregiver.removed", &id), 1);
    assert_eq!(app.post(&format!("{path}/remove"), &[]).await.status, 404);
    // Another organization's administrator finds nothing.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let other: String = caregivers::table
        .inner_join(contacts::table)
        .filter(contacts::id.eq(&id))
        .select(caregivers::id)
        .first(&mut *app.conn())
        .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string());
    assert_eq!(
        app.get(&format!("/contacts/{id}/caregivers/{other}/edit"))
            .await
            .status,
        404
    );
}

async fn notes_are_edited_and_removed_by_their_author_or_a_coordinator(mut app: TestApp) {
    let id = mentors_contact(&app);
    app.login("coordinator@nhf.example").await;
    app.post(
        &format!("/contacts/{id}/notes"),
        &[("body", "Koordinatorens notat")],
    )
    .await;
    app.logout().await;
    app.login("mentor@nhf.example").await;
    app.post(&format!("/contacts/{id}/notes"), &[("body", "Mitt notat")])
        .await;
    let note = |app: &TestApp, body: &str| -> String {
        notes::table
            .filter(notes::body.eq(body))
            .select(notes::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let mine = note(&app, "Mitt notat");
    let theirs = note(&app, "Koordinatorens notat");
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has(&format!("/notes/{mine}/edit\"")));
    assert!(
        !page.has(&format!("/notes/{theirs}/edit\"")),
        "a mentor changes only their own notes"
    );
    assert_eq!(
        app.get(&format!("/contacts/{id}/notes/{theirs}/edit"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(&format!("/contacts/{id}/notes/{theirs}/remove"), &[])
            .await
            .status,
        404
    );
    let edit = app.get(&format!("/contacts/{id}/notes/{mine}/edit")).await;
    assert!(edit.has("Mitt notat</textarea>"));
    let bad = app
        .post(&format!("/contacts/{id}/notes/{mine}"), &[("body", " ")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("id=\"f-body-error\""));
    let ok = app
        .post(
            &format!("/contacts/{id}/notes/{mine}"),
            &[("body", "Mitt notat, rettet")],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(app
        .get(&format!("/contacts/{id}"))
        .await
        .has("Mitt notat, rettet"));
    assert_eq!(audits(&app, "note.updated", &id), 1);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let res = app
        .post(&format!("/contacts/{id}/notes/{mine}/remove"), &[])
        .await;
    assert_eq!(res.status, 303, "a coordinator removes a mentor's note");
    assert!(!app
        .get(&format!("/contacts/{id}"))
        .await
        .has("Mitt notat, rettet"));
    assert_eq!(audits(&app, "note.removed", &id), 1);
}

/// Registers a home visit with the contact as the NHF mentor; the response.
async fn visit(app: &mut TestApp, contact: &str, note: &str) -> crate::common::Resp {
    let visit: String = {
        use likeperson::schema::{activity_types as at, organizations as o};
        at::table
            .inner_join(o::table)
            .filter(o::short_name.eq("NHF"))
            .filter(at::name.eq("Hjemmebesøk"))
            .select(at::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let sentrum = association(app, "NHF Oslo sentrum");
    app.post(
        "/activities",
        &[
            ("activity_type_id", &visit),
            ("occurred_on", &today().to_string()),
            ("duration_minutes", "60"),
            ("contact_id", contact),
            ("local_association_id", &sentrum),
            ("description", note),
        ],
    )
    .await
}

async fn a_closed_contact_gets_no_new_activities_and_keeps_its_history(mut app: TestApp) {
    let id = mentors_contact(&app);
    let name: String = contacts::table
        .find(&id)
        .select(contacts::name)
        .first(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    assert_eq!(
        app.post(&format!("/contacts/{id}/close"), &[]).await.status,
        404,
        "mentors do not close contacts"
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let res = app.post(&format!("/contacts/{id}/close"), &[]).await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has("Kontakten er avsluttet."));
    assert!(page.has("Kontakten er avsluttet: den får ikke nye aktiviteter."));
    assert!(page.has("Åpne kontakten igjen"));
    assert_eq!(audits(&app, "contact.closed", &id), 1);
    let open_list = app.get("/contacts?q=").await;
    assert!(
        !open_list.has(&format!("href=\"/contacts/{id}\"")),
        "not among the open"
    );
    let closed = app.get("/contacts?status=closed").await;
    assert!(closed.has(&format!("href=\"/contacts/{id}\"")));
    assert!(closed.has("<span class=\"ds-tag\" data-color=\"neutral\">Avsluttet</span>"));
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let form = app.get("/activities/new").await;
    assert!(!form.has(&format!(">{name}</option>")), "not offered");
    let res = visit(&mut app, &id, "Etter avslutning").await;
    assert_eq!(res.status, 422);
    assert!(res.has("id=\"f-contact_id-error\""));
    assert_eq!(
        app.get(&format!("/contacts/{id}")).await.status,
        200,
        "kept, with its history"
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let res = app.post(&format!("/contacts/{id}/reopen"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(audits(&app, "contact.reopened", &id), 1);
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(visit(&mut app, &id, "Igjen").await.status, 303);
}

async fn erasing_a_contact_removes_its_personal_data_and_keeps_the_counts(mut app: TestApp) {
    let id = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    assert_eq!(
        visit(&mut app, &id, "Snakket om familien").await.status,
        303
    );
    app.post(
        &format!("/contacts/{id}/notes"),
        &[("body", "Privat notat")],
    )
    .await;
    app.post(
        &format!("/contacts/{id}/caregivers"),
        &[("cg_name", "Pål Pårørende"), ("cg_relation", "Bror")],
    )
    .await;
    assert_eq!(
        app.post(&format!("/contacts/{id}/erase"), &[("confirm", "on")])
            .await
            .status,
        404,
        "mentors do not erase"
    );
    let counted = |app: &TestApp| -> (i64, i64) {
        let all: i64 = act::table
            .filter(act::contact_id.eq(&id))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        let counting: i64 = act::table
            .filter(act::contact_id.eq(&id))
            .filter(act::bufdir_counts.eq(true))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        (all, counting)
    };
    let before = counted(&app);
    assert!(before.1 > 0);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let res = app.post(&format!("/contacts/{id}/erase"), &[]).await;
    assert_eq!(res.status, 422, "asks for confirmation");
    assert!(res.has(
        "<p class=\"field-error ds-validation-message\" id=\"f-confirm-error\">Kryss av for å bekrefte slettingen.</p>"
    ));
    let res = app
        .post(&format!("/contacts/{id}/erase"), &[("confirm", "on")])
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has("<h1>Slettet kontakt</h1>"));
    assert!(page.has("Personopplysningene ble slettet etter ønske den"));
    assert!(!page.has("Privat notat") && !page.has("Pål Pårørende"));
    type Personal = (
        String,
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
    );
    let row: Personal = contacts::table
        .find(&id)
        .select((
            contacts::name,
            contacts::birth_year,
            contacts::phone,
            contacts::email,
            contacts::sensitive_notes,
            contacts::street_address,
            contacts::is_active,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(row, ("–".into(), None, None, None, None, None, false));
    let left: i64 = caregivers::table
        .filter(caregivers::contact_id.eq(&id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let left_notes: i64 = notes::table
        .filter(notes::contact_id.eq(&id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!((left, left_notes), (0, 0));
    assert_eq!(
        counted(&app),
        before,
        "the activities and their counts stay"
    );
    let described: i64 = act::table
        .filter(act::contact_id.eq(&id))
        .filter(act::description.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(described, 0, "the notes on its activities are emptied");
    assert_eq!(audits(&app, "contact.erased", &id), 1);
    assert_eq!(app.get(&format!("/contacts/{id}/edit")).await.status, 404);
    assert_eq!(
        app.post(&format!("/contacts/{id}/notes"), &[("body", "x")])
            .await
            .status,
        404,
        "nothing is added to an erased contact"
    );
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(
        app.get(&format!("/contacts/{id}")).await.status,
        404,
        "the mentor's assignment ended"
    );
}

async fn the_list_shows_mentors_and_last_activity_and_filters_them(mut app: TestApp) {
    let id = mentors_contact(&app);
    app.login("mentor@nhf.example").await;
    assert_eq!(visit(&mut app, &id, "I dag").await.status, 303);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let name: String = contacts::table
        .find(&id)
        .select(contacts::name)
        .first(&mut *app.conn())
        .unwrap();
    let list = app
        .get(&format!(
            "/contacts?q={}",
            likeperson::web::urlencode(&name)
        ))
        .await;
    assert!(list.has("<th scope=\"col\">Siste aktivitet</th>"));
    assert!(list.has("data-label=\"Likepersoner\">Mona Mentor (NHF)</td>"));
    assert!(list.has(&format!(
        "data-label=\"Siste aktivitet\">{}</td>",
        today().format("%d.%m.%Y")
    )));
    // Without a mentor: a contact of the coordinator's associations that nobody follows.
    let assigned: Vec<String> = cm::table
        .filter(cm::ended_at.is_null())
        .select(cm::contact_id)
        .load(&mut *app.conn())
        .unwrap();
    let scope: Vec<String> = ["NHF Bærum", "NHF Oslo sentrum", "NHF Oslo øst"]
        .iter()
        .map(|n| association(&app, n))
        .collect();
    let orphans: i64 = contacts::table
        .filter(contacts::local_association_id.eq_any(&scope))
        .filter(contacts::id.ne_all(&assigned))
        .filter(contacts::is_active.eq(true))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert!(orphans > 0, "the demo data has contacts without a mentor");
    let none = app.get("/contacts?mentor=none").await;
    assert!(
        none.has(&format!(" {} kontakter", orphans)),
        "counts exactly those"
    );
    assert!(!none.has(&format!("href=\"/contacts/{id}\"")));
    assert!(!none.has("Mona Mentor (NHF)</td>"));
    // No activity in 30 days: the contact met today is not among them.
    let quiet = app
        .get(&format!(
            "/contacts?activity=quiet&q={}",
            likeperson::web::urlencode(&name)
        ))
        .await;
    assert!(!quiet.has(&format!("href=\"/contacts/{id}\"")));
    let recent: Vec<Option<String>> = act::table
        .filter(act::occurred_on.ge(today() - chrono::Duration::days(30)))
        .filter(act::status.eq("registered"))
        .select(act::contact_id)
        .load(&mut *app.conn())
        .unwrap();
    let recent: Vec<String> = recent.into_iter().flatten().collect();
    let quiet_count: i64 = contacts::table
        .filter(contacts::local_association_id.eq_any(&scope))
        .filter(contacts::id.ne_all(&recent))
        .filter(contacts::is_active.eq(true))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let quiet = app.get("/contacts?activity=quiet").await;
    assert!(quiet.has(&format!(" {} kontakter", quiet_count)));
    // The filters combine, and pagination keeps them.
    let both = app.get("/contacts?activity=quiet&mentor=none&page=1").await;
    assert_eq!(both.status, 200);
    assert!(both.has("name=\"mentor\" type=\"checkbox\" value=\"none\" checked"));
}

/// Adds `n` activities of the NHF mentor with the contact, one a day back from today.
fn activities_with(app: &TestApp, contact: &str, n: i64) -> Vec<String> {
    use likeperson::activities::model::Activity;
    let template: Activity = act::table
        .filter(act::mentor_id.eq(app.user_id("mentor@nhf.example")))
        .select(Activity::as_select())
        .first(&mut *app.conn())
        .unwrap();
    (0..n)
        .map(|i| {
            let a = Activity {
                id: uuid::Uuid::new_v4().to_string(),
                contact_id: Some(contact.to_string()),
                occurred_on: today() - chrono::Duration::days(i),
                description: Some(format!("Historikk {i:02}")),
                status: "registered".into(),
                ..template.clone()
            };
            diesel::insert_into(act::table)
                .values(&a)
                .execute(&mut *app.conn())
                .unwrap();
            a.id
        })
        .collect()
}

async fn a_contacts_page_shows_its_activities_newest_first_and_paged(mut app: TestApp) {
    let id = mentors_contact(&app);
    diesel::delete(act::table.filter(act::contact_id.eq(&id)))
        .execute(&mut *app.conn())
        .unwrap_or_default();
    let made = activities_with(&app, &id, 25);
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/contacts/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("<h2 id=\"activities-heading\">Aktiviteter</h2>"));
    let row = regex::Regex::new(r#"href="/activities/([0-9a-f-]{36})""#).unwrap();
    let first: Vec<String> = row
        .captures_iter(&page.body)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(first, made[..20].to_vec(), "the newest 20, newest first");
    assert!(
        page.has("Se dem i aktivitetslisten")
            && page.has(&format!("contact={}\">", likeperson::web::urlencode(&id))),
        "coordinators can open them in the list"
    );
    let next = regex::Regex::new(r#"href="([^"]+)" rel="next">Eldre aktiviteter"#).unwrap();
    let link = next.captures(&page.body).expect("a link to older ones")[1]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let older = app.get(&link).await;
    assert_eq!(older.status, 200);
    let rest: Vec<String> = row
        .captures_iter(&older.body)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(rest, made[20..].to_vec(), "the rest on the next page");
    assert!(!older.has("rel=\"next\">Eldre aktiviteter"));
    assert!(older.has("Første side"));
    // The mentor sees the same history (their own activities) without the list link.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let mine = app.get(&format!("/contacts/{id}")).await;
    assert!(mine.has(&made[0]) && !mine.has("Se dem i aktivitetslisten"));
    // A contact without activities says so.
    let (quiet, _) = {
        let assoc = association(&app, "NHF Bærum");
        let with: Vec<Option<String>> = act::table
            .select(act::contact_id)
            .load(&mut *app.conn())
            .unwrap();
        let with: Vec<String> = with.into_iter().flatten().collect();
        contacts::table
            .filter(contacts::local_association_id.eq(assoc))
            .filter(contacts::id.ne_all(with))
            .select((contacts::id, contacts::name))
            .first::<(String, String)>(&mut *app.conn())
            .unwrap()
    };
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert!(app
        .get(&format!("/contacts/{quiet}"))
        .await
        .has("Ingen aktiviteter ennå."));
}

async fn a_mentors_page_shows_their_activities_contacts_and_events(mut app: TestApp) {
    use crate::events::{event_in, HOME, OPEN};
    let id = mentors_contact(&app);
    let made = activities_with(&app, &id, 1);
    let open = event_in(&app, HOME, OPEN);
    app.login("mentor@nhf.example").await;
    assert_eq!(
        app.post(&format!("/events/{open}/register"), &[])
            .await
            .status,
        303
    );
    app.logout().await;
    let profile: String = {
        use likeperson::schema::peer_mentors as pm;
        pm::table
            .filter(pm::user_id.eq(app.user_id("mentor@nhf.example")))
            .select(pm::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/mentors/{profile}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("<h2 id=\"activities-heading\">Aktiviteter</h2>"));
    assert!(
        page.has(&format!("href=\"/activities/{}\"", made[0])),
        "the newest first"
    );
    assert!(page.has("rel=\"next\">Eldre aktiviteter"), "paged");
    assert!(page.has("<th scope=\"col\">Kontakt</th>"), "with whom");
    assert!(
        page.has(&format!("href=\"/contacts/{id}\"")),
        "their contacts"
    );
    assert!(page.has(&format!(
        "data-label=\"Siste aktivitet\">{}</td>",
        today().format("%d.%m.%Y")
    )));
    assert!(
        page.has(&format!("href=\"/events/{open}\">{OPEN}</a>")),
        "their events"
    );
    assert!(page.has("data-label=\"Oppmøte\">Påmeldt</td>"));
    // Another coordinator's scope: an administrator of another organization finds nothing.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(
        app.get(&format!("/mentors/{profile}?after=x&events_page=2"))
            .await
            .status,
        404
    );
}
