//! The care around a contact: assigned peer mentors, caregivers and notes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{caregivers, contact_mentors, notes};

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
    /// The reader may edit and remove it (its author, a coordinator or an administrator).
    pub can_change: bool,
}
