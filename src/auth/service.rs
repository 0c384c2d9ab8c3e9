//! Sign-in, the actor's contexts, password reset and invitations, and the user's sessions.

use std::collections::HashMap;

use chrono::TimeDelta;
use diesel::prelude::*;

use super::model::{AuthToken, SessionRow};
use super::{load, password, ratelimit};
use crate::access::Context;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::labels::{Labels, Lang};
use crate::schema::{auth_tokens, local_associations, sessions, settings, users};
use crate::users::model::{Setting, User};
use crate::web::forms::FieldErrors;
use crate::web::AppResult;

pub struct ActorData {
    pub user: User,
    pub contexts: Vec<Context>,
    pub active: Context,
    pub associations: Vec<String>,
    pub setting: Setting,
    pub labels: Labels,
}

pub fn contexts_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<Context>> {
    Ok(load::contexts_from(&load::grants(conn, user_id)?))
}

pub fn setting_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Setting> {
    Ok(settings::table
        .find(user_id)
        .select(Setting::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| Setting::defaults(user_id)))
}

pub fn label_overrides(
    conn: &mut DbConn,
    org_id: &str,
    lang: Lang,
) -> QueryResult<HashMap<String, String>> {
    load::label_overrides(conn, org_id, lang)
}

/// Everything the `Actor` needs, or `None` when the user is gone or deactivated (an account
/// without a current grant gets the `Account` context), read afresh (three statements; the `Actor` extractor uses the rows the session store read
/// and the instance's label cache instead).
pub fn load_actor(
    conn: &mut DbConn,
    user_id: &str,
    wanted_context: Option<&str>,
) -> QueryResult<Option<ActorData>> {
    let Some(parts) = load::actor_from(load::actor_rows(conn, user_id)?, wanted_context) else {
        return Ok(None);
    };
    let lang = Lang::parse(&parts.setting.language);
    let overrides = match &parts.active.org_id {
        Some(org) => label_overrides(conn, org, lang)?,
        None => HashMap::new(),
    };
    Ok(Some(ActorData {
        user: parts.user,
        contexts: parts.contexts,
        active: parts.active,
        associations: parts.associations,
        setting: parts.setting,
        labels: Labels::new(lang, overrides),
    }))
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignInError {
    Invalid,
    RateLimited,
}

pub struct SignInLimits {
    pub per_account: i32,
    pub per_address: i32,
    pub window: TimeDelta,
}

/// The organization a user's sign-ins are shown under in the audit log: that of their default
/// context (none for a global administrator).
fn home_organization(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<String>> {
    Ok(contexts_of(conn, user_id)?
        .into_iter()
        .find_map(|c| c.org_id))
}

/// Checks the password and the rate limits; records the attempt in the audit log. The password
/// is checked outside any transaction (it is slow); each outcome's writes and its audit entry are
/// one transaction.
pub fn sign_in(
    conn: &mut DbConn,
    email: &str,
    pass: &str,
    ip: Option<&str>,
    limits: &SignInLimits,
) -> AppResult<Result<User, SignInError>> {
    let email = email.trim().to_lowercase();
    let account_key = format!("login:account:{email}");
    let address_key = format!("login:address:{}", ip.unwrap_or("unknown"));
    if ratelimit::count(conn, &account_key, limits.window)? >= limits.per_account
        || ratelimit::count(conn, &address_key, limits.window)? >= limits.per_address
    {
        crate::db::tx(conn, |tx| {
            audit::append(
                tx,
                Event {
                    action: "auth.sign_in_rate_limited",
                    detail: Some(serde_json::json!({ "email": email })),
                    ip,
                    ..Default::default()
                },
            )
        })?;
        return Ok(Err(SignInError::RateLimited));
    }
    let user: Option<User> = users::table
        .filter(users::email.eq(&email))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    let verified = match user
        .as_ref()
        .and_then(|u| u.password_hash.as_deref().map(|h| (u, h)))
    {
        Some((u, h)) if u.is_active => {
            let (ok, rehash) = password::verify(h, pass);
            ok.then_some((u.clone(), rehash))
        }
        _ => {
            password::verify_dummy(pass);
            None
        }
    };
    // An account without a current grant signs in too: it reaches only its own account pages
    // and its invitations (`Role::Account`), so an invited member of no organization can answer.
    let Some((user, rehash)) = verified else {
        let org = match &user {
            Some(u) => home_organization(conn, &u.id)?,
            None => None,
        };
        crate::db::tx(conn, |tx| {
            ratelimit::hit(tx.conn, &account_key, limits.window)?;
            ratelimit::hit(tx.conn, &address_key, limits.window)?;
            audit::append(
                tx,
                Event {
                    organization_id: org.as_deref(),
                    actor_user_id: user.as_ref().map(|u| u.id.as_str()),
                    action: "auth.sign_in_failed",
                    detail: Some(serde_json::json!({ "email": email })),
                    ip,
                    ..Default::default()
                },
            )
        })?;
        return Ok(Err(SignInError::Invalid));
    };
    let new_hash = rehash.then(|| password::hash(pass));
    let org = home_organization(conn, &user.id)?;
    crate::db::tx(conn, |tx| {
        let t = now();
        if let Some(h) = &new_hash {
            diesel::update(users::table.find(&user.id))
                .set(users::password_hash.eq(h))
                .execute(tx.conn)?;
        }
        diesel::update(users::table.find(&user.id))
            .set(users::last_login_at.eq(t))
            .execute(tx.conn)?;
        ratelimit::clear(tx.conn, &account_key)?;
        audit::append(
            tx,
            Event {
                organization_id: org.as_deref(),
                actor_user_id: Some(&user.id),
                action: "auth.sign_in",
                target_type: Some("user"),
                target_id: Some(&user.id),
                ip,
                ..Default::default()
            },
        )
    })?;
    Ok(Ok(user))
}

fn token_hash(token: &str) -> String {
    super::session_store::hash_key(token)
}

/// Issues a single-use token of `kind` ("password_reset", "invite") and returns its clear text.
pub fn issue_token(
    conn: &mut DbConn,
    user_id: &str,
    kind: &str,
    valid: TimeDelta,
) -> QueryResult<String> {
    let token = crate::web::csrf::new_token();
    let t = now();
    // A new link makes the older ones of the same kind useless.
    diesel::update(
        auth_tokens::table
            .filter(auth_tokens::user_id.eq(user_id))
            .filter(auth_tokens::kind.eq(kind))
            .filter(auth_tokens::used_at.is_null())
            .filter(auth_tokens::revoked_at.is_null()),
    )
    .set(auth_tokens::revoked_at.eq(t))
    .execute(conn)?;
    diesel::insert_into(auth_tokens::table)
        .values(&AuthToken {
            id: new_id(),
            user_id: user_id.to_string(),
            kind: kind.to_string(),
            token_hash: token_hash(&token),
            issuer: "likeperson".into(),
            expires_at: t + valid,
            used_at: None,
            revoked_at: None,
            rotated_from_id: None,
            created_at: t,
        })
        .execute(conn)?;
    Ok(token)
}

/// For "forgot password": the user and a fresh token when the e-mail belongs to an active
/// account and the limits allow; `None` otherwise (the page says the same either way).
pub fn request_reset(
    conn: &mut DbConn,
    email: &str,
    ip: Option<&str>,
    limits: &SignInLimits,
) -> QueryResult<Option<(User, String)>> {
    let email = email.trim().to_lowercase();
    let account_key = format!("reset:account:{email}");
    let address_key = format!("reset:address:{}", ip.unwrap_or("unknown"));
    if ratelimit::count(conn, &account_key, limits.window)? >= 3
        || ratelimit::count(conn, &address_key, limits.window)? >= limits.per_address
    {
        return Ok(None);
    }
    crate::db::tx(conn, |tx| -> QueryResult<Option<(User, String)>> {
        ratelimit::hit(tx.conn, &account_key, limits.window)?;
        ratelimit::hit(tx.conn, &address_key, limits.window)?;
        let Some(user) = users::table
            .filter(users::email.eq(&email))
            .filter(users::is_active.eq(true))
            .select(User::as_select())
            .first(tx.conn)
            .optional()?
        else {
            return Ok(None);
        };
        let token = issue_token(tx.conn, &user.id, "password_reset", TimeDelta::hours(1))?;
        audit::append(
            tx,
            Event {
                actor_user_id: Some(&user.id),
                action: "auth.password_reset_requested",
                target_type: Some("user"),
                target_id: Some(&user.id),
                ip,
                ..Default::default()
            },
        )?;
        Ok(Some((user, token)))
    })
}

/// The user a valid, unused reset or invite token belongs to.
pub fn user_for_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<(User, String)>> {
    auth_tokens::table
        .inner_join(users::table)
        .filter(auth_tokens::token_hash.eq(token_hash(token)))
        .filter(auth_tokens::used_at.is_null())
        .filter(auth_tokens::revoked_at.is_null())
        .filter(auth_tokens::expires_at.gt(now()))
        .filter(auth_tokens::kind.eq_any(["password_reset", "invite"]))
        .filter(users::is_active.eq(true))
        .select((User::as_select(), auth_tokens::id))
        .first(conn)
        .optional()
}

/// Sets a new password from a token: the token is used up, every session of the user ends, and
/// a new account accepts the invitation that created it.
pub fn reset_password(
    conn: &mut DbConn,
    token: &str,
    new_password: &str,
    ip: Option<&str>,
) -> AppResult<Result<(), &'static str>> {
    crate::db::tx(conn, |tx| {
        let Some((user, token_id)) = user_for_token(tx.conn, token)? else {
            return Ok(Err("err.token_invalid"));
        };
        if let Err(e) = password::validate_new(new_password, &[&user.email, &user.name]) {
            return Ok(Err(e));
        }
        let t = now();
        let used = diesel::update(
            auth_tokens::table
                .find(&token_id)
                .filter(auth_tokens::used_at.is_null()),
        )
        .set(auth_tokens::used_at.eq(t))
        .execute(tx.conn)?;
        if used != 1 {
            return Ok(Err("err.token_invalid"));
        }
        diesel::update(users::table.find(&user.id))
            .set((
                users::password_hash.eq(password::hash(new_password)),
                users::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
        diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(&user.id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(t))
        .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                actor_user_id: Some(&user.id),
                action: "auth.password_changed",
                target_type: Some("user"),
                target_id: Some(&user.id),
                ip,
                ..Default::default()
            },
        )?;
        // Choosing a password through the mailed link accepts the invitation that created
        // the account (the address is proven to be theirs).
        crate::users::service::accept_new_account(tx, &user.id, ip)?;
        Ok(Ok(()))
    })
}

#[derive(serde::Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PasswordForm {
    pub current: String,
    pub password: String,
    pub confirm: String,
}

/// Why a password change was refused: field errors (422), or too many wrong current passwords
/// (429, with the error at the current-password field).
pub enum PasswordChangeError {
    Invalid(FieldErrors),
    RateLimited(FieldErrors),
}

/// A signed-in user changes their password: the current one is required (wrong attempts count
/// against the same per-account limit as sign-in, under their own key), the new one follows the
/// usual rules, and every other session of the user ends; `keep_session` (this device) stays.
pub fn change_password(
    conn: &mut DbConn,
    user_id: &str,
    keep_session: &str,
    f: &PasswordForm,
    ip: Option<&str>,
    limits: &SignInLimits,
) -> AppResult<Result<User, PasswordChangeError>> {
    let key = format!("password:account:{user_id}");
    let mut errors = FieldErrors::new();
    if ratelimit::count(conn, &key, limits.window)? >= limits.per_account {
        errors.add("current", "err.rate_limited");
        return Ok(Err(PasswordChangeError::RateLimited(errors)));
    }
    let user: User = users::table
        .find(user_id)
        .select(User::as_select())
        .first(conn)?;
    let current_ok = match user.password_hash.as_deref() {
        Some(h) => password::verify(h, &f.current).0,
        None => {
            password::verify_dummy(&f.current);
            false
        }
    };
    if !current_ok {
        crate::db::tx(conn, |tx| {
            ratelimit::hit(tx.conn, &key, limits.window)?;
            audit::append(
                tx,
                Event {
                    actor_user_id: Some(user_id),
                    action: "auth.password_change_failed",
                    target_type: Some("user"),
                    target_id: Some(user_id),
                    ip,
                    ..Default::default()
                },
            )
        })?;
        errors.add("current", "err.current_password");
    }
    if let Err(e) = password::validate_new(&f.password, &[&user.email, &user.name]) {
        errors.add("password", e);
    } else if f.password != f.confirm {
        errors.add("confirm", "err.password_mismatch");
    }
    if !errors.is_empty() {
        return Ok(Err(PasswordChangeError::Invalid(errors)));
    }
    let hash = password::hash(&f.password);
    crate::db::tx(conn, |tx| {
        let t = now();
        diesel::update(users::table.find(user_id))
            .set((users::password_hash.eq(&hash), users::updated_at.eq(t)))
            .execute(tx.conn)?;
        let ended = end_other_sessions(tx.conn, user_id, keep_session)?;
        ratelimit::clear(tx.conn, &key)?;
        audit::append(
            tx,
            Event {
                actor_user_id: Some(user_id),
                action: "auth.password_changed",
                target_type: Some("user"),
                target_id: Some(user_id),
                detail: Some(serde_json::json!({ "in_app": true, "other_sessions_ended": ended })),
                ip,
                ..Default::default()
            },
        )
    })?;
    Ok(Ok(user))
}

/// The user's live sessions, most recent first.
pub fn sessions_of(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<SessionRow>> {
    let t = now();
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(t))
        .filter(sessions::absolute_expires_at.gt(t))
        .order(sessions::last_seen_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

/// Ends one of the user's own sessions; `false` when it is not theirs (404 upstream).
pub fn end_session(conn: &mut DbConn, user_id: &str, session_id: &str) -> QueryResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn end_other_sessions(conn: &mut DbConn, user_id: &str, keep_id: &str) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)
}

/// The names of the associations an actor's grants point to (for the home page).
pub fn association_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    local_associations::table
        .filter(local_associations::id.eq_any(ids))
        .order(local_associations::name.asc())
        .select((local_associations::id, local_associations::name))
        .load(conn)
}

/// Confirms a new e-mail address through the link mailed to it: the address takes effect, the
/// token is used up. `false` when the link is unknown, used, expired or the address was taken
/// in the meantime.
pub fn confirm_email(conn: &mut DbConn, token: &str, ip: Option<&str>) -> QueryResult<bool> {
    let hash = token_hash(token);
    crate::db::tx(conn, |tx| -> QueryResult<bool> {
        let found: Option<(String, Option<String>, String, String)> = auth_tokens::table
            .inner_join(users::table)
            .filter(auth_tokens::token_hash.eq(&hash))
            .filter(auth_tokens::kind.eq("email_change"))
            .filter(auth_tokens::used_at.is_null())
            .filter(auth_tokens::revoked_at.is_null())
            .filter(auth_tokens::expires_at.gt(now()))
            .filter(users::is_active.eq(true))
            .select((
                users::id,
                users::pending_email,
                users::email,
                auth_tokens::id,
            ))
            .first(tx.conn)
            .optional()?;
        let Some((user_id, Some(new_email), old_email, token_id)) = found else {
            return Ok(false);
        };
        let taken: i64 = users::table
            .filter(users::email.eq(&new_email))
            .count()
            .get_result(tx.conn)?;
        if taken > 0 {
            return Ok(false);
        }
        let t = now();
        diesel::update(auth_tokens::table.find(&token_id))
            .set(auth_tokens::used_at.eq(t))
            .execute(tx.conn)?;
        diesel::update(users::table.find(&user_id))
            .set((
                users::email.eq(&new_email),
                users::pending_email.eq(None::<String>),
                users::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                actor_user_id: Some(&user_id),
                action: "user.email_changed",
                target_type: Some("user"),
                target_id: Some(&user_id),
                detail: Some(serde_json::json!({ "from": old_email, "to": new_email })),
                ip,
                ..Default::default()
            },
        )?;
        Ok(true)
    })
}
