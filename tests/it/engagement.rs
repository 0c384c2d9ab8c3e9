//! Engagement and configuration (issue 16): toolbox cards in safe Markdown with favourites and
//! keyboard reordering, https-only resources, badges awarded once by the job runner,
//! recruitment links counted without the visitor's address, the settings page, and the bulk
//! import of mentors and contacts (CSV and XLSX) with its preview, bad-rows file and guards.

use std::time::Instant;

use diesel::prelude::*;

use crate::common::TestApp;
use crate::documents::post_parts;
use crate::on_both_backends;
use likeperson::schema::{
    badges as b, contacts as c, import_batches as ib, invitations as inv, local_associations as la,
    organizations as o, recruitment_referrals as rr, toolbox_cards as tc, user_badges as ub,
};

on_both_backends!(
    toolbox_markdown_is_sanitized_and_other_orgs_cards_are_invisible,
    a_mentor_searches_filters_and_marks_favourites,
    an_admin_reorders_cards_with_the_keyboard_buttons,
    resources_take_https_links_only_and_show_the_host,
    the_badge_job_awards_once_however_often_it_runs,
    the_mentor_sees_earned_and_next_badges,
    a_recruitment_link_counts_visits_once_per_browser_and_guesses_are_404,
    the_settings_page_explains_each_setting_and_refuses_unsafe_links,
    an_import_of_5000_contacts_with_50_bad_rows_imports_the_good_ones_once,
    imported_mentors_are_invited_by_mail_and_duplicates_are_refused,
    an_xlsx_file_imports_and_a_zip_bomb_or_garbage_is_refused,
);

fn org(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn card_of(app: &TestApp, short: &str, title: &str) -> String {
    tc::table
        .filter(tc::organization_id.eq(org(app, short)))
        .filter(tc::title.eq(title))
        .select(tc::id)
        .first(&mut *app.conn())
        .unwrap()
}

async fn toolbox_markdown_is_sanitized_and_other_orgs_cards_are_invisible(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let hostile = "Hei <script>alert(1)</script>\n\n[klikk](javascript:alert(2)) \
                   <img src=x onerror=alert(3)>\n\n<a href=\"https://x.example\" onclick=\"alert(4)\">a</a>";
    let res = app
        .post(
            "/toolbox",
            &[("title", "Farlig"), ("category", "Test"), ("body", hostile)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = card_of(&app, "NHF", "Farlig");
    // Empty and oversized input is refused at the field, the values kept.
    let long = "x".repeat(300);
    let res = app
        .post(
            "/toolbox",
            &[("title", &long), ("category", ""), ("body", "b")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("aria-invalid"), "fields marked");
    app.logout().await;

    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/toolbox/{id}")).await;
    assert_eq!(page.status, 200);
    let main = page.body.split("<main").nth(1).unwrap_or("").to_string();
    // No element runs anything: no script, no image, no event attribute, no script link.
    let doc = scraper::Html::parse_document(&page.body);
    let all = scraper::Selector::parse("main *").unwrap();
    for el in doc.select(&all) {
        let v = el.value();
        assert!(
            !["script", "img", "iframe"].contains(&v.name()),
            "<{}> in the card",
            v.name()
        );
        for (attr, value) in v.attrs() {
            assert!(!attr.starts_with("on"), "{attr} on <{}>", v.name());
            assert!(
                !value.trim_start().starts_with("javascript:"),
                "{attr}={value}"
            );
        }
    }
    assert!(main.contains("&lt;script&gt;"), "raw HTML is shown as text");
    // Another organization's card is not there (404), nor in its list.
    app.logout().await;
    app.login("mentor@blindeforbundet.example").await;
    assert_eq!(app.get(&format!("/toolbox/{id}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/toolbox/{id}/favourite"), &[])
            .await
            .status,
        404
    );
    assert!(!app.get("/toolbox").await.body.contains("Farlig"));
    // A mentor does not edit cards.
    assert_eq!(app.get("/toolbox/manage").await.status, 404);
    assert_eq!(
        app.post(
            "/toolbox",
            &[("title", "x"), ("category", "y"), ("body", "z")]
        )
        .await
        .status,
        404
    );
}

async fn a_mentor_searches_filters_and_marks_favourites(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let all = app.get("/toolbox").await;
    assert!(all.has("Første møte") && all.has("Taushetsplikt"));
    let cat = app.get("/toolbox?category=Praktiske%20r%C3%A5d").await;
    assert!(cat.has("Første møte") && !cat.has("Hva gleder du deg til?"));
    let hits = app.htmx_get("/toolbox?q=taushet", "toolbox-results").await;
    assert!(
        hits.has("Taushetsplikt") && !hits.has("Første møte"),
        "{}",
        hits.body
    );
    assert!(hits.body.contains("hx-swap-oob"), "the count is announced");
    let id = card_of(&app, "NHF", "Taushetsplikt");
    let fav = app.htmx_post(&format!("/toolbox/{id}/favourite")).await;
    assert_eq!(fav.status, 200);
    assert!(fav.body.contains("aria-pressed=\"true\""));
    let favs = app.get("/toolbox?favourites=1").await;
    assert!(favs.has("Taushetsplikt") && !favs.has("Første møte"));
    // Again: no longer a favourite.
    app.post(&format!("/toolbox/{id}/favourite"), &[]).await;
    assert!(!app.get("/toolbox?favourites=1").await.has("Taushetsplikt"));
}

fn order(app: &TestApp) -> Vec<String> {
    tc::table
        .filter(tc::organization_id.eq(org(app, "NHF")))
        .order((tc::position.asc(), tc::id.asc()))
        .select(tc::title)
        .load(&mut *app.conn())
        .unwrap()
}

async fn an_admin_reorders_cards_with_the_keyboard_buttons(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let before = order(&app);
    let second = card_of(&app, "NHF", &before[1]);
    let token = app.token().await;
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/toolbox/{second}/move"))
                .insert_header(("HX-Request", "true"))
                .set_form([("csrf_token", token.as_str()), ("dir", "up")]),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("data-focus-after-swap"),
        "focus stays on the button"
    );
    assert!(
        res.body.contains("hx-swap-oob"),
        "the new place is announced"
    );
    let after = order(&app);
    assert_eq!(after[0], before[1]);
    assert_eq!(after[1], before[0]);
    // The first card cannot go further up; a bad direction is 404.
    let res = app
        .post(&format!("/toolbox/{second}/move"), &[("dir", "up")])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(order(&app), after);
    let res = app
        .post(&format!("/toolbox/{second}/move"), &[("dir", "sideways")])
        .await;
    assert_eq!(res.status, 404);
}

async fn resources_take_https_links_only_and_show_the_host(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    for bad in [
        "javascript:alert(1)",
        "http://example.org",
        "data:text/html,x",
        "//evil.example",
    ] {
        let res = app
            .post(
                "/resources",
                &[
                    ("title", "Lenke"),
                    ("url", bad),
                    ("category", "Test"),
                    ("description", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{bad}");
        assert!(res.has("https://"), "the message says what to write");
    }
    let res = app
        .post(
            "/resources",
            &[
                ("title", "Lovdata"),
                ("url", "https://lovdata.no/dokument/NL"),
                ("category", "Regelverk"),
                ("description", "Lover og forskrifter."),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let page = app.get("/resources").await;
    assert!(page.has("Lovdata") && page.has("lovdata.no"));
    assert!(!page.has("/resources/new"), "a mentor does not edit");
    app.logout().await;
    app.login("mentor@blindeforbundet.example").await;
    assert!(!app.get("/resources").await.has("Lovdata"));
}

async fn the_badge_job_awards_once_however_often_it_runs(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let res = app
        .post(
            "/badges",
            &[
                ("name", "Fem møter"),
                ("description", "Fem aktiviteter."),
                ("icon", "heart"),
                ("trigger_kind", "activities"),
                ("threshold", "5"),
                ("is_active", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // A bad number and an unknown trigger are refused at the field.
    let res = app
        .post(
            "/badges",
            &[
                ("name", "Rart"),
                ("description", "x"),
                ("icon", "skull"),
                ("trigger_kind", "activities"),
                ("threshold", "-4"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    let badge: String = b::table
        .filter(b::name.eq("Fem møter"))
        .select(b::id)
        .first(&mut *app.conn())
        .unwrap();
    let held = |app: &TestApp| -> i64 {
        ub::table
            .filter(ub::badge_id.eq(&badge))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(held(&app), 0);
    let jobs = likeperson::jobs::all();
    let mut env = app.jobs_env();
    env.instance = "test-a".into();
    let first = likeperson::jobs::run_due(&mut app.conn(), &jobs, &env, true);
    let n = held(&app);
    assert!(
        n > 0,
        "the demo mentors with five activities get it: {first:?}"
    );
    env.instance = "test-b".into();
    let second = likeperson::jobs::run_due(&mut app.conn(), &jobs, &env, true);
    assert_eq!(held(&app), n, "a second run awards nothing more");
    assert!(
        second.iter().any(|(name, o)| *name == "engagement.badges"
            && *o == likeperson::jobs::Outcome::Ran("0 awarded".into())),
        "{second:?}"
    );
    // Awarding directly again (another instance racing) meets the unique key.
    let row: likeperson::engagement::model::Badge = b::table
        .find(&badge)
        .select(likeperson::engagement::model::Badge::as_select())
        .first(&mut *app.conn())
        .unwrap();
    let someone: String = ub::table
        .filter(ub::badge_id.eq(&badge))
        .select(ub::user_id)
        .first(&mut *app.conn())
        .unwrap();
    let again =
        likeperson::engagement::badges::service::award(&mut app.conn(), &row, &someone, 9).unwrap();
    assert!(again.is_none());
    assert_eq!(held(&app), n);
    // Each award is one "new badge" notification, none for the refused second one.
    use likeperson::schema::notifications as ntf;
    let told: i64 = ntf::table
        .filter(ntf::scenario.eq("badge.awarded"))
        .filter(ntf::params.like("%Fem møter%"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(told, n, "one notification per award");
    let mine: i64 = ntf::table
        .filter(ntf::scenario.eq("badge.awarded"))
        .filter(ntf::user_id.eq(&someone))
        .filter(ntf::link.eq("/badges/mine"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert!(mine >= 1);
}

async fn the_mentor_sees_earned_and_next_badges(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let home = app.get("/").await;
    assert!(
        home.body.contains("/badges/mine?fragment=1"),
        "the start page loads them"
    );
    let frag = app.htmx_get("/badges/mine?fragment=1", "").await;
    assert_eq!(frag.status, 200);
    assert!(frag.has("Første samtale"), "earned in the demo");
    assert!(frag.has("Kursbevis"), "a next badge with its goal");
    assert!(frag.body.contains("<progress"));
    assert!(!frag.body.contains("<html"), "a fragment");
    // The annual summary's function: this year's badges.
    let org_id = org(&app, "NHF");
    let me = app.user_id("mentor@nhf.example");
    let year = likeperson::activities::service::today()
        .format("%Y")
        .to_string();
    let year: i32 = year.parse().unwrap();
    let got = likeperson::engagement::badges::badges_in_year(&mut app.conn(), &org_id, &me, year)
        .unwrap();
    assert!(got.iter().any(|e| e.badge.name == "Første samtale"));
    let none =
        likeperson::engagement::badges::badges_in_year(&mut app.conn(), &org_id, &me, year - 5)
            .unwrap();
    assert!(none.is_empty());
    // Another organization's badge picture is 404.
    let other: String = b::table
        .filter(b::organization_id.eq(org(&app, "Blindeforbundet")))
        .select(b::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/badges/{other}/picture")).await.status,
        404
    );
    assert_eq!(
        app.get("/badges").await.status,
        404,
        "definitions are for admins"
    );
}

async fn a_recruitment_link_counts_visits_once_per_browser_and_guesses_are_404(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let page = app.get("/recruit").await;
    assert!(page.has("/r/"), "the demo link is shown");
    let qr = app.get("/recruit/qr.svg").await;
    assert_eq!(qr.status, 200);
    assert!(qr.body.contains("<svg"));
    let me = app.user_id("mentor@nhf.example");
    let token = |app: &TestApp| -> (String, i64) {
        rr::table
            .filter(rr::user_id.eq(&me))
            .filter(rr::organization_id.eq(org(app, "NHF")))
            .select((rr::token, rr::clicks))
            .first(&mut *app.conn())
            .unwrap()
    };
    let (t, clicks) = token(&app);
    let mut visitor = app.client();
    let landing = visitor.get(&format!("/r/{t}")).await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.has("https://www.nhf.example/bli-medlem"),
        "sends to the membership page"
    );
    visitor.get(&format!("/r/{t}")).await;
    assert_eq!(token(&app).1, clicks + 1, "a browser counts once");
    let mut other = app.client();
    other.get(&format!("/r/{t}")).await;
    assert_eq!(token(&app).1, clicks + 2);
    // Guessed and malformed tokens are 404 and count nothing.
    assert_eq!(
        other.get(&format!("/r/{}", "0".repeat(32))).await.status,
        404
    );
    assert_eq!(other.get("/r/'%20OR%201=1").await.status, 404);
    // A new link: the old one stops working; the count stays.
    assert_eq!(app.post("/recruit/link", &[]).await.status, 303);
    let (t2, kept) = token(&app);
    assert_ne!(t, t2);
    assert_eq!(kept, clicks + 2);
    let mut third = app.client();
    assert_eq!(third.get(&format!("/r/{t}")).await.status, 404);
    assert_eq!(third.get(&format!("/r/{t2}")).await.status, 200);
    // Only a peer mentor renews a link: signed out goes to sign-in, an administrator gets 404.
    assert_eq!(third.post("/recruit/link", &[]).await.status, 303);
    let mut admin = app.client();
    admin.login("admin@nhf.example").await;
    assert_eq!(admin.post("/recruit/link", &[]).await.status, 404);
    assert_eq!(token(&app).0, t2, "unchanged");
    // The coordinator sees the totals of their associations.
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let totals = app.get("/recruit/totals").await;
    assert_eq!(totals.status, 200);
    assert!(totals.has(&(clicks + 3).to_string()), "{}", totals.body);
    assert_eq!(
        app.get("/recruit").await.status,
        404,
        "a coordinator has no link page"
    );
}

async fn the_settings_page_explains_each_setting_and_refuses_unsafe_links(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/organization-settings").await;
    assert_eq!(page.status, 200);
    for text in [
        "Grense for automatisk godkjenning",
        "/expense-settings",
        "/assignments/settings",
        "Innmeldingsside",
    ] {
        assert!(page.has(text), "{text}");
    }
    let res = app
        .post(
            "/organization-settings",
            &[("membership_url", "javascript:alert(1)")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("javascript:alert(1)"),
        "the typed value is kept"
    );
    let res = app
        .post(
            "/organization-settings",
            &[("membership_url", "https://nhf.no/medlem")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(app
        .get("/organization-settings")
        .await
        .has("https://nhf.no/medlem"));
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/organization-settings").await.status, 404);
}

/// Uploads a file to the import as the page's form does (token first).
async fn upload(app: &mut TestApp, kind: &str, name: &str, data: &[u8]) -> crate::common::Resp {
    let token = app.token().await;
    post_parts(
        app,
        &format!("/import/upload/{kind}"),
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some(name), data),
        ],
    )
    .await
}

fn association_names(app: &TestApp, short: &str) -> Vec<String> {
    la::table
        .filter(la::organization_id.eq(org(app, short)))
        .filter(la::is_active.eq(true))
        .order(la::name.asc())
        .select(la::name)
        .load(&mut *app.conn())
        .unwrap()
}

fn batch_id(res: &crate::common::Resp) -> String {
    res.location().trim_start_matches("/import/").to_string()
}

async fn an_import_of_5000_contacts_with_50_bad_rows_imports_the_good_ones_once(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let assoc = association_names(&app, "NHF")[0].clone();
    // 5,000 rows; every hundredth is bad, in turn: a birth year that is no year, an unknown
    // association, the same person as the row before it.
    let mut csv = String::from("navn;lokallag;fødselsår;telefon;kommune\n");
    for i in 0..5000 {
        let (name, place, year) = match (i % 100, (i / 100) % 3) {
            (0, 0) => (format!("Feil År {i}"), assoc.clone(), "18x0"),
            (0, 1) => (format!("Ukjent Lag {i}"), "Finnes ikke".to_string(), "1970"),
            (0, _) => (format!("Importert Person {}", i - 1), assoc.clone(), "1960"),
            _ => (format!("Importert Person {i}"), assoc.clone(), "1960"),
        };
        csv.push_str(&format!("{name};{place};{year};;Oslo\n"));
    }
    let contacts_before: i64 = c::table.count().get_result(&mut *app.conn()).unwrap();
    let started = Instant::now();
    let res = upload(&mut app, "contacts", "kontakter.csv", csv.as_bytes()).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = batch_id(&res);
    let preview = app.get(&format!("/import/{id}")).await;
    let previewed = started.elapsed();
    assert_eq!(preview.status, 200);
    assert!(preview.has("4950 rader kan importeres"), "preview counts");
    assert!(preview.has("50 rader har feil"));
    assert!(
        preview.has("Ugyldig fødselsår")
            && preview.has("Ukjent lokallag")
            && preview.has("Står to ganger i filen")
    );
    assert_eq!(
        c::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        contacts_before,
        "nothing is saved by the preview"
    );
    let bad = app.get(&format!("/import/{id}/rejected.csv")).await;
    assert_eq!(bad.body.lines().count(), 51, "header + 50 rows to fix");
    let started_run = Instant::now();
    let res = app.post(&format!("/import/{id}/run"), &[]).await;
    let ran = started_run.elapsed();
    assert_eq!(res.status, 303);
    assert_eq!(
        c::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        contacts_before + 4950
    );
    eprintln!(
        "IMPORT TIMING ({}): upload + preview of 5,000 rows {:?}, import of 4,950 {:?}",
        match app.conn().backend() {
            likeperson::db::Backend::Sqlite => "SQLite",
            likeperson::db::Backend::Postgres => "PostgreSQL",
        },
        previewed,
        ran
    );
    // Once: a second run imports nothing.
    let res = app.post(&format!("/import/{id}/run"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(app
        .get(&format!("/import/{id}"))
        .await
        .has("allerede importert"));
    assert_eq!(
        c::table
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap(),
        contacts_before + 4950
    );
    // The bad rows after the import are the ones rejected then, with their problems.
    let bad = app.get(&format!("/import/{id}/rejected.csv")).await;
    assert_eq!(bad.body.lines().count(), 51);
    assert!(bad.body.contains("Ugyldig fødselsår"));
    assert_eq!(app.audit_count("import.completed"), 1);
    let (imported, rejected): (i32, i32) = ib::table
        .find(&id)
        .select((ib::imported, ib::rejected))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((imported, rejected), (4950, 50));
    // Another organization's administrator does not see the batch.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(app.get(&format!("/import/{id}")).await.status, 404);
    assert_eq!(
        app.post(&format!("/import/{id}/run"), &[]).await.status,
        404
    );
    assert_eq!(
        app.get(&format!("/import/{id}/rejected.csv")).await.status,
        404
    );
}

async fn imported_mentors_are_invited_by_mail_and_duplicates_are_refused(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let assoc = association_names(&app, "NHF")[0].clone();
    // The demo mentor already holds this role in her first association.
    let mona: String = {
        use likeperson::schema::user_organization_roles as uor;
        uor::table
            .inner_join(la::table)
            .filter(uor::user_id.eq(app.user_id("mentor@nhf.example")))
            .filter(uor::role_id.eq("peer_mentor"))
            .filter(uor::revoked_at.is_null())
            .select(la::name)
            .first(&mut *app.conn())
            .unwrap()
    };
    let csv = format!(
        "Navn,E-post,Rolle,Lokallag\n\
         Kari Ny,kari.ny@example.org,likeperson,{assoc}\n\
         Per Ny,per.ny@example.org,koordinator,{assoc}\n\
         Kari Igjen,KARI.NY@example.org,likeperson,{assoc}\n\
         Uten Post,ikke-epost,likeperson,{assoc}\n\
         Feil Rolle,feil@example.org,sjef,{assoc}\n\
         Mona Mentor,mentor@nhf.example,likeperson,{mona}\n\
         =HYPERLINK(\"https://evil.example\"),x@example.org,likeperson,Ingensteds\n"
    );
    let res = upload(&mut app, "mentors", "folk.csv", csv.as_bytes()).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = batch_id(&res);
    let preview = app.get(&format!("/import/{id}")).await;
    assert!(preview.has("2 rader kan importeres"), "{}", preview.body);
    assert!(preview.has("5 rader har feil"));
    let res = app.post(&format!("/import/{id}/run"), &[]).await;
    assert_eq!(res.status, 303);
    let invited: i64 = inv::table
        .filter(inv::email.eq_any(["kari.ny@example.org", "per.ny@example.org"]))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(invited, 2);
    assert_eq!(
        app.mails_to("kari.ny@example.org").len(),
        1,
        "the invitation is mailed"
    );
    assert_eq!(app.mails_to("per.ny@example.org").len(), 1);
    // The bad rows come back as a file with formulas neutralized.
    let bad = app.get(&format!("/import/{id}/rejected.csv")).await;
    assert!(bad.body.contains("\"'=HYPERLINK"), "{}", bad.body);
    // A wrong file: missing columns are named.
    let res = upload(&mut app, "mentors", "feil.csv", b"fornavn;telefon\nA;1\n").await;
    assert_eq!(res.status, 422);
    assert!(res.has("Disse kolonnene mangler"));
    // A mentor cannot import.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get("/import").await.status, 404);
    let res = upload(&mut app, "contacts", "k.csv", b"navn;lokallag\nA;B\n").await;
    assert_eq!(res.status, 404);
}

async fn an_xlsx_file_imports_and_a_zip_bomb_or_garbage_is_refused(mut app: TestApp) {
    use likeperson::web::export::{Cell, XlsxSheet};
    app.login("admin@nhf.example").await;
    let assoc = association_names(&app, "NHF")[0].clone();
    let mut x = XlsxSheet::start(&["navn", "lokallag", "fødselsår"]);
    x.row(&[
        Cell::Text("Xlsx Person"),
        Cell::Text(&assoc),
        Cell::Int(1980),
    ]);
    x.row(&[Cell::Text("Xlsx Feil"), Cell::Text(&assoc), Cell::Int(3000)]);
    let res = upload(&mut app, "contacts", "ark.xlsx", &x.into_bytes().unwrap()).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = batch_id(&res);
    let preview = app.get(&format!("/import/{id}")).await;
    assert!(preview.has("1 rader kan importeres"), "{}", preview.body);
    app.post(&format!("/import/{id}/run"), &[]).await;
    let n: i64 = c::table
        .filter(c::name.eq("Xlsx Person"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 1);
    // A zip bomb: small on disk, huge unpacked.
    let bomb = {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        let zeros = vec![b'a'; 1024 * 1024];
        for _ in 0..100 {
            w.write_all(&zeros).unwrap();
        }
        w.finish().unwrap();
        buf.into_inner()
    };
    let batches =
        |app: &TestApp| -> i64 { ib::table.count().get_result(&mut *app.conn()).unwrap() };
    let before = batches(&app);
    let res = upload(&mut app, "contacts", "bombe.xlsx", &bomb).await;
    assert_eq!(res.status, 422);
    assert!(res.has("pakker seg ut"), "{}", res.body);
    for (name, data) in [
        ("tull.xlsx", b"PK\x03\x04tull".to_vec()),
        ("bilde.csv", b"\x89PNG\r\n\x1a\n\0\0\0".to_vec()),
        ("tom.csv", Vec::new()),
    ] {
        let res = upload(&mut app, "contacts", name, &data).await;
        assert_eq!(res.status, 422, "{name}");
    }
    // Too large for the upload limit.
    let big = vec![b'a'; 11 * 1024 * 1024];
    let res = upload(&mut app, "contacts", "stor.csv", &big).await;
    assert_eq!(res.status, 422);
    assert_eq!(batches(&app), before, "nothing kept of refused files");
    assert_eq!(app.get("/import/upload/nothing").await.status, 404);
}
