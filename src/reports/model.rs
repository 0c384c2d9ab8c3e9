use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::bufdir_reports;

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
