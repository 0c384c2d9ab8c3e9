//! Versions of the Bufdir report: a draft is recomputed whenever it is shown; finalizing stores
//! the figures as a JSON snapshot (final), submitting marks the final version sent (submitted);
//! neither changes after that, whatever happens to the activities. A new version starts from a
//! submitted one (a draft again, numbered on). Finalizing and submitting are audit-logged, each
//! one conditional update, so two people pressing the button at once give one decision.

use diesel::prelude::*;

use super::compute::{self, Figures, Scope};
use crate::access::{Actor, Role};
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::reports::model::BufdirReport;
use crate::schema::{bufdir_reports as br, users};
use crate::web::{AppError, AppResult};

pub const DRAFT: &str = "draft";
pub const FINAL: &str = "final";
pub const SUBMITTED: &str = "submitted";

/// The years a report can be made for: this one and the five before it.
pub fn valid_year(year: i32) -> AppResult<i32> {
    let this = chrono::Datelike::year(&crate::activities::service::today());
    if (this - 5..=this).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::NotFound)
    }
}

/// The versions of a year, newest first.
pub fn versions(conn: &mut DbConn, org: &str, year: i32) -> QueryResult<Vec<BufdirReport>> {
    br::table
        .filter(br::organization_id.eq(org))
        .filter(br::year.eq(year))
        .order(br::version.desc())
        .select(BufdirReport::as_select())
        .load(conn)
}

/// A version to show: its row (none: the first draft, not yet saved) and its figures.
pub struct Shown {
    pub report: Option<BufdirReport>,
    pub version: i32,
    pub status: String,
    pub figures: Figures,
    pub finalized_by: Option<String>,
    pub submitted_by: Option<String>,
}

impl Shown {
    pub fn is_draft(&self) -> bool {
        self.status == DRAFT
    }
    pub fn status_key(&self) -> String {
        format!("report.status_{}", self.status)
    }
}

/// The scope of the actor: an org admin's report is the organization's; a coordinator sees the
/// draft figures of their associations only.
pub fn scope_of(actor: &Actor) -> Scope {
    if actor.sees_whole_org() {
        Scope::Org
    } else {
        Scope::Associations(actor.associations.clone())
    }
}

fn name_of(conn: &mut DbConn, id: &Option<String>) -> QueryResult<Option<String>> {
    match id {
        Some(id) => users::table
            .find(id)
            .select(users::name)
            .first(conn)
            .optional(),
        None => Ok(None),
    }
}

/// The version to show before its figures: a final or submitted version's snapshot, or
/// `None` for a draft, whose figures are computed (`show`, or once for everyone asking at once
/// through `bufdir::run`).
pub struct Picked {
    pub org: String,
    pub year: i32,
    pub scope: Scope,
    pub report: Option<BufdirReport>,
    pub version: i32,
    pub status: String,
    pub snapshot: Option<Figures>,
    pub finalized_by: Option<String>,
    pub submitted_by: Option<String>,
}

impl Picked {
    pub fn with(self, figures: Figures) -> Shown {
        Shown {
            report: self.report,
            version: self.version,
            status: self.status,
            figures,
            finalized_by: self.finalized_by,
            submitted_by: self.submitted_by,
        }
    }
}

/// The version `version` (the newest when none) of the actor's organization's report for
/// `year`. A coordinator always sees the live draft of their associations.
pub fn pick(
    conn: &mut DbConn,
    actor: &Actor,
    year: i32,
    version: Option<i32>,
) -> AppResult<Picked> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let year = valid_year(year)?;
    let scope = scope_of(actor);
    if !actor.sees_whole_org() {
        return Ok(Picked {
            org,
            year,
            scope,
            report: None,
            version: 0,
            status: DRAFT.into(),
            snapshot: None,
            finalized_by: None,
            submitted_by: None,
        });
    }
    let all = versions(conn, &org, year)?;
    let row = match version {
        Some(v) => Some(
            all.into_iter()
                .find(|r| r.version == v)
                .ok_or(AppError::NotFound)?,
        ),
        None => all.into_iter().next(),
    };
    let (snapshot, status, number) = match &row {
        Some(r) if r.status != DRAFT => {
            let snap = r.snapshot.as_deref().unwrap_or("");
            let figures: Figures = serde_json::from_str(snap)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("snapshot: {e}")))?;
            (Some(figures), r.status.clone(), r.version)
        }
        Some(r) => (None, r.status.clone(), r.version),
        None => (None, DRAFT.into(), 1),
    };
    let finalized_by = name_of(conn, &row.as_ref().and_then(|r| r.finalized_by.clone()))?;
    let submitted_by = name_of(conn, &row.as_ref().and_then(|r| r.submitted_by.clone()))?;
    Ok(Picked {
        org,
        year,
        scope,
        report: row,
        version: number,
        status,
        snapshot,
        finalized_by,
        submitted_by,
    })
}

/// The version with its figures: a draft's computed now.
pub fn show(conn: &mut DbConn, actor: &Actor, year: i32, version: Option<i32>) -> AppResult<Shown> {
    let mut p = pick(conn, actor, year, version)?;
    let figures = match p.snapshot.take() {
        Some(f) => f,
        None => compute::compute(conn, &p.org, p.year, &p.scope)?,
    };
    Ok(p.with(figures))
}

/// What a lifecycle step did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Done(i32),
    /// The version was no longer in the state the step needs (someone else was first).
    Stale,
}

fn log(
    tx: &mut crate::db::Tx<'_>,
    actor: &Actor,
    org: &str,
    action: &str,
    r: &BufdirReport,
) -> QueryResult<()> {
    audit::append(
        tx,
        Event {
            organization_id: Some(org),
            actor_user_id: Some(&actor.user_id),
            action,
            target_type: Some("bufdir_report"),
            target_id: Some(&r.id),
            detail: Some(serde_json::json!({"year": r.year, "version": r.version})),
            ip: actor.ip.as_deref(),
        },
    )
}

/// Finalizes the newest version when it is a draft (or the first, never saved): its figures are
/// computed now and stored.
pub fn finalize(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Step> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let year = valid_year(year)?;
    let figures = compute::compute(conn, &org, year, &Scope::Org)?;
    let snapshot = serde_json::to_string(&figures)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("snapshot: {e}")))?;
    crate::db::tx(conn, |tx| {
        let newest = versions(tx.conn, &org, year)?.into_iter().next();
        let t = now();
        let row = match newest {
            None => {
                let r = BufdirReport {
                    id: new_id(),
                    organization_id: org.clone(),
                    year,
                    version: 1,
                    status: FINAL.into(),
                    snapshot: Some(snapshot.clone()),
                    previous_id: None,
                    created_by: actor.user_id.clone(),
                    created_at: t,
                    finalized_by: Some(actor.user_id.clone()),
                    finalized_at: Some(t),
                    submitted_by: None,
                    submitted_at: None,
                    updated_at: t,
                };
                diesel::insert_into(br::table).values(&r).execute(tx.conn)?;
                r
            }
            Some(r) if r.status == DRAFT => {
                let n = diesel::update(br::table.find(&r.id).filter(br::status.eq(DRAFT)))
                    .set((
                        br::status.eq(FINAL),
                        br::snapshot.eq(Some(snapshot.clone())),
                        br::finalized_by.eq(Some(actor.user_id.clone())),
                        br::finalized_at.eq(Some(t)),
                        br::updated_at.eq(t),
                    ))
                    .execute(tx.conn)?;
                if n == 0 {
                    return Ok(Step::Stale);
                }
                r
            }
            Some(_) => return Ok(Step::Stale),
        };
        log(tx, actor, &org, "bufdir_report.finalize", &row)?;
        Ok(Step::Done(row.version))
    })
}

/// Marks the newest version submitted when it is final.
pub fn submit(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Step> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let year = valid_year(year)?;
    crate::db::tx(conn, |tx| {
        let Some(r) = versions(tx.conn, &org, year)?.into_iter().next() else {
            return Ok(Step::Stale);
        };
        let t = now();
        let n = diesel::update(br::table.find(&r.id).filter(br::status.eq(FINAL)))
            .set((
                br::status.eq(SUBMITTED),
                br::submitted_by.eq(Some(actor.user_id.clone())),
                br::submitted_at.eq(Some(t)),
                br::updated_at.eq(t),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            return Ok(Step::Stale);
        }
        log(tx, actor, &org, "bufdir_report.submit", &r)?;
        Ok(Step::Done(r.version))
    })
}

/// Starts a new draft version from the newest, when that one was submitted.
pub fn new_version(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Step> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let year = valid_year(year)?;
    let done = crate::db::tx(conn, |tx| {
        let Some(prev) = versions(tx.conn, &org, year)?.into_iter().next() else {
            return Ok(Step::Stale);
        };
        if prev.status != SUBMITTED {
            return Ok(Step::Stale);
        }
        let t = now();
        let r = BufdirReport {
            id: new_id(),
            organization_id: org.clone(),
            year,
            version: prev.version + 1,
            status: DRAFT.into(),
            snapshot: None,
            previous_id: Some(prev.id.clone()),
            created_by: actor.user_id.clone(),
            created_at: t,
            finalized_by: None,
            finalized_at: None,
            submitted_by: None,
            submitted_at: None,
            updated_at: t,
        };
        diesel::insert_into(br::table).values(&r).execute(tx.conn)?;
        log(tx, actor, &org, "bufdir_report.new_version", &r)?;
        Ok(Step::Done(r.version))
    });
    match done {
        // Two at once: the unique (organization, year, version) lets one through.
        Err(AppError::Db(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Ok(Step::Stale),
        other => other,
    }
}

/// Logs an export of the report (who, which version, which format).
pub fn log_export(
    conn: &mut DbConn,
    actor: &Actor,
    year: i32,
    version: i32,
    format: &str,
) -> AppResult<()> {
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "bufdir_report.export",
                target_type: Some("bufdir_report"),
                target_id: None,
                detail: Some(
                    serde_json::json!({"year": year, "version": version, "format": format}),
                ),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<_, AppError>(())
    })
}
