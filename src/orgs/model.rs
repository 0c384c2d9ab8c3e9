use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{local_associations, organizations, regions};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub org_number: Option<String>,
    pub default_locale: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = regions)]
pub struct Region {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub code: Option<String>,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = local_associations)]
pub struct LocalAssociation {
    pub id: String,
    pub organization_id: String,
    pub region_id: Option<String>,
    pub name: String,
    pub name_key: String,
    pub short_code: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub is_active: bool,
    pub external_id: Option<String>,
    pub metadata: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a form may change.
#[derive(AsChangeset, Clone, Debug)]
#[diesel(table_name = local_associations, treat_none_as_null = true)]
pub struct AssociationChanges {
    pub region_id: Option<String>,
    pub name: String,
    pub name_key: String,
    pub short_code: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub external_id: Option<String>,
    pub metadata: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// A row of the association list.
#[derive(Clone, Debug)]
pub struct AssociationRow {
    pub a: LocalAssociation,
    pub region_name: Option<String>,
}

impl AssociationRow {
    pub fn region(&self) -> &str {
        self.region_name.as_deref().unwrap_or("–")
    }
    pub fn code(&self) -> &str {
        self.a.short_code.as_deref().unwrap_or("")
    }
    pub fn email(&self) -> &str {
        self.a.contact_email.as_deref().unwrap_or("")
    }
}

/// Who belongs to an association, and what it did this year (counted in SQL).
#[derive(Clone, Debug, Default)]
pub struct AssociationOverview {
    /// Active peer mentors: (peer mentor profile id, if any; name).
    pub mentors: Vec<(Option<String>, String)>,
    pub mentors_total: i64,
    /// Active coordinators: (user id, name).
    pub coordinators: Vec<(String, String)>,
    pub year: i32,
    pub activities: i64,
    pub contacts_reached: i64,
    pub mentors_active: i64,
    pub contacts: i64,
}

impl AssociationOverview {
    pub fn more_mentors(&self) -> i64 {
        self.mentors_total - self.mentors.len() as i64
    }
}

/// A region with the number of associations in it (counted in SQL).
#[derive(Clone, Debug)]
pub struct RegionRow {
    pub region: Region,
    pub associations: i64,
}
