//! Certifications: completing a course (those who attended every day get `attended` and, for a
//! certifying course, a certification with its expiry; the others `no_show`), the holder's and
//! the coordinator's lists, one certificate, revoking with a reason, and the public
//! verification by an unguessable token.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;

use super::model::*;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::learning::courses::service::{self as courses, audit_event};
use crate::learning::enrollment::attendance;
use crate::schema::{
    certifications as ct, course_enrollments as ce, courses as co, user_organization_roles as uor,
    users,
};
use crate::web::{AppError, AppResult};

/// Certifications per page of the coordinator's list.
pub const LIST_MAX: i64 = 200;

/// A fresh verification token: 128 random bits as 32 hex digits.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Whether a path segment can be a token at all.
pub fn is_token(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What completing a course came to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Completed {
    pub attended: usize,
    pub no_show: usize,
    pub issued: usize,
    /// The last day has not started: nothing was changed.
    pub too_early: bool,
}

/// Issues a certification (inside a transaction) and tells the holder.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut DbConn,
    org: &str,
    user: &str,
    course: Option<&str>,
    name: &str,
    issued_on: NaiveDate,
    validity_months: Option<i32>,
) -> QueryResult<String> {
    let c = Certification {
        id: new_id(),
        organization_id: org.to_string(),
        user_id: user.to_string(),
        course_id: course.map(str::to_string),
        name: name.to_string(),
        issued_on,
        expires_on: validity_months
            .and_then(|m| issued_on.checked_add_months(Months::new(m.max(0) as u32))),
        revoked_at: None,
        revoked_reason: None,
        verify_token: new_token(),
        created_at: now(),
    };
    diesel::insert_into(ct::table).values(&c).execute(conn)?;
    crate::notifications::notify(
        conn,
        &crate::notifications::Notice {
            user_id: user,
            org_id: Some(org),
            role: Some(Role::PeerMentor),
            scenario: "certification.issued",
            subject_kind: "certification",
            subject_id: &c.id,
            link: format!("/certifications/{}", c.id),
            params: serde_json::json!({ "title": name }),
        },
    )?;
    Ok(c.id)
}

/// Completes a course once its last day has started: the seated who attended every day are
/// marked attended (and certified, if the course certifies), the others no-show. Only those
/// still `registered` are decided, so completing twice changes nothing.
pub fn complete(conn: &mut DbConn, actor: &Actor, course: &str) -> AppResult<Completed> {
    let row = courses::managed(conn, actor, course)?;
    let Some(last) = row.days.last() else {
        return Err(AppError::NotFound);
    };
    if !last.started() {
        return Ok(Completed {
            too_early: true,
            ..Default::default()
        });
    }
    let issued_on = crate::events::service::oslo_date(last.starts_at);
    let org = row.c.organization_id.clone();
    crate::db::tx(conn, |tx| {
        let all = attendance::attended_all(tx.conn, course)?;
        let pending: Vec<String> = ce::table
            .filter(ce::course_id.eq(course))
            .filter(ce::status.eq("registered"))
            .select(ce::user_id)
            .load(tx.conn)?;
        let mut out = Completed::default();
        for user in &pending {
            let came = all.contains(user);
            let n = diesel::update(
                ce::table
                    .filter(ce::course_id.eq(course))
                    .filter(ce::user_id.eq(user))
                    .filter(ce::status.eq("registered")),
            )
            .set((
                ce::status.eq(if came { "attended" } else { "no_show" }),
                ce::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
            if n == 0 {
                continue;
            }
            if !came {
                out.no_show += 1;
                continue;
            }
            out.attended += 1;
            if let Some(name) = &row.c.certification_name {
                let held: i64 = ct::table
                    .filter(ct::course_id.eq(course))
                    .filter(ct::user_id.eq(user))
                    .count()
                    .get_result(tx.conn)?;
                if held == 0 {
                    issue(
                        tx.conn,
                        &org,
                        user,
                        Some(course),
                        name,
                        issued_on,
                        row.c.validity_months,
                    )?;
                    out.issued += 1;
                }
            }
        }
        if out.attended + out.no_show == 0 {
            return Ok(out);
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.completed",
                "course",
                course,
                serde_json::json!({ "attended": out.attended, "no_show": out.no_show, "issued": out.issued }),
            ),
        )?;
        Ok::<_, AppError>(out)
    })
}

// ---------------------------------------------------------------- reading

/// Certifications the actor may see: their own as a mentor; for a coordinator those of peer
/// mentors of their associations; for an administrator the organization's.
fn visible(actor: &Actor) -> AppResult<ct::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let q = ct::table
        .filter(ct::organization_id.eq(org.clone()))
        .into_boxed();
    Ok(match actor.role() {
        Role::PeerMentor => q.filter(ct::user_id.eq(actor.user_id.clone())),
        Role::Coordinator => q.filter(
            ct::user_id.eq_any(
                uor::table
                    .filter(uor::organization_id.eq(org))
                    .filter(uor::role_id.eq("peer_mentor"))
                    .filter(uor::revoked_at.is_null())
                    .filter(uor::local_association_id.eq_any(actor.associations.clone()))
                    .select(uor::user_id),
            ),
        ),
        Role::OrgAdmin => q,
        Role::GlobalAdmin | Role::Account => return Err(AppError::NotFound),
    })
}

fn rows(conn: &mut DbConn, list: Vec<Certification>) -> QueryResult<Vec<CertRow>> {
    let today = crate::activities::service::today();
    let uids: Vec<String> = list.iter().map(|c| c.user_id.clone()).collect();
    let cids: Vec<String> = list.iter().filter_map(|c| c.course_id.clone()).collect();
    let names: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(uids))
        .select((users::id, users::name))
        .load(conn)?;
    let titles: Vec<(String, String)> = co::table
        .filter(co::id.eq_any(cids))
        .select((co::id, co::title))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|c| CertRow {
            holder: names
                .iter()
                .find(|(id, _)| *id == c.user_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            course: titles
                .iter()
                .find(|(id, _)| Some(id) == c.course_id.as_ref())
                .map(|(_, t)| t.clone()),
            status: c.status(today),
            c,
        })
        .collect())
}

/// The list: soonest expiry first (those without expiry last), bounded.
pub fn list(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<CertRow>> {
    let list: Vec<Certification> = visible(actor)?
        .order((
            ct::expires_on.is_null().asc(),
            ct::expires_on.asc(),
            ct::id.asc(),
        ))
        .limit(LIST_MAX)
        .select(Certification::as_select())
        .load(conn)?;
    Ok(rows(conn, list)?)
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<CertRow> {
    let c: Certification = visible(actor)?
        .filter(ct::id.eq(id.to_string()))
        .select(Certification::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    rows(conn, vec![c])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// The public verification: the certification behind a token, else not found.
pub fn by_token(conn: &mut DbConn, token: &str) -> AppResult<CertRow> {
    if !is_token(token) {
        return Err(AppError::NotFound);
    }
    let c: Certification = ct::table
        .filter(ct::verify_token.eq(token))
        .select(Certification::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    rows(conn, vec![c])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Revokes a certification with a reason (coordinator or administrator, logged). An empty or
/// too long reason is refused with the field's message.
pub fn revoke(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> AppResult<Result<(), &'static str>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let row = get(conn, actor, id)?;
    let reason = crate::web::forms::fold_whitespace(reason);
    if reason.is_empty() {
        return Ok(Err("err.required"));
    }
    if reason.chars().count() > 500 {
        return Ok(Err("err.too_long"));
    }
    if row.c.revoked_at.is_some() {
        return Ok(Err("cert.err_revoked"));
    }
    let org = row.c.organization_id.clone();
    crate::db::tx(conn, |tx| {
        diesel::update(ct::table.find(id).filter(ct::revoked_at.is_null()))
            .set((
                ct::revoked_at.eq(Some(now())),
                ct::revoked_reason.eq(Some(&reason)),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "certification.revoked",
                "certification",
                id,
                serde_json::json!({ "reason": reason }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(()))
}
