//! Local associations: the rules of the seed card, through the pages an administrator uses.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::schema::{audit_log, local_associations as la};

on_both_backends!(
    bad_input_answers_422_with_messages_and_values_and_saves_nothing,
    names_and_external_ids_are_unique_within_the_organization_only,
    an_administrator_creates_edits_and_finds_an_association,
    deactivation_hides_but_never_deletes_and_htmx_swaps_the_row,
    a_coordinator_sees_but_cannot_change,
);

fn count(app: &TestApp) -> i64 {
    la::table.count().get_result(&mut *app.conn()).unwrap()
}

async fn bad_input_answers_422_with_messages_and_values_and_saves_nothing(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let before = count(&app);
    let res = app
        .post(
            "/associations",
            &[
                ("name", "  "),
                ("contact_email", "not-an-email"),
                ("contact_phone", "12ab"),
                ("metadata", "[1, 2"),
                ("external_id", "X-1"),
                ("region_id", "00000000-0000-0000-0000-000000000000"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    for message in [
        "Feltet må fylles ut.",
        "Skriv en gyldig e-postadresse",
        "Skriv et gyldig telefonnummer",
        "Metadata må være et gyldig JSON-objekt.",
        "Velg et av alternativene.",
    ] {
        assert!(res.has(message), "the page says: {message}");
    }
    assert!(
        res.has("value=\"not-an-email\""),
        "the user's values are kept"
    );
    assert!(res.has("[1, 2</textarea>"));
    assert!(res.has("aria-invalid=\"true\""));
    assert!(res.has("id=\"error-summary\""));
    assert_eq!(count(&app), before, "nothing saved");
    // A JSON value that is not an object is refused too.
    let res = app
        .post(
            "/associations",
            &[("name", "NHF Lillestrøm"), ("metadata", "42")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(count(&app), before);
}

async fn names_and_external_ids_are_unique_within_the_organization_only(mut app: TestApp) {
    app.login("admin@hlf.example").await;
    let dup = app.post("/associations", &[("name", "hlf  BERGEN")]).await;
    assert_eq!(
        dup.status, 422,
        "names compare without case and extra spaces"
    );
    assert!(dup.has("Navnet er allerede i bruk i organisasjonen."));
    let dup_ext = app
        .post(
            "/associations",
            &[("name", "HLF Voss"), ("external_id", "DYN-HLF-VES1")],
        )
        .await;
    assert_eq!(dup_ext.status, 422);
    assert!(dup_ext.has("Den eksterne ID-en er allerede i bruk"));
    app.logout().await;
    app.login("admin@nhf.example").await;
    let same_name_elsewhere = app
        .post(
            "/associations",
            &[("name", "HLF Bergen"), ("external_id", "DYN-HLF-VES1")],
        )
        .await;
    assert_eq!(
        same_name_elsewhere.status, 303,
        "another organization may use the same name and external id"
    );
}

async fn an_administrator_creates_edits_and_finds_an_association(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let regions = app.get("/associations/new").await;
    let region = regex::Regex::new(r#"<option value="([0-9a-f\-]{36})">Viken</option>"#)
        .unwrap()
        .captures(&regions.body)
        .unwrap()[1]
        .to_string();
    let res = app
        .post(
            "/associations",
            &[
                ("name", "NHF Lillestrøm"),
                ("short_code", "NHF-VIK9"),
                ("region_id", &region),
                ("contact_email", "Lillestrom@NHF.example"),
                ("contact_phone", "+47 912 34 567"),
                ("address", "Storgata 1, 2000 Lillestrøm"),
                ("external_id", "NHF-4711"),
                ("metadata", r#"{"bufdir_code": "VIK9"}"#),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let detail_path = res.location().to_string();
    let detail = app.get(&detail_path).await;
    assert_eq!(detail.status, 200);
    assert!(detail.has("<h1>NHF Lillestrøm</h1>"));
    assert!(
        detail.has("lillestrom@nhf.example"),
        "e-mail stored in lower case"
    );
    assert!(detail.has("Viken"));
    assert!(detail.has("Opprettet."), "a confirmation is shown once");
    let id = detail_path.trim_start_matches("/associations/").to_string();
    let res = app
        .post(
            &detail_path,
            &[
                ("name", "NHF Lillestrøm og omegn"),
                ("short_code", "nhf-vik9"),
                ("region_id", &region),
                ("external_id", "NHF-4712"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(app
        .get(&detail_path)
        .await
        .has("<h1>NHF Lillestrøm og omegn</h1>"));
    // Search is case-insensitive, also for Norwegian letters, and matches short codes.
    for q in ["LILLESTRØM", "omegn", "nhf-vik9"] {
        let found = app
            .get(&format!(
                "/associations?q={}",
                likeperson::web::urlencode(q)
            ))
            .await;
        assert!(found.has(&format!("/associations/{id}")), "search for {q}");
    }
    let none = app.get("/associations?q=%25").await;
    assert!(
        none.has("Ingen treff."),
        "LIKE wildcards are taken literally"
    );
    // The htmx search answers with the results fragment only.
    let fragment = app.htmx_get("/associations?q=oslo", "results").await;
    assert_eq!(fragment.status, 200);
    assert!(fragment
        .body
        .trim_start()
        .starts_with("<div id=\"results\">"));
    assert!(!fragment.has("<html"));
    assert!(fragment.has("<div id=\"status\" hx-swap-oob=\"innerHTML\"><p class=\"flash flash-sr\">Viser 1–2 av 2 lokallag</p></div>"), "the count is announced");
    assert_eq!(fragment.header("vary"), "HX-Request");
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::target_id.eq(&id))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(actions, ["association.created", "association.updated"]);
}

async fn deactivation_hides_but_never_deletes_and_htmx_swaps_the_row(mut app: TestApp) {
    app.login("admin@barnekreftforeningen.example").await;
    let id = app.association_ids("Barnekreftforeningen")[0].clone();
    let before = count(&app);
    let swap = app
        .htmx_post(&format!("/associations/{id}/deactivate"))
        .await;
    assert_eq!(swap.status, 200);
    assert!(
        swap.body
            .trim_start()
            .starts_with(&format!("<tr id=\"row-{id}\"")),
        "the row is swapped in place"
    );
    assert!(swap.has("Aktiver igjen"));
    assert!(
        swap.has("<div id=\"status\" hx-swap-oob=\"innerHTML\">"),
        "the status message goes to the live region"
    );
    assert!(swap.has("er deaktivert."));
    assert!(
        swap.has("data-focus-after-swap"),
        "focus lands on the row's new button"
    );
    assert_eq!(count(&app), before, "never deleted");
    let active = app.get("/associations").await;
    assert!(
        !active.has(&format!("/associations/{id}\"")),
        "hidden from the active list"
    );
    let inactive = app.get("/associations?status=inactive").await;
    assert!(inactive.has(&format!("/associations/{id}\"")));
    // Without htmx the same form redirects with a message.
    let res = app
        .post(&format!("/associations/{id}/reactivate"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert!(app.get(res.location()).await.has("er aktiv igjen."));
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::target_id.eq(&id))
        .order(audit_log::seq.asc())
        .select(audit_log::action)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        actions,
        ["association.deactivated", "association.reactivated"]
    );
}

async fn a_coordinator_sees_but_cannot_change(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let list = app.get("/associations").await;
    assert!(!list.has("Nytt lokallag"));
    assert!(!list.has("/deactivate"));
    let id = app
        .association_ids("NHF")
        .into_iter()
        .find(|id| list.has(id))
        .unwrap();
    let res = app
        .post(&format!("/associations/{id}/deactivate"), &[])
        .await;
    assert_eq!(res.status, 404);
    let active: bool = la::table
        .find(&id)
        .select(la::is_active)
        .first(&mut *app.conn())
        .unwrap();
    assert!(active);
}
