//! What the team report holds: plain values, computed by `service::compute`.

use chrono::NaiveDate;

/// Activity figures of one row (a mentor, a type, a month, or the total).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityLine {
    /// The mentor's or type's id, or the month (`YYYY-MM`); empty for the total.
    pub key: String,
    pub name: String,
    pub activities: i64,
    pub minutes: i64,
    /// Distinct contacts reached.
    pub contacts: i64,
    /// Distinct mentors (the total's line only).
    pub mentors: i64,
}

impl ActivityLine {
    pub fn hours(&self) -> String {
        crate::reports::hours(self.minutes)
    }
}

/// Claims (reimbursements) or expense lines with one status: how many, and their sum in øre.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoneyLine {
    /// A claim status (`expense.status_*`), or `unclaimed` for expense lines in no claim.
    pub status: String,
    pub count: i64,
    pub ore: i64,
}

impl MoneyLine {
    pub fn status_key(&self) -> String {
        if self.status == "unclaimed" {
            "report.team_unclaimed".into()
        } else {
            format!("expense.status_{}", self.status)
        }
    }
}

/// The report of some associations over a period.
#[derive(Clone, Debug, Default)]
pub struct TeamReport {
    pub organization: String,
    /// The associations covered (id, name), by name.
    pub associations: Vec<(String, String)>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: ActivityLine,
    /// By mentor, the most active first.
    pub by_mentor: Vec<ActivityLine>,
    /// By activity type, the most used first.
    pub by_type: Vec<ActivityLine>,
    /// Every month of the period, in order (months without activity too).
    pub by_month: Vec<ActivityLine>,
    /// Claims submitted in the period, by their status now.
    pub claims: Vec<MoneyLine>,
    /// Expense lines spent in the period, by the status of the claim they are in.
    pub expenses: Vec<MoneyLine>,
}

impl TeamReport {
    pub fn claims_total(&self) -> MoneyLine {
        total(&self.claims)
    }
    pub fn expenses_total(&self) -> MoneyLine {
        total(&self.expenses)
    }
}

fn total(lines: &[MoneyLine]) -> MoneyLine {
    MoneyLine {
        status: String::new(),
        count: lines.iter().map(|l| l.count).sum(),
        ore: lines.iter().map(|l| l.ore).sum(),
    }
}
