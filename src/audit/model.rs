use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_log;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    pub seq: i64,
    pub organization_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

/// One row of the audit list, with the actor's name.
#[derive(Clone, Debug)]
pub struct AuditRow {
    pub entry: AuditEntry,
    pub actor_name: Option<String>,
}

impl AuditRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.entry.created_at)
    }
    pub fn who(&self) -> &str {
        self.actor_name.as_deref().unwrap_or("–")
    }
    pub fn target(&self) -> String {
        match (&self.entry.target_type, &self.entry.target_id) {
            (Some(t), Some(id)) => format!("{t} {}", &id[..id.len().min(8)]),
            (Some(t), None) => t.clone(),
            _ => "–".into(),
        }
    }
    pub fn detail(&self) -> &str {
        self.entry.detail.as_deref().unwrap_or("")
    }
    pub fn ip(&self) -> &str {
        self.entry.ip.as_deref().unwrap_or("")
    }
}
