use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::certifications;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = certifications)]
pub struct Certification {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub course_id: Option<String>,
    pub name: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub verify_token: String,
    pub created_at: NaiveDateTime,
}

/// Days before expiry a certification counts as expiring.
pub const EXPIRING_DAYS: i64 = 30;

impl Certification {
    /// active, expiring (within 30 days), expired or revoked, on `today`.
    pub fn status(&self, today: NaiveDate) -> &'static str {
        if self.revoked_at.is_some() {
            return "revoked";
        }
        match self.expires_on {
            Some(e) if e < today => "expired",
            Some(e) if e <= today + chrono::Duration::days(EXPIRING_DAYS) => "expiring",
            _ => "active",
        }
    }
}

/// A certification with the holder's name, the status of today, and the course it came from.
#[derive(Clone, Debug)]
pub struct CertRow {
    pub c: Certification,
    pub holder: String,
    pub status: &'static str,
    pub course: Option<String>,
}

impl CertRow {
    pub fn status_key(&self) -> String {
        format!("cert.status_{}", self.status)
    }
    pub fn color(&self) -> &'static str {
        match self.status {
            "active" => "success",
            "expiring" => "warning",
            _ => "danger",
        }
    }
    pub fn issued(&self) -> String {
        self.c.issued_on.format("%d.%m.%Y").to_string()
    }
    pub fn expires(&self) -> String {
        self.c
            .expires_on
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
}
