//! The organization's settings in one place (`/organization-settings`, organization
//! administrators): every setting with its current value, a sentence on what it does, and
//! where it is changed. The membership page that recruitment links lead to is edited here.
//!
//! Adding a setting is one entry in `SETTINGS`: its label, its sentence, how to read its
//! current value, and the page that changes it.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::auth::actor::set_flash;
use crate::db::{now, DbConn};
use crate::engagement::model::EngagementSettings;
use crate::schema::{engagement_settings as es, honorarium_thresholds as ht, mileage_rates as mr};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, redirect, AppResult};
use crate::AppState;

/// One organization setting.
pub struct SettingEntry {
    /// Label key of its name.
    pub label: &'static str,
    /// Label key of the sentence that explains it.
    pub help: &'static str,
    /// Its current value as shown (the language code for numbers and amounts).
    pub read: fn(&mut DbConn, &str, &str) -> QueryResult<String>,
    /// Where it is changed.
    pub href: &'static str,
}

/// Every organization setting, in the order the page shows them.
pub static SETTINGS: &[SettingEntry] = &[
    SettingEntry {
        label: "engage.setting_auto_approve",
        help: "engage.setting_auto_approve_help",
        read: |c, org, lang| {
            let s = crate::expenses::types::service::settings(c, org)?;
            Ok(crate::expenses::money::kr(s.auto_approve_max_ore, lang))
        },
        href: "/expense-settings",
    },
    SettingEntry {
        label: "engage.setting_spot_check",
        help: "engage.setting_spot_check_help",
        read: |c, org, _| {
            let s = crate::expenses::types::service::settings(c, org)?;
            Ok(format!("{} %", s.spot_check_percent))
        },
        href: "/expense-settings",
    },
    SettingEntry {
        label: "engage.setting_mileage",
        help: "engage.setting_mileage_help",
        read: |c, org, lang| {
            let rate: Option<i32> = mr::table
                .filter(mr::organization_id.eq(org))
                .filter(mr::effective_from.le(crate::people::shared::today()))
                .order(mr::effective_from.desc())
                .select(mr::rate_ore)
                .first(c)
                .optional()?;
            Ok(rate.map_or_else(String::new, |r| {
                format!("{} / km", crate::expenses::money::kr(i64::from(r), lang))
            }))
        },
        href: "/mileage-rates",
    },
    SettingEntry {
        label: "engage.setting_honorarium",
        help: "engage.setting_honorarium_help",
        read: |c, org, _| {
            let n: i64 = ht::table
                .filter(ht::organization_id.eq(org))
                .count()
                .get_result(c)?;
            Ok(n.to_string())
        },
        href: "/honorarium",
    },
    SettingEntry {
        label: "engage.setting_assignments",
        help: "engage.setting_assignments_help",
        read: |c, org, _| {
            let s = crate::assignments::service::settings(c, org)?;
            Ok(if s.enabled { "✓" } else { "–" }.to_string())
        },
        href: "/assignments/settings",
    },
    SettingEntry {
        label: "engage.setting_max_open",
        help: "engage.setting_max_open_help",
        read: |c, org, _| {
            Ok(crate::assignments::service::settings(c, org)?
                .max_open_per_mentor
                .to_string())
        },
        href: "/assignments/settings",
    },
    SettingEntry {
        label: "engage.setting_retention",
        help: "engage.setting_retention_help",
        read: |c, org, _| {
            Ok(crate::assignments::service::settings(c, org)?
                .retention_days
                .to_string())
        },
        href: "/assignments/settings",
    },
    SettingEntry {
        label: "engage.setting_reminder_days",
        help: "engage.setting_reminder_days_help",
        read: |c, org, _| Ok(crate::notifications::service::inactive_days(c, org)?.to_string()),
        href: "/notifications/admin",
    },
    SettingEntry {
        label: "engage.setting_membership_url",
        help: "engage.setting_membership_url_help",
        read: |c, org, _| Ok(membership_url(c, org)?.unwrap_or_default()),
        href: "/organization-settings#membership",
    },
];

/// The organization's membership page, where recruitment links send visitors.
pub fn membership_url(conn: &mut DbConn, org: &str) -> QueryResult<Option<String>> {
    Ok(es::table
        .find(org)
        .select(es::membership_url)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organization-settings", web::get().to(show))
        .route("/organization-settings", web::post().to(save));
}

pub struct Row {
    pub label: &'static str,
    pub help: &'static str,
    pub value: String,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "engagement/settings.html")]
struct SettingsPage {
    page: Page,
    rows: Vec<Row>,
    membership_url: String,
    errors: FieldErrors,
}

fn rows(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Row>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?;
    let lang = actor.labels.lang.code();
    SETTINGS
        .iter()
        .map(|s| {
            Ok(Row {
                label: s.label,
                help: s.help,
                value: (s.read)(conn, org, lang)?,
                href: s.href,
            })
        })
        .collect()
}

async fn render(
    actor: &Actor,
    state: &web::Data<AppState>,
    typed: Option<String>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (rows, current) = db(state, move |c| {
        let rows = rows(c, &a)?;
        Ok((rows, membership_url(c, a.org()?)?))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &SettingsPage {
            page: Page::for_actor(actor, "engage.page_settings"),
            rows,
            membership_url: typed.or(current).unwrap_or_default(),
            errors,
        },
        failed,
    )
}

async fn show(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    render(&actor, &state, None, FieldErrors::new()).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MembershipForm {
    pub membership_url: String,
}

/// Saves the membership page (an https address, or empty for none).
pub fn save_membership(
    conn: &mut DbConn,
    actor: &Actor,
    f: &MembershipForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let url = if f.membership_url.trim().is_empty() {
        None
    } else {
        match crate::engagement::resources::service::check_https(&f.membership_url) {
            Ok(u) => Some(u),
            Err(key) => {
                let mut errors = FieldErrors::new();
                errors.add("membership_url", key);
                return Ok(Err(errors));
            }
        }
    };
    crate::db::tx(conn, |tx| {
        let row = EngagementSettings {
            organization_id: org.clone(),
            membership_url: url.clone(),
            updated_by: Some(actor.user_id.clone()),
            updated_at: now(),
        };
        let n = diesel::update(es::table.find(&org))
            .set((
                es::membership_url.eq(&row.membership_url),
                es::updated_by.eq(&row.updated_by),
                es::updated_at.eq(row.updated_at),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(es::table)
                .values(&row)
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            crate::engagement::audit_event(
                actor,
                &org,
                "engagement_settings.saved",
                "organization",
                &org,
                serde_json::json!({ "membership_url": url }),
            ),
        )?;
        Ok(Ok(()))
    })
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<MembershipForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| save_membership(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/organization-settings"))
        }
        Err(errors) => render(&actor, &state, Some(form.membership_url), errors).await,
    }
}
