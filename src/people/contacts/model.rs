//! Contacts (the people supported) and what the contact pages show.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::people::care::model::{AssignmentRow, Caregiver, NoteRow};
use crate::schema::contacts;

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

// ---------------------------------------------------------------- what pages show

#[derive(Clone, Debug)]
pub struct ContactRow {
    pub contact: Contact,
    pub association_name: String,
}

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
