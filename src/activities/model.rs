use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{activities, activity_types};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = activity_types)]
pub struct ActivityType {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub name_key: String,
    pub kind: String,
    pub bufdir_category: Option<String>,
    pub requires_duration: bool,
    pub requires_participants: bool,
    pub requires_contact: bool,
    pub allows_expenses: bool,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ActivityType {
    pub fn kind_key(&self) -> String {
        format!("activity.kind_{}", self.kind)
    }
    /// Outreach is a conversation with someone: it needs its contact.
    pub fn is_outreach(&self) -> bool {
        self.bufdir_category.as_deref() == Some("outreach")
    }
    pub fn category_key(&self) -> String {
        match &self.bufdir_category {
            Some(c) => format!("activity.category_{c}"),
            None => "activity.category_none".into(),
        }
    }
}

/// The kinds of activity; the Bufdir rules depend on them.
pub const KINDS: [&str; 6] = [
    "one_to_one",
    "phone",
    "group",
    "training",
    "social",
    "other",
];
/// Bufdir's categories of counting activity.
pub const CATEGORIES: [&str; 3] = ["outreach", "group", "training"];

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = activities)]
pub struct Activity {
    pub id: String,
    pub organization_id: String,
    pub local_association_id: String,
    pub activity_type_id: String,
    pub mentor_id: String,
    pub registered_by: String,
    pub is_proxy: bool,
    pub occurred_on: NaiveDate,
    pub duration_minutes: Option<i32>,
    pub contact_id: Option<String>,
    pub participants: Option<i32>,
    pub description: Option<String>,
    pub status: String,
    pub bufdir_counts: bool,
    pub bufdir_reason: String,
    pub event_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns a list of activities shows and its CSV export reads: 12 of the 18, without the
/// description, the timestamps and the ids no list names (a page of the coordinator's list
/// reads up to 51 rows of each association's range).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = activities)]
pub struct ActivityItem {
    pub id: String,
    pub local_association_id: String,
    pub activity_type_id: String,
    pub mentor_id: String,
    pub is_proxy: bool,
    pub occurred_on: NaiveDate,
    pub duration_minutes: Option<i32>,
    pub contact_id: Option<String>,
    pub participants: Option<i32>,
    pub status: String,
    pub bufdir_counts: bool,
    pub bufdir_reason: String,
}

/// What a row with names needs of its activity: the whole record (an activity's page) or a
/// list's item.
pub trait Listed {
    fn id(&self) -> &str;
    fn occurred_on(&self) -> NaiveDate;
    fn local_association_id(&self) -> &str;
    fn activity_type_id(&self) -> &str;
    fn mentor_id(&self) -> &str;
    fn contact_id(&self) -> Option<&str>;
    fn duration_minutes(&self) -> Option<i32>;
    fn participants(&self) -> Option<i32>;
    fn status(&self) -> &str;
}

macro_rules! listed {
    ($t:ty) => {
        impl Listed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn occurred_on(&self) -> NaiveDate {
                self.occurred_on
            }
            fn local_association_id(&self) -> &str {
                &self.local_association_id
            }
            fn activity_type_id(&self) -> &str {
                &self.activity_type_id
            }
            fn mentor_id(&self) -> &str {
                &self.mentor_id
            }
            fn contact_id(&self) -> Option<&str> {
                self.contact_id.as_deref()
            }
            fn duration_minutes(&self) -> Option<i32> {
                self.duration_minutes
            }
            fn participants(&self) -> Option<i32> {
                self.participants
            }
            fn status(&self) -> &str {
                &self.status
            }
        }
    };
}
listed!(Activity);
listed!(ActivityItem);

/// An activity (a list's item, or the whole record on its page) with the names it shows.
#[derive(Clone, Debug)]
pub struct ActivityRow<A = Activity> {
    pub a: A,
    pub type_name: String,
    pub association_name: String,
    pub mentor_name: String,
    pub contact_name: Option<String>,
    pub registered_by_name: Option<String>,
}

impl<A: Listed> ActivityRow<A> {
    pub fn date(&self) -> String {
        self.a.occurred_on().format("%d.%m.%Y").to_string()
    }
    pub fn minutes(&self) -> String {
        self.a
            .duration_minutes()
            .map(|m| m.to_string())
            .unwrap_or_default()
    }
    pub fn participants_text(&self) -> String {
        self.a
            .participants()
            .map(|m| m.to_string())
            .unwrap_or_default()
    }
    pub fn contact(&self) -> &str {
        self.contact_name.as_deref().unwrap_or("")
    }
    pub fn status_key(&self) -> String {
        format!("activity.status_{}", self.a.status())
    }
    pub fn cancelled(&self) -> bool {
        self.a.status() == "cancelled"
    }
}
