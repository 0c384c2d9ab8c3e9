//! Demo data for expenses, in every organization: five expense types (mileage and public
//! transport exclude each other), mileage rates for 2024–2026, the default claim rules,
//! honorarium tiers in the demo mentor's first association, and the demo mentor's claims in
//! every state (open lines, waiting, returned, approved automatically, drawn for a spot check,
//! rejected, exported and paid), plus a waiting claim of the coordinator's own (which they may
//! not decide). Deterministic and without receipts' files.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::*;
use super::money::{self, Trip};
use crate::activities::service::today;
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    expense_settings, expense_type_exclusions, expense_types, expenses, honorarium_thresholds,
    mileage_rates, organizations, reimbursement_approvals, reimbursement_exports, reimbursements,
    user_organization_roles as uor, users,
};

/// (name, kind, receipt above øre, max per line øre, max per claim øre)
type TypeSpec = (
    &'static str,
    &'static str,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);
const TYPES: [TypeSpec; 5] = [
    (
        "Kilometergodtgjørelse",
        "mileage",
        None,
        Some(500_000),
        None,
    ),
    ("Bompenger", "toll", Some(10_000), Some(50_000), None),
    ("Parkering", "parking", Some(0), Some(50_000), None),
    (
        "Kollektivtransport",
        "transit",
        Some(0),
        Some(100_000),
        None,
    ),
    ("Annet", "other", Some(0), Some(200_000), Some(500_000)),
];

/// (year, øre per km, tax-free øre per km)
const RATES: [(i32, i32, i32); 3] = [(2024, 490, 350), (2025, 500, 350), (2026, 500, 350)];

struct Ctx<'a> {
    org: &'a str,
    association: &'a str,
    user: &'a str,
    types: &'a [ExpenseType],
    rates: &'a [MileageRate],
    t: NaiveDateTime,
}

impl Ctx<'_> {
    fn type_id(&self, kind: &str) -> String {
        self.types
            .iter()
            .find(|t| t.kind == kind)
            .map(|t| t.id.clone())
            .unwrap_or_default()
    }

    fn line(&self, claim: Option<&str>, kind: &str, day: NaiveDate, km_or_ore: i64) -> Expense {
        let mileage = kind == "mileage";
        let rate = self
            .rates
            .iter()
            .filter(|r| r.effective_from <= day)
            .max_by_key(|r| r.effective_from);
        let split = match (mileage, rate) {
            (true, Some(r)) => money::mileage(
                r,
                Trip {
                    km_tenths: km_or_ore,
                    ..Default::default()
                },
            ),
            _ => money::Split {
                amount_ore: km_or_ore,
                tax_free_ore: km_or_ore,
                taxable_ore: 0,
            },
        };
        Expense {
            id: new_id(),
            organization_id: self.org.to_string(),
            local_association_id: self.association.to_string(),
            user_id: self.user.to_string(),
            expense_type_id: self.type_id(kind),
            activity_id: None,
            reimbursement_id: claim.map(str::to_string),
            spent_on: day,
            amount_ore: split.amount_ore,
            tax_free_ore: split.tax_free_ore,
            taxable_ore: split.taxable_ore,
            km_tenths: mileage.then_some(km_or_ore as i32),
            passengers: mileage.then_some(0),
            forest_road: false,
            trailer: false,
            from_place: mileage.then(|| "Storgata 1, Oslo".to_string()),
            to_place: mileage.then(|| "Frivillighetshuset".to_string()),
            purpose: Some(if mileage {
                "Besøk hos kontakt".to_string()
            } else {
                "Utlegg i forbindelse med besøk".to_string()
            }),
            mileage_rate_id: if mileage {
                rate.map(|r| r.id.clone())
            } else {
                None
            },
            created_at: self.t,
            updated_at: self.t,
        }
    }

    /// A claim in `status` with its lines; the decision rows say how it got there.
    #[allow(clippy::too_many_arguments)]
    fn claim(
        &self,
        conn: &mut DbConn,
        status: &str,
        days_ago: i64,
        lines: &[(&str, i64)],
        reasons: &str,
        decider: Option<&str>,
        note: Option<&str>,
        spot: &str,
        export: Option<&str>,
    ) -> anyhow::Result<String> {
        let id = new_id();
        let submitted = self.t - Duration::days(days_ago);
        let day = (submitted.date() - Duration::days(2)).max(year_start());
        let rows: Vec<Expense> = lines
            .iter()
            .map(|(kind, v)| self.line(Some(&id), kind, day, *v))
            .collect();
        let total: i64 = rows.iter().map(|e| e.amount_ore).sum();
        let free: i64 = rows.iter().map(|e| e.tax_free_ore).sum();
        let decided = !matches!(status, "submitted" | "draft");
        diesel::insert_into(reimbursements::table)
            .values(&Reimbursement {
                id: id.clone(),
                organization_id: self.org.to_string(),
                local_association_id: self.association.to_string(),
                user_id: self.user.to_string(),
                status: status.to_string(),
                version: 1,
                total_ore: total,
                tax_free_ore: free,
                taxable_ore: total - free,
                line_count: rows.len() as i32,
                review_reasons: reasons.to_string(),
                spot_check: spot.to_string(),
                submitted_at: (status != "draft").then_some(submitted),
                decided_at: decided.then_some(submitted + Duration::hours(3)),
                decided_by: decider.map(str::to_string),
                decision_note: note.map(str::to_string),
                export_id: export.map(str::to_string),
                paid_at: (status == "paid").then_some(self.t),
                created_at: submitted,
                updated_at: submitted,
            })
            .execute(conn)?;
        for e in &rows {
            diesel::insert_into(expenses::table)
                .values(e)
                .execute(conn)?;
        }
        if status == "draft" {
            return Ok(id);
        }
        let automatic_ok = reasons.is_empty();
        let rules = super::claims::rules::RULES
            .iter()
            .map(|r| {
                let failed = reasons.split_whitespace().any(|x| x == *r);
                format!("{r}:{}", if failed { "failed" } else { "passed" })
            })
            .collect::<Vec<_>>()
            .join(" ");
        let mut decisions = vec![(
            if automatic_ok { "approved" } else { "waiting" },
            true,
            None,
            None,
            rules,
        )];
        if let Some(d) = decider {
            let decision = match status {
                "paid" | "approved" if spot == "done" => "spot_checked",
                "paid" | "approved" => "approved",
                other => other,
            };
            decisions.push((
                decision,
                false,
                Some(d.to_string()),
                note.map(str::to_string),
                String::new(),
            ));
        }
        for (i, (decision, automatic, by, reason, rules)) in decisions.into_iter().enumerate() {
            diesel::insert_into(reimbursement_approvals::table)
                .values(&Approval {
                    id: new_id(),
                    reimbursement_id: id.clone(),
                    organization_id: self.org.to_string(),
                    decision: decision.to_string(),
                    automatic,
                    decided_by: by,
                    reason,
                    rules,
                    created_at: submitted + Duration::hours(i as i64 * 3),
                })
                .execute(conn)?;
        }
        Ok(id)
    }
}

fn year_start() -> NaiveDate {
    use chrono::Datelike;
    NaiveDate::from_ymd_opt(today().year(), 1, 1).unwrap_or_default()
}

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let t = now();
    let orgs: Vec<(String, String)> = organizations::table
        .order(organizations::name.asc())
        .select((organizations::id, organizations::short_name))
        .load(conn)?;
    for (org, short) in orgs {
        let mut types = Vec::new();
        for (i, (name, kind, receipt, max_line, max_claim)) in TYPES.iter().enumerate() {
            let ty = ExpenseType {
                id: new_id(),
                organization_id: org.clone(),
                name: name.to_string(),
                name_key: crate::web::forms::search_key(name),
                kind: kind.to_string(),
                receipt_required_above_ore: *receipt,
                max_line_ore: *max_line,
                max_claim_ore: *max_claim,
                is_active: true,
                sort_order: i as i32 * 10,
                created_at: t,
                updated_at: t,
            };
            diesel::insert_into(expense_types::table)
                .values(&ty)
                .execute(conn)?;
            types.push(ty);
        }
        let (a, b) = {
            let km = types[0].id.clone();
            let bus = types[3].id.clone();
            if km < bus {
                (km, bus)
            } else {
                (bus, km)
            }
        };
        diesel::insert_into(expense_type_exclusions::table)
            .values(&Exclusion {
                id: new_id(),
                organization_id: org.clone(),
                type_a: a,
                type_b: b,
                created_at: t,
            })
            .execute(conn)?;
        let mut rates = Vec::new();
        for (year, rate, free) in RATES {
            let r = MileageRate {
                id: new_id(),
                organization_id: org.clone(),
                effective_from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
                rate_ore: rate,
                tax_free_ore: free,
                passenger_ore: 100,
                forest_road_ore: 100,
                trailer_ore: 100,
                created_by: None,
                created_at: t,
            };
            diesel::insert_into(mileage_rates::table)
                .values(&r)
                .execute(conn)?;
            rates.push(r);
        }
        diesel::insert_into(expense_settings::table)
            .values(&ExpenseSettings::defaults(&org))
            .execute(conn)?;

        let domain = super::super::seed::DEMO_ORGS
            .iter()
            .find(|o| o.1 == short)
            .map(|o| o.3)
            .unwrap_or("");
        let id_of = |conn: &mut DbConn, email: String| -> QueryResult<Option<String>> {
            users::table
                .filter(users::email.eq(email))
                .select(users::id)
                .first(conn)
                .optional()
        };
        let (Some(mentor), Some(coordinator)) = (
            id_of(conn, format!("mentor@{domain}"))?,
            id_of(conn, format!("coordinator@{domain}"))?,
        ) else {
            continue;
        };
        // The demo mentor's first association (the coordinator's too).
        let Some(association) = uor::table
            .filter(uor::user_id.eq(&mentor))
            .filter(uor::organization_id.eq(&org))
            .filter(uor::role_id.eq("peer_mentor"))
            .order(uor::created_at.asc())
            .select(uor::local_association_id)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten()
        else {
            continue;
        };
        for (count, amount) in [(5, 50_000), (10, 150_000), (20, 400_000)] {
            diesel::insert_into(honorarium_thresholds::table)
                .values(&HonorariumThreshold {
                    id: new_id(),
                    organization_id: org.clone(),
                    local_association_id: association.clone(),
                    min_count: count,
                    amount_ore: amount,
                    created_at: t,
                })
                .execute(conn)?;
        }
        let ctx = Ctx {
            org: &org,
            association: &association,
            user: &mentor,
            types: &types,
            rates: &rates,
            t,
        };
        // Open lines, not yet claimed.
        for e in [
            ctx.line(None, "mileage", today(), 184),
            ctx.line(None, "toll", today(), 4_700),
        ] {
            diesel::insert_into(expenses::table)
                .values(&e)
                .execute(conn)?;
        }
        let c = Some(coordinator.as_str());
        ctx.claim(
            conn,
            "draft",
            0,
            &[("parking", 3_500)],
            "",
            None,
            None,
            "none",
            None,
        )?;
        ctx.claim(
            conn,
            "submitted",
            6,
            &[("mileage", 3_950)],
            "threshold",
            None,
            None,
            "none",
            None,
        )?;
        ctx.claim(
            conn,
            "submitted",
            2,
            &[("mileage", 120), ("transit", 6_400)],
            "exclusions",
            None,
            None,
            "none",
            None,
        )?;
        ctx.claim(
            conn,
            "returned",
            9,
            &[("other", 250_000)],
            "max_line",
            c,
            Some("Legg ved kvitteringen og del opp beløpet."),
            "none",
            None,
        )?;
        ctx.claim(
            conn,
            "approved",
            4,
            &[("mileage", 226)],
            "",
            None,
            None,
            "none",
            None,
        )?;
        ctx.claim(
            conn,
            "approved",
            3,
            &[("mileage", 310)],
            "",
            None,
            None,
            "pending",
            None,
        )?;
        ctx.claim(
            conn,
            "rejected",
            20,
            &[("other", 90_000)],
            "threshold",
            c,
            Some("Ikke knyttet til likepersonsarbeid."),
            "none",
            None,
        )?;
        let export = new_id();
        let paid = ctx.claim(
            conn,
            "paid",
            40,
            &[("mileage", 452), ("parking", 6_000)],
            "",
            None,
            None,
            "none",
            Some(&export),
        )?;
        let total: i64 = reimbursements::table
            .find(&paid)
            .select(reimbursements::total_ore)
            .first(conn)?;
        let admin = id_of(conn, format!("admin@{domain}"))?.unwrap_or_else(|| coordinator.clone());
        diesel::insert_into(reimbursement_exports::table)
            .values(&Export {
                id: export,
                organization_id: org.clone(),
                claim_count: 1,
                total_ore: total,
                created_by: admin.clone(),
                created_at: t - Duration::days(30),
                paid_at: Some(t - Duration::days(29)),
                paid_by: Some(admin),
            })
            .execute(conn)?;
        // The coordinator's own claim (as a peer mentor): waiting, and theirs not to decide.
        let own = Ctx {
            user: &coordinator,
            ..ctx
        };
        own.claim(
            conn,
            "submitted",
            1,
            &[("mileage", 2_400)],
            "threshold",
            None,
            None,
            "none",
            None,
        )?;
    }
    Ok(())
}
