//! The notification centre (`/notifications`), each user's choices
//! (`/account/notifications`), and the administrators' page (`/notifications/admin`: the
//! organization's reminder threshold and the mails that could not be sent).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::model::{NotificationView, OutboxMail};
use super::service::{self, Choice};
use crate::access::{Actor, Role};
use crate::auth::actor::{set_flash, CONTEXT};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, local_redirect, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(list))
        .route("/notifications/read", web::post().to(read_all))
        .route("/notifications/admin", web::get().to(admin))
        .route("/notifications/admin", web::post().to(save_admin))
        .route(
            "/notifications/admin/outbox/{id}/retry",
            web::post().to(retry),
        )
        .route("/notifications/{id}/read", web::post().to(read_one))
        .route("/notifications/{id}/open", web::post().to(open))
        .route("/account/notifications", web::get().to(choices))
        .route("/account/notifications", web::post().to(save_choices));
}

// ---------------------------------------------------------------- the centre

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<NotificationView>,
    /// The cursor of the next (older) page.
    older: Option<String>,
}

impl ListPage {
    fn when(&self, t: &NaiveDateTime) -> String {
        crate::web::fmt::datetime(*t)
    }
    fn machine(&self, t: &NaiveDateTime) -> String {
        crate::web::fmt::machine(t)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    before: String,
}

/// A cursor: the row's instant in microseconds and its id.
fn cursor(v: &NotificationView) -> String {
    format!("{}.{}", v.created_at.and_utc().timestamp_micros(), v.id)
}

fn parse_cursor(raw: &str) -> Option<(NaiveDateTime, String)> {
    let (micros, id) = raw.split_once('.')?;
    let t = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
    Some((t, crate::db::parse_id(id)?))
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let before = match q.before.as_str() {
        "" => None,
        raw => Some(parse_cursor(raw).ok_or(AppError::NotFound)?),
    };
    let a = actor.clone();
    let (rows, more) = db(&state, move |c| Ok(service::list(c, &a, before)?)).await?;
    let older = if more { rows.last().map(cursor) } else { None };
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "ntf.page"),
        rows,
        older,
    })
}

async fn read_all(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    db(&state, move |c| Ok(service::mark_all_read(c, &a)?)).await?;
    set_flash(&session, "success", actor.t("ntf.marked_all"));
    Ok(redirect("/notifications"))
}

async fn read_one(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    db(&state, move |c| service::mark_read(c, &a, &id)).await?;
    set_flash(&session, "success", actor.t("ntf.marked_one"));
    Ok(redirect("/notifications"))
}

/// Marks the notification read and goes to its record, in the context it was made for when
/// the user holds it (a reminder of another organization opens there).
async fn open(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let row = db(&state, move |c| service::mark_read(c, &a, &id)).await?;
    if let (Some(org), Some(role)) = (&row.organization_id, &row.context_role) {
        let wanted = actor
            .contexts
            .iter()
            .find(|c| c.org_id.as_deref() == Some(org.as_str()) && c.role.key() == role)
            .or_else(|| {
                actor
                    .contexts
                    .iter()
                    .find(|c| c.org_id.as_deref() == Some(org.as_str()))
            });
        if let Some(c) = wanted {
            if c.key() != actor.active.key() {
                session
                    .insert(CONTEXT, c.key())
                    .map_err(anyhow::Error::from)?;
            }
        }
    }
    Ok(redirect(&local_redirect(Some(&row.link))))
}

// ---------------------------------------------------------------- choices

#[derive(Template)]
#[template(path = "notifications/choices.html")]
struct ChoicesPage {
    page: Page,
    rows: Vec<Choice>,
}

impl ChoicesPage {
    fn name(&self, key: &str) -> String {
        self.page.t(&format!("ntf.{key}.name")).to_string()
    }
}

async fn choices(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| Ok(service::choices(c, &a)?)).await?;
    page::ok(&ChoicesPage {
        page: Page::for_actor(&actor, "ntf.choices_page"),
        rows,
    })
}

async fn save_choices(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (a, pairs) = (actor.clone(), form.into_inner());
    db(&state, move |c| service::save_choices(c, &a, &pairs)).await?;
    set_flash(&session, "success", actor.t("ntf.saved"));
    Ok(redirect("/account/notifications"))
}

// ---------------------------------------------------------------- administrators

#[derive(Template)]
#[template(path = "notifications/admin.html")]
struct AdminPage {
    page: Page,
    /// The organization's threshold (organization administrators only).
    days: Option<String>,
    errors: FieldErrors,
    failed: Vec<OutboxMail>,
}

impl AdminPage {
    fn when(&self, t: &NaiveDateTime) -> String {
        crate::web::fmt::datetime(*t)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AdminForm {
    reminder_inactive_days: String,
}

async fn admin_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    days: Option<String>,
    errors: FieldErrors,
) -> AppResult<AdminPage> {
    let org = actor.org_id().map(str::to_string);
    let want_days = days.is_none() && actor.role() == Role::OrgAdmin;
    let (stored, failed) = db(state, move |c| {
        let stored = match (&org, want_days) {
            (Some(o), true) => Some(service::inactive_days(c, o)?.to_string()),
            _ => None,
        };
        Ok((stored, super::outbox::failed(c, org.as_deref())?))
    })
    .await?;
    Ok(AdminPage {
        page: Page::for_actor(actor, "ntf.admin_page"),
        days: days.or(stored),
        errors,
        failed,
    })
}

async fn admin(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin, Role::GlobalAdmin])?;
    page::ok(&admin_page(&actor, &state, None, FieldErrors::new()).await?)
}

async fn save_admin(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<AdminForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let (a, raw) = (actor.clone(), form.reminder_inactive_days.clone());
    match db(&state, move |c| service::save_inactive_days(c, &a, &raw)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("ntf.admin_saved"));
            Ok(redirect("/notifications/admin"))
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.add("reminder_inactive_days", key);
            let raw = form.reminder_inactive_days.clone();
            page::unprocessable(&admin_page(&actor, &state, Some(raw), errors).await?)
        }
    }
}

async fn retry(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin, Role::GlobalAdmin])?;
    let id = path_id(&path)?;
    let org = actor.org_id().map(str::to_string);
    let done = db(&state, move |c| {
        Ok(super::outbox::retry(c, org.as_deref(), &id)?)
    })
    .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    state.nudge.poke();
    set_flash(&session, "success", actor.t("ntf.retried"));
    Ok(redirect("/notifications/admin"))
}
