//! Assignments: the row (details only as ciphertext), the status trail, the organization's
//! settings, and the plaintext details that exist only in memory while a page is built.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::schema::{assignment_settings, assignment_status_log, assignments};

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = assignments)]
pub struct Assignment {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub contact_id: Option<String>,
    pub mentor_id: String,
    pub dispatched_by: String,
    pub status: String,
    pub due_on: NaiveDate,
    /// The master key version that wraps `wrapped_key`; all three are `None` once erased.
    pub key_version: Option<i32>,
    pub wrapped_key: Option<String>,
    pub details: Option<String>,
    pub dispatched_at: NaiveDateTime,
    pub status_changed_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub details_erased_at: Option<NaiveDateTime>,
}

impl std::fmt::Debug for Assignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assignment")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Assignment {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Dispatched)
    }
    /// A short reference to name an assignment in lists and the trail without any detail.
    pub fn reference(&self) -> String {
        reference(&self.id)
    }
    pub fn due(&self) -> String {
        self.due_on.format("%d.%m.%Y").to_string()
    }
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status().is_open() && self.due_on < today
    }
    pub fn is_erased(&self) -> bool {
        self.details_erased_at.is_some()
    }
}

/// "A1B2-C3D4": the first eight hex digits of the id.
pub fn reference(id: &str) -> String {
    let hex: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(8)
        .collect::<String>()
        .to_uppercase();
    if hex.len() == 8 {
        format!("{}-{}", &hex[..4], &hex[4..])
    } else {
        hex
    }
}

/// Where an assignment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Dispatched,
    Delivered,
    Read,
    Acknowledged,
    Completed,
    Declined,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Dispatched,
        Status::Delivered,
        Status::Read,
        Status::Acknowledged,
        Status::Declined,
        Status::Completed,
        Status::Cancelled,
    ];
    /// The states a mentor still has an assignment in (they count against the maximum).
    pub const OPEN: [Status; 4] = [
        Status::Dispatched,
        Status::Delivered,
        Status::Read,
        Status::Acknowledged,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Dispatched => "dispatched",
            Status::Delivered => "delivered",
            Status::Read => "read",
            Status::Acknowledged => "acknowledged",
            Status::Completed => "completed",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Status::Dispatched => "assignments.status_dispatched",
            Status::Delivered => "assignments.status_delivered",
            Status::Read => "assignments.status_read",
            Status::Acknowledged => "assignments.status_acknowledged",
            Status::Completed => "assignments.status_completed",
            Status::Declined => "assignments.status_declined",
            Status::Cancelled => "assignments.status_cancelled",
        }
    }
    /// With the mentor (counts against their maximum).
    pub fn is_open(self) -> bool {
        Status::OPEN.contains(&self)
    }
    /// Completed or cancelled: nothing more happens; the details are erased after retention.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
    pub fn keys(states: &[Status]) -> Vec<&'static str> {
        states.iter().map(|s| s.key()).collect()
    }
}

/// One row of the immutable status trail.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = assignment_status_log)]
pub struct StatusEntry {
    pub id: String,
    pub assignment_id: String,
    pub from_status: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: NaiveDateTime,
}

/// A trail row as pages show it.
#[derive(Clone, Debug)]
pub struct TrailRow {
    pub entry: StatusEntry,
    pub who: String,
}

impl TrailRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.entry.changed_at)
    }
    pub fn when_machine(&self) -> String {
        crate::web::fmt::machine(&self.entry.changed_at)
    }
    pub fn status_label(&self) -> &'static str {
        Status::parse(&self.entry.status).map_or("", Status::label_key)
    }
}

/// An organization's assignment settings (defaults when it has none).
#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = assignment_settings)]
pub struct OrgSettings {
    pub organization_id: String,
    pub enabled: bool,
    pub max_open_per_mentor: i32,
    pub retention_days: i32,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub const DEFAULT_MAX_OPEN: i32 = 3;
pub const DEFAULT_RETENTION_DAYS: i32 = 90;

impl OrgSettings {
    pub fn defaults(org: &str) -> OrgSettings {
        OrgSettings {
            organization_id: org.to_string(),
            enabled: false,
            max_open_per_mentor: DEFAULT_MAX_OPEN,
            retention_days: DEFAULT_RETENTION_DAYS,
            updated_by: None,
            updated_at: crate::db::now(),
        }
    }
}

/// The personal details of an assignment, in memory only: sealed before they are stored,
/// wiped when dropped, and never printed (`Debug` is redacted).
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop, Default, Clone)]
pub struct Details {
    pub name: String,
    pub address: String,
    pub phone: String,
    /// Medical notes and what help is wanted.
    pub notes: String,
}

impl std::fmt::Debug for Details {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Details(redacted)")
    }
}

/// Text typed into a form that is personal (the dispatch form's details, a password): wiped
/// when dropped, never printed by `Debug`. Rendered as the text itself (forms keep values).
#[derive(Deserialize, Default, Clone, PartialEq, Eq)]
#[serde(transparent)]
pub struct SecretString(pub String);

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::ops::Deref for SecretString {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl std::fmt::Display for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(redacted)")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> SecretString {
        SecretString(s)
    }
}

/// A row of the coordinator's board or the mentor's list: no details, ever.
#[derive(Clone, Debug)]
pub struct BoardRow {
    pub a: Assignment,
    pub mentor_name: String,
    pub association_name: String,
    pub dispatcher_name: String,
    pub overdue: bool,
}

impl BoardRow {
    pub fn status_label(&self) -> &'static str {
        self.a.status().label_key()
    }
}

/// A mentor the coordinator may pick, or one they may not, with the reason.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub user_id: String,
    pub name: String,
    pub association_id: String,
    pub association_name: String,
    pub open: i64,
    /// The label key saying why the mentor cannot take an assignment now.
    pub reason: Option<&'static str>,
}
