//! Expense types, mileage rates and the organization's claim settings (organization
//! administrator). Types are deactivated, never deleted; rates are effective-dated rows, and the
//! rate in force on a trip's date is the one with the latest `effective_from` not after it.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::expenses::audit_event;
use crate::expenses::model::*;
use crate::expenses::money;
use crate::schema::{
    expense_settings as es, expense_type_exclusions as ex, expense_types as et, mileage_rates as mr,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

// ---------------------------------------------------------------- expense types

/// Every type of the organization, active first.
pub fn all_types(conn: &mut DbConn, org: &str) -> QueryResult<Vec<ExpenseType>> {
    et::table
        .filter(et::organization_id.eq(org))
        .order((
            et::is_active.desc(),
            et::sort_order.asc(),
            et::name_key.asc(),
        ))
        .select(ExpenseType::as_select())
        .load(conn)
}

pub fn active_types(conn: &mut DbConn, org: &str) -> QueryResult<Vec<ExpenseType>> {
    Ok(all_types(conn, org)?
        .into_iter()
        .filter(|t| t.is_active)
        .collect())
}

/// The list page's types (organization administrator only).
pub fn admin_types(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<ExpenseType>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(all_types(conn, actor.org()?)?)
}

pub fn expense_type(conn: &mut DbConn, org: &str, id: &str) -> AppResult<ExpenseType> {
    et::table
        .find(id)
        .filter(et::organization_id.eq(org))
        .select(ExpenseType::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The pairs of types that may not be claimed on the same day, as (a, b).
pub fn exclusions(conn: &mut DbConn, org: &str) -> QueryResult<Vec<(String, String)>> {
    ex::table
        .filter(ex::organization_id.eq(org))
        .select((ex::type_a, ex::type_b))
        .load(conn)
}

/// The types a type excludes.
pub fn excluded_by(pairs: &[(String, String)], id: &str) -> Vec<String> {
    pairs
        .iter()
        .filter_map(|(a, b)| {
            if a == id {
                Some(b.clone())
            } else if b == id {
                Some(a.clone())
            } else {
                None
            }
        })
        .collect()
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct TypeForm {
    pub name: String,
    pub kind: String,
    pub receipt_above: String,
    pub max_line: String,
    pub max_claim: String,
    /// Repeated `excludes` fields (checkboxes), gathered by `crate::expenses::split_list`.
    #[serde(skip)]
    pub excludes: Vec<String>,
    pub is_active: Option<String>,
    pub sort_order: String,
}

impl TypeForm {
    pub fn from(t: &ExpenseType, excludes: Vec<String>) -> TypeForm {
        let amount = |o: Option<i64>| o.map(money::field).unwrap_or_default();
        TypeForm {
            name: t.name.clone(),
            kind: t.kind.clone(),
            receipt_above: amount(t.receipt_required_above_ore),
            max_line: amount(t.max_line_ore),
            max_claim: amount(t.max_claim_ore),
            excludes,
            is_active: t.is_active.then(|| "on".to_string()),
            sort_order: t.sort_order.to_string(),
        }
    }
    pub fn excludes_type(&self, id: &str) -> bool {
        self.excludes.iter().any(|e| e == id)
    }
}

/// An optional amount field: empty is none; anything else must parse.
fn optional_amount(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<i64> {
    if raw.trim().is_empty() {
        return None;
    }
    let parsed = money::parse_kroner(raw, money::MAX_LINE_ORE * 100);
    if parsed.is_none() {
        errors.add(field, "expense.err_amount");
    }
    parsed
}

/// Creates or updates an expense type with the types it excludes.
pub fn save_type(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &TypeForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    if let Some(id) = id {
        expense_type(conn, &org, id)?;
    }
    let mut errors = FieldErrors::new();
    let name = forms::fold_whitespace(&f.name);
    let name_key = forms::search_key(&name);
    if name.is_empty() {
        errors.add("name", "err.required");
    } else if name.chars().count() > 80 {
        errors.add("name", "err.too_long");
    }
    if !KINDS.contains(&f.kind.as_str()) {
        errors.add("kind", "err.choice");
    }
    let receipt_above = optional_amount(&mut errors, "receipt_above", &f.receipt_above);
    let max_line = optional_amount(&mut errors, "max_line", &f.max_line);
    let max_claim = optional_amount(&mut errors, "max_claim", &f.max_claim);
    let sort_order = match f.sort_order.trim() {
        "" => 0,
        s => s
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=1000).contains(n))
            .unwrap_or_else(|| {
                errors.add("sort_order", "expense.err_number");
                0
            }),
    };
    let others: Vec<String> = all_types(conn, &org)?
        .into_iter()
        .map(|t| t.id)
        .filter(|t| Some(t.as_str()) != id)
        .collect();
    let mut excludes: Vec<String> = Vec::new();
    for e in &f.excludes {
        if !others.contains(e) {
            errors.add("excludes", "err.choice");
        } else if !excludes.contains(e) {
            excludes.push(e.clone());
        }
    }
    if !name.is_empty() {
        let mut dup = et::table
            .filter(et::organization_id.eq(&org))
            .filter(et::name_key.eq(&name_key))
            .into_boxed();
        if let Some(id) = id {
            dup = dup.filter(et::id.ne(id.to_string()));
        }
        if dup.count().get_result::<i64>(conn)? > 0 {
            errors.add("name", "err.name_taken");
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let t = now();
    let row = ExpenseType {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        organization_id: org.clone(),
        name,
        name_key,
        kind: f.kind.clone(),
        receipt_required_above_ore: receipt_above,
        max_line_ore: max_line,
        max_claim_ore: max_claim,
        is_active: id.is_none() || f.is_active.is_some(),
        sort_order,
        created_at: t,
        updated_at: t,
    };
    crate::db::tx(conn, |tx| {
        if id.is_some() {
            diesel::update(et::table.find(&row.id))
                .set((
                    et::name.eq(&row.name),
                    et::name_key.eq(&row.name_key),
                    et::kind.eq(&row.kind),
                    et::receipt_required_above_ore.eq(row.receipt_required_above_ore),
                    et::max_line_ore.eq(row.max_line_ore),
                    et::max_claim_ore.eq(row.max_claim_ore),
                    et::is_active.eq(row.is_active),
                    et::sort_order.eq(row.sort_order),
                    et::updated_at.eq(t),
                ))
                .execute(tx.conn)?;
        } else {
            diesel::insert_into(et::table)
                .values(&row)
                .execute(tx.conn)?;
        }
        // The pairs are configuration, not history: replaced as a whole.
        diesel::delete(ex::table.filter(ex::type_a.eq(&row.id).or(ex::type_b.eq(&row.id))))
            .execute(tx.conn)?;
        for other in &excludes {
            let (a, b) = if row.id < *other {
                (row.id.clone(), other.clone())
            } else {
                (other.clone(), row.id.clone())
            };
            diesel::insert_into(ex::table)
                .values(&Exclusion {
                    id: new_id(),
                    organization_id: org.clone(),
                    type_a: a,
                    type_b: b,
                    created_at: t,
                })
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                if id.is_some() {
                    "expense_type.updated"
                } else {
                    "expense_type.created"
                },
                "expense_type",
                &row.id,
                serde_json::json!({
                    "name": row.name, "kind": row.kind, "active": row.is_active,
                    "receipt_above": row.receipt_required_above_ore,
                    "max_line": row.max_line_ore, "max_claim": row.max_claim_ore,
                    "excludes": excludes,
                }),
            ),
        )?;
        Ok(Ok(row.id.clone()))
    })
}

// ---------------------------------------------------------------- mileage rates

pub fn rates(conn: &mut DbConn, org: &str) -> QueryResult<Vec<MileageRate>> {
    mr::table
        .filter(mr::organization_id.eq(org))
        .order(mr::effective_from.desc())
        .select(MileageRate::as_select())
        .load(conn)
}

pub fn admin_rates(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<MileageRate>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(rates(conn, actor.org()?)?)
}

/// The rate in force on `day`: the latest that took effect on or before it.
pub fn rate_on(conn: &mut DbConn, org: &str, day: NaiveDate) -> QueryResult<Option<MileageRate>> {
    mr::table
        .filter(mr::organization_id.eq(org))
        .filter(mr::effective_from.le(day))
        .order(mr::effective_from.desc())
        .select(MileageRate::as_select())
        .first(conn)
        .optional()
}

/// Rates are valid for the year they take effect in and later years up to the next row; a
/// trip in a year that no row covers yet is refused (naming the year) rather than paid at an
/// older year's rate. A rate covers `day` when it took effect in the same year.
pub fn rate_for_trip(
    conn: &mut DbConn,
    org: &str,
    day: NaiveDate,
) -> QueryResult<Option<MileageRate>> {
    Ok(rate_on(conn, org, day)?.filter(|r| r.effective_from.year() == day.year()))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RateForm {
    pub effective_from: String,
    pub rate: String,
    pub tax_free: String,
    pub passenger: String,
    pub forest_road: String,
    pub trailer: String,
}

fn rate_field(errors: &mut FieldErrors, field: &'static str, raw: &str) -> i32 {
    match money::parse_kroner(raw, 10_000) {
        Some(o) => o as i32,
        None => {
            errors.add(field, "expense.err_rate");
            0
        }
    }
}

/// Adds a rate, or replaces the one taking effect on the same date.
pub fn save_rate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &RateForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let from = NaiveDate::parse_from_str(f.effective_from.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()));
    if from.is_none() {
        errors.add("effective_from", "expense.err_date");
    }
    let rate = rate_field(&mut errors, "rate", &f.rate);
    let tax_free = rate_field(&mut errors, "tax_free", &f.tax_free);
    let passenger = rate_field(&mut errors, "passenger", &f.passenger);
    let forest_road = rate_field(&mut errors, "forest_road", &f.forest_road);
    let trailer = rate_field(&mut errors, "trailer", &f.trailer);
    let Some(from) = from.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let row = MileageRate {
        id: new_id(),
        organization_id: org.clone(),
        effective_from: from,
        rate_ore: rate,
        tax_free_ore: tax_free,
        passenger_ore: passenger,
        forest_road_ore: forest_road,
        trailer_ore: trailer,
        created_by: Some(actor.user_id.clone()),
        created_at: now(),
    };
    crate::db::tx(conn, |tx| {
        // Lines already entered keep the rate row they were computed with.
        let existing: Option<String> = mr::table
            .filter(mr::organization_id.eq(&org))
            .filter(mr::effective_from.eq(from))
            .select(mr::id)
            .first(tx.conn)
            .optional()?;
        match &existing {
            Some(id) => {
                diesel::update(mr::table.find(id))
                    .set((
                        mr::rate_ore.eq(rate),
                        mr::tax_free_ore.eq(tax_free),
                        mr::passenger_ore.eq(passenger),
                        mr::forest_road_ore.eq(forest_road),
                        mr::trailer_ore.eq(trailer),
                    ))
                    .execute(tx.conn)?;
            }
            None => {
                diesel::insert_into(mr::table)
                    .values(&row)
                    .execute(tx.conn)?;
            }
        }
        let target = existing.clone().unwrap_or_else(|| row.id.clone());
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "mileage_rate.saved",
                "mileage_rate",
                &target,
                serde_json::json!({
                    "from": from.to_string(), "rate": rate, "tax_free": tax_free,
                    "passenger": passenger, "forest_road": forest_road, "trailer": trailer,
                }),
            ),
        )?;
        Ok(Ok(()))
    })
}

// ---------------------------------------------------------------- settings

pub fn settings(conn: &mut DbConn, org: &str) -> QueryResult<ExpenseSettings> {
    Ok(es::table
        .find(org)
        .select(ExpenseSettings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| ExpenseSettings::defaults(org)))
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsForm {
    pub auto_approve_max: String,
    pub spot_check_percent: String,
}

impl SettingsForm {
    pub fn from(s: &ExpenseSettings) -> SettingsForm {
        SettingsForm {
            auto_approve_max: money::field(s.auto_approve_max_ore),
            spot_check_percent: s.spot_check_percent.to_string(),
        }
    }
}

pub fn admin_settings(conn: &mut DbConn, actor: &Actor) -> AppResult<ExpenseSettings> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(settings(conn, actor.org()?)?)
}

pub fn save_settings(
    conn: &mut DbConn,
    actor: &Actor,
    f: &SettingsForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let max = money::parse_kroner(&f.auto_approve_max, money::MAX_LINE_ORE);
    if max.is_none() {
        errors.add("auto_approve_max", "expense.err_amount");
    }
    let share = f
        .spot_check_percent
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|p| (0..=100).contains(p));
    if share.is_none() {
        errors.add("spot_check_percent", "expense.err_percent");
    }
    let (Some(max), Some(share)) = (max, share) else {
        return Ok(Err(errors));
    };
    crate::db::tx(conn, |tx| {
        let row = ExpenseSettings {
            organization_id: org.clone(),
            auto_approve_max_ore: max,
            spot_check_percent: share,
            updated_by: Some(actor.user_id.clone()),
            updated_at: now(),
        };
        let n = diesel::update(es::table.find(&org))
            .set((
                es::auto_approve_max_ore.eq(max),
                es::spot_check_percent.eq(share),
                es::updated_by.eq(&row.updated_by),
                es::updated_at.eq(row.updated_at),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(es::table)
                .values(&row)
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "expense_settings.saved",
                "organization",
                &org,
                serde_json::json!({ "auto_approve_max": max, "spot_check_percent": share }),
            ),
        )?;
        Ok(Ok(()))
    })
}
