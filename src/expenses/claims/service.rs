//! Claims (reimbursements): a peer mentor bundles open lines and submits them; the rules run
//! (`rules`) and the claim is approved automatically, perhaps drawn for a spot check, or waits
//! for a coordinator. Who sees a claim: its mentor, coordinators of its association and the
//! organization's administrators; anything else is 404.

use diesel::prelude::*;
use rand::Rng;

use super::rules::{self, RuleLine};
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::expenses::audit_event;
use crate::expenses::entry::service::{self as entry, Line};
use crate::expenses::model::*;
use crate::expenses::types::service as types;
use crate::schema::{
    expenses as ex, local_associations as la, receipts as rc, reimbursement_approvals as ra,
    reimbursements as rb, users,
};
use crate::web::{AppError, AppResult};

/// Sets a claim's totals and line count from its lines.
pub fn retotal(conn: &mut DbConn, claim: &str) -> QueryResult<()> {
    let rows: Vec<(i64, i64, i64)> = ex::table
        .filter(ex::reimbursement_id.eq(claim))
        .select((ex::amount_ore, ex::tax_free_ore, ex::taxable_ore))
        .load(conn)?;
    let (mut a, mut f, mut t) = (0, 0, 0);
    for (x, y, z) in &rows {
        a += x;
        f += y;
        t += z;
    }
    diesel::update(rb::table.find(claim))
        .set((
            rb::total_ore.eq(a),
            rb::tax_free_ore.eq(f),
            rb::taxable_ore.eq(t),
            rb::line_count.eq(rows.len() as i32),
            rb::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What submitting answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Submitted {
    /// The claims made (one per local association of the lines).
    Claims(Vec<String>),
    /// Nothing chosen, or a line that may not be submitted.
    Refused(&'static str),
}

/// Bundles the chosen open lines of the actor into claims, one per local association, and
/// submits each.
pub fn submit(conn: &mut DbConn, actor: &Actor, ids: &[String]) -> AppResult<Submitted> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    if ids.is_empty() {
        return Ok(Submitted::Refused("expense.err_none_chosen"));
    }
    crate::db::tx(conn, |tx| {
        let rows: Vec<Expense> = ex::table
            .filter(ex::id.eq_any(ids))
            .filter(ex::user_id.eq(&actor.user_id))
            .filter(ex::organization_id.eq(&org))
            .filter(ex::reimbursement_id.is_null())
            .select(Expense::as_select())
            .load(tx.conn)?;
        if rows.len() != ids.len() {
            return Err(AppError::NotFound);
        }
        let lines = entry::lines(tx.conn, rows)?;
        if lines.iter().any(Line::missing_receipt) {
            return Ok(Submitted::Refused("expense.err_receipt_missing"));
        }
        let mut associations: Vec<String> = lines
            .iter()
            .map(|l| l.e.local_association_id.clone())
            .collect();
        associations.sort();
        associations.dedup();
        let mut made = Vec::new();
        for a in associations {
            let t = now();
            let claim = Reimbursement {
                id: new_id(),
                organization_id: org.clone(),
                local_association_id: a.clone(),
                user_id: actor.user_id.clone(),
                status: "draft".into(),
                version: 0,
                total_ore: 0,
                tax_free_ore: 0,
                taxable_ore: 0,
                line_count: 0,
                review_reasons: String::new(),
                spot_check: "none".into(),
                submitted_at: None,
                decided_at: None,
                decided_by: None,
                decision_note: None,
                export_id: None,
                paid_at: None,
                created_at: t,
                updated_at: t,
            };
            diesel::insert_into(rb::table)
                .values(&claim)
                .execute(tx.conn)?;
            let mine: Vec<String> = lines
                .iter()
                .filter(|l| l.e.local_association_id == a)
                .map(|l| l.e.id.clone())
                .collect();
            diesel::update(ex::table.filter(ex::id.eq_any(&mine)))
                .set(ex::reimbursement_id.eq(&claim.id))
                .execute(tx.conn)?;
            retotal(tx.conn, &claim.id)?;
            run_rules(tx, actor, &claim.id)?;
            made.push(claim.id);
        }
        Ok(Submitted::Claims(made))
    })
}

/// Submits again a claim that was sent back (or a draft), after the mentor's corrections.
pub fn resubmit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Result<(), &'static str>> {
    actor.require(&[Role::PeerMentor])?;
    crate::db::tx(conn, |tx| {
        let c = get_own(tx.conn, actor, id)?;
        if !c.editable() {
            return Err(AppError::NotFound);
        }
        let rows: Vec<Expense> = ex::table
            .filter(ex::reimbursement_id.eq(id))
            .select(Expense::as_select())
            .load(tx.conn)?;
        if rows.is_empty() {
            return Ok(Err("expense.err_none_chosen"));
        }
        if entry::lines(tx.conn, rows)?
            .iter()
            .any(Line::missing_receipt)
        {
            return Ok(Err("expense.err_receipt_missing"));
        }
        run_rules(tx, actor, id)?;
        Ok(Ok(()))
    })
}

/// Runs the organization's rules on a claim (draft or returned) and submits it: approved
/// automatically (perhaps drawn for a spot check) or waiting, with the decision row saying
/// which rules passed.
fn run_rules(tx: &mut crate::db::Tx<'_>, actor: &Actor, id: &str) -> AppResult<()> {
    let c: Reimbursement = rb::table
        .find(id)
        .select(Reimbursement::as_select())
        .first(tx.conn)?;
    let rows: Vec<Expense> = ex::table
        .filter(ex::reimbursement_id.eq(id))
        .select(Expense::as_select())
        .load(tx.conn)?;
    let with_receipts: Vec<String> = rc::table
        .filter(rc::expense_id.eq_any(rows.iter().map(|e| e.id.clone()).collect::<Vec<_>>()))
        .select(rc::expense_id)
        .load(tx.conn)?;
    let lines: Vec<RuleLine> = rows
        .iter()
        .map(|e| RuleLine {
            type_id: e.expense_type_id.clone(),
            spent_on: e.spent_on,
            amount_ore: e.amount_ore,
            has_receipt: with_receipts.contains(&e.id),
        })
        .collect();
    let org = c.organization_id.clone();
    let outcome = rules::run(
        &lines,
        &types::all_types(tx.conn, &org)?,
        &types::exclusions(tx.conn, &org)?,
        &types::settings(tx.conn, &org)?,
    );
    let settings = types::settings(tx.conn, &org)?;
    let t = now();
    let automatic = outcome.automatic();
    let spot = automatic
        && rules::drawn(
            settings.spot_check_percent,
            rand::thread_rng().gen_range(0..100),
        );
    let n = diesel::update(
        rb::table
            .find(id)
            .filter(rb::status.eq_any(["draft", "returned"]))
            .filter(rb::version.eq(c.version)),
    )
    .set((
        rb::status.eq(if automatic { "approved" } else { "submitted" }),
        rb::version.eq(c.version + 1),
        rb::review_reasons.eq(outcome.failed().join(" ")),
        rb::spot_check.eq(if spot { "pending" } else { "none" }),
        rb::submitted_at.eq(Some(t)),
        rb::decided_at.eq(automatic.then_some(t)),
        rb::decided_by.eq(None::<String>),
        rb::decision_note.eq(None::<String>),
        rb::updated_at.eq(t),
    ))
    .execute(tx.conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    diesel::insert_into(ra::table)
        .values(&Approval {
            id: new_id(),
            reimbursement_id: id.to_string(),
            organization_id: org.clone(),
            decision: if automatic { "approved" } else { "waiting" }.into(),
            automatic: true,
            decided_by: None,
            reason: None,
            rules: outcome.encode(),
            created_at: t,
        })
        .execute(tx.conn)?;
    audit::append(
        tx,
        audit_event(
            actor,
            &org,
            if automatic {
                "reimbursement.approved_automatically"
            } else {
                "reimbursement.submitted"
            },
            "reimbursement",
            id,
            serde_json::json!({
                "total": c.total_ore, "lines": c.line_count, "rules": outcome.encode(),
                "spot_check": spot,
            }),
        ),
    )?;
    Ok(())
}

// ---------------------------------------------------------------- reading

fn get_own(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Reimbursement> {
    rb::table
        .find(id)
        .filter(rb::user_id.eq(&actor.user_id))
        .filter(rb::organization_id.eq(actor.org()?))
        .select(Reimbursement::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A claim the actor may see: their own as peer mentor, one of their associations as
/// coordinator, any of the organization's as its administrator.
pub fn find(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Reimbursement> {
    let c: Reimbursement = rb::table
        .find(id)
        .filter(rb::organization_id.eq(actor.org()?))
        .select(Reimbursement::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let ok = match actor.role() {
        Role::PeerMentor => c.user_id == actor.user_id,
        Role::Coordinator => {
            actor.associations.contains(&c.local_association_id) && c.status != "draft"
        }
        Role::OrgAdmin => c.status != "draft",
        Role::GlobalAdmin | Role::Account => false,
    };
    if ok {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// One decision on a claim, with who made it.
#[derive(Clone, Debug)]
pub struct ApprovalRow {
    pub a: Approval,
    pub by: Option<String>,
}

impl ApprovalRow {
    pub fn rules(&self) -> Vec<(String, bool)> {
        rules::decode(&self.a.rules)
    }
    pub fn decision_key(&self) -> String {
        format!("expense.decision_{}", self.a.decision)
    }
}

/// A claim's page: the claim, its lines with receipts, its decisions, names.
#[derive(Clone, Debug)]
pub struct ClaimView {
    pub c: Reimbursement,
    pub mentor: String,
    pub association: String,
    pub decided_by: Option<String>,
    pub lines: Vec<Line>,
    pub approvals: Vec<ApprovalRow>,
    /// The actor may decide it now (coordinator or administrator, not their own, waiting).
    pub can_decide: bool,
    /// It is the actor's own claim and they act as coordinator or administrator.
    pub own: bool,
    /// It is the actor's own claim and they act as peer mentor (they may correct and resubmit).
    pub mine: bool,
}

pub fn view(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ClaimView> {
    let c = find(conn, actor, id)?;
    let rows: Vec<Expense> = ex::table
        .filter(ex::reimbursement_id.eq(id))
        .select(Expense::as_select())
        .load(conn)?;
    let lines = entry::lines(conn, rows)?;
    let approvals: Vec<(Approval, Option<String>)> = ra::table
        .left_join(users::table.on(users::id.nullable().eq(ra::decided_by)))
        .filter(ra::reimbursement_id.eq(id))
        .order((ra::created_at.asc(), ra::id.asc()))
        .select((Approval::as_select(), users::name.nullable()))
        .load(conn)?;
    let mentor = entry::user_name(conn, &c.user_id)?;
    let association = la::table
        .find(&c.local_association_id)
        .select(la::name)
        .first(conn)?;
    let decided_by = match &c.decided_by {
        Some(u) => Some(entry::user_name(conn, u)?),
        None => None,
    };
    let decider = matches!(actor.role(), Role::Coordinator | Role::OrgAdmin);
    let own = decider && c.user_id == actor.user_id;
    let waiting = c.status == "submitted"
        || (c.status == "approved" && c.spot_check == "pending" && c.export_id.is_none());
    Ok(ClaimView {
        can_decide: decider && !own && waiting,
        own,
        mine: actor.role() == Role::PeerMentor && c.user_id == actor.user_id,
        mentor,
        association,
        decided_by,
        lines,
        approvals: approvals
            .into_iter()
            .map(|(a, by)| ApprovalRow { a, by })
            .collect(),
        c,
    })
}

/// The actor's claims, newest first (a mentor's list is short; the latest 100).
pub fn mine(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Reimbursement>> {
    actor.require(&[Role::PeerMentor])?;
    Ok(rb::table
        .filter(rb::user_id.eq(&actor.user_id))
        .filter(rb::organization_id.eq(actor.org()?))
        .order((rb::created_at.desc(), rb::id.desc()))
        .limit(100)
        .select(Reimbursement::as_select())
        .load(conn)?)
}
