//! What a new user tripped on (issue 9): terminology by concept, settings that do nothing,
//! a readable audit log and association page, phone navigation and words instead of numbers.

use crate::common::TestApp;
use crate::on_both_backends;
use diesel::prelude::*;
use likeperson::audit::service::{append, Event};
use likeperson::schema::{
    activities, local_associations as la, organizations, peer_mentors, settings,
};

on_both_backends!(
    renaming_the_mentor_concept_reaches_menu_titles_headings_and_counts,
    settings_show_the_notification_switches_and_they_take_effect,
    the_activity_type_says_what_may_carry_expenses_is_for,
    the_audit_log_reads_as_words_with_names_links_and_filters,
    the_association_page_shows_members_and_this_years_figures,
    phones_get_a_menu_button_and_lists_say_no_hits_in_words,
    an_event_is_listed_once_on_the_coordinators_page,
    the_404_page_speaks_the_readers_language,
);

async fn settings_show_the_notification_switches_and_they_take_effect(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let page = app.get("/account/settings").await;
    assert_eq!(page.status, 200);
    assert!(page.has("name=\"notify_email\" value=\"on\" checked"));
    assert!(page.has("name=\"notify_in_app\" value=\"on\" checked"));
    assert!(page.has("href=\"/account/notifications\""));
    // Unticked e-mail: saved, and only the app's notifications stay on.
    let res = app
        .post(
            "/account/settings",
            &[
                ("language", "nb"),
                ("larger_text", "on"),
                ("notify_in_app", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let user = app.user_id("mentor@nhf.example");
    let (email, in_app, larger): (bool, bool, bool) = settings::table
        .find(&user)
        .select((
            settings::notify_email,
            settings::notify_in_app,
            settings::larger_text,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert!(!email && in_app, "the switches are saved as ticked");
    assert!(larger);
    assert!(!app
        .get("/account/settings")
        .await
        .has("name=\"notify_email\" value=\"on\" checked"));
}

async fn the_activity_type_says_what_may_carry_expenses_is_for(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/activity-types/new").await;
    assert_eq!(page.status, 200);
    assert!(page.has("name=\"allows_expenses\""));
    assert!(page.has("aria-describedby=\"f-allows_expenses-hint\""));
    assert!(page.has("Brukes når utlegg kommer"));
}

async fn renaming_the_mentor_concept_reaches_menu_titles_headings_and_counts(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/labels").await;
    assert_eq!(page.status, 200);
    assert!(
        page.has("Hva dere kaller en likeperson"),
        "concepts in plain words"
    );
    assert!(page.has("name=\"label:term.mentor.pl\""));
    assert!(
        !page.has("(term.") && !page.has("(nav."),
        "no technical keys shown"
    );
    let res = app
        .post(
            "/labels",
            &[
                ("locale", "nb"),
                ("label:term.mentor.sg", "kontaktperson"),
                ("label:term.mentor.def", "kontaktpersonen"),
                ("label:term.mentor.pl", "kontaktpersoner"),
                ("label:term.mentor.pl_def", "kontaktpersonene"),
                ("label:term.mentor.a", "en kontaktperson"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let mentors = app.get("/mentors").await;
    assert!(mentors.has(">Kontaktpersoner</a>"), "the menu");
    assert!(mentors.has("<title>Kontaktpersoner – "), "the page title");
    assert!(mentors.has("<h1>Kontaktpersoner</h1>"), "the heading");
    let count = regex::Regex::new(r"av \d+ kontaktpersoner</p>").unwrap();
    assert!(count.is_match(&mentors.body), "the count sentence");
    let activities = app.get("/activities").await;
    assert!(activities.has("Registrer på vegne av en kontaktperson"));
    assert!(activities.has(">Kontaktperson</th>"), "a column heading");
    // (/events is left out: the demo events have "likepersoner" in their titles)
    for path in ["/", "/mentors", "/activities", "/contacts"] {
        let body = app.get(path).await.body;
        assert!(
            !body.contains("likeperson") && !body.contains("Likepersoner"),
            "no old word left on {path}: {}",
            body.find("likeperson")
                .or_else(|| body.find("Likepersoner"))
                .map(|i| &body[i.saturating_sub(120)..(i + 40).min(body.len())])
                .unwrap_or("")
        );
    }
    // Sentences with an article follow.
    let res = app
        .post(
            "/activities",
            &[("mentor_id", "nobody"), ("occurred_on", "x")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg en kontaktperson i dine lokallag."));
    // Another organization keeps its words.
    app.logout().await;
    app.login("coordinator@blindeforbundet.example").await;
    let other = app.get("/mentors").await;
    assert!(other.has("<h1>Likepersoner</h1>") && other.has(">Likepersoner</a>"));
    assert!(!other.has("ontaktperson"));
}

/// The page's content, without the layout's `hx-headers` JSON on `<body>`.
fn main_part(body: &str) -> &str {
    let start = body.find("<main").unwrap_or(0);
    &body[start..]
}

async fn the_audit_log_reads_as_words_with_names_links_and_filters(mut app: TestApp) {
    let org: String = organizations::table
        .filter(organizations::short_name.eq("NHF"))
        .select(organizations::id)
        .first(&mut *app.conn())
        .unwrap();
    let admin = app.user_id("admin@nhf.example");
    let mentor_user = app.user_id("mentor@nhf.example");
    let assoc = app.association_ids("NHF")[0].clone();
    let assoc_name: String = la::table
        .find(&assoc)
        .select(la::name)
        .first(&mut *app.conn())
        .unwrap();
    let profile: String = peer_mentors::table
        .filter(peer_mentors::user_id.eq(&mentor_user))
        .select(peer_mentors::id)
        .first(&mut *app.conn())
        .unwrap();
    {
        let mut conn = app.conn();
        for ev in [
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&admin),
                action: "association.updated",
                target_type: Some("local_association"),
                target_id: Some(&assoc),
                detail: Some(serde_json::json!({
                    "name": assoc_name, "previous_name": "Gammelt navn", "changed": ["name"]
                })),
                ..Default::default()
            },
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&admin),
                action: "peer_mentor.status_changed",
                target_type: Some("peer_mentor"),
                target_id: Some(&profile),
                detail: Some(serde_json::json!({
                    "user_id": mentor_user, "from": "active", "to": "paused", "reason": "Ferie"
                })),
                ..Default::default()
            },
            // An action the catalogue has no words for yet, with nested details.
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&admin),
                action: "contact.erased",
                target_type: Some("contact"),
                detail: Some(serde_json::json!({ "kept": { "activities": 3 } })),
                ..Default::default()
            },
        ] {
            likeperson::db::tx(&mut conn, |tx| append(tx, ev.clone())).unwrap();
        }
    }
    app.login("admin@nhf.example").await;
    let page = app.get("/audit").await;
    assert_eq!(page.status, 200);
    let main = main_part(&page.body);
    for words in [
        ">Endret et lokallag</td>",
        "Navn: Gammelt navn → ",
        ">Endret status for en likeperson</td>",
        "Status: Aktiv → Pause",
        "Begrunnelse: Ferie",
        "Person: Mona Mentor (NHF)",
        "Kontakt: erased",
        ">Logget inn</td>",
    ] {
        assert!(main.contains(words), "the log says: {words}");
    }
    assert!(main.contains(&format!(
        "<a href=\"/associations/{assoc}\">{assoc_name}</a>"
    )));
    assert!(main.contains(&format!(
        "<a href=\"/mentors/{profile}\">Mona Mentor (NHF)</a>"
    )));
    assert!(main.contains(&format!("<a href=\"/users/{admin}\">Ada Admin (NHF)</a>")));
    assert!(
        !main.contains("{&#34;") && !main.contains("{&quot;") && !main.contains("{\""),
        "no raw JSON"
    );
    assert!(
        !main.contains(">peer_mentor.status_changed<"),
        "no action keys"
    );
    // Filters: kind, person, period.
    let kind = app.get("/audit?kind=peer_mentor.status_changed").await;
    let main = main_part(&kind.body);
    assert!(main.contains("Status: Aktiv → Pause") && !main.contains("Navn: Gammelt navn"));
    let who = app.get("/audit?who=mona").await;
    assert!(!who.has("Gammelt navn"), "Ada's entries left out");
    let ada = app.get("/audit?who=ada+admin").await;
    assert!(ada.has("Gammelt navn"));
    let nobody = app.get("/audit?who=zzzz").await;
    assert!(nobody.has("Ingen treff.") && !nobody.has("0–0"));
    let later = app.get("/audit?from=2999-01-01").await;
    assert!(later.has("Ingen treff."));
    let today = likeperson::activities::service::today()
        .format("%Y-%m-%d")
        .to_string();
    let period = app.get(&format!("/audit?from={today}&to={today}")).await;
    assert!(period.has("Gammelt navn"));
    // Another organization's admin sees none of it.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert!(!app.get("/audit").await.has("Gammelt navn"));
}

/// An association where both the demo mentor and the demo coordinator of NHF have a role.
fn shared_association(app: &TestApp) -> String {
    use likeperson::schema::user_organization_roles as uor;
    let of = |email: &str, role: &str| -> Vec<String> {
        uor::table
            .filter(uor::user_id.eq(app.user_id(email)))
            .filter(uor::role_id.eq(role.to_string()))
            .select(uor::local_association_id.assume_not_null())
            .load(&mut *app.conn())
            .unwrap()
    };
    let coordinated = of("coordinator@nhf.example", "coordinator");
    of("mentor@nhf.example", "peer_mentor")
        .into_iter()
        .find(|a| coordinated.contains(a))
        .unwrap()
}

async fn the_association_page_shows_members_and_this_years_figures(mut app: TestApp) {
    let assoc = shared_association(&app);
    let year = likeperson::activities::service::today()
        .format("%Y")
        .to_string();
    let y: i32 = year.parse().unwrap();
    let counted: i64 = activities::table
        .filter(activities::local_association_id.eq(&assoc))
        .filter(activities::status.eq("registered"))
        .filter(activities::occurred_on.between(
            chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(y, 12, 31).unwrap(),
        ))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    app.login("coordinator@nhf.example").await;
    let page = app.get(&format!("/associations/{assoc}")).await;
    assert_eq!(page.status, 200);
    let main = main_part(&page.body);
    assert!(main.contains(&format!("Tall for {year}")));
    assert!(main.contains(&format!(
        "<strong>{counted}</strong> aktiviteter registrert"
    )));
    assert!(main.contains("aktive likepersoner"));
    assert!(main.contains(">Mona Mentor (NHF)</a>") && main.contains("href=\"/mentors/"));
    assert!(main.contains("Kari Koordinator (NHF)"));
    assert!(
        !main.contains("/users/"),
        "a coordinator gets no link to the user pages"
    );
    assert!(
        !main.contains("{&#34;") && !main.contains("bufdir_code"),
        "no raw metadata"
    );
    app.logout().await;
    app.login("admin@nhf.example").await;
    let page = app.get(&format!("/associations/{assoc}")).await;
    let main = main_part(&page.body);
    assert!(main.contains("Bufdir-kode"));
    assert!(
        main.contains(">Kari Koordinator (NHF)</a>"),
        "the admin may open the user"
    );
}

async fn phones_get_a_menu_button_and_lists_say_no_hits_in_words(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let home = app.get("/").await;
    assert!(home.has(
        "class=\"menu-toggle ds-button\" data-variant=\"secondary\" data-size=\"sm\" aria-expanded=\"false\" aria-controls=\"header-tools main-menu\" hidden>Meny</button>"
    ));
    assert!(home.has("<div class=\"header-tools\" id=\"header-tools\">"));
    assert!(home.has("<ul id=\"main-menu\">"));
    // The script that opens it and the CSS that folds it are served.
    let js_url = regex::Regex::new(r#"src="(/static/[^"]+/js/app\.js)""#)
        .unwrap()
        .captures(&home.body)
        .unwrap()[1]
        .to_string();
    let js = app.get(&js_url).await;
    assert!(js.has("menu-toggle") && js.has("aria-expanded"));
    let css_url = regex::Regex::new(r#"href="(/static/[^"]+/css/app\.css)""#)
        .unwrap()
        .captures(&home.body)
        .unwrap()[1]
        .to_string();
    assert!(app.get(&css_url).await.has(".has-menu-toggle .menu-toggle"));
    for path in [
        "/mentors?q=zzzzqqq",
        "/contacts?q=zzzzqqq",
        "/associations?q=zzzzqqq",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200);
        assert!(page.has(">Ingen treff.</p>"), "{path} says so in words");
        assert!(!page.has("0–0"), "{path} has no 0–0 of 0");
        assert_eq!(
            page.body.matches("Ingen treff.").count(),
            1,
            "{path} says it once"
        );
    }
    let found = app.get("/mentors").await;
    assert!(regex::Regex::new(r"Viser 1–\d+ av \d+ likepersoner")
        .unwrap()
        .is_match(&found.body));
}

async fn an_event_is_listed_once_on_the_coordinators_page(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let page = app.get("/events").await;
    assert_eq!(page.status, 200);
    assert!(
        page.has("Venter på oppmøteregistrering"),
        "the demo has one to mark"
    );
    let links = regex::Regex::new(r#"href="/events/([0-9a-f-]{36})""#).unwrap();
    let mut seen = std::collections::HashSet::new();
    for c in links.captures_iter(&page.body) {
        assert!(
            seen.insert(c[1].to_string()),
            "event {} listed twice",
            &c[1]
        );
    }
    assert!(!seen.is_empty());
}

async fn the_404_page_speaks_the_readers_language(mut app: TestApp) {
    use actix_web::test::TestRequest;
    let nb = app.get("/no-such-page").await;
    assert_eq!(nb.status, 404);
    assert!(nb.has("<html lang=\"nb\">") && nb.has("<h1>Fant ikke siden</h1>"));
    assert!(!nb.has("Page not found"));
    let en = app
        .send(
            TestRequest::get()
                .uri("/no-such-page")
                .insert_header(("Accept-Language", "en-GB,en;q=0.9")),
        )
        .await;
    assert_eq!(en.status, 404);
    assert!(en.has("<html lang=\"en\">") && en.has("<h1>Page not found</h1>"));
    assert!(!en.has("Fant ikke"));
    // Signed in: the user's own setting wins over the browser's.
    app.login("admin@nhf.example").await;
    app.post("/account/settings", &[("language", "en")]).await;
    let other_org = app.association_ids("Blindeforbundet")[0].clone();
    for path in [
        "/no-such-page".to_string(),
        format!("/associations/{other_org}"),
    ] {
        let res = app
            .send(
                TestRequest::get()
                    .uri(&path)
                    .insert_header(("Accept-Language", "nb")),
            )
            .await;
        assert_eq!(res.status, 404, "{path}");
        assert!(
            res.has("<h1>Page not found</h1>"),
            "{path} in the user's language"
        );
    }
}
