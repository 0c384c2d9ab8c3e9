//! Invitations: an administrator invites a person to a role, the person accepts or declines
//! (a new account by choosing its password), and the inviter or an organization administrator
//! can cancel one that still waits.

use chrono::TimeDelta;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::{Invitation, InvitationView, Setting, User};
use super::service::{check_grant, insert_grant, GrantForm, Grantor};
use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{now, DbConn, Tx};
use crate::schema::{invitations, local_associations as la, organizations, settings, users};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub name: String,
    pub role: String,
    pub association_id: String,
}

/// The global administrator's invitation of an organization administrator.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct AdminInviteForm {
    pub email: String,
    pub name: String,
}

/// What the invitation e-mail needs. The inviter is told nothing of it: the page is the same
/// whether or not the address already had an account.
pub struct Invited {
    pub email: String,
    /// The name to greet: the account's own, or the one the inviter typed for a new account.
    pub name: String,
    pub organization: String,
    /// A set-password link's token for a new account; `None` for an existing account, which
    /// signs in and answers at `/account/invitations`.
    pub token: Option<String>,
}

/// How long an invitation (and a new account's set-password link) can be answered.
const INVITATION_DAYS: i64 = 7;

/// Invites a person to a role. Nothing is granted yet: an existing account accepts after
/// signing in, a new account (created here, without a password) by choosing a password through
/// the link it is mailed. The inviter sees the same outcome either way, and the audit entry the
/// organization can read is the same too (the account's creation is logged without an
/// organization).
pub fn invite(
    conn: &mut DbConn,
    actor: &Actor,
    f: &InviteForm,
) -> AppResult<Result<Invited, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    invite_to(conn, actor, &org, f)
}

/// The global administrator invites an administrator of an organization (404 for anyone else
/// and for an organization that does not exist). The same invitation as `invite`: it needs
/// the invitee's consent, and a new account accepts it by choosing a password.
pub fn invite_org_admin(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    f: &AdminInviteForm,
) -> AppResult<Result<Invited, FieldErrors>> {
    actor.require(&[Role::GlobalAdmin])?;
    organization_exists(conn, org)?;
    let f = InviteForm {
        email: f.email.clone(),
        name: f.name.clone(),
        role: Role::OrgAdmin.key().into(),
        association_id: String::new(),
    };
    invite_to(conn, actor, org, &f)
}

/// 404 unless the organization exists.
fn organization_exists(conn: &mut DbConn, org: &str) -> AppResult<()> {
    let n: i64 = organizations::table.find(org).count().get_result(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Creates an invitation to `org` on behalf of `actor` (whose right to invite there the caller
/// has checked).
pub(crate) fn invite_to(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    f: &InviteForm,
) -> AppResult<Result<Invited, FieldErrors>> {
    let org = org.to_string();
    crate::db::tx(conn, |tx| {
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
            tx.conn,
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
            .first(tx.conn)
            .optional()?;
        let (user, token) = match existing {
            Some(u) => (u, None),
            None => {
                let u = User::new(&email, &name, None);
                diesel::insert_into(users::table)
                    .values(&u)
                    .execute(tx.conn)?;
                diesel::insert_into(settings::table)
                    .values(&Setting::defaults(&u.id))
                    .execute(tx.conn)?;
                let token = crate::auth::service::issue_token(
                    tx.conn,
                    &u.id,
                    "invite",
                    TimeDelta::days(INVITATION_DAYS),
                )?;
                audit::append(
                    tx,
                    Event {
                        actor_user_id: Some(&actor.user_id),
                        action: "user.created",
                        target_type: Some("user"),
                        target_id: Some(&u.id),
                        detail: Some(serde_json::json!({ "email": email })),
                        ip: actor.ip.as_deref(),
                        ..Default::default()
                    },
                )?;
                (u, Some(token))
            }
        };
        let t = now();
        let inv = Invitation {
            id: crate::db::new_id(),
            organization_id: org.clone(),
            user_id: user.id.clone(),
            email: email.clone(),
            role_id: role.key().to_string(),
            local_association_id: assoc.clone(),
            invited_by: actor.user_id.clone(),
            new_account: token.is_some(),
            status: "pending".into(),
            created_at: t,
            expires_at: t + TimeDelta::days(INVITATION_DAYS),
            answered_at: None,
        };
        diesel::insert_into(invitations::table)
            .values(&inv)
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "invitation.created",
                target_type: Some("invitation"),
                target_id: Some(&inv.id),
                detail: Some(
                    serde_json::json!({ "email": email, "role": role.key(), "local_association_id": assoc }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        let organization: String = organizations::table
            .find(&org)
            .select(organizations::name)
            .first(tx.conn)?;
        Ok(Ok(Invited {
            email,
            name: user.name,
            organization,
            token,
        }))
    })
}

/// Administrator invitations of an organization that wait for an answer, for the global
/// administrator.
pub fn pending_admin_invitations(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
) -> AppResult<Vec<InvitationView>> {
    actor.require(&[Role::GlobalAdmin])?;
    Ok(views(conn, Whose::Organization(org))?
        .into_iter()
        .filter(|v| v.invitation.role_id == Role::OrgAdmin.key())
        .collect())
}

/// Invitations of the actor's organization that still wait for an answer (the inviter knows
/// the address; nothing of the account behind it is shown).
pub fn pending_in_org(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<InvitationView>> {
    actor.require(&[Role::OrgAdmin])?;
    views(conn, Whose::Organization(actor.org()?))
}

/// The user's own invitations that wait for an answer.
pub fn pending_for(conn: &mut DbConn, user_id: &str) -> AppResult<Vec<InvitationView>> {
    views(conn, Whose::User(user_id))
}

enum Whose<'a> {
    Organization(&'a str),
    User(&'a str),
}

fn views(conn: &mut DbConn, whose: Whose<'_>) -> AppResult<Vec<InvitationView>> {
    let mut q = invitations::table
        .inner_join(organizations::table)
        .left_join(la::table)
        .filter(invitations::status.eq("pending"))
        .filter(invitations::expires_at.gt(now()))
        .into_boxed();
    q = match whose {
        Whose::Organization(o) => q.filter(invitations::organization_id.eq(o.to_string())),
        Whose::User(u) => q.filter(invitations::user_id.eq(u.to_string())),
    };
    let rows: Vec<(Invitation, String, Option<String>)> = q
        .order((invitations::created_at.desc(), invitations::id.asc()))
        .select((
            Invitation::as_select(),
            organizations::name,
            la::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(invitation, organization_name, association_name)| InvitationView {
                invitation,
                organization_name,
                association_name,
            },
        )
        .collect())
}

/// How many invitations wait for the user's answer (the notice on the start page).
/// As a part of the start page's one statement of figures (`db::Counts`); returns its index.
pub fn push_pending_count(counts: &mut crate::db::Counts, user_id: &str) -> usize {
    counts.push(pending(user_id).count())
}

/// Accepts (grants the role, as given by the inviter) or declines one pending invitation.
/// Records the answer; the error is a label key (the role can no longer be given).
fn answer_one(
    tx: &mut Tx<'_>,
    inv: &Invitation,
    accept: bool,
    ip: Option<&str>,
) -> AppResult<Result<(), &'static str>> {
    // Lock the invitation first (a write that changes nothing yet), so that an answer and a
    // cancellation take their locks in the same order (invitation, then the audit chain) and
    // cannot deadlock on PostgreSQL; a cancellation that won leaves nothing to answer.
    let claimed = diesel::update(
        invitations::table
            .find(&inv.id)
            .filter(invitations::status.eq("pending")),
    )
    .set(invitations::status.eq("pending"))
    .execute(tx.conn)?;
    if claimed == 0 {
        return Err(AppError::NotFound);
    }
    if accept {
        let by = Grantor {
            user_id: &inv.invited_by,
            ip,
        };
        match insert_grant(
            tx,
            &by,
            &inv.organization_id,
            &inv.user_id,
            inv.role(),
            inv.local_association_id.as_deref(),
        )? {
            // Already held: accepting changes nothing, but it answers the invitation.
            Ok(()) | Err("err.role_exists") => {}
            Err(key) => return Ok(Err(key)),
        }
    }
    let status = if accept { "accepted" } else { "declined" };
    // Only while it still waits: a cancellation that won a race leaves nothing to answer (the
    // grant above is rolled back with the rest).
    let n = diesel::update(
        invitations::table
            .find(&inv.id)
            .filter(invitations::status.eq("pending")),
    )
    .set((
        invitations::status.eq(status),
        invitations::answered_at.eq(now()),
    ))
    .execute(tx.conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        tx,
        Event {
            organization_id: Some(&inv.organization_id),
            actor_user_id: Some(&inv.user_id),
            action: if accept {
                "invitation.accepted"
            } else {
                "invitation.declined"
            },
            target_type: Some("invitation"),
            target_id: Some(&inv.id),
            detail: Some(
                serde_json::json!({ "role": inv.role_id, "local_association_id": inv.local_association_id }),
            ),
            ip,
        },
    )?;
    Ok(Ok(()))
}

fn pending(user_id: &str) -> invitations::BoxedQuery<'static, crate::db::DbConnBackend> {
    invitations::table
        .filter(invitations::user_id.eq(user_id.to_string()))
        .filter(invitations::status.eq("pending"))
        .filter(invitations::expires_at.gt(now()))
        .into_boxed()
}

/// The signed-in user answers one of their own invitations; anyone else's, or one already
/// answered or expired, answers 404.
pub fn answer(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    accept: bool,
) -> AppResult<Result<(), &'static str>> {
    crate::db::tx(conn, |tx| {
        let inv: Invitation = pending(&actor.user_id)
            .filter(invitations::id.eq(id))
            .select(Invitation::as_select())
            .first(tx.conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        answer_one(tx, &inv, accept, actor.ip.as_deref())
    })
}

/// A new account accepts the invitations that created it when its owner chooses a password
/// through the mailed link (proof that the address is theirs). Runs inside that transaction.
pub fn accept_new_account(tx: &mut Tx<'_>, user_id: &str, ip: Option<&str>) -> AppResult<()> {
    let invitations: Vec<Invitation> = pending(user_id)
        .filter(invitations::new_account.eq(true))
        .select(Invitation::as_select())
        .load(tx.conn)?;
    for inv in &invitations {
        // A role that can no longer be given (too many associations) stays pending, to be
        // answered on the invitations page.
        let _ = answer_one(tx, inv, true, ip)?;
    }
    Ok(())
}

/// An organization administrator cancels an invitation of their organization that still waits
/// (404 for anything else).
pub fn cancel(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    cancel_in(conn, actor, &org, id, None)
}

/// The global administrator cancels an administrator invitation of an organization that still
/// waits (404 for anything else).
pub fn cancel_admin_invitation(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    id: &str,
) -> AppResult<()> {
    actor.require(&[Role::GlobalAdmin])?;
    cancel_in(conn, actor, org, id, Some(Role::OrgAdmin))
}

/// Marks the invitation cancelled (audited). The invitee's invitations page no longer shows it
/// and it can no longer be answered; a new account's set-password link stops working unless
/// another invitation still waits for that account.
fn cancel_in(
    conn: &mut DbConn,
    actor: &Actor,
    org: &str,
    id: &str,
    role: Option<Role>,
) -> AppResult<()> {
    crate::db::tx(conn, |tx| {
        let mut q = invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::organization_id.eq(org))
            .filter(invitations::status.eq("pending"))
            .filter(invitations::expires_at.gt(now()))
            .into_boxed();
        if let Some(r) = role {
            q = q.filter(invitations::role_id.eq(r.key()));
        }
        let inv: Invitation = q
            .select(Invitation::as_select())
            .first(tx.conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let t = now();
        let n = diesel::update(
            invitations::table
                .find(&inv.id)
                .filter(invitations::status.eq("pending")),
        )
        .set((
            invitations::status.eq("cancelled"),
            invitations::answered_at.eq(t),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        if inv.new_account && pending(&inv.user_id).count().get_result::<i64>(tx.conn)? == 0 {
            use crate::schema::auth_tokens as tok;
            diesel::update(
                tok::table
                    .filter(tok::user_id.eq(&inv.user_id))
                    .filter(tok::kind.eq("invite"))
                    .filter(tok::used_at.is_null())
                    .filter(tok::revoked_at.is_null()),
            )
            .set(tok::revoked_at.eq(t))
            .execute(tx.conn)?;
        }
        audit::append(
            tx,
            Event {
                organization_id: Some(org),
                actor_user_id: Some(&actor.user_id),
                action: "invitation.cancelled",
                target_type: Some("invitation"),
                target_id: Some(&inv.id),
                detail: Some(
                    serde_json::json!({ "email": inv.email, "role": inv.role_id, "local_association_id": inv.local_association_id }),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(())
    })
}
