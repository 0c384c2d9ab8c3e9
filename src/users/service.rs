//! Users within an organization: list, invite, assign and revoke scoped roles; settings.

use chrono::TimeDelta;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{GrantView, RoleGrant, Setting, User};
use crate::audit::service::{self as audit, Event};
use crate::auth::actor::Actor;
use crate::auth::Role;
use crate::db::{now, DbConn};
use crate::schema::{
    local_associations as la, organizations, settings, user_organization_roles as uor, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// Users with any grant (current or past) in the organization.
macro_rules! members {
    ($org:expr) => {
        uor::table
            .filter(uor::organization_id.eq($org.to_string()))
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
    Ok(PageOf {
        rows,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
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
fn check_grant(
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

fn insert_grant(
    conn: &mut DbConn,
    actor: &Actor,
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
    if dup.count().get_result::<i64>(conn)? > 0 {
        return Ok(Err("err.role_exists"));
    }
    if role == Role::PeerMentor
        && crate::people::service::association_count(conn, user_id, org)?
            >= crate::people::service::MAX_ASSOCIATIONS
    {
        return Ok(Err("people.err_max_associations"));
    }
    let g = RoleGrant::new(user_id, Some(org), role, assoc, Some(&actor.user_id));
    diesel::insert_into(uor::table).values(&g).execute(conn)?;
    if role == Role::PeerMentor {
        crate::people::service::ensure_profile(conn, user_id, org)?;
    }
    audit::append(
        conn,
        Event {
            organization_id: Some(org),
            actor_user_id: Some(&actor.user_id),
            action: "role.assigned",
            target_type: Some("user"),
            target_id: Some(user_id),
            detail: Some(
                serde_json::json!({ "role": role.key(), "local_association_id": assoc, "grant_id": g.id }),
            ),
            ip: actor.ip.as_deref(),
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
    crate::db::tx(conn, |conn| {
        let mut errors = FieldErrors::new();
        let Some((role, assoc)) = check_grant(conn, &org, f, &mut errors)? else {
            return Ok(Err(errors));
        };
        match insert_grant(conn, actor, &org, user_id, role, assoc.as_deref())? {
            Ok(()) => Ok(Ok(())),
            Err(key) => {
                errors.add("role", key);
                Ok(Err(errors))
            }
        }
    })
}

/// Signs a user of the organization out on every device.
pub fn end_sessions(conn: &mut DbConn, actor: &Actor, user_id: &str) -> AppResult<usize> {
    member(conn, actor, user_id)?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |conn| {
        let n = diesel::update(
            crate::schema::sessions::table
                .filter(crate::schema::sessions::user_id.eq(user_id))
                .filter(crate::schema::sessions::revoked_at.is_null()),
        )
        .set(crate::schema::sessions::revoked_at.eq(now()))
        .execute(conn)?;
        audit::append(
            conn,
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

pub fn revoke(conn: &mut DbConn, actor: &Actor, user_id: &str, grant_id: &str) -> AppResult<()> {
    member(conn, actor, user_id)?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |conn| {
        let grant: RoleGrant = uor::table
            .find(grant_id)
            .filter(uor::user_id.eq(user_id))
            .filter(uor::organization_id.eq(&org))
            .filter(uor::revoked_at.is_null())
            .select(RoleGrant::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        diesel::update(uor::table.find(grant_id))
            .set((
                uor::revoked_at.eq(now()),
                uor::revoked_by.eq(&actor.user_id),
            ))
            .execute(conn)?;
        audit::append(
            conn,
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
        Ok(())
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub association_id: String,
}

/// Invites a person: creates the user (or reuses an existing account by e-mail, since one
/// person may hold roles in several organizations), grants the role, and returns the user and
/// a set-password token for a new account.
pub fn invite(
    conn: &mut DbConn,
    actor: &Actor,
    f: &InviteForm,
) -> AppResult<Result<(User, Option<String>), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |conn| {
        let mut errors = FieldErrors::new();
        let email = f.email.trim().to_lowercase();
        let name = crate::web::forms::fold_whitespace(&f.name);
        if email.is_empty() {
            errors.add("email", "err.required");
        } else if !forms::is_email(&email) {
            errors.add("email", "err.email");
        }
        if name.is_empty() {
            errors.add("name", "err.required");
        } else if name.chars().count() > 200 {
            errors.add("name", "err.too_long");
        }
        let grant = check_grant(
            conn,
            &org,
            &GrantForm {
                role: f.role.clone(),
                association_id: f.association_id.clone(),
            },
            &mut errors,
        )?;
        let (Some((role, assoc)), true) = (grant, errors.is_empty()) else {
            return Ok(Err(errors));
        };
        let existing: Option<User> = users::table
            .filter(users::email.eq(&email))
            .select(User::as_select())
            .first(conn)
            .optional()?;
        let (user, token) = match existing {
            Some(u) => (u, None),
            None => {
                let u = User::new(&email, &name, None);
                diesel::insert_into(users::table).values(&u).execute(conn)?;
                diesel::insert_into(settings::table)
                    .values(&Setting::defaults(&u.id))
                    .execute(conn)?;
                let token =
                    crate::auth::service::issue_token(conn, &u.id, "invite", TimeDelta::days(7))?;
                audit::append(
                    conn,
                    Event {
                        organization_id: Some(&org),
                        actor_user_id: Some(&actor.user_id),
                        action: "user.invited",
                        target_type: Some("user"),
                        target_id: Some(&u.id),
                        detail: Some(serde_json::json!({ "email": email })),
                        ip: actor.ip.as_deref(),
                    },
                )?;
                (u, Some(token))
            }
        };
        if let Err(key) = insert_grant(conn, actor, &org, &user.id, role, assoc.as_deref())? {
            errors.add("role", key);
            return Ok(Err(errors));
        }
        Ok(Ok((user, token)))
    })
}

/// A user's chosen language code, if they have saved settings.
pub fn language_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(user_id)
        .select(settings::language)
        .first(conn)
        .optional()
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsForm {
    pub language: String,
    pub larger_text: Option<String>,
    pub high_contrast: Option<String>,
    pub reduced_motion: Option<String>,
    pub calendar_week_start: String,
}

pub fn save_settings(conn: &mut DbConn, actor: &Actor, f: &SettingsForm) -> AppResult<()> {
    let s = Setting {
        user_id: actor.user_id.clone(),
        language: if f.language == "en" {
            "en".into()
        } else {
            "nb".into()
        },
        // Not on the form until notifications exist: the stored choice is kept as it is.
        notify_email: actor.settings.notify_email,
        notify_in_app: actor.settings.notify_in_app,
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
    crate::db::tx(conn, |conn| {
        let n = diesel::update(settings::table.find(&actor.user_id))
            .set(&s)
            .execute(conn)?;
        if n == 0 {
            diesel::insert_into(settings::table)
                .values(&s)
                .execute(conn)?;
        }
        audit::append(
            conn,
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
