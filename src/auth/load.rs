//! What every signed-in request reads before its handler runs: the session, the user with their
//! settings, the active grants with their organizations' label versions, in **one** statement
//! (`session_with_actor`, run by the session store's `load`), and the label overrides only when
//! this instance has not resolved that organization's labels at that version yet
//! (`labels_for`). Nothing of it is kept across requests except the resolved labels, keyed by
//! version: a change of role, grant, session or user on any instance is seen at the next
//! request (issue 10).

use std::cell::RefCell;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use diesel::prelude::*;

use crate::access::{Context, Role};
use crate::db::DbConn;
use crate::labels::{LabelCache, Labels, Lang};
use crate::schema::{organizations, sessions, settings, user_organization_roles as uor, users};
use crate::users::model::{Setting, User};

/// An active grant as (organization id, organization short name, role, association id, the
/// organization's labels version). The name and version are `None` for a global grant.
pub type GrantRow = (
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
);

/// The rows an `Actor` is made of. `user` is `None` when the account is gone or deactivated.
pub struct ActorRows {
    pub user_id: String,
    pub user: Option<(User, Option<Setting>)>,
    pub grants: Vec<GrantRow>,
    /// The user's unread notifications.
    pub unread: i64,
}

/// The `Actor`'s data once the active context is chosen (labels come separately, cached).
pub struct ActorParts {
    pub user: User,
    pub contexts: Vec<Context>,
    pub active: Context,
    pub associations: Vec<String>,
    pub setting: Setting,
    /// The active organization's `labels_version` (0 without an organization).
    pub labels_version: i64,
    pub unread: i64,
}

/// The user's active grants in active organizations (and global ones), with the label versions.
pub fn grants(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<GrantRow>> {
    uor::table
        .left_join(organizations::table)
        .filter(uor::user_id.eq(user_id))
        .filter(uor::revoked_at.is_null())
        .filter(
            organizations::is_active
                .eq(true)
                .or(uor::organization_id.is_null()),
        )
        .select((
            uor::organization_id,
            organizations::short_name.nullable(),
            uor::role_id,
            uor::local_association_id,
            organizations::labels_version.nullable(),
        ))
        .load(conn)
}

/// The user with their settings and grants, and their unread count: three statements (used
/// when the session store did not read them already, e.g. a session saved during this request).
pub fn actor_rows(conn: &mut DbConn, user_id: &str) -> QueryResult<ActorRows> {
    let user = users::table
        .left_join(settings::table)
        .filter(users::id.eq(user_id))
        .filter(users::is_active.eq(true))
        .select((User::as_select(), Option::<Setting>::as_select()))
        .first::<(User, Option<Setting>)>(conn)
        .optional()?;
    let (grants, unread) = match user {
        Some(_) => (
            grants(conn, user_id)?,
            crate::schema::notifications::table
                .filter(crate::schema::notifications::user_id.eq(user_id))
                .filter(crate::schema::notifications::read_at.is_null())
                .count()
                .get_result(conn)?,
        ),
        None => (Vec::new(), 0),
    };
    Ok(ActorRows {
        user_id: user_id.to_string(),
        user,
        grants,
        unread,
    })
}

/// One row of `session_with_actor`: the session's state and user, and one grant.
type SessionRow = (
    String,
    Option<String>,
    Option<User>,
    Option<Setting>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// A live session's state by the hash of its key and, when it is signed in, its user's actor
/// rows, in one statement: the session row left-joined with its user (active only), their
/// settings, their unrevoked grants and those grants' organizations (active only), one row per
/// grant, each carrying the user's unread notifications (a scalar subquery on the partial index
/// of unread rows; the header shows the count). Prepared once per connection (a static query,
/// so Diesel's statement cache keeps it).
pub fn session_with_actor(
    conn: &mut DbConn,
    key_hash: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<Option<(String, Option<ActorRows>)>> {
    let rows: Vec<SessionRow> = sessions::table
        .left_join(
            users::table.on(users::id
                .nullable()
                .eq(sessions::user_id)
                .and(users::is_active.eq(true))),
        )
        .left_join(settings::table.on(settings::user_id.eq(users::id)))
        .left_join(uor::table.on(uor::user_id.eq(users::id).and(uor::revoked_at.is_null())))
        .left_join(
            organizations::table.on(organizations::id
                .nullable()
                .eq(uor::organization_id)
                .and(organizations::is_active.eq(true))),
        )
        .filter(sessions::key_hash.eq(key_hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::absolute_expires_at.gt(now))
        .select((
            sessions::state,
            sessions::user_id,
            Option::<User>::as_select(),
            Option::<Setting>::as_select(),
            uor::organization_id.nullable(),
            organizations::short_name.nullable(),
            uor::role_id.nullable(),
            uor::local_association_id.nullable(),
            organizations::labels_version.nullable(),
            crate::schema::notifications::table
                .filter(
                    crate::schema::notifications::user_id
                        .nullable()
                        .eq(sessions::user_id),
                )
                .filter(crate::schema::notifications::read_at.is_null())
                .count()
                .single_value(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let (state, session_user, user, setting, unread) = (
        first.0.clone(),
        first.1.clone(),
        first.2.clone(),
        first.3.clone(),
        first.9.unwrap_or(0),
    );
    let Some(user_id) = session_user else {
        return Ok(Some((state, None)));
    };
    let grants = std::iter::once(first)
        .chain(rows)
        .filter_map(|(_, _, _, _, org, name, role, association, version, _)| {
            // A grant of an inactive organization joined no organization row: skipped, as
            // `grants` does.
            let role = role?;
            if org.is_some() && name.is_none() {
                return None;
            }
            Some((org, name, role, association, version))
        })
        .collect();
    Ok(Some((
        state,
        Some(ActorRows {
            user_id,
            user: user.map(|u| (u, setting)),
            grants,
            unread,
        }),
    )))
}

/// The distinct organization × role contexts of a user's grants, highest role first, then by
/// organization name: the first is the default context.
pub fn contexts_from(grants: &[GrantRow]) -> Vec<Context> {
    let mut out: Vec<Context> = Vec::new();
    for (org_id, org_name, role, _, _) in grants {
        let Some(role) = Role::parse(role) else {
            continue;
        };
        let c = Context {
            org_id: org_id.clone(),
            org_name: org_name.clone().unwrap_or_default(),
            role,
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort_by(|a, b| b.role.cmp(&a.role).then(a.org_name.cmp(&b.org_name)));
    out
}

/// Chooses the active context (the wanted one if the user holds it, else the default) and its
/// associations; `None` when the user is gone or deactivated. An account without a current
/// grant gets the `Account` context (its own pages and invitations only).
pub fn actor_from(rows: ActorRows, wanted_context: Option<&str>) -> Option<ActorParts> {
    let (user, setting) = rows.user?;
    let setting = setting.unwrap_or_else(|| Setting::defaults(&rows.user_id));
    let contexts = contexts_from(&rows.grants);
    let active = wanted_context
        .and_then(|w| contexts.iter().find(|c| c.key() == w))
        .or(contexts.first())
        .cloned()
        .unwrap_or_else(Context::account);
    let in_active =
        |(org, _, role, _, _): &&GrantRow| *org == active.org_id && role == active.role.key();
    let labels_version = rows
        .grants
        .iter()
        .filter(in_active)
        .find_map(|g| g.4)
        .unwrap_or(0);
    let associations: Vec<String> = if active.role.needs_association() {
        let mut out: Vec<String> = rows
            .grants
            .iter()
            .filter(in_active)
            .filter_map(|g| g.3.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    } else {
        Vec::new()
    };
    Some(ActorParts {
        user,
        contexts,
        active,
        associations,
        setting,
        labels_version,
        unread: rows.unread,
    })
}

/// An organization's label overrides in one language.
pub fn label_overrides(
    conn: &mut DbConn,
    org_id: &str,
    lang: Lang,
) -> QueryResult<std::collections::HashMap<String, String>> {
    use crate::schema::organization_labels as ol;
    Ok(ol::table
        .filter(ol::organization_id.eq(org_id))
        .filter(ol::locale.eq(lang.code()))
        .select((ol::key, ol::text))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The labels of the active organization at `version`: from this instance's cache, or read
/// (one statement) and kept.
pub fn labels_for(
    conn: &mut DbConn,
    cache: &LabelCache,
    org: &str,
    version: i64,
    lang: Lang,
) -> QueryResult<Labels> {
    if let Some(hit) = cache.get(org, version, lang) {
        return Ok(hit);
    }
    let labels = Labels::new(lang, label_overrides(conn, org, lang)?);
    cache.put(org, version, lang, &labels);
    Ok(labels)
}

tokio::task_local! {
    /// The actor rows the session store read with this request's session.
    static PRELOADED: RefCell<Option<ActorRows>>;
}

/// Middleware (outside the session middleware) that gives each request a place for the actor
/// rows the session store reads with the session, so the `Actor` extractor need not read them
/// again.
pub async fn scope(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    PRELOADED.scope(RefCell::new(None), next.call(req)).await
}

/// Called by the session store with what it read (outside a request scope it is dropped).
pub fn preload(rows: ActorRows) {
    let _ = PRELOADED.try_with(|p| *p.borrow_mut() = Some(rows));
}

/// The rows read with this request's session, when they are the signed-in user's.
pub fn take_preloaded(user_id: &str) -> Option<ActorRows> {
    PRELOADED
        .try_with(|p| p.borrow_mut().take())
        .ok()
        .flatten()
        .filter(|rows| rows.user_id == user_id)
}
