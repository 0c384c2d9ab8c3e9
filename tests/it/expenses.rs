//! Expenses and claims (issue 11): types and rates, entry with the live amount, receipts
//! through the upload pipeline, the rules on submission, the coordinator's decisions (once,
//! under a race), export and payment, honorarium totals, and bad input refused at the field.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Datelike;
use diesel::prelude::*;

use crate::common::TestApp;
use crate::on_both_backends;
use likeperson::access::{Actor, Context, Role, Setting};
use likeperson::schema::{
    activities as act, activity_types as at, expense_settings as es, expense_types as et,
    expenses as ex, local_associations as la, mileage_rates as mr, organizations as o,
    receipts as rc, reimbursement_approvals as ra, reimbursements as rb,
};

on_both_backends!(
    an_admin_keeps_types_rates_and_rules_and_bad_values_are_refused,
    the_rate_of_the_trip_s_date_applies_across_the_year_boundary,
    bad_expense_input_is_refused_at_the_field_and_nothing_is_saved,
    a_small_complete_claim_is_approved_automatically_and_says_why,
    a_claim_over_the_limit_waits_and_a_coordinator_decides_it_once,
    two_deciders_at_once_make_exactly_one_decision,
    nobody_decides_their_own_claim_or_one_outside_their_scope,
    receipts_go_through_the_upload_pipeline_and_are_required_where_the_type_says,
    expenses_from_an_activity_need_a_type_that_carries_them,
    approved_claims_are_exported_once_and_paid_in_one_action,
    the_year_s_totals_and_honorarium_show_with_the_limit_warning,
    the_queue_approves_a_row_with_htmx_and_many_at_once,
    honorarium_counts_completed_assignments_where_the_organization_uses_them,
    the_totals_name_what_they_count,
    an_amount_filter_reads_a_bounded_window_and_goes_on_from_there,
);

fn org(app: &TestApp, short: &str) -> String {
    o::table
        .filter(o::short_name.eq(short))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn type_id(app: &TestApp, short: &str, kind: &str) -> String {
    et::table
        .filter(et::organization_id.eq(org(app, short)))
        .filter(et::kind.eq(kind))
        .select(et::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    likeperson::activities::service::today()
}

fn count_expenses(app: &TestApp) -> i64 {
    ex::table.count().get_result(&mut *app.conn()).unwrap()
}

fn status(app: &TestApp, claim: &str) -> String {
    rb::table
        .find(claim)
        .select(rb::status)
        .first(&mut *app.conn())
        .unwrap()
}

/// Enters a mileage line as the signed-in mentor; returns the response.
async fn mileage(app: &mut TestApp, short: &str, date: &str, km: &str) -> crate::common::Resp {
    let t = type_id(app, short, "mileage");
    let assoc = mentor_association(app);
    app.post(
        "/expenses",
        &[
            ("type", &t),
            ("association", &assoc),
            ("spent_on", date),
            ("km", km),
            ("passengers", "0"),
            ("from_place", "Storgata 1"),
            ("to_place", "Frivillighetshuset"),
            ("purpose", "Besøk"),
        ],
    )
    .await
}

fn mentor_association(app: &TestApp) -> String {
    la::table
        .filter(la::name.eq("NHF Oslo sentrum"))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The id in a `/expenses/{id}` or `/claims/{id}` location.
fn id_in(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_string()
}

/// The mentor's open lines, submitted as one claim; returns the claim's id.
async fn submit_open(app: &mut TestApp, lines: &[String]) -> String {
    let mut form: Vec<(&str, &str)> = lines.iter().map(|l| ("expense", l.as_str())).collect();
    let token = app.token().await;
    form.push(("csrf_token", &token));
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/claims")
                .set_form(form),
        )
        .await;
    assert_eq!(res.status, 303, "submitted: {}", res.body);
    id_in(res.location())
}

/// Sets the organization's rules: automatic approval up to `max` øre, `spot` % spot checks.
fn rules(app: &TestApp, short: &str, max: i64, spot: i32) {
    diesel::update(es::table.find(org(app, short)))
        .set((
            es::auto_approve_max_ore.eq(max),
            es::spot_check_percent.eq(spot),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

/// An actor as the extractor would load it, for calling the service from threads.
fn actor(app: &TestApp, email: &str, role: Role) -> Actor {
    let user = app.user_id(email);
    let nhf = org(app, "NHF");
    let associations: Vec<String> = likeperson::schema::user_organization_roles::table
        .filter(likeperson::schema::user_organization_roles::user_id.eq(&user))
        .filter(likeperson::schema::user_organization_roles::role_id.eq(role.key()))
        .select(likeperson::schema::user_organization_roles::local_association_id)
        .load::<Option<String>>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let active = Context {
        org_id: Some(nhf),
        org_name: "NHF".into(),
        role,
    };
    Actor {
        user_id: user.clone(),
        name: email.into(),
        email: email.into(),
        contexts: vec![active.clone()],
        active,
        associations,
        settings: Setting::defaults(&user),
        labels: Arc::new(likeperson::labels::Labels::new(
            likeperson::labels::Lang::Nb,
            HashMap::new(),
        )),
        csrf: String::new(),
        flash: None,
        unread: 0,
        path: "/".into(),
        ip: None,
    }
}

// ---------------------------------------------------------------- administration

async fn an_admin_keeps_types_rates_and_rules_and_bad_values_are_refused(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let page = app.get("/expense-types").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Kilometergodtgjørelse"), "demo types are listed");
    let transit = type_id(&app, "NHF", "transit");
    let res = app
        .post(
            "/expense-types",
            &[
                ("name", "Ferge"),
                ("kind", "transit"),
                ("receipt_above", "0"),
                ("max_line", "500"),
                ("max_claim", ""),
                ("excludes", &transit),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let ferry: String = et::table
        .filter(et::name.eq("Ferge"))
        .select(et::id)
        .first(&mut *app.conn())
        .unwrap();
    let max: Option<i64> = et::table
        .find(&ferry)
        .select(et::max_line_ore)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(max, Some(50_000), "kroner stored as øre");
    let pairs: i64 = likeperson::schema::expense_type_exclusions::table
        .filter(
            likeperson::schema::expense_type_exclusions::type_a
                .eq(&ferry)
                .or(likeperson::schema::expense_type_exclusions::type_b.eq(&ferry)),
        )
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(pairs, 1);
    // Bad values: 422, the values kept, messages at the fields, nothing saved.
    let other_org_type = type_id(&app, "Blindeforbundet", "mileage");
    let res = app
        .post(
            "/expense-types",
            &[
                ("name", "Ferge"),
                ("kind", "teleport"),
                ("max_line", "-5"),
                ("receipt_above", "12e3"),
                ("excludes", &other_org_type),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-name-error") && res.has("f-kind-error") && res.has("f-max_line-error"));
    assert!(res.has("value=\"-5\""), "the user's input is kept");
    // Rates: a new year's rate; bad ones refused.
    let res = app
        .post(
            "/mileage-rates",
            &[
                ("effective_from", "2027-01-01"),
                ("rate", "5,20"),
                ("tax_free", "3,50"),
                ("passenger", "1"),
                ("forest_road", "1"),
                ("trailer", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let r: i32 = mr::table
        .filter(mr::organization_id.eq(org(&app, "NHF")))
        .filter(mr::effective_from.eq(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()))
        .select(mr::rate_ore)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(r, 520);
    let res = app
        .post(
            "/mileage-rates",
            &[
                ("effective_from", "1999-13-01"),
                ("rate", "-1"),
                ("tax_free", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-effective_from-error") && res.has("f-rate-error"));
    // The claim rules.
    let res = app
        .post(
            "/expense-settings",
            &[("auto_approve_max", "750,50"), ("spot_check_percent", "10")],
        )
        .await;
    assert_eq!(res.status, 303);
    let s: (i64, i32) = es::table
        .find(org(&app, "NHF"))
        .select((es::auto_approve_max_ore, es::spot_check_percent))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(s, (75_050, 10));
    let res = app
        .post(
            "/expense-settings",
            &[("auto_approve_max", "lots"), ("spot_check_percent", "101")],
        )
        .await;
    assert_eq!(res.status, 422);
    // Another organization's type is not found.
    assert_eq!(
        app.get(&format!("/expense-types/{other_org_type}/edit"))
            .await
            .status,
        404
    );
}

// ---------------------------------------------------------------- rates and entry

async fn the_rate_of_the_trip_s_date_applies_across_the_year_boundary(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let t = type_id(&app, "NHF", "mileage");
    // 100 km on 31 December 2024 at 4.90 kr; on 1 January 2025 at 5.00 kr.
    let dec = app
        .get(&format!(
            "/expenses/preview?type={t}&spent_on=2024-12-31&km=100"
        ))
        .await;
    assert_eq!(dec.status, 200);
    assert!(dec.has("490,00 kr"), "{}", dec.body);
    assert!(
        dec.has("350,00 kr") && dec.has("140,00 kr"),
        "tax-free and taxable parts"
    );
    let jan = app
        .get(&format!(
            "/expenses/preview?type={t}&spent_on=2025-01-01&km=100"
        ))
        .await;
    assert!(jan.has("500,00 kr") && jan.has("150,00 kr"), "{}", jan.body);
    // A year without a rate names the year.
    let none = app
        .get(&format!(
            "/expenses/preview?type={t}&spent_on=2023-06-01&km=10"
        ))
        .await;
    assert!(none.has("2023"), "{}", none.body);
    // Saving a trip in this year without this year's rate: refused at the date, naming it.
    // This year's rate moved to next year: lines entered before keep theirs.
    diesel::update(
        mr::table
            .filter(mr::organization_id.eq(org(&app, "NHF")))
            .filter(
                mr::effective_from
                    .eq(chrono::NaiveDate::from_ymd_opt(today().year(), 1, 1).unwrap()),
            ),
    )
    .set(mr::effective_from.eq(chrono::NaiveDate::from_ymd_opt(today().year() + 1, 1, 1).unwrap()))
    .execute(&mut *app.conn())
    .unwrap();
    let before = count_expenses(&app);
    let res = mileage(&mut app, "NHF", &today().to_string(), "12,5").await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-spent_on-error"));
    assert!(res.has(&today().year().to_string()));
    assert!(res.has("value=\"12,5\""), "input kept");
    assert_eq!(count_expenses(&app), before);
}

async fn bad_expense_input_is_refused_at_the_field_and_nothing_is_saved(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let before = count_expenses(&app);
    let today = today();
    for (date, km, field) in [
        (today.to_string(), "-3".to_string(), "f-km-error"),
        (today.to_string(), "999999".to_string(), "f-km-error"),
        (today.to_string(), "NaN".to_string(), "f-km-error"),
        (
            (today + chrono::Duration::days(3)).to_string(),
            "10".to_string(),
            "f-spent_on-error",
        ),
        (
            "2019-05-01".to_string(),
            "10".to_string(),
            "f-spent_on-error",
        ),
        (
            "31.02.2026".to_string(),
            "10".to_string(),
            "f-spent_on-error",
        ),
    ] {
        let res = mileage(&mut app, "NHF", &date, &km).await;
        assert_eq!(res.status, 422, "{date} {km}");
        assert!(res.has(field), "{date} {km}: {field}");
    }
    let parking = type_id(&app, "NHF", "parking");
    let assoc = mentor_association(&app);
    let long = "x".repeat(10_000);
    for (amount, purpose, field) in [
        ("-50", "Parkering", "f-amount-error"),
        ("0", "Parkering", "f-amount-error"),
        ("100000000", "Parkering", "f-amount-error"),
        ("12,345", "Parkering", "f-amount-error"),
        ("50", long.as_str(), "f-purpose-error"),
    ] {
        let res = app
            .post(
                "/expenses",
                &[
                    ("type", &parking),
                    ("association", &assoc),
                    ("spent_on", &today.to_string()),
                    ("amount", amount),
                    ("purpose", purpose),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{amount}");
        assert!(res.has(field), "{amount}: {field}");
    }
    // Another organization's type, an association outside the mentor's: refused at the field.
    let foreign = type_id(&app, "Blindeforbundet", "parking");
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &foreign),
                ("association", &assoc),
                ("spent_on", &today.to_string()),
                ("amount", "50"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    let tromso: String = la::table
        .filter(la::name.eq("NHF Tromsø"))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap();
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &parking),
                ("association", &tromso),
                ("spent_on", &today.to_string()),
                ("amount", "50"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-association-error"));
    // A NUL byte is refused before it reaches the database.
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &parking),
                ("association", &assoc),
                ("spent_on", &today.to_string()),
                ("amount", "50"),
                ("purpose", "a\0b"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(count_expenses(&app), before, "nothing saved");
    // The coordinator (as coordinator) and the administrator do not enter expenses.
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/expenses/new").await.status, 404);
}

// ---------------------------------------------------------------- the rules

async fn a_small_complete_claim_is_approved_automatically_and_says_why(mut app: TestApp) {
    rules(&app, "NHF", 100_000, 0);
    app.login("mentor@nhf.example").await;
    let res = mileage(&mut app, "NHF", &today().to_string(), "12,3").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let line = id_in(res.location());
    let amount: i64 = ex::table
        .find(&line)
        .select(ex::amount_ore)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(amount, 6_150, "12.3 km at 5.00 kr");
    let claim = submit_open(&mut app, &[line]).await;
    assert_eq!(status(&app, &claim), "approved");
    let (automatic, rules_text): (bool, String) = ra::table
        .filter(ra::reimbursement_id.eq(&claim))
        .select((ra::automatic, ra::rules))
        .first(&mut *app.conn())
        .unwrap();
    assert!(automatic);
    assert_eq!(
        rules_text,
        "receipts:passed exclusions:passed max_line:passed max_claim:passed threshold:passed"
    );
    let page = app.get(&format!("/claims/{claim}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Godkjent automatisk"), "the page says why");
    // Every automatic approval drawn for a spot check at 100 %.
    rules(&app, "NHF", 100_000, 100);
    let res = mileage(&mut app, "NHF", &today().to_string(), "5").await;
    let claim = submit_open(&mut app, &[id_in(res.location())]).await;
    let spot: String = rb::table
        .find(&claim)
        .select(rb::spot_check)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (status(&app, &claim).as_str(), spot.as_str()),
        ("approved", "pending")
    );
    assert!(app.get(&format!("/claims/{claim}")).await.has("stikkprøve"));
    // The coordinator confirms the spot check; it cannot be sent back.
    let mut coordinator = app.client();
    coordinator.login("coordinator@nhf.example").await;
    assert!(coordinator
        .get("/claims?reason=spot_check")
        .await
        .has(&claim));
    let res = coordinator
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "return"), ("note", "Nei")],
        )
        .await;
    assert_eq!(res.status, 422);
    let res = coordinator
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status, 303);
    let spot: String = rb::table
        .find(&claim)
        .select(rb::spot_check)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (status(&app, &claim).as_str(), spot.as_str()),
        ("approved", "done")
    );
    assert!(!coordinator
        .get("/claims?reason=spot_check")
        .await
        .has(&claim));
    // Mileage and public transport on the same day: waits, and says so.
    rules(&app, "NHF", 100_000, 0);
    let a = id_in(
        mileage(&mut app, "NHF", &today().to_string(), "3")
            .await
            .location(),
    );
    let bus = type_id(&app, "NHF", "transit");
    let assoc = mentor_association(&app);
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &bus),
                ("association", &assoc),
                ("spent_on", &today().to_string()),
                ("amount", "40"),
            ],
        )
        .await;
    let b = id_in(res.location());
    let up = receipt(&mut app, &b).await;
    assert_eq!(up.status, 303, "{}", up.body);
    let claim = submit_open(&mut app, &[a, b]).await;
    assert_eq!(status(&app, &claim), "submitted");
    let reasons: String = rb::table
        .find(&claim)
        .select(rb::review_reasons)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(reasons, "exclusions");
    assert!(app
        .get(&format!("/claims/{claim}"))
        .await
        .has("Typer som utelukker hverandre"));
}

async fn receipt(app: &mut TestApp, line: &str) -> crate::common::Resp {
    let token = app.token().await;
    crate::documents::post_parts(
        app,
        &format!("/expenses/{line}/receipts"),
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some("kvittering.pdf"), crate::documents::PDF),
        ],
    )
    .await
}

async fn a_claim_over_the_limit_waits_and_a_coordinator_decides_it_once(mut app: TestApp) {
    rules(&app, "NHF", 10_000, 0);
    let mut mentor = app.client();
    mentor.login("mentor@nhf.example").await;
    let line = id_in(
        mileage(&mut mentor, "NHF", &today().to_string(), "40")
            .await
            .location(),
    );
    let claim = submit_open(&mut mentor, std::slice::from_ref(&line)).await;
    assert_eq!(status(&app, &claim), "submitted");
    assert!(mentor
        .get(&format!("/claims/{claim}"))
        .await
        .has("Over grensen for automatisk godkjenning"));
    // A mentor cannot decide.
    let res = mentor
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status, 404);
    app.login("coordinator@nhf.example").await;
    let queue = app.get("/claims").await;
    assert_eq!(queue.status, 200);
    assert!(queue.has(&claim), "the claim is in the queue");
    let filtered = app
        .htmx_get("/claims?reason=threshold&min=100", "results")
        .await;
    assert!(
        filtered.has(&claim) && !filtered.has("<h1>"),
        "htmx answers the results alone"
    );
    let none = app.htmx_get("/claims?reason=receipts", "results").await;
    assert!(!none.has(&claim));
    // Send back without a comment: 422 at the field; with one, the mentor corrects and resubmits.
    let res = app
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "return"), ("note", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-note-error"));
    let res = app
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "return"), ("note", "Feil dato")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(status(&app, &claim), "returned");
    assert!(mentor
        .get(&format!("/claims/{claim}"))
        .await
        .has("Feil dato"));
    let t = type_id(&app, "NHF", "mileage");
    let assoc = mentor_association(&app);
    let res = mentor
        .post(
            &format!("/expenses/{line}"),
            &[
                ("type", &t),
                ("association", &assoc),
                ("spent_on", &today().to_string()),
                ("km", "41"),
                ("from_place", "A"),
                ("to_place", "B"),
                ("purpose", "Besøk"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let total: i64 = rb::table
        .find(&claim)
        .select(rb::total_ore)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        total, 20_500,
        "the claim's total follows its corrected line"
    );
    assert_eq!(
        mentor
            .post(&format!("/claims/{claim}/submit"), &[])
            .await
            .status,
        303
    );
    assert_eq!(status(&app, &claim), "submitted");
    // Approve once; the second decision is told who decided.
    let res = app
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(status(&app, &claim), "approved");
    let mut admin = app.client();
    admin.login("admin@nhf.example").await;
    let res = admin
        .post(
            &format!("/claims/{claim}/decide"),
            &[("decision", "reject"), ("note", "Nei")],
        )
        .await;
    assert_eq!(res.status, 409);
    assert!(
        res.has("Kari Koordinator"),
        "says who decided: {}",
        res.body
    );
    assert_eq!(status(&app, &claim), "approved");
    assert_eq!(app.audit_count("reimbursement.approved"), 1);
    // The mentor sees the status and who decided.
    assert!(mentor
        .get(&format!("/claims/{claim}"))
        .await
        .has("Kari Koordinator"));
}

async fn two_deciders_at_once_make_exactly_one_decision(app: TestApp) {
    let claim: String = rb::table
        .filter(rb::status.eq("submitted"))
        .filter(rb::user_id.eq(app.user_id("mentor@nhf.example")))
        .select(rb::id)
        .first(&mut *app.conn())
        .unwrap();
    let deciders = [
        (
            actor(&app, "coordinator@nhf.example", Role::Coordinator),
            "approve",
        ),
        (actor(&app, "admin@nhf.example", Role::OrgAdmin), "reject"),
    ];
    let barrier = Arc::new(std::sync::Barrier::new(deciders.len()));
    let handles: Vec<_> = deciders
        .into_iter()
        .map(|(a, d)| {
            let (pool, barrier, claim) = (app.state.pool.clone(), barrier.clone(), claim.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                barrier.wait();
                let d = likeperson::expenses::claims::queue::Decision::parse(d).unwrap();
                likeperson::expenses::claims::queue::decide(&mut conn, &a, &claim, d, "Race")
                    .unwrap()
                    .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    use likeperson::expenses::claims::queue::Decided;
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Decided::Done(_)))
            .count(),
        1,
        "exactly one decides: {outcomes:?}"
    );
    assert!(outcomes
        .iter()
        .any(|o| matches!(o, Decided::AlreadyDecided { by, .. } if !by.is_empty())));
    let manual: i64 = ra::table
        .filter(ra::reimbursement_id.eq(&claim))
        .filter(ra::automatic.eq(false))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(manual, 1, "one decision row");
}

async fn nobody_decides_their_own_claim_or_one_outside_their_scope(mut app: TestApp) {
    let coordinator = app.user_id("coordinator@nhf.example");
    let own: String = rb::table
        .filter(rb::user_id.eq(&coordinator))
        .filter(rb::status.eq("submitted"))
        .select(rb::id)
        .first(&mut *app.conn())
        .unwrap();
    app.login("coordinator@nhf.example").await;
    assert!(
        !app.get("/claims").await.has(&own),
        "own claims are not in the queue"
    );
    let page = app.get(&format!("/claims/{own}")).await;
    assert_eq!(page.status, 200);
    assert!(page.has("Ingen kan godkjenne sitt eget krav"));
    let res = app
        .post(&format!("/claims/{own}/decide"), &[("decision", "approve")])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(status(&app, &own), "submitted");
    // Another organization's claim: 404 on the page and the decision.
    let blind: String = rb::table
        .filter(rb::organization_id.eq(org(&app, "Blindeforbundet")))
        .filter(rb::status.eq("submitted"))
        .select(rb::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(app.get(&format!("/claims/{blind}")).await.status, 404);
    assert_eq!(
        app.post(
            &format!("/claims/{blind}/decide"),
            &[("decision", "approve")]
        )
        .await
        .status,
        404
    );
    // A claim of an NHF association outside the coordinator's: 404.
    let tromso: String = la::table
        .filter(la::name.eq("NHF Tromsø"))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(rb::table.find(&blind))
        .set((
            rb::organization_id.eq(org(&app, "NHF")),
            rb::local_association_id.eq(&tromso),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(app.get(&format!("/claims/{blind}")).await.status, 404);
    assert_eq!(
        app.post(
            &format!("/claims/{blind}/decide"),
            &[("decision", "approve")]
        )
        .await
        .status,
        404
    );
    // Another mentor's claim, seen by a mentor: 404.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get(&format!("/claims/{own}")).await.status, 404);
}

async fn receipts_go_through_the_upload_pipeline_and_are_required_where_the_type_says(
    mut app: TestApp,
) {
    app.login("mentor@nhf.example").await;
    let parking = type_id(&app, "NHF", "parking");
    let assoc = mentor_association(&app);
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &parking),
                ("association", &assoc),
                ("spent_on", &today().to_string()),
                ("amount", "60"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let line = id_in(res.location());
    // Without its receipt the line cannot be submitted.
    let token = app.token().await;
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/claims")
                .set_form([("expense", line.as_str()), ("csrf_token", token.as_str())]),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("mangler kvittering"));
    let unclaimed: Option<String> = ex::table
        .find(&line)
        .select(ex::reimbursement_id)
        .first(&mut *app.conn())
        .unwrap();
    assert!(unclaimed.is_none(), "nothing half-saved");
    // Not an image or PDF: refused with the message, nothing stored.
    let token = app.token().await;
    let res = crate::documents::post_parts(
        &mut app,
        &format!("/expenses/{line}/receipts"),
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some("virus.jpg"), b"MZ\x90\0 not a picture"),
        ],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.has("f-file-error"));
    assert!(crate::documents::stored_files(&app).is_empty());
    // A photo: re-encoded, stored, shown.
    let mut jpeg = Vec::new();
    image::DynamicImage::new_rgb8(40, 30)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let token = app.token().await;
    let res = crate::documents::post_parts(
        &mut app,
        &format!("/expenses/{line}/receipts"),
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some("IMG_1.jpg"), &jpeg),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (rid, ctype): (String, String) = rc::table
        .filter(rc::expense_id.eq(&line))
        .select((rc::id, rc::content_type))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(ctype, "image/jpeg");
    assert_eq!(crate::documents::stored_files(&app).len(), 1);
    let page = app.get(&format!("/expenses/{line}")).await;
    assert!(
        page.has(&format!("/expenses/{line}/receipts/{rid}"))
            && page.has("capture=\"environment\"")
    );
    let dl = app.get(&format!("/expenses/{line}/receipts/{rid}")).await;
    assert_eq!(dl.status, 200);
    assert_eq!(dl.header("x-content-type-options"), "nosniff");
    let claim = submit_open(&mut app, std::slice::from_ref(&line)).await;
    assert_eq!(status(&app, &claim), "approved");
    // Others: the coordinator of the association sees it beside the line; another org does not.
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert!(app
        .get(&format!("/claims/{claim}"))
        .await
        .has(&format!("/receipts/{rid}")));
    assert_eq!(
        app.get(&format!("/expenses/{line}/receipts/{rid}"))
            .await
            .status,
        200
    );
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(
        app.get(&format!("/expenses/{line}/receipts/{rid}"))
            .await
            .status,
        404
    );
}

async fn expenses_from_an_activity_need_a_type_that_carries_them(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let (activity, type_id_): (String, String) = act::table
        .filter(act::mentor_id.eq(&mentor))
        .filter(act::status.eq("registered"))
        .order(act::occurred_on.desc())
        .select((act::id, act::activity_type_id))
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(at::table.find(&type_id_))
        .set(at::allows_expenses.eq(true))
        .execute(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(
        page.has(&format!("/expenses/new?activity={activity}")),
        "the activity offers it"
    );
    let form = app
        .get(&format!(
            "/expenses/new?activity={activity}&type={}",
            type_id(&app, "NHF", "toll")
        ))
        .await;
    assert_eq!(form.status, 200);
    let toll = type_id(&app, "NHF", "toll");
    let date: chrono::NaiveDate = act::table
        .find(&activity)
        .select(act::occurred_on)
        .first(&mut *app.conn())
        .unwrap();
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &toll),
                ("activity", &activity),
                ("spent_on", &date.to_string()),
                ("amount", "45"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let linked: Option<String> = ex::table
        .find(id_in(res.location()))
        .select(ex::activity_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(linked.as_deref(), Some(activity.as_str()));
    // The type's setting now takes effect.
    diesel::update(at::table.find(&type_id_))
        .set(at::allows_expenses.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    assert!(!app
        .get(&format!("/activities/{activity}"))
        .await
        .has("/expenses/new?activity="));
    assert_eq!(
        app.get(&format!("/expenses/new?activity={activity}"))
            .await
            .status,
        404
    );
    let res = app
        .post(
            "/expenses",
            &[
                ("type", &toll),
                ("activity", &activity),
                ("spent_on", &date.to_string()),
                ("amount", "45"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has("kan ikke ha utlegg"));
}

async fn approved_claims_are_exported_once_and_paid_in_one_action(mut app: TestApp) {
    app.login("admin@nhf.example").await;
    let nhf = org(&app, "NHF");
    let waiting: Vec<String> = rb::table
        .filter(rb::organization_id.eq(&nhf))
        .filter(rb::status.eq("approved"))
        .filter(rb::export_id.is_null())
        .filter(rb::spot_check.ne("pending"))
        .select(rb::id)
        .load(&mut *app.conn())
        .unwrap();
    assert!(!waiting.is_empty(), "the demo has an approved claim");
    let page = app.get("/claims/exports").await;
    assert_eq!(page.status, 200);
    // Two exports at once: each claim ends up in exactly one.
    let token = app.token().await;
    let reqs = (0..2)
        .map(|_| {
            actix_web::test::TestRequest::post()
                .uri("/claims/exports")
                .set_form([("csrf_token", token.as_str())])
        })
        .collect();
    let statuses = app.send_all(reqs).await;
    assert_eq!(statuses, vec![303, 303]);
    let exports: Vec<String> = likeperson::schema::reimbursement_exports::table
        .filter(likeperson::schema::reimbursement_exports::organization_id.eq(&nhf))
        .filter(likeperson::schema::reimbursement_exports::paid_at.is_null())
        .select(likeperson::schema::reimbursement_exports::id)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(exports.len(), 1, "the second found nothing left");
    let x = &exports[0];
    let csv = app.get(&format!("/claims/exports/{x}.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(csv.has("skattefritt") && csv.has("\"Mona Mentor (NHF)\""));
    let lines: i64 = ex::table
        .inner_join(rb::table.on(rb::id.nullable().eq(ex::reimbursement_id)))
        .filter(rb::export_id.eq(x))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(
        csv.body.lines().count() as i64,
        lines + 1,
        "one row per line"
    );
    let xlsx = app.get(&format!("/claims/exports/{x}.xlsx")).await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert_eq!(
        app.post(&format!("/claims/exports/{x}/paid"), &[])
            .await
            .status,
        303
    );
    for c in &waiting {
        assert_eq!(status(&app, c), "paid");
    }
    assert_eq!(
        app.post(&format!("/claims/exports/{x}/paid"), &[])
            .await
            .status,
        303
    );
    assert_eq!(app.audit_count("reimbursement.paid"), 1, "paid once");
    assert_eq!(app.audit_count("reimbursement.exported"), 1);
    assert_eq!(app.audit_count("reimbursement.export_downloaded"), 2);
    // Nothing left: a new export makes nothing.
    app.post("/claims/exports", &[]).await;
    assert_eq!(app.audit_count("reimbursement.exported"), 1);
    // Another organization's export is not found; a coordinator has no exports.
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    assert_eq!(
        app.get(&format!("/claims/exports/{x}.csv")).await.status,
        404
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    assert_eq!(app.get("/claims/exports").await.status, 404);
}

async fn the_year_s_totals_and_honorarium_show_with_the_limit_warning(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let page = app.get("/expenses").await;
    assert_eq!(page.status, 200);
    assert!(page.has("Honorar"));
    assert!(!page.has("Nærmer seg grensen"));
    // Without honorarium tiers, 8,500 kr of taxable payments come near the limit; 11,000 kr
    // go over it.
    diesel::delete(likeperson::schema::honorarium_thresholds::table)
        .execute(&mut *app.conn())
        .unwrap();
    let mentor = app.user_id("mentor@nhf.example");
    let claim: String = rb::table
        .filter(rb::user_id.eq(&mentor))
        .filter(rb::status.eq("approved"))
        .select(rb::id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(ex::table.filter(ex::reimbursement_id.eq(&claim)))
        .set((
            ex::amount_ore.eq(850_000),
            ex::tax_free_ore.eq(0),
            ex::taxable_ore.eq(850_000),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    assert!(app.get("/expenses").await.has("Nærmer seg grensen"));
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let totals = app.get("/expense-totals").await;
    assert!(totals.has("Mona Mentor (NHF)") && totals.has("Nær grensen"));
    app.logout().await;
    diesel::update(ex::table.filter(ex::reimbursement_id.eq(&claim)))
        .set((ex::amount_ore.eq(1_100_000), ex::taxable_ore.eq(1_100_000)))
        .execute(&mut *app.conn())
        .unwrap();
    app.login("mentor@nhf.example").await;
    assert!(app
        .get("/expenses")
        .await
        .has("hele beløpet er skattepliktig"));
    // Tiers: with 1 completed assignment and a tier from 1, the honorarium shows.
    let n = likeperson::expenses::honorarium::completed_count(
        &mut app.conn(),
        &mentor,
        &mentor_association(&app),
        today().year(),
    )
    .unwrap();
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let totals = app.get("/expense-totals").await;
    assert_eq!(totals.status, 200);
    assert!(totals.has("Over grensen"));
    if n > 0 {
        app.logout().await;
        app.login("admin@nhf.example").await;
        let res = app
            .post(
                "/honorarium",
                &[
                    ("association", &mentor_association(&app)),
                    ("min_count", "1"),
                    ("amount", "1234"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        let res = app
            .post(
                "/honorarium",
                &[("association", "x"), ("min_count", "0"), ("amount", "-1")],
            )
            .await;
        assert_eq!(res.status, 422);
        app.logout().await;
        app.login("mentor@nhf.example").await;
        assert!(
            app.get("/expenses").await.has("1\u{a0}234,00 kr"),
            "the tier's honorarium"
        );
    }
}

async fn the_queue_approves_a_row_with_htmx_and_many_at_once(mut app: TestApp) {
    let mentor = app.user_id("mentor@nhf.example");
    let waiting: Vec<String> = rb::table
        .filter(rb::user_id.eq(&mentor))
        .filter(rb::status.eq("submitted"))
        .order(rb::submitted_at.asc())
        .select(rb::id)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        waiting.len(),
        2,
        "the demo has two waiting claims of the mentor"
    );
    app.login("coordinator@nhf.example").await;
    let token = app.token().await;
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/claims/{}/decide", waiting[0]))
                .insert_header(("HX-Request", "true"))
                .insert_header(("X-CSRF-Token", token.clone()))
                .set_form([("decision", "approve")]),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .starts_with(&format!("<tr id=\"claim-{}\"", waiting[0])),
        "{}",
        res.body
    );
    assert!(res.has("hx-swap-oob") && res.has("Kravet er godkjent"));
    // The same again: 409 with who decided, in the row.
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/claims/{}/decide", waiting[0]))
                .insert_header(("HX-Request", "true"))
                .insert_header(("X-CSRF-Token", token.clone()))
                .set_form([("decision", "approve")]),
        )
        .await;
    assert_eq!(res.status, 409);
    assert!(res.has("Kari Koordinator"));
    // Approve many: the other waiting claim and one already decided.
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/claims/approve")
                .set_form([
                    ("csrf_token", token.as_str()),
                    ("claim", waiting[0].as_str()),
                    ("claim", waiting[1].as_str()),
                    ("claim", "not-an-id"),
                ]),
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(status(&app, &waiting[1]), "approved");
    let page = app.get("/claims").await;
    assert!(
        page.has("1 krav godkjent. 1 var allerede besluttet"),
        "{}",
        page.body
    );
}

/// Where an organization uses assignments (Blindeforbundet in the demo) the honorarium tiers
/// count completed assignments; elsewhere registered activities.
async fn honorarium_counts_completed_assignments_where_the_organization_uses_them(app: TestApp) {
    use likeperson::schema::{activities as act, assignments as asg};
    let (mentor, association, completed_at): (String, String, Option<chrono::NaiveDateTime>) =
        asg::table
            .filter(asg::status.eq("completed"))
            .select((asg::mentor_id, asg::local_association_id, asg::completed_at))
            .first(&mut *app.conn())
            .expect("the demo has a completed assignment");
    let year = completed_at.expect("completed at").year();
    let assignments: i64 = asg::table
        .filter(asg::mentor_id.eq(&mentor))
        .filter(asg::local_association_id.eq(&association))
        .filter(asg::status.eq("completed"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let counted = likeperson::expenses::honorarium::completed_count(
        &mut app.conn(),
        &mentor,
        &association,
        year,
    )
    .unwrap();
    assert!(counted >= 1, "the completed assignment counts");
    assert!(counted <= assignments);
    // A registered activity of that mentor in that association does not add to it.
    let activities: i64 = act::table
        .filter(act::mentor_id.eq(&mentor))
        .filter(act::local_association_id.eq(&association))
        .filter(act::status.eq("registered"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
    let before = counted;
    diesel::update(
        act::table
            .filter(act::mentor_id.eq(&mentor))
            .filter(act::local_association_id.eq(&association)),
    )
    .set(act::occurred_on.eq(date))
    .execute(&mut *app.conn())
    .unwrap();
    let after = likeperson::expenses::honorarium::completed_count(
        &mut app.conn(),
        &mentor,
        &association,
        year,
    )
    .unwrap();
    assert_eq!(
        before, after,
        "activities ({activities}) are not counted here"
    );
    // With assignments turned off the same function counts activities again.
    diesel::update(likeperson::schema::assignment_settings::table)
        .set(likeperson::schema::assignment_settings::enabled.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    let off = likeperson::expenses::honorarium::completed_count(
        &mut app.conn(),
        &mentor,
        &association,
        year,
    )
    .unwrap();
    assert_eq!(off, activities);
}

/// The count beside the honorarium is of completed assignments only where the organization
/// uses assignments (Blindeforbundet in the demo); elsewhere it is of registered activities,
/// and every page that shows it (the mentor's year, the team's totals, the tiers' introduction)
/// says which.
async fn the_totals_name_what_they_count(mut app: TestApp) {
    const ASSIGNMENTS: &str = "Fullførte oppdrag";
    const ACTIVITIES: &str = "Registrerte aktiviteter";
    app.login("mentor@nhf.example").await;
    let page = app.get("/expenses").await;
    assert_eq!(page.status, 200);
    assert!(
        page.has(ACTIVITIES) && !page.has(ASSIGNMENTS),
        "{}",
        page.body
    );
    app.logout().await;
    app.login("coordinator@nhf.example").await;
    let totals = app.get("/expense-totals").await;
    assert_eq!(totals.status, 200);
    assert!(totals.has("Mona Mentor (NHF)"));
    assert!(totals.has(ACTIVITIES) && !totals.has(ASSIGNMENTS));
    app.logout().await;
    app.login("admin@nhf.example").await;
    let tiers = app.get("/honorarium").await;
    assert!(tiers.has("registrerte aktiviteter i året") && !tiers.has("fullførte oppdrag"));
    app.logout().await;
    // An organization that uses assignments counts and says completed assignments.
    app.login("coordinator@blindeforbundet.example").await;
    let totals = app.get("/expense-totals").await;
    assert_eq!(totals.status, 200);
    assert!(!totals.has(ACTIVITIES));
    if !totals.has("text.no_results") {
        assert!(totals.has(ASSIGNMENTS), "{}", totals.body);
    }
    app.logout().await;
    app.login("admin@blindeforbundet.example").await;
    let tiers = app.get("/honorarium").await;
    assert!(tiers.has("fullførte oppdrag i året") && !tiers.has("registrerte aktiviteter"));
    // Turning assignments off there turns the label back to activities.
    diesel::update(likeperson::schema::assignment_settings::table)
        .set(likeperson::schema::assignment_settings::enabled.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    let tiers = app.get("/honorarium").await;
    assert!(tiers.has("registrerte aktiviteter i året"));
}

/// The queue's amount and reason filters have no index: a page reads at most
/// `queue::FILTER_WINDOW` waiting claims per range, and when that stops before the page is
/// full, it says how far it read and its link goes on from there (issue 11's benchmark: a
/// filter matching few of 100,000 claims read them all).
async fn an_amount_filter_reads_a_bounded_window_and_goes_on_from_there(mut app: TestApp) {
    use likeperson::expenses::claims::queue::FILTER_WINDOW;
    use likeperson::expenses::model::Reimbursement;
    let mentor = app.user_id("mentor@nhf.example");
    let template: Reimbursement = rb::table
        .filter(rb::user_id.eq(&mentor))
        .filter(rb::status.eq("submitted"))
        .select(Reimbursement::as_select())
        .first(&mut *app.conn())
        .unwrap();
    let start = likeperson::db::now() - chrono::Duration::days(30);
    let claim = |i: i64, total: i64| Reimbursement {
        id: likeperson::db::new_id(),
        total_ore: total,
        tax_free_ore: total,
        taxable_ore: 0,
        review_reasons: "threshold".into(),
        spot_check: "none".into(),
        submitted_at: Some(start + chrono::Duration::seconds(i)),
        ..template.clone()
    };
    // More cheap claims than the window, all older than the one that matches.
    let n = i64::from(FILTER_WINDOW) + 10;
    let rows: Vec<Reimbursement> = (0..n).map(|i| claim(i, 100_000)).collect();
    let rare = claim(n + 5, 777_700);
    {
        let mut conn = app.conn();
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            for r in rows.iter().chain([&rare]) {
                diesel::insert_into(rb::table).values(r).execute(c)?;
            }
            Ok(())
        })
        .unwrap();
    }
    app.login("coordinator@nhf.example").await;
    let first = app.get("/claims?min=7000&max=8000").await;
    assert_eq!(first.status, 200);
    assert!(
        !first.has(&format!("claim-{}", rare.id)),
        "beyond the window"
    );
    assert!(
        first.has("Filteret har lest kravene sendt inn til og med"),
        "{}",
        first.body
    );
    let next = first
        .body
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/claims?") && h.contains("after="))
        .expect("a link that goes on")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(
        next.contains("min=7000") && next.contains("max=8000"),
        "{next}"
    );
    let second = app.get(&next).await;
    assert_eq!(second.status, 200);
    assert!(second.has(&format!("claim-{}", rare.id)), "{}", second.body);
    // Without an amount or reason filter the page is the first 50, as before.
    let plain = app.get("/claims").await;
    assert!(plain.has(&format!("claim-{}", rows[0].id)));
    assert!(!plain.has("Filteret har lest"));
}
