//! Peer mentors and contacts: validation, the duplicate warning, scoping, audited sensitive
//! reads, the status history and the association limit.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use likeperson::schema::{
    audit_log, caregivers, contact_mentors as cm, contacts, local_associations as la, notes,
    organizations as o, peer_mentor_status_log as log, peer_mentors as pm,
};

on_both_backends!(
    bad_contact_input_answers_422_with_messages_and_values_and_saves_nothing,
    a_possible_duplicate_warns_first_and_is_created_when_confirmed,
    a_hidden_duplicate_is_mentioned_without_details,
    each_role_sees_only_its_contacts,
    another_organizations_contact_is_not_found_on_get_and_post,
    viewing_sensitive_details_is_audited,
    a_mentor_creates_a_contact_assigned_to_themselves,
    a_coordinator_assigns_and_unassigns_a_mentor,
    caregivers_and_notes_are_added_on_the_contact_page,
    a_status_change_is_logged_and_the_history_is_immutable,
    profile_fields_are_edited_and_checked,
    a_peer_mentor_belongs_to_at_most_five_associations,
    the_mentor_list_is_scoped_and_searchable,
    demo_data_has_profiles_contacts_and_assignments,
);

fn contact_count(app: &TestApp) -> i64 {
    contacts::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn association(app: &TestApp, name: &str) -> String {
    la::table
        .filter(la::name.eq(name))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn org_of(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// Contacts actively assigned to a user.
fn assigned_to(app: &TestApp, email: &str) -> Vec<String> {
    let user = app.user_id(email);
    cm::table
        .filter(cm::user_id.eq(user))
        .filter(cm::ended_at.is_null())
        .select(cm::contact_id)
        .load(&mut *app.conn())
        .unwrap()
}

/// A contact of the association that is not assigned to `email`.
fn unassigned_in(app: &TestApp, association_name: &str, email: &str) -> (String, String, i32) {
    let mine = assigned_to(app, email);
    let assoc = association(app, association_name);
    contacts::table
        .filter(contacts::local_association_id.eq(assoc))
        .filter(contacts::id.ne_all(mine))
        .order(contacts::name_key.asc())
        .select((
            contacts::id,
            contacts::name,
            contacts::birth_year.assume_not_null(),
        ))
        .first(&mut *app.conn())
        .unwrap()
}

fn mentor_profile(app: &TestApp, email: &str, org: &str) -> String {
    let user = app.user_id(email);
    let org = org_of(app, org);
    pm::table
        .filter(pm::user_id.eq(user))
        .filter(pm::organization_id.eq(org))
        .select(pm::id)
        .first(&mut *app.conn())
        .unwrap()
}

async fn bad_contact_input_answers_422_with_messages_and_values_and_saves_nothing(
    mut app: TestApp,
) {
    app.login("coordinator@nhf.example").await;
    let before = contact_count(&app);
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "   "),
                ("birth_year", "1850"),
                ("phone", "12ab"),
                ("email", "not-an-email"),
                ("municipality", "Bærum"),
                ("consent_given", "on"),
                ("consent_on", ""),
                ("association_id", "00000000-0000-0000-0000-000000000000"),
                ("sensitive_notes", "Bruker rullestol"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    for message in [
        "Feltet må fylles ut.",
        "Skriv et fødselsår mellom 1900 og i år.",
        "Skriv et gyldig telefonnummer",
        "Skriv en gyldig e-postadresse",
        "Velg et av lokallagene i listen.",
    ] {
        assert!(res.has(message), "the page says: {message}");
    }
    assert!(res.has("value=\"not-an-email\""), "values are kept");
    assert!(res.has("value=\"1850\""));
    assert!(res.has("value=\"Bærum\""));
    assert!(res.has("Bruker rullestol</textarea>"));
    assert!(res.has("id=\"error-summary\""));
    assert!(res.has("aria-invalid=\"true\""));
    assert_eq!(contact_count(&app), before, "nothing saved");
    // A consent date in the future is refused; an association outside the scope too.
    let tromso = association(&app, "NHF Tromsø");
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Per Hansen"),
                ("association_id", &tromso),
                ("consent_given", "on"),
                ("consent_on", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Datoen for samtykke kan ikke være fram i tid."));
    assert!(res.has("Velg et av lokallagene i listen."));
    assert_eq!(contact_count(&app), before);
}

async fn a_possible_duplicate_warns_first_and_is_created_when_confirmed(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let assoc = association(&app, "NHF Bærum");
    let first = app
        .post(
            "/contacts",
            &[
                ("name", "Tuva Tveit"),
                ("birth_year", "1971"),
                ("phone", "+47 999 88 777"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(first.status, 303);
    let id = first
        .location()
        .trim_start_matches("/contacts/")
        .to_string();
    let page = app.get(first.location()).await;
    assert!(page.has("Kontakten er opprettet."));
    assert!(page.has("01.03.2025"), "consent date shown");
    let before = contact_count(&app);
    // Same name (other case and spacing) and birth year.
    let warn = app
        .post(
            "/contacts",
            &[
                ("name", "  tuva   TVEIT "),
                ("birth_year", "1971"),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(warn.status, 422);
    assert!(warn.has("Kontakten kan allerede være registrert"));
    assert!(
        warn.has(&format!("href=\"/contacts/{id}\"")),
        "links the existing one"
    );
    assert!(warn.has("name=\"create_anyway\""));
    assert!(warn.has("value=\"  tuva   TVEIT \""), "values kept");
    assert_eq!(contact_count(&app), before, "nothing saved yet");
    // Same phone written differently.
    let warn = app
        .post(
            "/contacts",
            &[
                ("name", "Noen Andre"),
                ("phone", "99988777"),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(warn.status, 422);
    assert!(warn.has(&format!("href=\"/contacts/{id}\"")));
    // A different birth year is no duplicate.
    let other = app
        .post(
            "/contacts",
            &[
                ("name", "Tuva Tveit"),
                ("birth_year", "1990"),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(other.status, 303);
    // Confirmed: created.
    let created = app
        .post(
            "/contacts",
            &[
                ("name", "Tuva Tveit"),
                ("birth_year", "1971"),
                ("association_id", &assoc),
                ("create_anyway", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    assert_eq!(contact_count(&app), before + 2);
}

async fn a_hidden_duplicate_is_mentioned_without_details(mut app: TestApp) {
    let (id, name, year) = unassigned_in(&app, "NHF Oslo sentrum", "mentor@nhf.example");
    app.login("mentor@nhf.example").await;
    let assoc = association(&app, "NHF Oslo sentrum");
    let year = year.to_string();
    let res = app
        .post(
            "/contacts",
            &[
                ("name", &name),
                ("birth_year", &year),
                ("association_id", &assoc),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("En kontakt du ikke har tilgang til."));
    assert!(
        !res.has(&id),
        "no link or id of a contact the mentor may not see"
    );
}

async fn each_role_sees_only_its_contacts(mut app: TestApp) {
    let mine = assigned_to(&app, "mentor@nhf.example");
    assert!(!mine.is_empty());
    let (other, other_name, _) = unassigned_in(&app, "NHF Oslo sentrum", "mentor@nhf.example");
    app.login("mentor@nhf.example").await;
    let list = app.get("/contacts").await;
    assert_eq!(list.status, 200);
    let href = regex::Regex::new(r#"href="/contacts/([0-9a-f\-]{36})""#).unwrap();
    let listed: std::collections::BTreeSet<String> = href
        .captures_iter(&list.body)
        .map(|c| c[1].to_string())
        .collect();
    let expected: std::collections::BTreeSet<String> = mine.iter().cloned().collect();
    assert_eq!(
        listed, expected,
        "a mentor lists exactly the assigned contacts"
    );
    assert_eq!(app.get(&format!("/contacts/{}", mine[0])).await.status, 200);
    assert_eq!(app.get(&format!("/contacts/{other}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/contacts/{other}/notes"), &[("body", "Hei")])
            .await
            .status,
        404
    );
    let search = app
        .get(&format!(
            "/contacts?q={}",
            likeperson::web::urlencode(&other_name)
        ))
        .await;
    assert!(!search.has(&other));
    app.logout().await;

    // The coordinator sees contacts of their three associations only.
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get(&format!("/contacts/{other}")).await.status, 200);
    let scope: Vec<String> = ["NHF Oslo sentrum", "NHF Oslo øst", "NHF Bærum"]
        .iter()
        .map(|n| association(&app, n))
        .collect();
    let nhf = org_of(&app, "NHF");
    let in_scope: i64 = contacts::table
        .filter(contacts::organization_id.eq(&nhf))
        .filter(contacts::local_association_id.eq_any(&scope))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let list = app.get("/contacts").await;
    assert!(
        list.has(&format!("av {in_scope} kontakter")),
        "the count is the coordinator's scope ({in_scope})"
    );
    let outside: String = contacts::table
        .filter(contacts::organization_id.eq(&nhf))
        .filter(contacts::local_association_id.ne_all(&scope))
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(app.get(&format!("/contacts/{outside}")).await.status, 404);
    assert_eq!(
        app.get(&format!("/contacts/{outside}/edit")).await.status,
        404
    );
    app.logout().await;
    app.login("admin@nhf.example").await;
    assert_eq!(app.get(&format!("/contacts/{outside}")).await.status, 200);
    let all = app.get("/contacts").await;
    assert!(
        all.has("av 40 kontakter"),
        "the org admin sees the whole organization"
    );
    // Pagination: 25 per page.
    let second = app.get("/contacts?page=2").await;
    assert!(second.has("Viser 26–40 av 40 kontakter"));
}

async fn another_organizations_contact_is_not_found_on_get_and_post(mut app: TestApp) {
    let blind = org_of(&app, "Blindeforbundet");
    let (id, name): (String, String) = contacts::table
        .filter(contacts::organization_id.eq(&blind))
        .select((contacts::id, contacts::name))
        .first(&mut *app.conn())
        .unwrap();
    app.login("admin@nhf.example").await;
    for path in [format!("/contacts/{id}"), format!("/contacts/{id}/edit")] {
        assert_eq!(app.get(&path).await.status, 404, "GET {path}");
    }
    let notes_before: i64 = notes::table.count().get_result(&mut *app.conn()).unwrap();
    for (path, form) in [
        (format!("/contacts/{id}"), vec![("name", "Ny")]),
        (format!("/contacts/{id}/notes"), vec![("body", "Hei")]),
        (
            format!("/contacts/{id}/caregivers"),
            vec![("cg_name", "Ola"), ("cg_relation", "Bror")],
        ),
        (format!("/contacts/{id}/mentors"), vec![("mentor_id", "x")]),
    ] {
        assert_eq!(app.post(&path, &form).await.status, 404, "POST {path}");
    }
    let notes_after: i64 = notes::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(notes_before, notes_after);
    let list = app
        .get(&format!(
            "/contacts?q={}",
            likeperson::web::urlencode(&name)
        ))
        .await;
    assert!(!list.has(&id), "absent from the other organization's list");
}

async fn viewing_sensitive_details_is_audited(mut app: TestApp) {
    let scope = association(&app, "NHF Bærum");
    let (id, plain): (String, String) = {
        let with: String = contacts::table
            .filter(contacts::local_association_id.eq(&scope))
            .filter(contacts::sensitive_notes.is_not_null())
            .select(contacts::id)
            .first(&mut *app.conn())
            .unwrap();
        let without: String = contacts::table
            .filter(contacts::local_association_id.eq(&scope))
            .filter(contacts::sensitive_notes.is_null())
            .filter(
                contacts::id.ne_all(
                    caregivers::table
                        .select(caregivers::contact_id)
                        .load::<String>(&mut *app.conn())
                        .unwrap(),
                ),
            )
            .select(contacts::id)
            .first(&mut *app.conn())
            .unwrap();
        (with, without)
    };
    app.login("coordinator@nhf.example").await;
    let reads = |app: &TestApp, id: &str| -> i64 {
        audit_log::table
            .filter(audit_log::action.eq("contact.sensitive_read"))
            .filter(audit_log::target_id.eq(id))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let page = app.get(&format!("/contacts/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Sensitive opplysninger"));
    assert_eq!(reads(&app, &id), 1, "the sensitive read is audited");
    app.get(&format!("/contacts/{id}")).await;
    assert_eq!(reads(&app, &id), 2, "every view");
    let edit = app.get(&format!("/contacts/{id}/edit")).await;
    assert_eq!(edit.status, 200);
    assert_eq!(reads(&app, &id), 3, "the edit form shows them too");
    app.get(&format!("/contacts/{plain}")).await;
    assert_eq!(
        reads(&app, &plain),
        0,
        "nothing sensitive shown, nothing logged"
    );
    // Adding a caregiver makes the page sensitive.
    let res = app
        .post(
            &format!("/contacts/{plain}/caregivers"),
            &[
                ("cg_name", "Åse Berg"),
                ("cg_relation", "Datter"),
                ("cg_phone", "+47 900 11 222"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.get(&format!("/contacts/{plain}")).await;
    assert_eq!(reads(&app, &plain), 1);
}

async fn a_mentor_creates_a_contact_assigned_to_themselves(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let form = app.get("/contacts/new").await;
    assert_eq!(form.status, 200);
    let own = association(&app, "NHF Oslo øst");
    assert!(form.has(&own), "the mentor's own associations are offered");
    let bærum = association(&app, "NHF Bærum");
    assert!(!form.has(&bærum), "others are not");
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Øystein Ødegård"),
                ("birth_year", "1958"),
                ("association_id", &own),
                ("sensitive_notes", "Amputert venstre legg."),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let id = res.location().trim_start_matches("/contacts/").to_string();
    assert!(assigned_to(&app, "mentor@nhf.example").contains(&id));
    let page = app.get(res.location()).await;
    assert_eq!(page.status, 200);
    assert!(
        page.has("Mona Mentor (NHF)"),
        "shown as the assigned mentor"
    );
    // Case-insensitive search with Norwegian letters.
    let found = app.get("/contacts?q=%C3%98DEG%C3%85RD").await;
    assert!(found.has(&id));
    // A mentor cannot assign others.
    let res = app
        .post(&format!("/contacts/{id}/mentors"), &[("mentor_id", "x")])
        .await;
    assert_eq!(res.status, 404);
    // A contact may also be edited by its mentor.
    let res = app
        .post(
            &format!("/contacts/{id}"),
            &[
                ("name", "Øystein Ødegård"),
                ("birth_year", "1959"),
                ("association_id", &own),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let year: Option<i32> = contacts::table
        .find(&id)
        .select(contacts::birth_year)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(year, Some(1959));
}

async fn a_coordinator_assigns_and_unassigns_a_mentor(mut app: TestApp) {
    let (id, _, _) = unassigned_in(&app, "NHF Oslo øst", "mentor@nhf.example");
    let mentor = app.user_id("mentor@nhf.example");
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has(&format!("<option value=\"{mentor}\"")));
    // Someone who is not a mentor of the association is refused.
    let admin = app.user_id("admin@nhf.example");
    let res = app
        .post(&format!("/contacts/{id}/mentors"), &[("mentor_id", &admin)])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg en aktiv likeperson i kontaktens lokallag."));
    let res = app
        .post(
            &format!("/contacts/{id}/mentors"),
            &[("mentor_id", &mentor)],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(assigned_to(&app, "mentor@nhf.example").contains(&id));
    // Twice is refused.
    let res = app
        .post(
            &format!("/contacts/{id}/mentors"),
            &[("mentor_id", &mentor)],
        )
        .await;
    assert_eq!(res.status, 422);
    let assignment: String = cm::table
        .filter(cm::contact_id.eq(&id))
        .filter(cm::user_id.eq(&mentor))
        .filter(cm::ended_at.is_null())
        .select(cm::id)
        .first(&mut *app.conn())
        .unwrap();
    let jar = app.take_cookies();
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&format!("/contacts/{id}")).await.status, 200);
    let mentor_jar = app.take_cookies();
    app.set_cookies(jar);
    let res = app
        .post(&format!("/contacts/{id}/mentors/{assignment}/end"), &[])
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/contacts/{id}")).await;
    assert!(page.has("Tidligere likepersoner"), "kept as history");
    let ended: i64 = cm::table
        .filter(cm::id.eq(&assignment))
        .filter(cm::ended_at.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(ended, 1);
    // Ending it again answers 404.
    let res = app
        .post(&format!("/contacts/{id}/mentors/{assignment}/end"), &[])
        .await;
    assert_eq!(res.status, 404);
    app.set_cookies(mentor_jar);
    assert_eq!(
        app.get(&format!("/contacts/{id}")).await.status,
        404,
        "the mentor no longer sees the contact"
    );
}

async fn caregivers_and_notes_are_added_on_the_contact_page(mut app: TestApp) {
    let id = assigned_to(&app, "mentor@nhf.example")[0].clone();
    app.login("mentor@nhf.example").await;
    let res = app
        .post(
            &format!("/contacts/{id}/caregivers"),
            &[
                ("cg_name", ""),
                ("cg_relation", "Sønn"),
                ("cg_email", "feil"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Feltet må fylles ut."));
    assert!(res.has("value=\"Sønn\""));
    let res = app
        .post(&format!("/contacts/{id}/notes"), &[("body", "  ")])
        .await;
    assert_eq!(res.status, 422);
    for body in ["Første notat", "Andre notat\nmed to linjer"] {
        let res = app
            .post(&format!("/contacts/{id}/notes"), &[("body", body)])
            .await;
        assert_eq!(res.status, 303);
    }
    let page = app.get(&format!("/contacts/{id}")).await;
    let newest = page.body.find("Andre notat").unwrap();
    let older = page.body.find("Første notat").unwrap();
    assert!(newest < older, "newest first");
    assert!(page.has("Andre notat<br>med to linjer"));
    assert!(page.has("Mona Mentor (NHF) ·"), "with the author");
}

async fn a_status_change_is_logged_and_the_history_is_immutable(mut app: TestApp) {
    let profile = mentor_profile(&app, "mentor@nhf.example", "NHF");
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/mentors/{profile}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Startet som likeperson"));
    assert!(
        page.has("NHF Oslo sentrum, NHF Oslo øst"),
        "the associations"
    );
    let res = app
        .post(
            &format!("/mentors/{profile}/status"),
            &[("status", "paused"), ("reason", "  ")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Skriv en begrunnelse for endringen."));
    let res = app
        .post(
            &format!("/mentors/{profile}/status"),
            &[("status", "active"), ("reason", "Ingen endring")],
        )
        .await;
    assert_eq!(res.status, 422, "the same status is refused");
    let res = app
        .post(
            &format!("/mentors/{profile}/status"),
            &[("status", "paused"), ("reason", "Sykmeldt til mars")],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/mentors/{profile}")).await;
    assert!(page.has("Statusen er endret."));
    assert!(page.has("Sykmeldt til mars"));
    assert!(
        page.has("<td data-label=\"Hvem\">Kari Koordinator (NHF)</td>"),
        "who changed it"
    );
    let mentor = app.user_id("mentor@nhf.example");
    let nhf = org_of(&app, "NHF");
    assert_eq!(
        likeperson::people::mentors::service::status_of(&mut app.conn(), &mentor, &nhf).unwrap(),
        Some("paused".to_string())
    );
    let entries: Vec<(String, String)> = log::table
        .filter(log::peer_mentor_id.eq(&profile))
        .order(log::changed_at.asc())
        .select((log::status, log::reason))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        entries,
        [
            ("active".to_string(), "Startet som likeperson".to_string()),
            ("paused".to_string(), "Sykmeldt til mars".to_string())
        ]
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("peer_mentor.status_changed"))
        .filter(audit_log::target_id.eq(&profile))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(audited, 1);
    // A paused mentor gets no new contacts.
    let (contact, _, _) = unassigned_in(&app, "NHF Oslo sentrum", "mentor@nhf.example");
    let res = app
        .post(
            &format!("/contacts/{contact}/mentors"),
            &[("mentor_id", &mentor)],
        )
        .await;
    assert_eq!(res.status, 422);
    // The history is append-only.
    assert!(app
        .conn()
        .batch_execute("UPDATE peer_mentor_status_log SET reason = 'endret'")
        .is_err());
    assert!(app
        .conn()
        .batch_execute("DELETE FROM peer_mentor_status_log")
        .is_err());
    let n: i64 = log::table
        .filter(log::reason.eq("endret"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 0);
}

async fn profile_fields_are_edited_and_checked(mut app: TestApp) {
    let profile = mentor_profile(&app, "mentor@nhf.example", "NHF");
    app.login("admin@nhf.example").await;
    let res = app
        .post(
            &format!("/mentors/{profile}"),
            &[
                ("availability", "Mandager"),
                ("languages", "Norsk"),
                ("max_contacts", "tusen"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Skriv et helt tall mellom 0 og 100"));
    assert!(res.has("value=\"tusen\""));
    let res = app
        .post(
            &format!("/mentors/{profile}"),
            &[
                ("availability", "Mandager"),
                ("languages", "Norsk, samisk"),
                ("max_contacts", "6"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/mentors/{profile}")).await;
    assert!(page.has("Norsk, samisk"));
    // The mentor has 6 contacts, the limit is 6: no more can be assigned.
    let (contact, _, _) = unassigned_in(&app, "NHF Oslo sentrum", "mentor@nhf.example");
    let mentor = app.user_id("mentor@nhf.example");
    let res = app
        .post(
            &format!("/contacts/{contact}/mentors"),
            &[("mentor_id", &mentor)],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("maksimale antall kontakter"));
}

async fn a_peer_mentor_belongs_to_at_most_five_associations(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let taken = [
        association(&app, "NHF Oslo sentrum"),
        association(&app, "NHF Oslo øst"),
    ];
    let free: Vec<String> = app
        .association_ids("NHF")
        .into_iter()
        .filter(|a| !taken.contains(a))
        .collect();
    for a in &free[0..3] {
        let res = app
            .post(
                &format!("/users/{mentor}/roles"),
                &[("role", "peer_mentor"), ("association_id", a)],
            )
            .await;
        assert_eq!(res.status, 303, "grant {a}");
    }
    let res = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "peer_mentor"), ("association_id", &free[3])],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("En likeperson kan høre til høyst 5 lokallag."));
    // A coordinator grant is not limited by it.
    let res = app
        .post(
            &format!("/users/{mentor}/roles"),
            &[("role", "coordinator"), ("association_id", &free[3])],
        )
        .await;
    assert_eq!(res.status, 303);
    // A new peer mentor gets a profile with the grant.
    let res = app
        .post(
            "/users/invite",
            &[
                ("email", "ny.likeperson@nhf.example"),
                ("name", "Ny Likeperson"),
                ("role", "peer_mentor"),
                ("association_id", &free[0]),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    // ... once the invitation is accepted (a new account: by choosing a password).
    app.set_password_by_mail("ny.likeperson@nhf.example", "quiet-river-morning")
        .await;
    let new_user = app.user_id("ny.likeperson@nhf.example");
    let nhf = org_of(&app, "NHF");
    assert_eq!(
        likeperson::people::mentors::service::status_of(&mut app.conn(), &new_user, &nhf).unwrap(),
        Some("active".to_string())
    );
}

async fn the_mentor_list_is_scoped_and_searchable(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let list = app.get("/mentors").await;
    assert_eq!(list.status, 200);
    assert!(list.has("Mona Mentor (NHF)"));
    assert!(list.has(">Kari Koordinator (NHF)</a>"));
    assert!(!list.has("(Blindeforbundet)"));
    let found = app.get("/mentors?q=MONA").await;
    assert!(found.has("Mona Mentor (NHF)"));
    assert!(!found.has(">Kari Koordinator (NHF)</a>"));
    let paused = app.get("/mentors?status=paused").await;
    assert!(paused.has("Ingen treff."));
    let fragment = app.htmx_get("/mentors?q=mona", "results").await;
    assert!(fragment
        .body
        .trim_start()
        .starts_with("<div id=\"results\">"));
    // A mentor outside the coordinator's associations is not listed and not found.
    app.logout().await;
    app.login("admin@nhf.example").await;
    let tromso = association(&app, "NHF Tromsø");
    let res = app
        .post(
            "/users/invite",
            &[
                ("email", "nord@nhf.example"),
                ("name", "Nils Nordmann"),
                ("role", "peer_mentor"),
                ("association_id", &tromso),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.set_password_by_mail("nord@nhf.example", "quiet-river-morning")
        .await;
    assert!(app.get("/mentors").await.has("Nils Nordmann"));
    let profile = mentor_profile(&app, "nord@nhf.example", "NHF");
    assert_eq!(app.get(&format!("/mentors/{profile}")).await.status, 200);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert!(!app.get("/mentors").await.has("Nils Nordmann"));
    assert_eq!(app.get(&format!("/mentors/{profile}")).await.status, 404);
    assert_eq!(
        app.post(
            &format!("/mentors/{profile}/status"),
            &[("status", "paused"), ("reason", "x")]
        )
        .await
        .status,
        404
    );
}

async fn demo_data_has_profiles_contacts_and_assignments(app: TestApp) {
    for short in ["NHF", "Blindeforbundet", "HLF", "Barnekreftforeningen"] {
        let org = org_of(&app, short);
        let n: i64 = contacts::table
            .filter(contacts::organization_id.eq(&org))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(n, 40, "{short} has 40 contacts");
        let profiles: i64 = pm::table
            .filter(pm::organization_id.eq(&org))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(profiles, 2, "{short}: mentor and coordinator");
    }
    let bkf = org_of(&app, "Barnekreftforeningen");
    let without_parents: i64 = contacts::table
        .filter(contacts::organization_id.eq(&bkf))
        .filter(
            contacts::id.ne_all(
                caregivers::table
                    .select(caregivers::contact_id)
                    .load::<String>(&mut *app.conn())
                    .unwrap(),
            ),
        )
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(without_parents, 0, "every child has caregivers");
    assert!(assigned_to(&app, "mentor@barnekreftforeningen.example").len() >= 3);
}
