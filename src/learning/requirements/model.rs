use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::approval_requirements;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = approval_requirements)]
pub struct Requirement {
    pub id: String,
    pub organization_id: String,
    pub kind: String,
    pub name: String,
    pub certification_name: Option<String>,
    pub validity_months: Option<i32>,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The kinds of requirement; those met by a certification name one.
pub const KINDS: [&str; 6] = [
    "course",
    "certification",
    "declaration",
    "police_certificate",
    "follow_up",
    "refresher",
];

pub fn by_certification(kind: &str) -> bool {
    matches!(kind, "course" | "certification" | "refresher")
}

impl Requirement {
    pub fn kind_key(&self) -> String {
        format!("req.kind_{}", self.kind)
    }
}

/// Where a mentor stands on one requirement.
#[derive(Clone, Debug)]
pub struct Standing {
    pub requirement: Requirement,
    pub fulfilled_on: Option<NaiveDate>,
    /// `None` with `fulfilled_on` set: it does not expire.
    pub valid_until: Option<NaiveDate>,
    /// ok, expiring (within 30 days), expired, missing.
    pub state: &'static str,
}

impl Standing {
    pub fn state_key(&self) -> String {
        format!("req.state_{}", self.state)
    }
    pub fn color(&self) -> &'static str {
        match self.state {
            "ok" => "success",
            "expiring" => "warning",
            _ => "danger",
        }
    }
    pub fn until(&self) -> String {
        self.valid_until
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
    pub fn blocks(&self) -> bool {
        matches!(self.state, "missing" | "expired")
    }
}

/// One mentor's standings, for the coordinator's overview.
#[derive(Clone, Debug)]
pub struct MentorStanding {
    pub user_id: String,
    pub name: String,
    pub standings: Vec<Standing>,
}

impl MentorStanding {
    pub fn eligible(&self) -> bool {
        !self.standings.iter().any(Standing::blocks)
    }
    pub fn gaps(&self) -> Vec<&Standing> {
        self.standings.iter().filter(|s| s.state != "ok").collect()
    }
}
