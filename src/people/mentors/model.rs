//! Peer mentor profiles, their status history, and what the mentor pages show.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::people::contacts::model::ContactRow;
use crate::schema::{peer_mentor_status_log, peer_mentors};

/// The statuses of a peer mentor, in the order a form offers them.
pub const STATUSES: [&str; 4] = ["active", "paused", "suspended", "deactivated"];

/// The label key of a status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "active" => "people.status_active",
        "paused" => "people.status_paused",
        "suspended" => "people.status_suspended",
        _ => "people.status_deactivated",
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = peer_mentors)]
pub struct PeerMentor {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub status: String,
    pub started_on: NaiveDate,
    pub availability: Option<String>,
    pub languages: Option<String>,
    pub max_contacts: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PeerMentor {
    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
    pub fn started(&self) -> String {
        self.started_on.format("%d.%m.%Y").to_string()
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = peer_mentor_status_log)]
pub struct StatusLogEntry {
    pub id: String,
    pub peer_mentor_id: String,
    pub status: String,
    pub reason: String,
    pub changed_by: Option<String>,
    pub changed_at: NaiveDateTime,
}

// ---------------------------------------------------------------- what pages show

/// A row of the mentor list.
#[derive(Clone, Debug)]
pub struct MentorRow {
    pub mentor: PeerMentor,
    pub name: String,
    pub email: String,
    pub active_contacts: i64,
}

/// A history entry with the name of who made the change.
#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub entry: StatusLogEntry,
    pub by_name: Option<String>,
}

impl HistoryRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.entry.changed_at)
    }
    pub fn status_label(&self) -> &'static str {
        status_label(&self.entry.status)
    }
}

/// Everything the mentor profile shows.
#[derive(Clone, Debug)]
pub struct MentorDetail {
    pub mentor: PeerMentor,
    pub name: String,
    pub email: String,
    pub associations: Vec<String>,
    pub contacts: Vec<ContactRow>,
    pub history: Vec<HistoryRow>,
}

/// An event a mentor signed up for, with their attendance.
#[derive(Clone, Debug)]
pub struct MentorEvent {
    pub id: String,
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub association_name: String,
    pub event_status: String,
    pub attendance: String,
}

impl MentorEvent {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.starts_at)
    }
    pub fn status_key(&self) -> String {
        format!("event.status_{}", self.event_status)
    }
    pub fn attendance_key(&self) -> String {
        format!("event.attendee_{}", self.attendance)
    }
}
