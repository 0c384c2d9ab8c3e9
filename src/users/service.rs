//! Users within an organization: list, assign and revoke scoped roles, edit, deactivate and
//! reactivate; settings. Invitations are in `invitations.rs` (re-exported here).

use chrono::TimeDelta;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{GrantView, OrgAdminView, RoleGrant, Setting, User};
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{now, DbConn, Tx};
use crate::schema::{
    local_associations as la, organizations, settings, user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

pub use super::invitations::*;

/// Users with a current grant in the organization. A revoked grant is history, not membership:
/// an administrator sees and acts on a person only while they hold a role there.
macro_rules! members {
    ($org:expr) => {
        uor::table
            .filter(uor::organization_id.eq($org.to_string()))
            .filter(uor::revoked_at.is_null())
            .select(uor::user_id)
    };
}

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    q: &str,
    page: Option<i64>,
) -> AppResult<PageOf<User>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let paging = Paging::new(page, 25);
    let build = || {
        let mut query = users::table
            .filter(users::id.eq_any(members!(org)))
            .into_boxed();
        if !q.trim().is_empty() {
            let p = forms::like_contains(q);
            query = query.filter(
                users::email
                    .like(p.clone())
                    .escape('\\')
                    .or(users::name.like(p).escape('\\')),
            );
        }
        query
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order((users::name.asc(), users::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(User::as_select())
        .load(conn)?;
    Ok(paging.page_of(rows, total))
}

/// A user of the actor's organization, or 404.
pub fn member(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<User> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?;
    users::table
        .find(id)
        .filter(users::id.eq_any(members!(org)))
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The user's active grants in the actor's organization.
pub fn grants_in_org(conn: &mut DbConn, actor: &Actor, user_id: &str) -> AppResult<Vec<GrantView>> {
    let org = actor.org()?;
    let rows: Vec<(RoleGrant, Option<String>, Option<String>)> = uor::table
        .left_join(la::table)
        .left_join(organizations::table)
        .filter(uor::user_id.eq(user_id))
        .filter(uor::organization_id.eq(org))
        .filter(uor::revoked_at.is_null())
        .order((uor::role_id.asc(), la::name.asc()))
        .select((
            RoleGrant::as_select(),
            organizations::name.nullable(),
            la::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(grant, organization_name, association_name)| GrantView {
            grant,
            organization_name,
            association_name,
        })
        .collect())
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct GrantForm {
    pub role: String,
    pub association_id: String,
}

/// Checks a role choice for the actor's organization; the association must be an active one
/// of the same organization when the role needs one.
pub(super) fn check_grant(
    conn: &mut DbConn,
    org: &str,
    f: &GrantForm,
    errors: &mut FieldErrors,
) -> QueryResult<Option<(Role, Option<String>)>> {
    let role = match Role::parse(&f.role) {
        Some(r) if r != Role::GlobalAdmin => r,
        _ => {
            errors.add("role", "err.choice");
            return Ok(None);
        }
    };
    if !role.needs_association() {
        return Ok(Some((role, None)));
    }
    let Some(assoc) = crate::db::parse_id(&f.association_id) else {
        errors.add("association_id", "err.association_required");
        return Ok(None);
    };
    let ok: i64 = la::table
        .find(&assoc)
        .filter(la::organization_id.eq(org))
        .filter(la::is_active.eq(true))
        .count()
        .get_result(conn)?;
    if ok != 1 {
        errors.add("association_id", "err.association_required");
        return Ok(None);
    }
    Ok(Some((role, Some(assoc))))
}

/// Who grants a role: the administrator, or the inviter when an invitation is accepted.
pub(super) struct Grantor<'a> {
    pub(super) user_id: &'a str,
    pub(super) ip: Option<&'a str>,
}

/// Makes a grant and audit-logs it; the error is a label key for the role field.
pub(super) fn insert_grant(
    tx: &mut Tx<'_>,
    by: &Grantor<'_>,
    org: &str,
    user_id: &str,
    role: Role,
    assoc: Option<&str>,
) -> AppResult<Result<(), &'static str>> {
    let mut dup = uor::table
        .filter(uor::user_id.eq(user_id))
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(role.key()))
        .filter(uor::revoked_at.is_null())
        .into_boxed();
    dup = match assoc {
        Some(a) => dup.filter(uor::local_association_id.eq(a.to_string())),
        None => dup.filter(uor::local_association_id.is_null()),
    };
    if dup.count().get_result::<i64>(tx.conn)? > 0 {
        return Ok(Err("err.role_exists"));
    }
    if role == Role::PeerMentor
        && crate::people::mentors::service::association_count(tx.conn, user_id, org)?
            >= crate::people::mentors::service::MAX_ASSOCIATIONS
    {
        return Ok(Err("people.err_max_associations"));
    }
    let g = RoleGrant::new(user_id, Some(org), role, assoc, Some(by.user_id));
    diesel::insert_into(uor::table)
        .values(&g)
        .execute(tx.conn)?;
    if role == Role::PeerMentor {
        crate::people::mentors::service::ensure_profile(tx.conn, user_id, org)?;
    }
    audit::append(
        tx,
        Event {
            organization_id: Some(org),
            actor_user_id: Some(by.user_id),
            action: "role.assigned",
            target_type: Some("user"),
            target_id: Some(user_id),
            detail: Some(
                serde_json::json!({ "role": role.key(), "local_association_id": assoc, "grant_id": g.id }),
            ),
            ip: by.ip,
        },
    )?;
    Ok(Ok(()))
}

pub fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
    f: &GrantForm,
) -> AppResult<Result<(), FieldErrors>> {
    member(conn, actor, user_id)?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let mut errors = FieldErrors::new();
        let Some((role, assoc)) = check_grant(tx.conn, &org, f, &mut errors)? else {
            return Ok(Err(errors));
        };
        let by = Grantor {
            user_id: &actor.user_id,
            ip: actor.ip.as_deref(),
        };
        match insert_grant(tx, &by, &org, user_id, role, assoc.as_deref())? {
            Ok(()) => Ok(Ok(())),
            Err(key) => {
                errors.add("role", key);
                Ok(Err(errors))
            }
        }
    })
}

/// Whether an organization administrator may sign this member out everywhere: not when they
/// also hold a global administrator's role (an organization cannot lock out the people who run
/// the whole service). A member of several organizations is signed out of all of them: sessions
/// are per person, not per organization.
pub fn may_end_sessions(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    let global: i64 = uor::table
        .filter(uor::user_id.eq(user_id))
        .filter(uor::role_id.eq(Role::GlobalAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(global == 0)
}

/// Signs a current member of the organization out on every device (404 for anyone else, and
/// for a global administrator).
pub fn end_sessions(conn: &mut DbConn, actor: &Actor, user_id: &str) -> AppResult<usize> {
    member(conn, actor, user_id)?;
    if !may_end_sessions(conn, user_id)? {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let n = diesel::update(
            crate::schema::sessions::table
                .filter(crate::schema::sessions::user_id.eq(user_id))
                .filter(crate::schema::sessions::revoked_at.is_null()),
        )
        .set(crate::schema::sessions::revoked_at.eq(now()))
        .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "sessions.revoked",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: Some(serde_json::json!({ "sessions": n })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(n)
    })
}

/// What became of a revocation.
#[derive(Debug, PartialEq)]
pub enum Revoked {
    /// Revoked; whether the user is still a member of the organization (their page is gone once
    /// the last grant is).
    Done { still_member: bool },
    /// Refused: it is the organization's last active administrator's grant.
    LastAdmin,
    /// An administrator removing their own administrator role confirms it first.
    Confirm,
}

/// Serializes the changes to an organization's administrators: a no-op write on the
/// organization's row takes its row lock (PostgreSQL) or the write lock (SQLite) before the
/// count, so two administrators revoking each other at once are counted one after the other.
fn lock_admins(tx: &mut Tx<'_>, org: &str) -> QueryResult<()> {
    diesel::update(organizations::table.find(org))
        .set(organizations::updated_at.eq(organizations::updated_at))
        .execute(tx.conn)?;
    Ok(())
}

/// Active administrators of the organization other than `except` (active grants of active users).
fn other_admins(tx: &mut Tx<'_>, org: &str, except: &str) -> QueryResult<i64> {
    uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(Role::OrgAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .filter(uor::user_id.ne(except))
        .filter(users::is_active.eq(true))
        .count()
        .get_result(tx.conn)
}

/// Revokes a grant. The organization's last active administrator's grant is never revoked (the
/// check and the revocation in one transaction, under the organization's lock), and an
/// administrator removing their own administrator role confirms it first.
pub fn revoke(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
    grant_id: &str,
    confirmed: bool,
) -> AppResult<Revoked> {
    member(conn, actor, user_id)?;
    let org = actor.org()?.to_string();
    revoke_in(conn, actor, &org, user_id, grant_id, confirmed)
}

/// The global administrator revokes an organization's administrator grant (404 for anyone else
/// and for any other grant); the organization's last active administrator stays.
pub fn revoke_org_admin(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    grant_id: &str,
) -> AppResult<Revoked> {
    actor.require(&[Role::GlobalAdmin])?;
    let user_id: String = uor::table
        .find(grant_id)
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(Role::OrgAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .select(uor::user_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    revoke_in(conn, actor, org, &user_id, grant_id, true)
}

/// Revokes a grant in `org` (the caller has checked the actor's right to).
fn revoke_in(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    user_id: &str,
    grant_id: &str,
    confirmed: bool,
) -> AppResult<Revoked> {
    let org = org.to_string();
    let outcome = crate::db::tx(conn, |tx| -> AppResult<Option<Revoked>> {
        let grant: RoleGrant = uor::table
            .find(grant_id)
            .filter(uor::user_id.eq(user_id))
            .filter(uor::organization_id.eq(&org))
            .filter(uor::revoked_at.is_null())
            .select(RoleGrant::as_select())
            .first(tx.conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if grant.role() == Role::OrgAdmin {
            if user_id == actor.user_id && !confirmed {
                return Ok(Some(Revoked::Confirm));
            }
            lock_admins(tx, &org)?;
            if other_admins(tx, &org, user_id)? == 0 {
                return Ok(Some(Revoked::LastAdmin));
            }
        }
        let n = diesel::update(uor::table.find(grant_id).filter(uor::revoked_at.is_null()))
            .set((
                uor::revoked_at.eq(now()),
                uor::revoked_by.eq(&actor.user_id),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "role.revoked",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: Some(
                    serde_json::json!({ "role": grant.role_id, "local_association_id": grant.local_association_id, "grant_id": grant.id }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(None)
    })?;
    if let Some(refused) = outcome {
        return Ok(refused);
    }
    // The actor may have just removed their own administrator role.
    let still_member = uor::table
        .filter(uor::user_id.eq(user_id))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::revoked_at.is_null())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    Ok(Revoked::Done { still_member })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct UserForm {
    pub name: String,
    pub email: String,
}

/// What an edit did: the confirmation link to mail when the address is to change.
pub struct Edited {
    pub email_change: Option<(String, String)>,
}

/// How long a new address's confirmation link is valid.
const EMAIL_CHANGE_DAYS: i64 = 2;

/// Edits a member's name at once, and their e-mail address only once the new address is
/// confirmed through a link mailed to it (404 for a global administrator).
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
    f: &UserForm,
) -> AppResult<Result<Edited, FieldErrors>> {
    let user = member(conn, actor, user_id)?;
    if !may_end_sessions(conn, user_id)? {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let mut errors = FieldErrors::new();
        let name = forms::fold_whitespace(&f.name);
        let email = f.email.trim().to_lowercase();
        if name.is_empty() {
            errors.add("name", "err.required");
        } else if name.chars().count() > 200 {
            errors.add("name", "err.too_long");
        }
        if email.is_empty() {
            errors.add("email", "err.required");
        } else if !forms::is_email(&email) {
            errors.add("email", "err.email");
        } else if email != user.email {
            let taken: i64 = users::table
                .filter(users::email.eq(&email))
                .count()
                .get_result(tx.conn)?;
            if taken > 0 {
                errors.add("email", "err.email_taken");
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let email_change = email != user.email;
        diesel::update(users::table.find(user_id))
            .set((
                users::name.eq(&name),
                users::name_key.eq(forms::search_key(&name)),
                users::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        let mut out = Edited { email_change: None };
        if email_change {
            diesel::update(users::table.find(user_id))
                .set(users::pending_email.eq(&email))
                .execute(tx.conn)?;
            let token = crate::auth::service::issue_token(
                tx.conn,
                user_id,
                "email_change",
                TimeDelta::days(EMAIL_CHANGE_DAYS),
            )?;
            out.email_change = Some((email.clone(), token));
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "user.updated",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: Some(serde_json::json!({
                    "name_changed": name != user.name,
                    "email_change_requested": email_change,
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(out))
    })
}

/// Deactivates a member: sign-in refused, every session ended, history kept (their name stays on
/// old records; they leave the choices). Not oneself, not a global administrator (404), and not
/// the organization's last active administrator. The error is a label key.
pub fn deactivate(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
) -> AppResult<Result<(), &'static str>> {
    member(conn, actor, user_id)?;
    if !may_end_sessions(conn, user_id)? {
        return Err(AppError::NotFound);
    }
    if user_id == actor.user_id {
        return Ok(Err("err.deactivate_self"));
    }
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        lock_admins(tx, &org)?;
        let is_admin: i64 = uor::table
            .filter(uor::organization_id.eq(&org))
            .filter(uor::role_id.eq(Role::OrgAdmin.key()))
            .filter(uor::revoked_at.is_null())
            .filter(uor::user_id.eq(user_id))
            .count()
            .get_result(tx.conn)?;
        if is_admin > 0 && other_admins(tx, &org, user_id)? == 0 {
            return Ok(Err("err.last_admin"));
        }
        let t = now();
        let n = diesel::update(
            users::table
                .find(user_id)
                .filter(users::deactivated_at.is_null()),
        )
        .set((
            users::is_active.eq(false),
            users::deactivated_at.eq(t),
            users::updated_at.eq(t),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Ok(Err("err.already_deactivated"));
        }
        let sessions = diesel::update(
            crate::schema::sessions::table
                .filter(crate::schema::sessions::user_id.eq(user_id))
                .filter(crate::schema::sessions::revoked_at.is_null()),
        )
        .set(crate::schema::sessions::revoked_at.eq(t))
        .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "user.deactivated",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: Some(serde_json::json!({ "sessions": sessions })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(()))
    })
}

/// An organization's administrators (active grants; the account active or not), for the global
/// administrator.
pub fn org_admins(conn: &mut DbConn, actor: &Actor, org: &str) -> AppResult<Vec<OrgAdminView>> {
    actor.require(&[Role::GlobalAdmin])?;
    Ok(uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(Role::OrgAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .order((users::name.asc(), users::id.asc()))
        .select((
            uor::id,
            users::id,
            users::name,
            users::email,
            users::is_active,
        ))
        .load::<(String, String, String, String, bool)>(conn)?
        .into_iter()
        .map(|(grant_id, user_id, name, email, is_active)| OrgAdminView {
            grant_id,
            user_id,
            name,
            email,
            is_active,
        })
        .collect())
}

/// Reactivates a deactivated member of the actor's organization: they can sign in again (their
/// sessions stay ended). 404 for a global administrator, as for deactivating. The error is a
/// label key.
pub fn reactivate(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
) -> AppResult<Result<(), &'static str>> {
    member(conn, actor, user_id)?;
    if !may_end_sessions(conn, user_id)? {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    reactivate_in(conn, actor, &org, user_id)
}

/// The global administrator reactivates an organization's administrator (404 for anyone else,
/// and for a user who holds no current administrator grant there).
pub fn reactivate_org_admin(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    user_id: &str,
) -> AppResult<Result<(), &'static str>> {
    actor.require(&[Role::GlobalAdmin])?;
    let admin: i64 = uor::table
        .filter(uor::organization_id.eq(org))
        .filter(uor::role_id.eq(Role::OrgAdmin.key()))
        .filter(uor::revoked_at.is_null())
        .filter(uor::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if admin == 0 || !may_end_sessions(conn, user_id)? {
        return Err(AppError::NotFound);
    }
    reactivate_in(conn, actor, org, user_id)
}

fn reactivate_in(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    user_id: &str,
) -> AppResult<Result<(), &'static str>> {
    crate::db::tx(conn, |tx| {
        let t = now();
        let n = diesel::update(
            users::table
                .find(user_id)
                .filter(users::is_active.eq(false)),
        )
        .set((
            users::is_active.eq(true),
            users::deactivated_at.eq(None::<chrono::NaiveDateTime>),
            users::updated_at.eq(t),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Ok(Err("err.not_deactivated"));
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(org),
                actor_user_id: Some(&actor.user_id),
                action: "user.reactivated",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: None,
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(()))
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsForm {
    pub language: String,
    pub larger_text: Option<String>,
    pub high_contrast: Option<String>,
    pub reduced_motion: Option<String>,
    pub calendar_week_start: String,
    pub notify_in_app: Option<String>,
    pub notify_email: Option<String>,
}

pub fn save_settings(conn: &mut DbConn, actor: &Actor, f: &SettingsForm) -> AppResult<()> {
    let s = Setting {
        user_id: actor.user_id.clone(),
        language: if f.language == "en" {
            "en".into()
        } else {
            "nb".into()
        },
        // The main switches; critical notifications reach the user either way (see
        // `notifications::scenarios`).
        notify_email: f.notify_email.is_some(),
        notify_in_app: f.notify_in_app.is_some(),
        larger_text: f.larger_text.is_some(),
        high_contrast: f.high_contrast.is_some(),
        reduced_motion: f.reduced_motion.is_some(),
        calendar_week_start: if f.calendar_week_start == "sunday" {
            "sunday".into()
        } else {
            "monday".into()
        },
        updated_at: now(),
    };
    crate::db::tx(conn, |tx| {
        // One upsert: two first saves at once (no row yet) both insert, and one of them
        // updated instead of failing on the key (it answered 500 under load before).
        // (Diesel's multi-backend connection has no ON CONFLICT: each backend's own.)
        macro_rules! upsert {
            ($c:expr) => {
                diesel::insert_into(settings::table)
                    .values(&s)
                    .on_conflict(settings::user_id)
                    .do_update()
                    .set(&s)
                    .execute($c)
            };
        }
        match &mut *tx.conn {
            crate::db::DbConn::Postgres(pg) => upsert!(pg)?,
            crate::db::DbConn::Sqlite(lite) => upsert!(lite)?,
        };
        audit::append(
            tx,
            Event {
                organization_id: actor.org_id(),
                actor_user_id: Some(&actor.user_id),
                action: "settings.updated",
                target_type: Some("setting"),
                target_id: Some(&actor.user_id),
                detail: Some(serde_json::json!({ "language": s.language })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(())
    })
}
