//! The team report (issue 15, item 4) over a hand-counted year: activities by mentor, type and
//! month, hours, contacts reached, claims and expense lines by status; the associations an
//! actor may pick; the exports (the XLSX read back).

use crate::common::TestApp;
use crate::on_both_backends;
use crate::reports::{add, org_id};
use chrono::NaiveDate;
use diesel::prelude::*;
use likeperson::expenses::model::{Expense, Reimbursement};
use likeperson::reports::bufdir::compute::Scope;
use likeperson::reports::team::service::{compute, Period};
use likeperson::schema::{
    contacts, expense_types as et, expenses as ex, reimbursements as rb,
    user_organization_roles as uor,
};

on_both_backends!(
    the_team_report_counts_by_mentor_type_month_and_money,
    the_team_report_is_scoped_and_exported,
);

/// A year the demo data does not reach.
const YEAR: i32 = 2022;

struct Fixture {
    org: String,
    a1: String,
    a2: String,
    /// An NHF association that is not the coordinator's.
    a3: String,
    /// Blindeforbundet's.
    bx: String,
    m1: String,
    m2: String,
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, m, day).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn claim(
    app: &TestApp,
    org: &str,
    assoc: &str,
    user: &str,
    status: &str,
    submitted: Option<NaiveDate>,
    lines: &[(NaiveDate, i64)],
) -> String {
    let t = likeperson::db::now();
    let type_id: String = et::table
        .filter(et::organization_id.eq(org))
        .select(et::id)
        .first(&mut *app.conn())
        .unwrap();
    let total: i64 = lines.iter().map(|l| l.1).sum();
    let r = Reimbursement {
        id: likeperson::db::new_id(),
        organization_id: org.into(),
        local_association_id: assoc.into(),
        user_id: user.into(),
        status: status.into(),
        version: 1,
        total_ore: total,
        tax_free_ore: total,
        taxable_ore: 0,
        line_count: lines.len() as i32,
        review_reasons: String::new(),
        spot_check: "none".into(),
        submitted_at: submitted.map(|s| s.and_hms_opt(12, 0, 0).unwrap()),
        decided_at: None,
        decided_by: None,
        decision_note: None,
        export_id: None,
        paid_at: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(rb::table)
        .values(&r)
        .execute(&mut *app.conn())
        .unwrap();
    for (on, ore) in lines {
        line(app, org, assoc, user, &type_id, Some(&r.id), *on, *ore);
    }
    r.id
}

#[allow(clippy::too_many_arguments)]
fn line(
    app: &TestApp,
    org: &str,
    assoc: &str,
    user: &str,
    type_id: &str,
    claim: Option<&str>,
    on: NaiveDate,
    ore: i64,
) {
    let t = likeperson::db::now();
    let e = Expense {
        id: likeperson::db::new_id(),
        organization_id: org.into(),
        local_association_id: assoc.into(),
        user_id: user.into(),
        expense_type_id: type_id.into(),
        activity_id: None,
        reimbursement_id: claim.map(str::to_string),
        spent_on: on,
        amount_ore: ore,
        tax_free_ore: ore,
        taxable_ore: 0,
        km_tenths: None,
        passengers: None,
        forest_road: false,
        trailer: false,
        from_place: None,
        to_place: None,
        purpose: None,
        mileage_rate_id: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(ex::table)
        .values(&e)
        .execute(&mut *app.conn())
        .unwrap();
}

/// The hand-counted year; each line says whether the coordinator's report (a1 + a2) sees it.
fn fixture(app: &TestApp) -> Fixture {
    let org = org_id(app, "NHF");
    let coordinator = app.user_id("coordinator@nhf.example");
    let mut mine: Vec<String> = uor::table
        .filter(uor::user_id.eq(&coordinator))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::role_id.eq("coordinator"))
        .filter(uor::revoked_at.is_null())
        .filter(uor::local_association_id.is_not_null())
        .select(uor::local_association_id.assume_not_null())
        .order(uor::local_association_id.asc())
        .load(&mut *app.conn())
        .unwrap();
    mine.dedup();
    assert!(mine.len() >= 2, "the coordinator has two associations");
    let (a1, a2) = (mine[0].clone(), mine[1].clone());
    let a3 = app
        .association_ids("NHF")
        .into_iter()
        .find(|a| !mine.contains(a))
        .expect("an NHF association that is not the coordinator's");
    let bx = app.association_ids("Blindeforbundet")[0].clone();
    let people: Vec<String> = contacts::table
        .filter(contacts::organization_id.eq(&org))
        .order(contacts::id.asc())
        .select(contacts::id)
        .limit(2)
        .load(&mut *app.conn())
        .unwrap();
    let (c1, c2) = (people[0].as_str(), people[1].as_str());
    let m1 = app.user_id("mentor@nhf.example");
    let m2 = coordinator;
    let r = "registered";
    let visit = "Hjemmebesøk";
    let group = "Samtalegruppe";
    // January: two visits to the same contact (one contact reached), 90 minutes.
    add(
        app,
        &org,
        &a1,
        &m1,
        visit,
        (YEAR, 1, 10),
        60,
        None,
        Some(c1),
        r,
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        visit,
        (YEAR, 1, 20),
        30,
        None,
        Some(c1),
        r,
    );
    // March: a group without a contact, and a visit in the second association.
    add(
        app,
        &org,
        &a1,
        &m2,
        group,
        (YEAR, 3, 5),
        90,
        Some(5),
        None,
        r,
    );
    add(
        app,
        &org,
        &a2,
        &m1,
        visit,
        (YEAR, 3, 6),
        45,
        None,
        Some(c2),
        r,
    );
    // Not seen: cancelled, outside the period, another association, another organization.
    add(
        app,
        &org,
        &a2,
        &m2,
        visit,
        (YEAR, 3, 7),
        15,
        None,
        Some(c2),
        "cancelled",
    );
    add(
        app,
        &org,
        &a1,
        &m1,
        visit,
        (YEAR - 1, 12, 31),
        60,
        None,
        Some(c1),
        r,
    );
    add(
        app,
        &org,
        &a3,
        &m1,
        group,
        (YEAR, 4, 1),
        120,
        Some(4),
        None,
        r,
    );
    let blind = org_id(app, "Blindeforbundet");
    let blind_user = app.user_id("admin@blindeforbundet.example");
    add(
        app,
        &blind,
        &bx,
        &blind_user,
        group,
        (YEAR, 3, 1),
        60,
        Some(6),
        None,
        r,
    );

    // Claims and expense lines.
    claim(
        app,
        &org,
        &a1,
        &m1,
        "approved",
        Some(d(2, 1)),
        &[(d(1, 15), 5_000), (d(1, 16), 5_000)],
    );
    claim(
        app,
        &org,
        &a1,
        &m1,
        "submitted",
        Some(d(3, 1)),
        &[(d(2, 20), 2_550)],
    );
    claim(
        app,
        &org,
        &a2,
        &m1,
        "paid",
        Some(d(5, 1)),
        &[(d(4, 30), 1_000)],
    );
    // A draft: no claim submitted, one line in a draft claim.
    claim(app, &org, &a1, &m1, "draft", None, &[(d(6, 1), 700)]);
    let type_id: String = et::table
        .filter(et::organization_id.eq(&org))
        .select(et::id)
        .first(&mut *app.conn())
        .unwrap();
    line(app, &org, &a1, &m1, &type_id, None, d(7, 1), 300);
    // Not seen: another organization's, submitted before the period, another association's.
    claim(
        app,
        &blind,
        &bx,
        &blind_user,
        "approved",
        Some(d(2, 1)),
        &[(d(1, 15), 9_999)],
    );
    claim(
        app,
        &org,
        &a1,
        &m1,
        "approved",
        Some(NaiveDate::from_ymd_opt(YEAR - 1, 12, 30).unwrap()),
        &[(NaiveDate::from_ymd_opt(YEAR - 1, 12, 29).unwrap(), 4_000)],
    );
    claim(
        app,
        &org,
        &a3,
        &m1,
        "approved",
        Some(d(2, 1)),
        &[(d(1, 15), 8_000)],
    );
    Fixture {
        org,
        a1,
        a2,
        a3,
        bx,
        m1,
        m2,
    }
}

fn year() -> Period {
    Period {
        from: d(1, 1),
        to: d(12, 31),
    }
}

async fn the_team_report_counts_by_mentor_type_month_and_money(app: TestApp) {
    let f = fixture(&app);
    let both = Scope::Associations(vec![f.a1.clone(), f.a2.clone()]);
    let r = compute(&mut app.conn(), &f.org, &both, Vec::new(), year()).unwrap();
    let t = &r.total;
    assert_eq!(
        (t.activities, t.minutes, t.contacts, t.mentors),
        (4, 225, 2, 2)
    );
    let by = |lines: &[likeperson::reports::team::model::ActivityLine], key: &str| {
        lines
            .iter()
            .find(|l| l.key == key)
            .map(|l| (l.activities, l.minutes, l.contacts))
            .unwrap_or_default()
    };
    assert_eq!(by(&r.by_mentor, &f.m1), (3, 135, 2));
    assert_eq!(by(&r.by_mentor, &f.m2), (1, 90, 0));
    assert_eq!(r.by_mentor[0].key, f.m1, "the most active first");
    assert_eq!(r.by_mentor.len(), 2);
    let types: Vec<(&str, i64, i64, i64)> = r
        .by_type
        .iter()
        .map(|l| (l.name.as_str(), l.activities, l.minutes, l.contacts))
        .collect();
    assert_eq!(
        types,
        vec![("Hjemmebesøk", 3, 135, 2), ("Samtalegruppe", 1, 90, 0)]
    );
    assert_eq!(r.by_month.len(), 12, "every month of the period");
    assert_eq!(by(&r.by_month, "2022-01"), (2, 90, 1));
    assert_eq!(by(&r.by_month, "2022-02"), (0, 0, 0));
    assert_eq!(by(&r.by_month, "2022-03"), (2, 135, 1));
    assert_eq!(by(&r.by_month, "2022-04"), (0, 0, 0));
    let money = |lines: &[likeperson::reports::team::model::MoneyLine]| {
        lines
            .iter()
            .map(|m| (m.status.clone(), m.count, m.ore))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        money(&r.claims),
        vec![
            ("submitted".to_string(), 1, 2_550),
            ("approved".to_string(), 1, 10_000),
            ("paid".to_string(), 1, 1_000),
        ]
    );
    assert_eq!(r.claims_total().ore, 13_550);
    assert_eq!(
        money(&r.expenses),
        vec![
            ("draft".to_string(), 1, 700),
            ("submitted".to_string(), 1, 2_550),
            ("approved".to_string(), 2, 10_000),
            ("paid".to_string(), 1, 1_000),
            ("unclaimed".to_string(), 1, 300),
        ]
    );
    assert_eq!(
        (r.expenses_total().count, r.expenses_total().ore),
        (6, 14_550)
    );

    // One association; a shorter period; the whole organization.
    let one = Scope::Associations(vec![f.a1.clone()]);
    let r = compute(&mut app.conn(), &f.org, &one, Vec::new(), year()).unwrap();
    assert_eq!(
        (r.total.activities, r.total.minutes, r.total.mentors),
        (3, 180, 2)
    );
    let march = Period {
        from: d(3, 6),
        to: d(4, 15),
    };
    let r = compute(&mut app.conn(), &f.org, &both, Vec::new(), march).unwrap();
    assert_eq!((r.total.activities, r.total.minutes), (1, 45));
    assert_eq!(r.by_month.len(), 2);
    let r = compute(&mut app.conn(), &f.org, &Scope::Org, Vec::new(), year()).unwrap();
    assert_eq!((r.total.activities, r.total.minutes), (5, 345));
    assert_eq!(r.claims_total().ore, 21_550, "with the third association's");
}

async fn the_team_report_is_scoped_and_exported(mut app: TestApp) {
    let f = fixture(&app);
    let period = format!("from={YEAR}-01-01&to={YEAR}-12-31");
    app.login("coordinator@nhf.example").await;
    let list = app.get("/reports").await;
    assert!(list.has("href=\"/reports/team\""), "linked from the list");
    // None picked: the coordinator's associations.
    let page = app.get(&format!("/reports/team?{period}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.has("<dt>Aktive likepersoner</dt><dd>2</dd>"),
        "{}",
        page.body
    );
    assert!(page.has("<title id=\"chart-team-month-t\">"));
    assert!(page.has("135,50 kr"), "the claims' total");
    let picked = app
        .get(&format!("/reports/team?association={}&{period}", f.a1))
        .await;
    assert_eq!(picked.status, 200);
    assert!(picked.has(&format!("value=\"{}\" checked", f.a1)));
    assert!(picked.has("<dt>Aktiviteter</dt><dd>3</dd>"));
    // Another association of the organization, or another organization's: 404.
    for other in [&f.a3, &f.bx] {
        let res = app
            .get(&format!(
                "/reports/team?association={}&association={other}&{period}",
                f.a1
            ))
            .await;
        assert_eq!(res.status, 404, "{other}");
        let res = app
            .get(&format!(
                "/reports/team/export.csv?association={other}&{period}"
            ))
            .await;
        assert_eq!(res.status, 404);
    }
    // A date that is not one: 422 with the values kept.
    let bad = app
        .get(&format!(
            "/reports/team?association={}&from=2022-13-01&to={YEAR}-12-31",
            f.a1
        ))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("value=\"2022-13-01\""));
    assert!(bad.has("aria-invalid=\"true\""));
    let backwards = app
        .get(&format!("/reports/team?from={YEAR}-05-01&to={YEAR}-04-01"))
        .await;
    assert_eq!(backwards.status, 422);
    // No dates: this year.
    assert_eq!(app.get("/reports/team").await.status, 200);

    // The exports carry the same figures.
    let csv = app.get(&format!("/reports/team/export.csv?{period}")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body
            .contains("\"Totalt\";\"Aktiviteter\";\"4\";\"225\";\"2\";\"\";\"\""),
        "{}",
        csv.body
    );
    let xlsx = app
        .get(&format!("/reports/team/export.xlsx?{period}"))
        .await;
    assert_eq!(xlsx.status, 200);
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let total = sheet
        .rows()
        .find(|r| r[0] == "Totalt" && r[1] == "Aktiviteter")
        .unwrap();
    assert_eq!(total[2].to_string(), "4", "activities");
    assert_eq!(total[3].to_string(), "225", "minutes");
    assert_eq!(total[4].to_string(), "2", "contacts");
    let claims = sheet
        .rows()
        .find(|r| r[0] == "Refusjonskrav sendt inn i perioden" && r[1] == "Totalt")
        .unwrap();
    assert_eq!(claims[5].to_string(), "3");
    assert_eq!(claims[6].to_string(), "135.5");
    let mentors = sheet.rows().filter(|r| r[0] == "Per likeperson").count();
    assert_eq!(mentors, 2);
    assert_eq!(app.audit_count("team_report.export"), 2);
    assert_eq!(
        app.get(&format!("/reports/team/export.pdf?{period}"))
            .await
            .status,
        404
    );
    app.logout().await;

    // The organization administrator picks any of the organization's associations.
    app.login("admin@nhf.example").await;
    let theirs = app
        .get(&format!("/reports/team?association={}&{period}", f.a3))
        .await;
    assert_eq!(theirs.status, 200);
    assert!(theirs.has("<dt>Aktiviteter</dt><dd>1</dd>"));
    let all = app.get(&format!("/reports/team?{period}")).await;
    assert!(all.has("<dt>Aktiviteter</dt><dd>5</dd>"));
    app.logout().await;
    // Another organization's administrator: NHF's association is out of scope.
    app.login("admin@blindeforbundet.example").await;
    let res = app
        .get(&format!("/reports/team?association={}&{period}", f.a1))
        .await;
    assert_eq!(res.status, 404);
    let own = app.get(&format!("/reports/team?{period}")).await;
    assert!(
        own.has("<dt>Aktiviteter</dt><dd>1</dd>"),
        "only their own group"
    );
    let _ = f.a2;
    app.logout().await;
    // Mentors have no team report.
    app.login("mentor@nhf.example").await;
    assert_eq!(app.get("/reports/team").await.status, 404);
}
