//! Values the HTML standard constrains, on the pages that broke them (the browser suite runs
//! the W3C Nu checker over every crawled page; these keep the causes fixed on both backends):
//! `<time datetime>` (at most three digits of a second, and a zone), `tel:` links (no spaces) and
//! required selects (an empty first option, even when there is only one choice).

use crate::common::{Resp, TestApp};
use crate::events::{event_in, HOME, UNMARKED};
use crate::on_both_backends;
use scraper::{Html, Selector};

on_both_backends!(
    contact_pages_have_valid_times_phone_links_and_selects,
    the_group_activity_leader_is_chosen_from_an_empty_first_option,
);

/// Every value on the page that the HTML standard constrains, as `path: problem` lines.
fn invalid_values(path: &str, res: &Resp) -> Vec<String> {
    let doc = Html::parse_document(&res.body);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let time = regex::Regex::new(
        r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$",
    )
    .unwrap();
    let tel = regex::Regex::new(r"^tel:\+?[0-9]+$").unwrap();
    let mut out = Vec::new();
    for t in doc.select(&sel("time[datetime]")) {
        let v = t.value().attr("datetime").unwrap();
        if !time.is_match(v) {
            out.push(format!("{path}: <time datetime=\"{v}\">"));
        }
    }
    for a in doc.select(&sel(r#"a[href^="tel:"]"#)) {
        let v = a.value().attr("href").unwrap();
        if !tel.is_match(v) {
            out.push(format!("{path}: <a href=\"{v}\">"));
        }
    }
    for s in doc.select(&sel("select[required]:not([multiple])")) {
        let first = s.select(&sel("option")).next();
        if first.and_then(|o| o.value().attr("value")) != Some("") {
            let name = s.value().attr("name").unwrap_or("?");
            out.push(format!(
                "{path}: required <select name=\"{name}\"> has no empty first option"
            ));
        }
    }
    out
}

async fn contact_pages_have_valid_times_phone_links_and_selects(mut app: TestApp) {
    // one local association: the choice on the contact form used to be its only option
    app.login("mentor@blindeforbundet.example").await;
    let list = app.get("/contacts").await;
    let ids: Vec<String> = regex::Regex::new(r#"href="/contacts/([0-9a-f-]{36})""#)
        .unwrap()
        .captures_iter(&list.body)
        .map(|c| c[1].to_string())
        .collect();
    assert!(!ids.is_empty(), "the mentor has contacts");
    let mut paths = vec!["/contacts".to_string(), "/contacts/new".to_string()];
    for id in &ids {
        paths.push(format!("/contacts/{id}"));
        paths.push(format!("/contacts/{id}/edit"));
    }
    let (mut problems, mut times, mut tels) = (Vec::new(), 0, 0);
    for p in &paths {
        let res = app.get(p).await;
        assert_eq!(res.status, 200, "{p}");
        times += res.body.matches("<time datetime=").count();
        tels += res.body.matches(r#"href="tel:"#).count();
        problems.extend(invalid_values(p, &res));
    }
    assert!(
        times > 0 && tels > 0,
        "the pages show note times ({times}) and phone links ({tels})"
    );
    assert_eq!(problems, Vec::<String>::new());
    let new = app.get("/contacts/new").await;
    assert!(
        new.has("<option value=\"\">Velg …</option>"),
        "the placeholder"
    );
    assert!(
        regex::Regex::new(r#"<option value="[0-9a-f-]{36}" selected>"#)
            .unwrap()
            .is_match(&new.body),
        "the only association is still chosen"
    );
}

async fn the_group_activity_leader_is_chosen_from_an_empty_first_option(mut app: TestApp) {
    let event = event_in(&app, HOME, UNMARKED);
    let mentor = app.user_id("mentor@nhf.example");
    let coordinator = app.user_id("coordinator@nhf.example");
    app.login("coordinator@nhf.example").await;
    let mark = |u: &str| format!("/events/{event}/attendees/{u}");
    app.post(&mark(&mentor), &[("status", "attended")]).await;
    app.post(&mark(&coordinator), &[("status", "no_show")])
        .await;
    let path = format!("/events/{event}");
    let page = app.get(&path).await;
    assert!(page.has("name=\"mentor_id\""), "the group activity form");
    assert_eq!(invalid_values(&path, &page), Vec::<String>::new());
    assert!(
        page.has(&format!("<option value=\"{mentor}\" selected>")),
        "the only one who attended is chosen"
    );
    // choosing nobody is answered at the field
    let res = app
        .post(&format!("/events/{event}/activity"), &[("mentor_id", "")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("Velg en likeperson som møtte."));
}
