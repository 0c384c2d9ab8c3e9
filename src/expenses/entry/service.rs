//! Expense lines and their receipts. A peer mentor enters their own lines, alone or from one of
//! their activities whose type may carry expenses; a line can be changed while it is open (in no
//! claim) or in a claim of theirs that is a draft or was sent back. Mileage is computed from the
//! rate in force on the trip's date (`types::service::rate_for_trip`); other types carry an
//! amount and receipts.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::activities::service::{is_open, today};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::documents::service::Stored;
use crate::expenses::audit_event;
use crate::expenses::model::*;
use crate::expenses::money::{self, Split, Trip};
use crate::expenses::types::service as types;
use crate::schema::{
    activities as act, activity_types as at, expense_types as et, expenses as ex,
    local_associations as la, receipts as rc, reimbursements as rb, users,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

/// An expense line with the names its pages show.
#[derive(Clone, Debug)]
pub struct Line {
    pub e: Expense,
    pub type_name: String,
    pub kind: String,
    pub receipts: Vec<Receipt>,
    /// Whether its type wants a receipt for this amount.
    pub needs_receipt: bool,
}

impl Line {
    pub fn is_mileage(&self) -> bool {
        self.kind == "mileage"
    }
    pub fn missing_receipt(&self) -> bool {
        self.needs_receipt && self.receipts.is_empty()
    }
    pub fn route(&self) -> String {
        match (&self.e.from_place, &self.e.to_place) {
            (Some(f), Some(t)) => format!("{f} – {t}"),
            _ => String::new(),
        }
    }
}

/// The lines given, with type names and receipts, in date order.
pub fn lines(conn: &mut DbConn, rows: Vec<Expense>) -> QueryResult<Vec<Line>> {
    let ids: Vec<String> = rows.iter().map(|e| e.id.clone()).collect();
    let type_ids: Vec<String> = rows.iter().map(|e| e.expense_type_id.clone()).collect();
    let kinds: Vec<ExpenseType> = et::table
        .filter(et::id.eq_any(&type_ids))
        .select(ExpenseType::as_select())
        .load(conn)?;
    let receipts: Vec<Receipt> = rc::table
        .filter(rc::expense_id.eq_any(&ids))
        .order((rc::created_at.asc(), rc::id.asc()))
        .select(Receipt::as_select())
        .load(conn)?;
    let mut out: Vec<Line> = rows
        .into_iter()
        .map(|e| {
            let t = kinds.iter().find(|t| t.id == e.expense_type_id);
            Line {
                type_name: t.map(|t| t.name.clone()).unwrap_or_default(),
                kind: t.map(|t| t.kind.clone()).unwrap_or_default(),
                needs_receipt: t.is_some_and(|t| t.needs_receipt(e.amount_ore)),
                receipts: receipts
                    .iter()
                    .filter(|r| r.expense_id == e.id)
                    .cloned()
                    .collect(),
                e,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.e.spent_on, &a.e.id).cmp(&(b.e.spent_on, &b.e.id)));
    Ok(out)
}

/// The actor's open lines (in no claim), oldest first.
pub fn open_lines(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<Line>> {
    actor.require(&[Role::PeerMentor])?;
    let rows: Vec<Expense> = ex::table
        .filter(ex::user_id.eq(&actor.user_id))
        .filter(ex::organization_id.eq(actor.org()?))
        .filter(ex::reimbursement_id.is_null())
        .order((ex::spent_on.asc(), ex::id.asc()))
        .limit(200)
        .select(Expense::as_select())
        .load(conn)?;
    Ok(lines(conn, rows)?)
}

/// One of the actor's own lines, and whether they may still change it; 404 for anything else.
pub fn own(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<(Expense, bool)> {
    actor.require(&[Role::PeerMentor])?;
    let e: Expense = ex::table
        .find(id)
        .filter(ex::user_id.eq(&actor.user_id))
        .filter(ex::organization_id.eq(actor.org()?))
        .select(Expense::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let editable = match &e.reimbursement_id {
        None => true,
        Some(claim) => rb::table
            .find(claim)
            .select(rb::status)
            .first::<String>(conn)
            .optional()?
            .is_some_and(|s| s == "draft" || s == "returned"),
    };
    Ok((e, editable))
}

/// A line the actor may look at: their own, or a line of a claim they may see (coordinators of
/// its association, the organization's administrators). 404 for anything else.
pub fn visible(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Expense> {
    let e: Expense = ex::table
        .find(id)
        .filter(ex::organization_id.eq(actor.org()?))
        .select(Expense::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let ok = match actor.role() {
        Role::PeerMentor => e.user_id == actor.user_id,
        Role::Coordinator => {
            e.reimbursement_id.is_some() && actor.associations.contains(&e.local_association_id)
        }
        Role::OrgAdmin => e.reimbursement_id.is_some(),
        Role::GlobalAdmin | Role::Account => false,
    };
    if ok {
        Ok(e)
    } else {
        Err(AppError::NotFound)
    }
}

pub fn line(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Line> {
    let e = visible(conn, actor, id)?;
    lines(conn, vec![e])?.pop().ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------- the form

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ExpenseForm {
    #[serde(rename = "type")]
    pub expense_type_id: String,
    pub activity: String,
    pub association: String,
    pub spent_on: String,
    pub amount: String,
    pub km: String,
    pub passengers: String,
    pub forest_road: Option<String>,
    pub trailer: Option<String>,
    pub from_place: String,
    pub to_place: String,
    pub purpose: String,
}

impl ExpenseForm {
    pub fn from(e: &Expense, lang: &str) -> ExpenseForm {
        ExpenseForm {
            expense_type_id: e.expense_type_id.clone(),
            activity: e.activity_id.clone().unwrap_or_default(),
            association: e.local_association_id.clone(),
            spent_on: e.spent_on.to_string(),
            amount: if e.km_tenths.is_some() {
                String::new()
            } else {
                money::field(e.amount_ore)
            },
            km: e
                .km_tenths
                .map(|k| money::km(i64::from(k), lang))
                .unwrap_or_default(),
            passengers: e.passengers.map(|p| p.to_string()).unwrap_or_default(),
            forest_road: e.forest_road.then(|| "on".into()),
            trailer: e.trailer.then(|| "on".into()),
            from_place: e.from_place.clone().unwrap_or_default(),
            to_place: e.to_place.clone().unwrap_or_default(),
            purpose: e.purpose.clone().unwrap_or_default(),
        }
    }
    /// The year of the date field, for "no mileage rate for {year}".
    pub fn year(&self) -> String {
        NaiveDate::parse_from_str(self.spent_on.trim(), "%Y-%m-%d")
            .map(|d| d.year().to_string())
            .unwrap_or_default()
    }
}

/// What the form offers: the active types, the mentor's associations, the activity a line is
/// entered from.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    pub types: Vec<ExpenseType>,
    pub associations: Vec<(String, String)>,
    /// (id, date, type name) of the activity the line belongs to.
    pub activity: Option<(String, NaiveDate, String)>,
}

impl Choices {
    pub fn kind_of(&self, type_id: &str) -> &str {
        self.types
            .iter()
            .find(|t| t.id == type_id)
            .map_or("", |t| t.kind.as_str())
    }
    pub fn type_name(&self, type_id: &str) -> &str {
        self.types
            .iter()
            .find(|t| t.id == type_id)
            .map_or("", |t| t.name.as_str())
    }
}

/// (id, association, date, type name) of an activity a line is entered from.
type CarryingActivity = (String, String, NaiveDate, String);

/// An activity of the actor's that may carry expenses: (id, association, date, type name).
/// 404 when it is not theirs; `Err` inside when its type does not carry expenses.
fn carrying_activity(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> AppResult<Result<CarryingActivity, &'static str>> {
    let id = crate::db::parse_id(id).ok_or(AppError::NotFound)?;
    let row: (String, String, NaiveDate, String, bool, String) = act::table
        .inner_join(at::table)
        .filter(act::id.eq(&id))
        .filter(act::organization_id.eq(actor.org()?))
        .filter(act::mentor_id.eq(&actor.user_id))
        .select((
            act::id,
            act::local_association_id,
            act::occurred_on,
            at::name,
            at::allows_expenses,
            act::status,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if !row.4 || row.5 == "cancelled" {
        return Ok(Err("expense.err_activity_no_expenses"));
    }
    Ok(Ok((row.0, row.1, row.2, row.3)))
}

pub fn choices(conn: &mut DbConn, actor: &Actor, activity: &str) -> AppResult<Choices> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    let activity = if activity.is_empty() {
        None
    } else {
        match carrying_activity(conn, actor, activity)? {
            Ok((id, _, date, name)) => Some((id, date, name)),
            Err(_) => None,
        }
    };
    let mut associations: Vec<(String, String)> = la::table
        .filter(la::id.eq_any(&actor.associations))
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?;
    associations.dedup();
    Ok(Choices {
        types: types::active_types(conn, &org)?,
        associations,
        activity,
    })
}

/// A checked line, ready to save.
struct Valid {
    type_id: String,
    association: String,
    activity: Option<String>,
    spent_on: NaiveDate,
    split: Split,
    km_tenths: Option<i32>,
    passengers: Option<i32>,
    forest_road: bool,
    trailer: bool,
    from_place: Option<String>,
    to_place: Option<String>,
    purpose: Option<String>,
    rate_id: Option<String>,
}

fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
) -> Option<String> {
    let v = forms::fold_whitespace(raw);
    if v.is_empty() {
        if required {
            errors.add(field, "err.required");
        }
        return None;
    }
    if v.chars().count() > max {
        errors.add(field, "err.too_long");
    }
    Some(v)
}

/// The date: a real date, not in the future, in an open year (this year, or last year during
/// January, as for activities).
fn date(errors: &mut FieldErrors, raw: &str) -> Option<NaiveDate> {
    let Ok(d) = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") else {
        errors.add("spent_on", "expense.err_date");
        return None;
    };
    let today = today();
    if d > today {
        errors.add("spent_on", "expense.err_future");
        None
    } else if !is_open(d, today) {
        errors.add("spent_on", "expense.err_closed_year");
        None
    } else {
        Some(d)
    }
}

/// What the live preview shows for a mileage form: the split, or the message.
pub enum Preview {
    Amount(Split),
    NoRate(i32),
    Incomplete,
}

/// The amount of a mileage form as it stands (the htmx preview).
pub fn preview(conn: &mut DbConn, actor: &Actor, f: &ExpenseForm) -> AppResult<Preview> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?;
    let (Ok(day), Some(km)) = (
        NaiveDate::parse_from_str(f.spent_on.trim(), "%Y-%m-%d"),
        money::parse_km(&f.km).filter(|k| (1..=money::MAX_KM_TENTHS).contains(k)),
    ) else {
        return Ok(Preview::Incomplete);
    };
    let passengers = match f.passengers.trim() {
        "" => 0,
        p => match p.parse::<i64>() {
            Ok(n) if (0..=money::MAX_PASSENGERS).contains(&n) => n,
            _ => return Ok(Preview::Incomplete),
        },
    };
    Ok(match types::rate_for_trip(conn, org, day)? {
        Some(rate) => Preview::Amount(money::mileage(
            &rate,
            Trip {
                km_tenths: km,
                passengers,
                forest_road: f.forest_road.is_some(),
                trailer: f.trailer.is_some(),
            },
        )),
        None => Preview::NoRate(day.year()),
    })
}

fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ExpenseForm,
) -> AppResult<Result<Valid, FieldErrors>> {
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let t = types::active_types(conn, &org)?
        .into_iter()
        .find(|t| t.id == f.expense_type_id);
    if t.is_none() {
        errors.add("type", "err.choice");
    }
    let mut association = None;
    let mut activity = None;
    if !f.activity.is_empty() {
        match carrying_activity(conn, actor, &f.activity)? {
            Ok((id, assoc, _, _)) => {
                activity = Some(id);
                association = Some(assoc);
            }
            Err(key) => errors.add("activity", key),
        }
    } else if actor.associations.contains(&f.association) {
        association = Some(f.association.clone());
    } else if f.association.is_empty() && actor.associations.len() == 1 {
        association = actor.associations.first().cloned();
    } else {
        errors.add("association", "err.choice");
    }
    let spent_on = date(&mut errors, &f.spent_on);
    let mileage = t.as_ref().is_some_and(|t| t.is_mileage());
    let purpose = text(&mut errors, "purpose", &f.purpose, 500, mileage);
    let mut v = Valid {
        type_id: f.expense_type_id.clone(),
        association: association.unwrap_or_default(),
        activity,
        spent_on: spent_on.unwrap_or_default(),
        split: Split::default(),
        km_tenths: None,
        passengers: None,
        forest_road: false,
        trailer: false,
        from_place: None,
        to_place: None,
        purpose,
        rate_id: None,
    };
    if mileage {
        v.from_place = text(&mut errors, "from_place", &f.from_place, 200, true);
        v.to_place = text(&mut errors, "to_place", &f.to_place, 200, true);
        let km = money::parse_km(&f.km);
        match km {
            None => errors.add("km", "expense.err_km"),
            Some(k) if !(1..=money::MAX_KM_TENTHS).contains(&k) => {
                errors.add("km", "expense.err_km_range")
            }
            _ => {}
        }
        let passengers = match f.passengers.trim() {
            "" => Some(0),
            p => p
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=money::MAX_PASSENGERS).contains(n)),
        };
        if passengers.is_none() {
            errors.add("passengers", "expense.err_passengers");
        }
        v.forest_road = f.forest_road.is_some();
        v.trailer = f.trailer.is_some();
        if let (Some(day), Some(km), Some(p)) = (spent_on, km, passengers) {
            match types::rate_for_trip(conn, &org, day)? {
                None => errors.add("spent_on", "expense.err_no_rate"),
                Some(rate) => {
                    v.split = money::mileage(
                        &rate,
                        Trip {
                            km_tenths: km,
                            passengers: p,
                            forest_road: v.forest_road,
                            trailer: v.trailer,
                        },
                    );
                    v.rate_id = Some(rate.id);
                    v.km_tenths = Some(km as i32);
                    v.passengers = Some(p as i32);
                }
            }
        }
        if v.split.amount_ore > money::MAX_LINE_ORE {
            errors.add("km", "expense.err_km_range");
        }
    } else if t.is_some() {
        match money::parse_kroner(&f.amount, money::MAX_LINE_ORE) {
            Some(a) if a > 0 => {
                v.split = Split {
                    amount_ore: a,
                    tax_free_ore: a,
                    taxable_ore: 0,
                }
            }
            Some(_) => errors.add("amount", "expense.err_amount_zero"),
            None => errors.add("amount", "expense.err_amount"),
        }
    }
    Ok(if errors.is_empty() {
        Ok(v)
    } else {
        Err(errors)
    })
}

/// Saves a new line, or changes one the actor may still change (`id`).
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    id: Option<&str>,
    f: &ExpenseForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::PeerMentor])?;
    let org = actor.org()?.to_string();
    let existing = match id {
        Some(id) => {
            let (e, editable) = own(conn, actor, id)?;
            if !editable {
                return Err(AppError::NotFound);
            }
            Some(e)
        }
        None => None,
    };
    let v = match validate(conn, actor, f)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let t = now();
    let row = Expense {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        organization_id: org.clone(),
        local_association_id: v.association,
        user_id: actor.user_id.clone(),
        expense_type_id: v.type_id,
        activity_id: v.activity,
        reimbursement_id: existing.as_ref().and_then(|e| e.reimbursement_id.clone()),
        spent_on: v.spent_on,
        amount_ore: v.split.amount_ore,
        tax_free_ore: v.split.tax_free_ore,
        taxable_ore: v.split.taxable_ore,
        km_tenths: v.km_tenths,
        passengers: v.passengers,
        forest_road: v.forest_road,
        trailer: v.trailer,
        from_place: v.from_place,
        to_place: v.to_place,
        purpose: v.purpose,
        mileage_rate_id: v.rate_id,
        created_at: existing.as_ref().map_or(t, |e| e.created_at),
        updated_at: t,
    };
    crate::db::tx(conn, |tx| {
        if existing.is_some() {
            diesel::update(ex::table.find(&row.id))
                .set(&row)
                .execute(tx.conn)?;
        } else {
            diesel::insert_into(ex::table)
                .values(&row)
                .execute(tx.conn)?;
        }
        if let Some(claim) = &row.reimbursement_id {
            crate::expenses::claims::service::retotal(tx.conn, claim)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                if existing.is_some() {
                    "expense.updated"
                } else {
                    "expense.created"
                },
                "expense",
                &row.id,
                serde_json::json!({
                    "type": row.expense_type_id, "date": row.spent_on.to_string(),
                    "amount": row.amount_ore, "km_tenths": row.km_tenths,
                }),
            ),
        )?;
        Ok(Ok(row.id.clone()))
    })
}

/// Removes a line the actor may still change, with its receipt rows; the caller removes the
/// stored files (returned).
pub fn delete(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Vec<String>> {
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let (e, editable) = own(tx.conn, actor, id)?;
        if !editable {
            return Err(AppError::NotFound);
        }
        let keys: Vec<String> = rc::table
            .filter(rc::expense_id.eq(&e.id))
            .select(rc::storage_key)
            .load(tx.conn)?;
        diesel::delete(rc::table.filter(rc::expense_id.eq(&e.id))).execute(tx.conn)?;
        diesel::delete(ex::table.find(&e.id)).execute(tx.conn)?;
        if let Some(claim) = &e.reimbursement_id {
            crate::expenses::claims::service::retotal(tx.conn, claim)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "expense.deleted",
                "expense",
                &e.id,
                serde_json::json!({ "amount": e.amount_ore, "receipts": keys.len() }),
            ),
        )?;
        Ok(keys)
    })
}

// ---------------------------------------------------------------- receipts

/// The organization when the actor may add a receipt to the line; 404 otherwise, `Err` inside
/// when the line has as many receipts as allowed.
pub fn check_receipt(
    conn: &mut DbConn,
    actor: &Actor,
    expense_id: &str,
) -> AppResult<Result<String, &'static str>> {
    let (e, editable) = own(conn, actor, expense_id)?;
    if !editable {
        return Err(AppError::NotFound);
    }
    let count: i64 = rc::table
        .filter(rc::expense_id.eq(expense_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_RECEIPTS {
        return Ok(Err("expense.err_too_many_receipts"));
    }
    Ok(Ok(e.organization_id))
}

/// Records a stored receipt, checking again in the transaction that it may be added.
pub fn add_receipt(
    conn: &mut DbConn,
    actor: &Actor,
    expense_id: &str,
    s: Stored,
) -> AppResult<Result<String, &'static str>> {
    crate::db::tx(conn, |tx| {
        let org = match check_receipt(tx.conn, actor, expense_id)? {
            Ok(org) => org,
            Err(e) => return Ok(Err(e)),
        };
        let r = Receipt {
            id: new_id(),
            organization_id: org.clone(),
            expense_id: expense_id.to_string(),
            file_name: s.file_name.clone(),
            content_type: s.content_type.clone(),
            size_bytes: s.size_bytes,
            sha256: s.sha256.clone(),
            storage_key: s.storage_key.clone(),
            uploaded_by: actor.user_id.clone(),
            created_at: now(),
        };
        diesel::insert_into(rc::table).values(&r).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "receipt.uploaded",
                "expense",
                expense_id,
                serde_json::json!({ "receipt": r.id, "type": r.content_type, "size": r.size_bytes, "sha256": r.sha256 }),
            ),
        )?;
        Ok(Ok(r.id))
    })
}

/// A receipt of a line the actor may see.
pub fn receipt(conn: &mut DbConn, actor: &Actor, expense_id: &str, id: &str) -> AppResult<Receipt> {
    visible(conn, actor, expense_id)?;
    rc::table
        .find(id)
        .filter(rc::expense_id.eq(expense_id))
        .select(Receipt::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Removes a receipt of a line the actor may still change; the caller removes the file.
pub fn delete_receipt(
    conn: &mut DbConn,
    actor: &Actor,
    expense_id: &str,
    id: &str,
) -> AppResult<Receipt> {
    crate::db::tx(conn, |tx| {
        let (e, editable) = own(tx.conn, actor, expense_id)?;
        if !editable {
            return Err(AppError::NotFound);
        }
        let r = receipt(tx.conn, actor, expense_id, id)?;
        diesel::delete(rc::table.find(&r.id)).execute(tx.conn)?;
        audit::append(
            tx,
            audit_event(
                actor,
                &e.organization_id,
                "receipt.deleted",
                "expense",
                expense_id,
                serde_json::json!({ "receipt": r.id, "sha256": r.sha256 }),
            ),
        )?;
        Ok(r)
    })
}

/// The name of a user (for "decided by").
pub fn user_name(conn: &mut DbConn, id: &str) -> QueryResult<String> {
    Ok(users::table
        .find(id)
        .select(users::name)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Whether the actor may enter an expense from this activity: their own as peer mentor, not
/// cancelled, of a type that may carry expenses (the activity type's setting).
pub fn may_carry(
    conn: &mut DbConn,
    actor: &Actor,
    a: &crate::activities::model::Activity,
) -> AppResult<bool> {
    if actor.role() != Role::PeerMentor || a.mentor_id != actor.user_id || a.status == "cancelled" {
        return Ok(false);
    }
    Ok(at::table
        .find(&a.activity_type_id)
        .select(at::allows_expenses)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}
