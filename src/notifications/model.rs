//! Rows of the notifications domain.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{mail_outbox, notification_settings, notifications, reminders};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: String,
    pub user_id: String,
    pub organization_id: Option<String>,
    pub context_role: Option<String>,
    pub scenario: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub link: String,
    pub params: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = notification_settings)]
pub struct ScenarioSetting {
    pub user_id: String,
    pub scenario: String,
    pub in_app: bool,
    pub email: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = reminders)]
pub struct Reminder {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    pub scenario: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub due_on: NaiveDate,
    pub notification_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Outbox states: waiting (maybe after a failed try), taken by a runner, sent, given up.
pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    pub id: String,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A notification as the centre shows it: its text made in the reader's language.
#[derive(Clone, Debug)]
pub struct NotificationView {
    pub id: String,
    pub title: String,
    pub created_at: NaiveDateTime,
    pub read: bool,
    pub org_name: Option<String>,
}
