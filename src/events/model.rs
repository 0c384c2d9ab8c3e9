use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{event_attendees, events};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub activity_type_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub place: Option<String>,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub capacity: Option<i32>,
    pub status: String,
    pub activity_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub seats_taken: i32,
    pub cancel_reason: Option<String>,
    /// Only mentors who meet the organization's approval requirements may register.
    pub requires_approval: bool,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = event_attendees)]
pub struct Attendee {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub status: String,
    pub registered_at: NaiveDateTime,
    pub marked_at: Option<NaiveDateTime>,
    pub marked_by: Option<String>,
}

/// The statuses of an attendee: registration before the event, attendance after.
pub const ATTENDANCE: [&str; 2] = ["attended", "no_show"];

/// An event with the names a list or page shows, and the viewer's own registration.
#[derive(Clone, Debug)]
pub struct EventRow {
    pub e: Event,
    pub association_name: String,
    pub type_name: Option<String>,
    /// The viewing mentor's attendee status, if they ever registered.
    pub my_status: Option<String>,
    /// Whether the event has started (registration closed, attendance open).
    pub started: bool,
}

impl EventRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.e.starts_at)
    }
    pub fn place(&self) -> &str {
        self.e.place.as_deref().unwrap_or("")
    }
    pub fn cancelled(&self) -> bool {
        self.e.status == "cancelled"
    }
    pub fn full(&self) -> bool {
        self.e.capacity.is_some_and(|c| self.e.seats_taken >= c)
    }
    pub fn seats_text(&self) -> String {
        match self.e.capacity {
            Some(c) => format!("{} / {c}", self.e.seats_taken),
            None => self.e.seats_taken.to_string(),
        }
    }
    pub fn registered(&self) -> bool {
        self.my_status.as_deref() == Some("registered")
    }
    /// A mentor may register: planned, not started, a seat free, not registered already.
    pub fn may_register(&self) -> bool {
        !self.cancelled() && !self.started && !self.registered() && !self.full()
    }
    pub fn may_unregister(&self) -> bool {
        !self.cancelled() && !self.started && self.registered()
    }
    pub fn my_status_key(&self) -> String {
        format!(
            "event.attendee_{}",
            self.my_status.as_deref().unwrap_or("none")
        )
    }
}

/// One attendee with their name, for the coordinator's attendance list.
#[derive(Clone, Debug)]
pub struct AttendeeRow {
    pub a: Attendee,
    pub name: String,
}

impl AttendeeRow {
    pub fn status_key(&self) -> String {
        format!("event.attendee_{}", self.a.status)
    }
    pub fn is(&self, status: &str) -> bool {
        self.a.status == status
    }
}
