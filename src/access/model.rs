//! The actor's personal settings, loaded with the actor on every request (edited by `users`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::settings;

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = settings)]
pub struct Setting {
    pub user_id: String,
    pub language: String,
    pub notify_email: bool,
    pub notify_in_app: bool,
    pub larger_text: bool,
    pub high_contrast: bool,
    pub reduced_motion: bool,
    pub calendar_week_start: String,
    pub updated_at: NaiveDateTime,
}

impl Setting {
    pub fn defaults(user_id: &str) -> Setting {
        Setting {
            user_id: user_id.to_string(),
            language: "nb".into(),
            notify_email: true,
            notify_in_app: true,
            larger_text: false,
            high_contrast: false,
            reduced_motion: false,
            calendar_week_start: "monday".into(),
            updated_at: crate::db::now(),
        }
    }
}
