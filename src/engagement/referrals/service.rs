//! Recruitment links and their counters.

use diesel::prelude::*;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::engagement::audit_event;
use crate::engagement::model::Referral;
use crate::schema::{
    local_associations as la, organizations as o, recruitment_referrals as rr,
    user_organization_roles as uor, users,
};
use crate::web::{AppError, AppResult};

/// A fresh token: 128 random bits as 32 hex digits (not guessable, not derived from anything).
fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Whether a path segment can be a token at all (anything else is 404 without a query).
pub fn is_token(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The actor's link in their organization, if they have made one.
pub fn mine(conn: &mut DbConn, actor: &Actor) -> AppResult<Option<Referral>> {
    actor.require(&[Role::PeerMentor])?;
    Ok(rr::table
        .filter(rr::organization_id.eq(actor.org()?.to_string()))
        .filter(rr::user_id.eq(&actor.user_id))
        .select(Referral::as_select())
        .first(conn)
        .optional()?)
}

/// Makes the actor's link, or a new token for it (the old link then stops working; the count
/// stays). Audit-logged.
pub fn renew(conn: &mut DbConn, actor: &Actor) -> AppResult<Referral> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let token = new_token();
        let n = diesel::update(
            rr::table
                .filter(rr::organization_id.eq(&org))
                .filter(rr::user_id.eq(&actor.user_id)),
        )
        .set(rr::token.eq(&token))
        .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(rr::table)
                .values(&Referral {
                    id: new_id(),
                    organization_id: org.clone(),
                    user_id: actor.user_id.clone(),
                    token: token.clone(),
                    clicks: 0,
                    created_at: now(),
                    last_click_at: None,
                })
                .execute(tx.conn)?;
        }
        let r: Referral = rr::table
            .filter(rr::organization_id.eq(&org))
            .filter(rr::user_id.eq(&actor.user_id))
            .select(Referral::as_select())
            .first(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                if n == 0 {
                    "referral.created"
                } else {
                    "referral.renewed"
                },
                "recruitment_referral",
                &r.id,
                serde_json::json!({}),
            ),
        )?;
        Ok::<_, AppError>(r)
    })
}

/// What the landing page shows.
pub struct Landing {
    pub organization: String,
    pub membership_url: Option<String>,
}

/// The landing page of a token, counting the visit when `count` (a browser that has not been
/// counted today). A token that is unknown, replaced, or whose mentor is no longer active
/// answers 404. Nothing about the visitor is stored.
pub fn visit(conn: &mut DbConn, token: &str, count: bool) -> AppResult<Landing> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    let found: Option<(String, String)> = rr::table
        .inner_join(users::table.on(users::id.eq(rr::user_id)))
        .inner_join(o::table.on(o::id.eq(rr::organization_id)))
        .filter(rr::token.eq(token))
        .filter(users::is_active.eq(true))
        .filter(o::is_active.eq(true))
        .select((rr::organization_id, o::name))
        .first(conn)
        .optional()?;
    let (org, organization) = found.ok_or(AppError::NotFound)?;
    if count {
        diesel::update(rr::table.filter(rr::token.eq(token)))
            .set((rr::clicks.eq(rr::clicks + 1), rr::last_click_at.eq(now())))
            .execute(conn)?;
    }
    Ok(Landing {
        organization,
        membership_url: crate::engagement::settings::membership_url(conn, &org)?,
    })
}

/// Per association in the actor's scope: mentors with a link, and their visits. A mentor in
/// several associations counts in each.
pub struct AssociationTotal {
    pub name: String,
    pub links: i64,
    pub clicks: i64,
}

pub fn totals(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<AssociationTotal>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    // The association filter: the actor's own, or every one of the organization.
    let scope: Vec<String> = if actor.sees_whole_org() {
        la::table
            .filter(la::organization_id.eq(&org))
            .select(la::id)
            .load(conn)?
    } else {
        actor.associations.clone()
    };
    let rows: Vec<(String, i64, Option<i64>)> = rr::table
        .inner_join(
            uor::table.on(uor::user_id
                .eq(rr::user_id)
                .and(uor::organization_id.eq(rr::organization_id.nullable()))),
        )
        .inner_join(la::table.on(uor::local_association_id.eq(la::id.nullable())))
        .filter(rr::organization_id.eq(&org))
        .filter(uor::role_id.eq(Role::PeerMentor.key()))
        .filter(uor::revoked_at.is_null())
        .filter(la::id.eq_any(scope))
        .group_by((la::id, la::name))
        .select((
            la::name,
            diesel::dsl::count(rr::id),
            crate::expenses::sum_bigint("recruitment_referrals.clicks"),
        ))
        .order(la::name.asc())
        .limit(2000)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(name, links, clicks)| AssociationTotal {
            name,
            links,
            clicks: clicks.unwrap_or(0),
        })
        .collect())
}
