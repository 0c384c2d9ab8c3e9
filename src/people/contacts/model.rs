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
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub postal_place: Option<String>,
    /// Erased on request: personal data removed, the row kept for activities and counts.
    pub erased_at: Option<NaiveDateTime>,
}

/// The name an erased contact keeps: no one's name, the same in every language.
pub const ERASED_NAME: &str = "–";

impl Contact {
    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }
    pub fn erased_date(&self) -> String {
        self.erased_at
            .map(crate::web::fmt::date)
            .unwrap_or_default()
    }
    /// "Storgata 1, 0155 Oslo", or empty.
    pub fn address(&self) -> String {
        let place = [self.postal_code.as_deref(), self.postal_place.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [self.street_address.clone().unwrap_or_default(), place]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
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
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub postal_place: Option<String>,
    pub updated_at: NaiveDateTime,
}

// ---------------------------------------------------------------- what pages show

/// A row of the contact list.
#[derive(Clone, Debug)]
pub struct ContactRow {
    pub contact: Contact,
    pub association_name: String,
    /// Names of the actively assigned mentors.
    pub mentors: Vec<String>,
    /// The date of the contact's latest registered activity.
    pub last_activity: Option<NaiveDate>,
}

impl ContactRow {
    pub fn mentor_names(&self) -> String {
        self.mentors.join(", ")
    }
    pub fn last_activity_date(&self) -> String {
        self.last_activity
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
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
    /// The organization uses assignments and the reader may dispatch one for this contact.
    pub can_dispatch: bool,
    /// The reader may close, reopen and erase the contact.
    pub can_close: bool,
}

/// An existing contact that looks like the one being created.
#[derive(Clone, Debug)]
pub struct Duplicate {
    /// Id, name and association of a duplicate the actor may see.
    pub visible: Option<(String, String, String)>,
}
