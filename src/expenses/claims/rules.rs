//! The rules a claim meets on submission. Each rule passes or fails; a claim whose rules all
//! pass is approved automatically, and the failed ones are the reasons it waits for a person.
//! Pure functions of the lines, the types and the settings, so they are tested without a database.

use std::collections::BTreeMap;

use crate::expenses::model::{ExpenseSettings, ExpenseType};

/// The rules, in the order the claim page lists them.
pub const RULES: [&str; 5] = [
    "receipts",
    "exclusions",
    "max_line",
    "max_claim",
    "threshold",
];

/// What a rule needs to know of a line.
#[derive(Clone, Debug)]
pub struct RuleLine {
    pub type_id: String,
    pub spent_on: chrono::NaiveDate,
    pub amount_ore: i64,
    pub has_receipt: bool,
}

/// The outcome of each rule, in `RULES` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub results: Vec<(&'static str, bool)>,
}

impl Outcome {
    pub fn automatic(&self) -> bool {
        self.results.iter().all(|(_, ok)| *ok)
    }
    /// The failed rules: why the claim waits.
    pub fn failed(&self) -> Vec<&'static str> {
        self.results
            .iter()
            .filter(|(_, ok)| !*ok)
            .map(|(r, _)| *r)
            .collect()
    }
    /// "receipts:passed exclusions:failed …", as stored with the decision.
    pub fn encode(&self) -> String {
        self.results
            .iter()
            .map(|(r, ok)| format!("{r}:{}", if *ok { "passed" } else { "failed" }))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Reads `encode`'s text back: (rule, passed).
pub fn decode(text: &str) -> Vec<(String, bool)> {
    text.split_whitespace()
        .filter_map(|w| w.split_once(':'))
        .map(|(r, o)| (r.to_string(), o == "passed"))
        .collect()
}

pub fn run(
    lines: &[RuleLine],
    types: &[ExpenseType],
    exclusions: &[(String, String)],
    settings: &ExpenseSettings,
) -> Outcome {
    let type_of = |id: &str| types.iter().find(|t| t.id == id);
    let receipts = lines.iter().all(|l| {
        l.has_receipt || !type_of(&l.type_id).is_some_and(|t| t.needs_receipt(l.amount_ore))
    });
    let exclusions_ok = !lines.iter().enumerate().any(|(i, a)| {
        lines[i + 1..].iter().any(|b| {
            a.spent_on == b.spent_on
                && exclusions.iter().any(|(x, y)| {
                    (x == &a.type_id && y == &b.type_id) || (x == &b.type_id && y == &a.type_id)
                })
        })
    });
    let max_line = lines.iter().all(|l| {
        type_of(&l.type_id)
            .and_then(|t| t.max_line_ore)
            .is_none_or(|max| l.amount_ore <= max)
    });
    let mut per_type: BTreeMap<&str, i64> = BTreeMap::new();
    for l in lines {
        *per_type.entry(l.type_id.as_str()).or_default() += l.amount_ore;
    }
    let max_claim = per_type.iter().all(|(t, sum)| {
        type_of(t)
            .and_then(|t| t.max_claim_ore)
            .is_none_or(|max| *sum <= max)
    });
    let total: i64 = lines.iter().map(|l| l.amount_ore).sum();
    let threshold = total <= settings.auto_approve_max_ore;
    Outcome {
        results: vec![
            ("receipts", receipts),
            ("exclusions", exclusions_ok),
            ("max_line", max_line),
            ("max_claim", max_claim),
            ("threshold", threshold),
        ],
    }
}

/// Whether an automatically approved claim is drawn for a spot check: `roll` is uniform in
/// 0..100, so `percent` of the claims are drawn.
pub fn drawn(percent: i32, roll: u32) -> bool {
    (roll as i64) < i64::from(percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(
        id: &str,
        kind: &str,
        receipt_above: Option<i64>,
        max_line: Option<i64>,
        max_claim: Option<i64>,
    ) -> ExpenseType {
        ExpenseType {
            id: id.into(),
            organization_id: "o".into(),
            name: id.into(),
            name_key: id.into(),
            kind: kind.into(),
            receipt_required_above_ore: receipt_above,
            max_line_ore: max_line,
            max_claim_ore: max_claim,
            is_active: true,
            sort_order: 0,
            created_at: crate::db::now(),
            updated_at: crate::db::now(),
        }
    }

    fn line(type_id: &str, day: u32, amount: i64, receipt: bool) -> RuleLine {
        RuleLine {
            type_id: type_id.into(),
            spent_on: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
            amount_ore: amount,
            has_receipt: receipt,
        }
    }

    #[test]
    fn every_rule_passes_or_names_itself() {
        let types = vec![
            t("km", "mileage", None, None, None),
            t("bus", "transit", Some(0), None, None),
            t("park", "parking", Some(10_000), Some(20_000), Some(30_000)),
        ];
        let pairs = vec![("bus".to_string(), "km".to_string())];
        let mut s = ExpenseSettings::defaults("o");
        s.auto_approve_max_ore = 100_000;
        let ok = run(
            &[
                line("km", 1, 5_000, false),
                line("bus", 2, 4_000, true),
                line("park", 3, 9_000, false),
            ],
            &types,
            &pairs,
            &s,
        );
        assert!(ok.automatic(), "{ok:?}");
        assert_eq!(
            ok.encode(),
            "receipts:passed exclusions:passed max_line:passed max_claim:passed threshold:passed"
        );

        let bad = run(
            &[
                line("km", 1, 5_000, false),
                line("bus", 1, 4_000, false),
                line("park", 3, 25_000, true),
                line("park", 4, 10_000, true),
            ],
            &types,
            &pairs,
            &s,
        );
        assert_eq!(
            bad.failed(),
            vec!["receipts", "exclusions", "max_line", "max_claim"]
        );
        s.auto_approve_max_ore = 10_000;
        let over = run(&[line("km", 1, 10_001, false)], &types, &pairs, &s);
        assert_eq!(over.failed(), vec!["threshold"]);
        let at = run(&[line("km", 1, 10_000, false)], &types, &pairs, &s);
        assert!(at.automatic(), "at the threshold is automatic");
        assert_eq!(decode(&over.encode())[4], ("threshold".to_string(), false));
    }

    #[test]
    fn the_spot_check_draws_its_share() {
        assert!(!drawn(0, 0));
        assert!(drawn(5, 4));
        assert!(!drawn(5, 5));
        assert!(drawn(100, 99));
        assert_eq!((0..100).filter(|r| drawn(5, *r)).count(), 5);
    }
}
