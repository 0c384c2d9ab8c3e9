//! The API other domains call (`notify`), the notification centre's reads and writes, and the
//! users' choices per scenario.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::*;
use super::render::{self, Rendered};
use super::scenarios::{self, fill, Scenario};
use crate::access::{Actor, Role};
use crate::db::{new_id, now, DbConn};
use crate::labels::{Labels, Lang};
use crate::schema::{
    notification_settings as ns, notifications as n, organizations, settings, users,
};
use crate::web::{AppError, AppResult};

/// Something a user should learn: made by a domain's service in its own transaction.
pub struct Notice<'a> {
    pub user_id: &'a str,
    pub org_id: Option<&'a str>,
    /// The context (in `org_id`) the notice is opened in.
    pub role: Option<Role>,
    /// A key of `scenarios::ALL`.
    pub scenario: &'static str,
    pub subject_kind: &'a str,
    pub subject_id: &'a str,
    /// A path on this site (`/claims/…`).
    pub link: String,
    /// What the scenario's title fills in (`{title}`, `{amount}`, …), as strings.
    pub params: serde_json::Value,
}

/// What `notify` did for one notice.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub notification_id: Option<String>,
    pub mail_id: Option<String>,
}

/// The recipient and their choices for one scenario.
struct Recipient {
    email: String,
    name: String,
    lang: Lang,
    in_app: bool,
    email_on: bool,
}

type RecipientRow = (
    String,
    String,
    bool,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
);

fn recipient(
    conn: &mut DbConn,
    user_id: &str,
    scenario: &Scenario,
) -> QueryResult<Option<Recipient>> {
    let row: Option<RecipientRow> = users::table
        .left_join(settings::table)
        .left_join(ns::table.on(ns::user_id.eq(users::id).and(ns::scenario.eq(scenario.key))))
        .filter(users::id.eq(user_id))
        .select((
            users::email,
            users::name,
            users::is_active,
            settings::language.nullable(),
            settings::notify_in_app.nullable(),
            settings::notify_email.nullable(),
            ns::in_app.nullable(),
            ns::email.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(
        |(email, name, active, lang, master_app, master_mail, app, mail)| {
            if !active {
                return None;
            }
            let critical = scenario.critical;
            Some(Recipient {
                email,
                name,
                lang: Lang::parse(lang.as_deref().unwrap_or("nb")),
                in_app: critical || (master_app.unwrap_or(true) && app.unwrap_or(true)),
                email_on: critical || (master_mail.unwrap_or(true) && mail.unwrap_or(true)),
            })
        },
    ))
}

/// The labels of an organization (its overrides) in a language, for text made outside a
/// request (mails, reminders).
pub fn labels_of(conn: &mut DbConn, org: Option<&str>, lang: Lang) -> QueryResult<Labels> {
    Ok(match org {
        Some(o) => Labels::new(lang, crate::auth::load::label_overrides(conn, o, lang)?),
        None => Labels::new(lang, HashMap::new()),
    })
}

/// A mail of the caller's making: (labels, recipient's name, notice title) → mail.
pub type MailFn<'a> = dyn Fn(&Labels, &str, &str) -> Rendered + 'a;

/// Tells each of `users` (sorted and told once each) what `notice` says, with the scenario's
/// own mail or `mail`, in the caller's transaction: everyone on a course or a program of
/// which the days changed or which was cancelled. Returns how many were told.
pub fn notify_each(
    conn: &mut DbConn,
    mut users: Vec<String>,
    notice: &Notice<'_>,
    mail: Option<&MailFn<'_>>,
) -> QueryResult<usize> {
    users.sort();
    users.dedup();
    for user in &users {
        let one = Notice {
            user_id: user,
            link: notice.link.clone(),
            params: notice.params.clone(),
            ..*notice
        };
        match mail {
            Some(m) => notify_with(conn, &one, m)?,
            None => notify(conn, &one)?,
        };
    }
    Ok(users.len())
}

/// Tells a user something: the in-app notification and the queued mail, as the user chose for
/// the scenario (critical scenarios always both), in the caller's transaction. A deactivated
/// user gets nothing.
pub fn notify(conn: &mut DbConn, notice: &Notice<'_>) -> QueryResult<Delivery> {
    notify_with(conn, notice, &|labels, name, title| {
        let s = scenarios::find(notice.scenario);
        let mail_title = match s {
            Some(s) => fill(labels.get(&s.mail_key()), &notice.params),
            None => title.to_string(),
        };
        render::simple(
            labels,
            name,
            &mail_title,
            std::slice::from_ref(&mail_title),
            Some(&notice.link),
            true,
        )
    })
}

/// `notify` with a mail of the caller's own making (the digest).
pub fn notify_with(
    conn: &mut DbConn,
    notice: &Notice<'_>,
    mail: &dyn Fn(&Labels, &str, &str) -> Rendered,
) -> QueryResult<Delivery> {
    let Some(scenario) = scenarios::find(notice.scenario) else {
        log::error!("unknown notification scenario {}", notice.scenario);
        return Ok(Delivery::default());
    };
    let Some(r) = recipient(conn, notice.user_id, scenario)? else {
        return Ok(Delivery::default());
    };
    let mut out = Delivery::default();
    if r.in_app {
        let id = new_id();
        diesel::insert_into(n::table)
            .values(Notification {
                id: id.clone(),
                user_id: notice.user_id.to_string(),
                organization_id: notice.org_id.map(str::to_string),
                context_role: notice.role.map(|r| r.key().to_string()),
                scenario: scenario.key.to_string(),
                subject_kind: notice.subject_kind.to_string(),
                subject_id: notice.subject_id.to_string(),
                link: notice.link.clone(),
                params: notice.params.to_string(),
                created_at: now(),
                read_at: None,
            })
            .execute(conn)?;
        out.notification_id = Some(id);
    }
    if r.email_on {
        let labels = labels_of(conn, notice.org_id, r.lang)?;
        let title = fill(labels.get(&scenario.title_key()), &notice.params);
        let m = mail(&labels, &r.name, &title);
        out.mail_id = Some(super::outbox::enqueue(
            conn,
            super::outbox::Mail {
                org_id: notice.org_id,
                user_id: Some(notice.user_id),
                kind: scenario.key,
                to: &r.email,
                subject: m.subject,
                text: m.text,
                html: Some(m.html),
            },
        )?);
    }
    Ok(out)
}

/// The users holding an active grant of `role` in an association (active accounts only), for
/// notices to "its coordinators".
pub fn holders_of(conn: &mut DbConn, association: &str, role: Role) -> QueryResult<Vec<String>> {
    use crate::schema::user_organization_roles as uor;
    let mut ids: Vec<String> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::local_association_id.eq(association))
        .filter(uor::role_id.eq(role.key()))
        .filter(uor::revoked_at.is_null())
        .filter(users::is_active.eq(true))
        .select(uor::user_id)
        .load(conn)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

// ---------------------------------------------------------------- the centre

pub const PAGE_SIZE: i64 = 20;

/// One page of the actor's notifications, newest first, after the keyset cursor `before`
/// (created_at, id); and whether there are more.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    before: Option<(NaiveDateTime, String)>,
) -> QueryResult<(Vec<NotificationView>, bool)> {
    let mut q = n::table
        .left_join(organizations::table)
        .filter(n::user_id.eq(&actor.user_id))
        .into_boxed();
    if let Some((t, id)) = before {
        q = q.filter(
            n::created_at
                .lt(t)
                .or(n::created_at.eq(t).and(n::id.lt(id))),
        );
    }
    let rows: Vec<(Notification, Option<String>)> = q
        .order((n::created_at.desc(), n::id.desc()))
        .select((Notification::as_select(), organizations::name.nullable()))
        .limit(PAGE_SIZE + 1)
        .load(conn)?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let several_orgs = actor
        .contexts
        .iter()
        .filter_map(|c| c.org_id.as_deref())
        .collect::<std::collections::HashSet<_>>()
        .len()
        > 1;
    let views = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|(row, org_name)| view(actor, row, org_name.filter(|_| several_orgs)))
        .collect();
    Ok((views, more))
}

fn view(actor: &Actor, row: Notification, org_name: Option<String>) -> NotificationView {
    let params: serde_json::Value = serde_json::from_str(&row.params).unwrap_or_default();
    let title = match scenarios::find(&row.scenario) {
        Some(s) => fill(actor.t(&s.title_key()), &params),
        None => row.scenario.clone(),
    };
    NotificationView {
        id: row.id,
        title,
        created_at: row.created_at,
        read: row.read_at.is_some(),
        org_name,
    }
}

/// The actor's unread count (the header reads it with the session; this is for htmx answers).
pub fn unread(conn: &mut DbConn, user_id: &str) -> QueryResult<i64> {
    n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks one of the actor's notifications read; 404 for anyone else's.
pub fn mark_read(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Notification> {
    let row: Notification = n::table
        .filter(n::id.eq(id))
        .filter(n::user_id.eq(&actor.user_id))
        .select(Notification::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    diesel::update(n::table.filter(n::id.eq(id)).filter(n::read_at.is_null()))
        .set(n::read_at.eq(Some(now())))
        .execute(conn)?;
    Ok(row)
}

pub fn mark_all_read(conn: &mut DbConn, actor: &Actor) -> QueryResult<usize> {
    diesel::update(
        n::table
            .filter(n::user_id.eq(&actor.user_id))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(Some(now())))
    .execute(conn)
}

// ---------------------------------------------------------------- choices

/// One row of the choices page.
pub struct Choice {
    pub key: &'static str,
    pub critical: bool,
    pub in_app: bool,
    pub email: bool,
}

/// The scenarios the actor's roles are offered, with their choices (on where no row says off).
pub fn choices(conn: &mut DbConn, actor: &Actor) -> QueryResult<Vec<Choice>> {
    let stored: HashMap<String, (bool, bool)> = ns::table
        .filter(ns::user_id.eq(&actor.user_id))
        .select((ns::scenario, ns::in_app, ns::email))
        .load::<(String, bool, bool)>(conn)?
        .into_iter()
        .map(|(k, a, e)| (k, (a, e)))
        .collect();
    let roles: Vec<Role> = actor.contexts.iter().map(|c| c.role).collect();
    Ok(scenarios::ALL
        .iter()
        .filter(|s| s.audience.iter().any(|r| roles.contains(r)))
        .map(|s| {
            let (in_app, email) = stored.get(s.key).copied().unwrap_or((true, true));
            Choice {
                key: s.key,
                critical: s.critical,
                in_app: s.critical || in_app,
                email: s.critical || email,
            }
        })
        .collect())
}

/// Saves the choices from the form's checked boxes (`in_app` / `email` = scenario key) for
/// every non-critical scenario the actor is offered; unknown keys are ignored.
pub fn save_choices(conn: &mut DbConn, actor: &Actor, pairs: &[(String, String)]) -> AppResult<()> {
    let offered = choices(conn, actor)?;
    let checked = |field: &str, key: &str| pairs.iter().any(|(k, v)| k == field && v == key);
    let t = now();
    crate::db::tx(conn, |tx| {
        for c in offered.iter().filter(|c| !c.critical) {
            let row = ScenarioSetting {
                user_id: actor.user_id.clone(),
                scenario: c.key.to_string(),
                in_app: checked("in_app", c.key),
                email: checked("email", c.key),
                updated_at: t,
            };
            let updated = diesel::update(
                ns::table
                    .filter(ns::user_id.eq(&actor.user_id))
                    .filter(ns::scenario.eq(c.key)),
            )
            .set(&row)
            .execute(tx.conn)?;
            if updated == 0 {
                diesel::insert_into(ns::table)
                    .values(&row)
                    .execute(tx.conn)?;
            }
        }
        crate::audit::service::append(
            tx,
            crate::audit::service::Event {
                organization_id: actor.org_id(),
                actor_user_id: Some(&actor.user_id),
                action: "settings.notifications_updated",
                target_type: Some("setting"),
                target_id: Some(&actor.user_id),
                detail: None,
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<_, AppError>(())
    })
}

// ---------------------------------------------------------------- organization

/// Days without an activity before a mentor is reminded of an assigned contact.
pub fn inactive_days(conn: &mut DbConn, org: &str) -> QueryResult<i32> {
    organizations::table
        .find(org)
        .select(organizations::reminder_inactive_days)
        .first(conn)
}

pub const INACTIVE_DAYS_MAX: i32 = 365;

/// Saves the organization's threshold (1 to 365 days), audited; `Err` is the field's message.
pub fn save_inactive_days(
    conn: &mut DbConn,
    actor: &Actor,
    raw: &str,
) -> AppResult<Result<i32, &'static str>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let Ok(days) = raw.trim().parse::<i32>() else {
        return Ok(Err("ntf.err_days"));
    };
    if !(1..=INACTIVE_DAYS_MAX).contains(&days) {
        return Ok(Err("ntf.err_days"));
    }
    crate::db::tx(conn, |tx| {
        diesel::update(organizations::table.find(&org))
            .set(organizations::reminder_inactive_days.eq(days))
            .execute(tx.conn)?;
        crate::audit::service::append(
            tx,
            crate::audit::service::Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "organization.reminders_updated",
                target_type: Some("organization"),
                target_id: Some(&org),
                detail: Some(serde_json::json!({ "inactive_days": days })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<_, AppError>(Ok(days))
    })
}
