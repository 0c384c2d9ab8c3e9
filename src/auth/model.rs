use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{auth_tokens, sessions};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub login_method: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl SessionRow {
    pub fn device(&self) -> String {
        describe_user_agent(self.user_agent.as_deref().unwrap_or(""))
    }
    pub fn created(&self) -> String {
        crate::web::fmt::datetime(self.created_at)
    }
    pub fn last_seen(&self) -> String {
        crate::web::fmt::datetime(self.last_seen_at)
    }
    pub fn expires(&self) -> String {
        crate::web::fmt::datetime(self.expires_at)
    }
    pub fn ip_text(&self) -> &str {
        self.ip.as_deref().unwrap_or("–")
    }
}

/// "Firefox on Linux" from a user agent string, enough to recognise one's own devices.
pub fn describe_user_agent(ua: &str) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| ua.contains(**b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        })
        .unwrap_or("Ukjent nettleser");
    let os = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, v)| *v)
    .unwrap_or("?");
    format!("{browser} · {os}")
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = auth_tokens)]
pub struct AuthToken {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub token_hash: String,
    pub issuer: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub rotated_from_id: Option<String>,
    pub created_at: NaiveDateTime,
}
