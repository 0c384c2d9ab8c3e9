//! The rows of the expenses domain. Money is integer øre (`_ore`), mileage distance tenths of
//! a kilometre (`km_tenths`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{
    expense_settings, expense_type_exclusions, expense_types, expenses, honorarium_thresholds,
    mileage_rates, receipts, reimbursement_approvals, reimbursement_exports, reimbursements,
};

/// The kinds of expense type; an organization names its own types, each of one kind.
pub const KINDS: [&str; 5] = ["mileage", "toll", "parking", "transit", "other"];

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = expense_types)]
pub struct ExpenseType {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub name_key: String,
    pub kind: String,
    /// A receipt is required when a line's amount is above this (0: always; none: never).
    pub receipt_required_above_ore: Option<i64>,
    pub max_line_ore: Option<i64>,
    pub max_claim_ore: Option<i64>,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ExpenseType {
    pub fn is_mileage(&self) -> bool {
        self.kind == "mileage"
    }
    pub fn kind_key(&self) -> String {
        format!("expense.kind_{}", self.kind)
    }
    /// Whether a line of this amount needs a receipt.
    pub fn needs_receipt(&self, amount_ore: i64) -> bool {
        !self.is_mileage()
            && self
                .receipt_required_above_ore
                .is_some_and(|limit| amount_ore > limit)
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = expense_type_exclusions)]
pub struct Exclusion {
    pub id: String,
    pub organization_id: String,
    pub type_a: String,
    pub type_b: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug, PartialEq)]
#[diesel(table_name = mileage_rates)]
pub struct MileageRate {
    pub id: String,
    pub organization_id: String,
    pub effective_from: NaiveDate,
    /// The rate paid per km (the state rate, e.g. 500 = 5.00 kr).
    pub rate_ore: i32,
    /// The part of the rate per km that is tax-free (3.50 kr); the rest is taxable.
    pub tax_free_ore: i32,
    pub passenger_ore: i32,
    pub forest_road_ore: i32,
    pub trailer_ore: i32,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = expense_settings)]
pub struct ExpenseSettings {
    pub organization_id: String,
    pub auto_approve_max_ore: i64,
    pub spot_check_percent: i32,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// The rules an organization that has not chosen its own gets: claims up to 1,000 kr approved
/// automatically, 5 % of those drawn for a spot check.
pub const DEFAULT_AUTO_APPROVE_ORE: i64 = 100_000;
pub const DEFAULT_SPOT_CHECK_PERCENT: i32 = 5;

impl ExpenseSettings {
    pub fn defaults(org: &str) -> ExpenseSettings {
        ExpenseSettings {
            organization_id: org.to_string(),
            auto_approve_max_ore: DEFAULT_AUTO_APPROVE_ORE,
            spot_check_percent: DEFAULT_SPOT_CHECK_PERCENT,
            updated_by: None,
            updated_at: crate::db::now(),
        }
    }
}

pub const STATUSES: [&str; 6] = [
    "draft",
    "submitted",
    "returned",
    "approved",
    "rejected",
    "paid",
];

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = reimbursements)]
pub struct Reimbursement {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub user_id: String,
    pub status: String,
    /// Raised by every change of status, so a decision can be tied to the state it saw.
    pub version: i32,
    pub total_ore: i64,
    pub tax_free_ore: i64,
    pub taxable_ore: i64,
    pub line_count: i32,
    /// Why the claim waits for a person: reason keys separated by spaces (empty: none).
    pub review_reasons: String,
    /// "none", "pending" (drawn for a spot check after automatic approval) or "done".
    pub spot_check: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub export_id: Option<String>,
    pub paid_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Reimbursement {
    pub fn status_key(&self) -> String {
        format!("expense.status_{}", self.status)
    }
    pub fn reasons(&self) -> Vec<&str> {
        self.review_reasons.split_whitespace().collect()
    }
    /// The mentor may still change its lines and submit it (again).
    pub fn editable(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "returned")
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = expenses, treat_none_as_null = true)]
pub struct Expense {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub user_id: String,
    pub expense_type_id: String,
    pub activity_id: Option<String>,
    pub reimbursement_id: Option<String>,
    pub spent_on: NaiveDate,
    pub amount_ore: i64,
    pub tax_free_ore: i64,
    pub taxable_ore: i64,
    pub km_tenths: Option<i32>,
    pub passengers: Option<i32>,
    pub forest_road: bool,
    pub trailer: bool,
    pub from_place: Option<String>,
    pub to_place: Option<String>,
    pub purpose: Option<String>,
    pub mileage_rate_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = receipts)]
pub struct Receipt {
    pub id: String,
    pub organization_id: String,
    pub expense_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

impl Receipt {
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// Most receipts one expense line can carry.
pub const MAX_RECEIPTS: i64 = 5;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = reimbursement_approvals)]
pub struct Approval {
    pub id: String,
    pub reimbursement_id: String,
    pub organization_id: String,
    /// approved, rejected, returned, waiting (the rules sent it to a person), spot_checked
    pub decision: String,
    pub automatic: bool,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    /// The rules that ran, as `rule:passed` or `rule:failed` words separated by spaces.
    pub rules: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = reimbursement_exports)]
pub struct Export {
    pub id: String,
    pub organization_id: String,
    pub claim_count: i32,
    pub total_ore: i64,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub paid_by: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = honorarium_thresholds)]
pub struct HonorariumThreshold {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub min_count: i32,
    pub amount_ore: i64,
    pub created_at: NaiveDateTime,
}
