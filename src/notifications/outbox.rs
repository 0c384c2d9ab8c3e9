//! The mail outbox: every mail is a row written in the transaction of the change that causes
//! it (`enqueue`), and a job delivers due rows (`deliver_due`), so a web request never waits
//! for SMTP and a rolled-back change sends nothing.
//!
//! Delivery takes each row with one conditional UPDATE (`… WHERE id = ? AND (waiting and due,
//! or taken by a runner whose lease ended)`), whose affected-row count decides, so two
//! instances delivering at once send each row once. A failed try goes back to waiting with a
//! growing delay (`BACKOFF`); after `MAX_ATTEMPTS` the row is `failed` and shows to the
//! organization's administrators with the error. A crash between the SMTP server accepting a
//! mail and the row being marked sent means the row is taken again when its lease ends and
//! sent a second time: the at-least-once window is that moment, never more than one repeat per
//! lease.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::*;
use crate::db::{new_id, now, DbConn};
use crate::schema::mail_outbox as mo;

/// Written where a link's site address belongs; the delivery job puts `BASE_URL` there, so
/// the services that queue mails need not know it.
pub const BASE: &str = "%BASE_URL%";

/// Delays before the 2nd, 3rd, 4th and 5th tries.
pub const BACKOFF: [i64; 4] = [60, 5 * 60, 30 * 60, 2 * 3600];
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a runner holds a row it is sending before another may take it over.
pub const LEASE_SECONDS: i64 = 300;
/// Rows taken per query, and at most per run.
const BATCH: i64 = 50;
const MAX_PER_RUN: usize = 2_000;

/// A mail to queue.
pub struct Mail<'a> {
    pub org_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    /// The scenario or account mail it is (`account.reset`, `claim.rejected`, …).
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Queues a mail (inside the caller's transaction when it has one).
pub fn enqueue(conn: &mut DbConn, m: Mail<'_>) -> QueryResult<String> {
    let t = now();
    let id = new_id();
    diesel::insert_into(mo::table)
        .values(OutboxMail {
            id: id.clone(),
            organization_id: m.org_id.map(str::to_string),
            user_id: m.user_id.map(str::to_string),
            kind: m.kind.to_string(),
            to_address: m.to.to_string(),
            subject: m.subject.chars().take(250).collect(),
            body_text: m.text,
            body_html: m.html,
            status: PENDING.into(),
            attempts: 0,
            next_attempt_at: t,
            locked_by: None,
            locked_until: None,
            last_error: None,
            created_at: t,
            sent_at: None,
        })
        .execute(conn)?;
    Ok(id)
}

/// Queues an account mail (invitation, password reset, address confirmation, …) in the
/// sender's words (`labels`): a greeting to `name` (none when empty), the lines and the link.
/// Not a notification, so no choices apply.
#[allow(clippy::too_many_arguments)]
pub fn account(
    conn: &mut DbConn,
    labels: &crate::labels::Labels,
    org_id: Option<&str>,
    kind: &str,
    to: &str,
    name: &str,
    subject: &str,
    lines: &[String],
    link: &str,
) -> QueryResult<String> {
    let r = super::render::simple(labels, name, subject, lines, Some(link), false);
    enqueue(
        conn,
        Mail {
            org_id,
            user_id: None,
            kind,
            to,
            subject: r.subject,
            text: r.text,
            html: Some(r.html),
        },
    )
}

/// What one delivery run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

type Condition = Box<
    dyn BoxableExpression<
        mo::table,
        crate::db::DbConnBackend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
>;

/// Waiting and due, or taken by a runner whose lease has ended.
fn takeable(t: NaiveDateTime) -> Condition {
    Box::new(
        mo::status
            .eq(PENDING)
            .and(mo::next_attempt_at.le(t))
            .or(mo::status.eq(SENDING).and(mo::locked_until.lt(t))),
    )
}

/// Takes one row for `instance` if it is still due: the conditional update decides.
pub fn take(conn: &mut DbConn, id: &str, instance: &str, t: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(mo::table.filter(mo::id.eq(id)).filter(takeable(t)))
        .set((
            mo::status.eq(SENDING),
            mo::locked_by.eq(instance),
            mo::locked_until.eq(t + chrono::Duration::seconds(LEASE_SECONDS)),
            mo::attempts.eq(mo::attempts + 1),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Sends the due rows, each once across instances. `t` is the time it runs at (tests move it).
pub fn deliver_due(
    conn: &mut DbConn,
    mailer: &crate::mail::Mailer,
    base_url: &str,
    instance: &str,
    t: NaiveDateTime,
) -> QueryResult<Delivered> {
    let mut out = Delivered::default();
    let mut seen = std::collections::HashSet::new();
    loop {
        let ids: Vec<String> = mo::table
            .filter(takeable(t))
            .order((mo::next_attempt_at.asc(), mo::id.asc()))
            .select(mo::id)
            .limit(BATCH)
            .load(conn)?;
        let fresh: Vec<String> = ids.into_iter().filter(|i| seen.insert(i.clone())).collect();
        if fresh.is_empty() || seen.len() > MAX_PER_RUN {
            return Ok(out);
        }
        for id in fresh {
            if !take(conn, &id, instance, t)? {
                continue;
            }
            let m: OutboxMail = mo::table
                .find(&id)
                .select(OutboxMail::as_select())
                .first(conn)?;
            let text = m.body_text.replace(BASE, base_url);
            let html = m.body_html.as_ref().map(|h| h.replace(BASE, base_url));
            match mailer.send(&m.to_address, &m.subject, text, html) {
                Ok(()) => {
                    diesel::update(
                        mo::table
                            .filter(mo::id.eq(&id))
                            .filter(mo::locked_by.eq(instance)),
                    )
                    .set((
                        mo::status.eq(SENT),
                        mo::sent_at.eq(Some(now())),
                        mo::locked_by.eq(None::<String>),
                        mo::locked_until.eq(None::<NaiveDateTime>),
                        mo::last_error.eq(None::<String>),
                    ))
                    .execute(conn)?;
                    out.sent += 1;
                }
                Err(e) => {
                    let error: String = e.to_string().chars().take(500).collect();
                    log::warn!("mail {id} (try {}) not sent: {error}", m.attempts);
                    let give_up = m.attempts >= MAX_ATTEMPTS;
                    let delay = BACKOFF
                        .get((m.attempts.max(1) - 1) as usize)
                        .copied()
                        .unwrap_or(BACKOFF[BACKOFF.len() - 1]);
                    diesel::update(
                        mo::table
                            .filter(mo::id.eq(&id))
                            .filter(mo::locked_by.eq(instance)),
                    )
                    .set((
                        mo::status.eq(if give_up { FAILED } else { PENDING }),
                        mo::next_attempt_at.eq(t + chrono::Duration::seconds(delay)),
                        mo::locked_by.eq(None::<String>),
                        mo::locked_until.eq(None::<NaiveDateTime>),
                        mo::last_error.eq(Some(error)),
                    ))
                    .execute(conn)?;
                    if give_up {
                        out.failed += 1;
                    } else {
                        out.retried += 1;
                    }
                }
            }
        }
    }
}

/// The mails that were given up, for an organization's administrators (`None`: the global
/// administrator, for account mails sent outside any organization), newest first.
pub fn failed(conn: &mut DbConn, org: Option<&str>) -> QueryResult<Vec<OutboxMail>> {
    let q = mo::table
        .filter(mo::status.eq(FAILED))
        .order((mo::created_at.desc(), mo::id.desc()))
        .select(OutboxMail::as_select())
        .limit(100);
    match org {
        Some(o) => q.filter(mo::organization_id.eq(o)).load(conn),
        None => q.filter(mo::organization_id.is_null()).load(conn),
    }
}

/// Puts a failed mail back in the queue with its tries reset; false when it is not one of
/// the organization's failed mails.
pub fn retry(conn: &mut DbConn, org: Option<&str>, id: &str) -> QueryResult<bool> {
    let target = mo::table
        .filter(mo::id.eq(id))
        .filter(mo::status.eq(FAILED));
    let set = (
        mo::status.eq(PENDING),
        mo::attempts.eq(0),
        mo::next_attempt_at.eq(now()),
    );
    let n = match org {
        Some(o) => diesel::update(target.filter(mo::organization_id.eq(o)))
            .set(set)
            .execute(conn)?,
        None => diesel::update(target.filter(mo::organization_id.is_null()))
            .set(set)
            .execute(conn)?,
    };
    Ok(n == 1)
}
