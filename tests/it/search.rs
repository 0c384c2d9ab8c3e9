//! The search box: mentors, contacts, activities and local associations within the actor's
//! scope, folded for æ, ø and å on both backends, bounded per group with "show all", as you
//! type (htmx fragment, count announced) and as a plain page without JavaScript.

use crate::common::TestApp;
use crate::home::{association, nhf_type};
use crate::on_both_backends;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use likeperson::schema::{activities as act, contacts, organizations as o, users};

on_both_backends!(
    search_folds_norwegian_letters_in_contacts_and_mentors,
    a_coordinator_finds_only_records_of_their_associations,
    an_org_admin_finds_the_organizations_records_and_never_anothers,
    activities_are_found_by_contact_and_by_text,
    each_group_is_bounded_with_a_link_to_the_full_list,
    as_you_type_answers_a_fragment_and_announces_the_count,
    without_javascript_the_form_is_a_page_and_no_hits_are_said_in_words,
    existing_users_get_a_folded_name_key_from_the_migration,
);

/// Renames a contact (name and its Rust-lowered key), as the contact form would.
fn rename_contact(app: &TestApp, id: &str, name: &str) {
    diesel::update(contacts::table.find(id))
        .set((
            contacts::name.eq(name),
            contacts::name_key.eq(likeperson::web::forms::search_key(name)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

/// A contact of the organization in the named association.
fn contact_in(app: &TestApp, association_name: &str) -> String {
    let a = association(app, association_name);
    contacts::table
        .filter(contacts::local_association_id.eq(a))
        .order(contacts::id.asc())
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn contact_of(app: &TestApp, org: &str) -> String {
    contacts::table
        .inner_join(o::table.on(o::id.eq(contacts::organization_id)))
        .filter(o::short_name.eq(org))
        .order(contacts::id.asc())
        .select(contacts::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn q(s: &str) -> String {
    format!("/search?q={}", likeperson::web::urlencode(s))
}

async fn search_folds_norwegian_letters_in_contacts_and_mentors(mut app: TestApp) {
    let c = contact_in(&app, "NHF Oslo sentrum");
    rename_contact(&app, &c, "øystein Ærlig-Åsen");
    app.login("admin@nhf.example").await;
    // A new user's name key is made where the user is created.
    let res = app
        .post(
            "/users/invite",
            &[
                ("email", "oda@nhf.example"),
                ("name", "ØDA ÆRØ"),
                ("role", "peer_mentor"),
                ("association_id", &association(&app, "NHF Bærum")),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // The invitation takes effect when the new mentor chooses a password.
    app.set_password_by_mail("oda@nhf.example", "quiet-river-morning")
        .await;
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    for term in ["Ø", "ØYSTEIN", "ærlig-åsen", "ÆRLIG"] {
        let found = app.get(&q(term)).await;
        assert_eq!(found.status, 200);
        assert!(
            found.has(&format!("/contacts/{c}")),
            "{term:?} finds øystein Ærlig-Åsen"
        );
    }
    let mentor = app.get(&q("øda ærø")).await;
    assert!(mentor.has("ØDA ÆRØ"), "the mentor is found in lower case");
    assert!(mentor.has("Likepersoner"));
    let mentor = app.get(&q("Øda")).await;
    assert!(mentor.has("ØDA ÆRØ"));
    // The mentor list's own search folds the same way (SQL lower() folds only ASCII on SQLite).
    let list = app.get("/mentors?q=%C3%B8da+%C3%A6r%C3%B8").await;
    assert_eq!(list.status, 200);
    assert!(list.has("ØDA ÆRØ"), "the mentor list finds øda ærø");
}

async fn a_coordinator_finds_only_records_of_their_associations(mut app: TestApp) {
    let inside = contact_in(&app, "NHF Bærum");
    let outside = contact_in(&app, "NHF Tromsø");
    let blind = contact_of(&app, "Blindeforbundet");
    rename_contact(&app, &inside, "Zyxel Innenfor");
    rename_contact(&app, &outside, "Zyxel Utenfor");
    rename_contact(&app, &blind, "Zyxel Blind");
    app.login("coordinator@nhf.example").await;
    let res = app.get(&q("zyxel")).await;
    assert_eq!(res.status, 200);
    assert!(res.has("Zyxel Innenfor"));
    assert!(!res.has("Zyxel Utenfor"), "another association's contact");
    assert!(!res.has("Zyxel Blind"), "another organization's contact");
    // Associations: their own three only.
    let res = app.get(&q("NHF")).await;
    let re = regex::Regex::new(r#"href="/associations/([0-9a-f\-]{36})""#).unwrap();
    let found: std::collections::BTreeSet<String> = re
        .captures_iter(&res.body)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(found.len(), 3, "the coordinator's three associations");
    assert!(!res.has("NHF Tromsø"));
    // Mentors: NHF Tromsø has none of theirs; Blindeforbundet's mentor is never found.
    let res = app.get(&q("mona")).await;
    assert!(res.has("Mona Mentor (NHF)"));
    assert!(!res.has("Mona Mentor (Blindeforbundet)"));
    // Every contact link the search shows opens for the coordinator (list agrees with detail).
    let res = app.get(&q("e")).await;
    let re = regex::Regex::new(r#"href="(/contacts/[0-9a-f\-]{36})""#).unwrap();
    let links: Vec<String> = re
        .captures_iter(&res.body)
        .map(|c| c[1].to_string())
        .collect();
    assert!(!links.is_empty());
    for l in links {
        assert_eq!(app.get(&l).await.status, 200, "{l} opens");
    }
}

async fn an_org_admin_finds_the_organizations_records_and_never_anothers(mut app: TestApp) {
    let inside = contact_in(&app, "NHF Bærum");
    let outside = contact_in(&app, "NHF Tromsø");
    let blind = contact_of(&app, "Blindeforbundet");
    rename_contact(&app, &inside, "Zyxel Innenfor");
    rename_contact(&app, &outside, "Zyxel Utenfor");
    rename_contact(&app, &blind, "Zyxel Blind");
    app.login("admin@nhf.example").await;
    let res = app.get(&q("zyxel")).await;
    assert!(res.has("Zyxel Innenfor") && res.has("Zyxel Utenfor"));
    assert!(!res.has("Zyxel Blind"));
    let res = app.get(&q("tromsø")).await;
    assert!(res.has("NHF Tromsø"));
    assert!(!res.has("Blindeforbundet Tromsø"));
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let res = app.get(&q("zyxel")).await;
    assert!(res.has("Zyxel Blind"));
    assert!(!res.has("Zyxel Innenfor") && !res.has("Zyxel Utenfor"));
    // Peer mentors and the global administrator have no search.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&q("zyxel")).await.status, 404);
    app.logout().await;
    app.login("global@likeperson.example").await;
    assert_eq!(app.get(&q("zyxel")).await.status, 404);
}

async fn activities_are_found_by_contact_and_by_text(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let (contact, assoc) = crate::home::contact_named_assigned(&app, &mentor);
    rename_contact(&app, &contact, "Øyvor Aktivsen");
    app.login("mentor@nhf.example").await;
    let res = app
        .post(
            "/activities",
            &[
                ("activity_type_id", &nhf_type(&app, "one_to_one")),
                (
                    "occurred_on",
                    &likeperson::activities::service::today().to_string(),
                ),
                ("duration_minutes", "60"),
                ("contact_id", &contact),
                ("local_association_id", &assoc),
                ("description", "Vi snakket om Qwertyplan for høsten"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let id: String = act::table
        .filter(act::description.eq("Vi snakket om Qwertyplan for høsten"))
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap();
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    for term in ["ØYVOR", "qwertyplan"] {
        let res = app.get(&q(term)).await;
        assert!(
            res.has(&format!("/activities/{id}")),
            "{term:?} finds the activity"
        );
    }
    // The activity list filters the same way.
    let list = app.get("/activities?q=qwertyplan").await;
    assert!(list.has(&format!("/activities/{id}")));
    let list = app.get(&format!("/activities?contact={contact}")).await;
    assert!(list.has(&format!("/activities/{id}")));
    // Blindeforbundet's administrator never finds it.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert!(!app.get(&q("qwertyplan")).await.has(&id));
    assert!(!app.get("/activities?q=qwertyplan").await.has(&id));
}

async fn each_group_is_bounded_with_a_link_to_the_full_list(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let res = app.get(&q("NHF")).await;
    let re = regex::Regex::new(r#"href="/associations/[0-9a-f\-]{36}""#).unwrap();
    assert_eq!(re.find_iter(&res.body).count(), 10, "ten of twenty shown");
    assert!(res.has(r#"href="/associations?q=NHF&#38;status=all""#));
    assert!(res.has("Vis alle"));
    let list = app.get("/associations?q=NHF&status=all").await;
    assert!(list.has("av 20"), "the full list has all twenty");
    // A group with few hits has no such link.
    let res = app.get(&q("Tromsø")).await;
    assert!(!res.has("/associations?q="));
}

async fn as_you_type_answers_a_fragment_and_announces_the_count(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let page = app.get("/").await;
    assert!(page.has(r#"hx-get="/search""#));
    assert!(page.has(r#"hx-trigger="input changed delay:400ms"#));
    assert!(page.has(r#"action="/search""#));
    assert!(page.has(r#"id="search-results""#));
    let res = app.htmx_get(&q("mona"), "search-results").await;
    assert_eq!(res.status, 200);
    assert!(!res.has("<html"), "only the results");
    assert!(res.has("Mona Mentor (NHF)"));
    assert!(
        res.has(r#"<div id="status" hx-swap-oob="innerHTML">"#),
        "the count goes to the live region"
    );
    assert!(
        regex::Regex::new(r"Viser \d+ treff")
            .unwrap()
            .is_match(&res.body),
        "the number of hits in words"
    );
    let none = app.htmx_get(&q("qqqzzz"), "search-results").await;
    assert!(none.has("Ingen treff for «qqqzzz»."));
}

async fn without_javascript_the_form_is_a_page_and_no_hits_are_said_in_words(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let empty = app.get("/search").await;
    assert_eq!(empty.status, 200);
    assert!(empty.has("<h1>Søk</h1>"));
    assert!(!empty.has("Ingen treff"));
    let res = app.get(&q("qqqzzz")).await;
    assert_eq!(res.status, 200);
    assert!(res.has("<html"));
    assert!(res.has("Ingen treff for «qqqzzz»."));
    assert!(res.has(r#"value="qqqzzz""#), "the query stays in the box");
    let long = "x".repeat(500);
    assert_eq!(app.get(&q(&long)).await.status, 200, "a long query is cut");
    assert_eq!(app.get(&q("%_\\")).await.status, 200);
}

/// The migration's SQL (run here again on a user whose key was lost) folds Æ, Ø and Å on both
/// backends, as Rust's `to_lowercase` does for new users.
async fn existing_users_get_a_folded_name_key_from_the_migration(app: TestApp) {
    let backend = match *app.conn() {
        likeperson::db::DbConn::Sqlite(_) => "sqlite",
        likeperson::db::DbConn::Postgres(_) => "postgres",
    };
    let path = format!(
        "{}/migrations/{backend}/2026-11-28-000011_home_search/up.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let sql = std::fs::read_to_string(path).unwrap();
    let start = sql.find("UPDATE users").unwrap();
    let end = start + sql[start..].find(';').unwrap() + 1;
    let id = app.user_id("mentor@nhf.example");
    diesel::update(users::table.find(&id))
        .set((users::name.eq("  ØYVIND ÆRØ-ÅSEN "), users::name_key.eq("")))
        .execute(&mut *app.conn())
        .unwrap();
    app.conn().batch_execute(&sql[start..end]).unwrap();
    let key: String = users::table
        .find(&id)
        .select(users::name_key)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(key, "øyvind ærø-åsen");
    assert_eq!(key, likeperson::web::forms::search_key("ØYVIND ÆRØ-ÅSEN"));
}
