use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{
    caregivers, contact_mentors, contacts, notes, peer_mentor_status_log, peer_mentors,
};

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

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub name: String,
    pub name_key: String,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
    pub phone_key: Option<String>,
    pub email: Option<String>,
    pub municipality: Option<String>,
    pub interest_group: Option<String>,
    pub sensitive_notes: Option<String>,
    pub consent_given: bool,
    pub consent_on: Option<NaiveDate>,
    pub is_active: bool,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Contact {
    pub fn consent_date(&self) -> String {
        self.consent_on
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
    pub fn birth_year_text(&self) -> String {
        self.birth_year.map(|y| y.to_string()).unwrap_or_default()
    }
}

/// The fields a contact form may change.
#[derive(AsChangeset, Clone, Debug)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactChanges {
    pub local_association_id: String,
    pub name: String,
    pub name_key: String,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
    pub phone_key: Option<String>,
    pub email: Option<String>,
    pub municipality: Option<String>,
    pub interest_group: Option<String>,
    pub sensitive_notes: Option<String>,
    pub consent_given: bool,
    pub consent_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = contact_mentors)]
pub struct Assignment {
    pub id: String,
    pub contact_id: String,
    pub user_id: String,
    pub assigned_by: Option<String>,
    pub assigned_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = caregivers)]
pub struct Caregiver {
    pub id: String,
    pub contact_id: String,
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub may_contact: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = notes)]
pub struct Note {
    pub id: String,
    pub contact_id: String,
    pub author_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

impl Note {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.created_at)
    }
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

/// A row of the contact list.
#[derive(Clone, Debug)]
pub struct ContactRow {
    pub contact: Contact,
    pub association_name: String,
}

/// An assignment with the mentor's name.
#[derive(Clone, Debug)]
pub struct AssignmentRow {
    pub assignment: Assignment,
    pub mentor_name: String,
}

impl AssignmentRow {
    pub fn since(&self) -> String {
        crate::web::fmt::date(self.assignment.assigned_at)
    }
    pub fn ended(&self) -> String {
        self.assignment
            .ended_at
            .map(crate::web::fmt::date)
            .unwrap_or_default()
    }
}

/// A note with its author's name.
#[derive(Clone, Debug)]
pub struct NoteRow {
    pub note: Note,
    pub author_name: String,
}

/// Everything the contact page shows.
#[derive(Clone, Debug)]
pub struct ContactDetail {
    pub contact: Contact,
    pub association_name: String,
    pub mentors: Vec<AssignmentRow>,
    pub past_mentors: Vec<AssignmentRow>,
    pub caregivers: Vec<Caregiver>,
    pub notes: Vec<NoteRow>,
    /// Mentors of the contact's association who can be assigned (id, name); empty for those
    /// who may not assign.
    pub mentor_choices: Vec<(String, String)>,
    pub can_assign: bool,
}

/// An existing contact that looks like the one being created.
#[derive(Clone, Debug)]
pub struct Duplicate {
    /// Id, name and association of a duplicate the actor may see.
    pub visible: Option<(String, String, String)>,
}
