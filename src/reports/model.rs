use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{annual_summaries, bufdir_reports};

/// A version of an organization's Bufdir report for a year.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = bufdir_reports)]
pub struct BufdirReport {
    pub id: String,
    pub organization_id: String,
    pub year: i32,
    pub version: i32,
    /// draft, final or submitted.
    pub status: String,
    /// The figures (JSON) a final or submitted version was finalized with.
    pub snapshot: Option<String>,
    pub previous_id: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub finalized_by: Option<String>,
    pub finalized_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl BufdirReport {
    pub fn status_key(&self) -> String {
        format!("report.status_{}", self.status)
    }
}

/// A mentor's year in figures ("Wrapped"), computed by the `reports.annual` job.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = annual_summaries)]
pub struct AnnualSummary {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub year: i32,
    pub activities: i64,
    pub minutes: i64,
    pub contacts: i64,
    pub events: i64,
    pub busiest_month: Option<i32>,
    /// The names of the badges earned that year, JSON.
    pub badges: String,
    pub previous_activities: i64,
    pub previous_minutes: i64,
    pub computed_at: NaiveDateTime,
}
