//! The export to accounting and payment (organization administrator). An export takes every
//! approved claim of the organization that no export holds yet (spot checks still open wait),
//! marks them with its id in one conditional UPDATE, so no claim is ever exported twice, even
//! by two exports at once; its file (CSV or XLSX, one row per line) can be fetched again; then
//! all its claims are marked paid in one action. Exports, downloads and payments are audited.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::expenses::audit_event;
use crate::expenses::model::*;
use crate::schema::{
    expense_types as et, expenses as ex, local_associations as la, reimbursement_exports as rx,
    reimbursements as rb, users,
};
use crate::web::{AppError, AppResult};

/// The approved claims waiting for an export: (count, total øre).
pub fn waiting(conn: &mut DbConn, actor: &Actor) -> AppResult<(i64, i64)> {
    actor.require(&[Role::OrgAdmin])?;
    let (count, total): (i64, Option<i64>) = exportable(actor.org()?)
        .select((
            diesel::dsl::count_star(),
            crate::expenses::sum_bigint("total_ore"),
        ))
        .first(conn)?;
    Ok((count, total.unwrap_or(0)))
}

fn exportable(org: &str) -> rb::BoxedQuery<'static, crate::db::DbConnBackend> {
    rb::table
        .filter(rb::organization_id.eq(org.to_string()))
        .filter(rb::status.eq("approved"))
        .filter(rb::export_id.is_null())
        .filter(rb::spot_check.ne("pending"))
        .into_boxed()
}

pub fn exports(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Export>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(rx::table
        .filter(rx::organization_id.eq(actor.org()?))
        .order(rx::created_at.desc())
        .limit(50)
        .select(Export::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Export> {
    actor.require(&[Role::OrgAdmin])?;
    rx::table
        .find(id)
        .filter(rx::organization_id.eq(actor.org()?))
        .select(Export::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Makes an export of the claims waiting for one; `None` when there are none.
pub fn create(conn: &mut DbConn, actor: &Actor) -> AppResult<Option<String>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let id = new_id();
        let t = now();
        diesel::insert_into(rx::table)
            .values(&Export {
                id: id.clone(),
                organization_id: org.clone(),
                claim_count: 0,
                total_ore: 0,
                created_by: actor.user_id.clone(),
                created_at: t,
                paid_at: None,
                paid_by: None,
            })
            .execute(tx.conn)?;
        let n = diesel::update(
            rb::table
                .filter(rb::organization_id.eq(&org))
                .filter(rb::status.eq("approved"))
                .filter(rb::export_id.is_null())
                .filter(rb::spot_check.ne("pending")),
        )
        .set((rb::export_id.eq(Some(&id)), rb::updated_at.eq(t)))
        .execute(tx.conn)?;
        if n == 0 {
            diesel::delete(rx::table.find(&id)).execute(tx.conn)?;
            return Ok(None);
        }
        let totals: Vec<i64> = rb::table
            .filter(rb::export_id.eq(&id))
            .select(rb::total_ore)
            .load(tx.conn)?;
        let total: i64 = totals.iter().sum();
        diesel::update(rx::table.find(&id))
            .set((
                rx::claim_count.eq(totals.len() as i32),
                rx::total_ore.eq(total),
            ))
            .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "reimbursement.exported",
                "reimbursement_export",
                &id,
                serde_json::json!({ "claims": totals.len(), "total": total }),
            ),
        )?;
        Ok(Some(id))
    })
}

/// One line of an export file.
#[derive(Clone, Debug)]
pub struct ExportLine {
    pub claim_id: String,
    pub mentor: String,
    pub email: String,
    pub association: String,
    pub short_code: Option<String>,
    pub spent_on: NaiveDate,
    pub type_name: String,
    pub purpose: Option<String>,
    pub from_place: Option<String>,
    pub to_place: Option<String>,
    pub km_tenths: Option<i32>,
    pub amount_ore: i64,
    pub tax_free_ore: i64,
    pub taxable_ore: i64,
}

/// The lines of an export, by mentor and date; the download is audited.
pub fn lines(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    format: &str,
) -> AppResult<(Export, Vec<ExportLine>)> {
    let x = find(conn, actor, id)?;
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        NaiveDate,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i32>,
        (i64, i64, i64),
    );
    let rows: Vec<Row> = ex::table
        .inner_join(rb::table.on(rb::id.nullable().eq(ex::reimbursement_id)))
        .inner_join(users::table.on(users::id.eq(ex::user_id)))
        .inner_join(la::table.on(la::id.eq(ex::local_association_id)))
        .inner_join(et::table.on(et::id.eq(ex::expense_type_id)))
        .filter(rb::export_id.eq(&x.id))
        .order((
            users::name.asc(),
            rb::id.asc(),
            ex::spent_on.asc(),
            ex::id.asc(),
        ))
        .select((
            rb::id,
            users::name,
            users::email,
            la::name,
            la::short_code,
            ex::spent_on,
            et::name,
            ex::purpose,
            ex::from_place,
            ex::to_place,
            ex::km_tenths,
            (ex::amount_ore, ex::tax_free_ore, ex::taxable_ore),
        ))
        .load(conn)?;
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            audit_event(
                actor,
                &x.organization_id,
                "reimbursement.export_downloaded",
                "reimbursement_export",
                &x.id,
                serde_json::json!({ "format": format, "lines": rows.len() }),
            ),
        )
    })?;
    Ok((
        x,
        rows.into_iter()
            .map(|r| ExportLine {
                claim_id: r.0,
                mentor: r.1,
                email: r.2,
                association: r.3,
                short_code: r.4,
                spent_on: r.5,
                type_name: r.6,
                purpose: r.7,
                from_place: r.8,
                to_place: r.9,
                km_tenths: r.10,
                amount_ore: r.11 .0,
                tax_free_ore: r.11 .1,
                taxable_ore: r.11 .2,
            })
            .collect(),
    ))
}

/// Marks every claim of an export paid, once. `false`: it was already paid.
pub fn mark_paid(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<bool> {
    let x = find(conn, actor, id)?;
    crate::db::tx(conn, |tx| {
        let t = now();
        let n = diesel::update(rx::table.find(&x.id).filter(rx::paid_at.is_null()))
            .set((
                rx::paid_at.eq(Some(t)),
                rx::paid_by.eq(Some(&actor.user_id)),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            return Ok(false);
        }
        let claims = diesel::update(
            rb::table
                .filter(rb::export_id.eq(&x.id))
                .filter(rb::status.eq("approved")),
        )
        .set((
            rb::status.eq("paid"),
            rb::paid_at.eq(Some(t)),
            rb::version.eq(rb::version + 1),
            rb::updated_at.eq(t),
        ))
        .execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &x.organization_id,
                "reimbursement.paid",
                "reimbursement_export",
                &x.id,
                serde_json::json!({ "claims": claims, "total": x.total_ore }),
            ),
        )?;
        Ok(true)
    })
}
