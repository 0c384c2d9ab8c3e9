//! Diesel structs of the engagement tables (migration 2026-12-08-000500_engagement).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{
    badges, engagement_settings, external_resources, recruitment_referrals, toolbox_cards,
    user_badges,
};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = badges)]
pub struct Badge {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub icon: String,
    pub image_key: Option<String>,
    pub image_type: Option<String>,
    pub trigger_kind: String,
    pub threshold: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = user_badges)]
pub struct UserBadge {
    pub id: String,
    pub badge_id: String,
    pub user_id: String,
    pub organization_id: String,
    pub awarded_at: NaiveDateTime,
    pub reason: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = recruitment_referrals)]
pub struct Referral {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub token: String,
    pub clicks: i64,
    pub created_at: NaiveDateTime,
    pub last_click_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = toolbox_cards)]
pub struct Card {
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub title_key: String,
    pub body: String,
    pub category: String,
    pub position: i32,
    pub image_key: Option<String>,
    pub image_type: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = external_resources)]
pub struct Resource {
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub url: String,
    pub description: String,
    pub category: String,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Resource {
    /// The host the link leads to, shown beside it.
    pub fn host(&self) -> String {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = engagement_settings)]
pub struct EngagementSettings {
    pub organization_id: String,
    pub membership_url: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: NaiveDateTime,
}
