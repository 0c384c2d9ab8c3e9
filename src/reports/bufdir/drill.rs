//! The activities behind a figure of the Bufdir report (counting ones of an association and a
//! category, or the not-counting ones with a reason), a page at a time by the keyset
//! `(occurred_on, id)`.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::compute::Scope;
use super::compute::{types_by_category, year_range};
use super::courses::{self, CourseDayRow};
use super::lifecycle::{scope_of, valid_year};
use crate::access::{Actor, Role};
use crate::activities::model::CATEGORIES;
use crate::db::DbConn;
use crate::schema::{activities as act, activity_types as at, local_associations as la, users};
use crate::web::{AppError, AppResult};

pub const PAGE: i64 = 50;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Drill {
    pub association: String,
    /// A Bufdir category, or empty for all.
    pub category: String,
    /// "no" for the activities that did not count; anything else: those that did.
    pub counts: String,
    /// A reason's label key (with `counts=no`).
    pub reason: String,
    /// Keyset cursor `<date>~<id>`.
    pub after: String,
}

impl Drill {
    pub fn counting(&self) -> bool {
        self.counts != "no"
    }
    pub fn category_key(&self) -> String {
        format!("activity.category_{}", self.category)
    }
    /// The query string without the cursor.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("association", &self.association),
            ("category", &self.category),
            ("counts", &self.counts),
            ("reason", &self.reason),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::web::urlencode(v)));
            }
        }
        parts.join("&")
    }
}

pub struct DrillRow {
    pub id: String,
    pub occurred_on: NaiveDate,
    pub type_name: String,
    pub association: String,
    pub mentor: String,
    pub minutes: Option<i32>,
    pub participants: Option<i32>,
    pub reason: String,
    pub status: String,
}

pub struct DrillPage {
    pub rows: Vec<DrillRow>,
    pub next: Option<String>,
    /// The course days behind the figure (training from courses), on the first page.
    pub course_days: Vec<CourseDayRow>,
}

type Row = (
    String,
    NaiveDate,
    String,
    String,
    String,
    Option<i32>,
    Option<i32>,
    String,
    String,
);

pub fn page(conn: &mut DbConn, actor: &Actor, year: i32, d: &Drill) -> AppResult<DrillPage> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let year = valid_year(year)?;
    let (from, to) = year_range(year);
    let mut q = act::table
        .inner_join(at::table)
        .inner_join(la::table)
        .inner_join(users::table.on(users::id.eq(act::mentor_id)))
        .filter(act::organization_id.eq(org.clone()))
        .filter(act::bufdir_counts.eq(d.counting()))
        .filter(act::occurred_on.ge(from))
        .filter(act::occurred_on.le(to))
        .select((
            act::id,
            act::occurred_on,
            at::name,
            la::name,
            users::name,
            act::duration_minutes,
            act::participants,
            act::bufdir_reason,
            act::status,
        ))
        .into_boxed();
    if let Scope::Associations(ids) = scope_of(actor) {
        q = q.filter(act::local_association_id.eq_any(ids));
    }
    if !d.association.is_empty() {
        q = q.filter(act::local_association_id.eq(d.association.clone()));
    }
    if !d.category.is_empty() {
        let i = CATEGORIES
            .iter()
            .position(|c| *c == d.category)
            .ok_or(AppError::NotFound)?;
        let types = types_by_category(conn, &org)?;
        q = q.filter(act::activity_type_id.eq_any(types[i].clone()));
    }
    if !d.reason.is_empty() {
        q = q.filter(act::bufdir_reason.eq(d.reason.clone()));
    }
    if let Some((date, id)) = d.after.split_once('~') {
        let date: NaiveDate = date.parse().map_err(|_| AppError::NotFound)?;
        let id = id.to_string();
        q = q.filter(
            act::occurred_on
                .gt(date)
                .or(act::occurred_on.eq(date).and(act::id.gt(id))),
        );
    }
    // The course days behind the same figure, listed once, above the first page's end.
    let course_days = if !d.after.is_empty() || !(d.category.is_empty() || d.category == "training")
    {
        Vec::new()
    } else {
        courses::days(conn, &org, from, to, &scope_of(actor))?
            .into_iter()
            .filter(|c| c.counts == d.counting())
            .filter(|c| d.reason.is_empty() || c.reason == d.reason)
            .filter(|c| {
                d.association.is_empty()
                    || c.association_id.as_deref() == Some(d.association.as_str())
            })
            .collect()
    };
    let mut rows: Vec<Row> = q
        .order((act::occurred_on.asc(), act::id.asc()))
        .limit(PAGE + 1)
        .load(conn)?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| format!("{}~{}", r.1, r.0))
    } else {
        None
    };
    Ok(DrillPage {
        rows: rows
            .into_iter()
            .map(
                |(
                    id,
                    occurred_on,
                    type_name,
                    association,
                    mentor,
                    minutes,
                    participants,
                    reason,
                    status,
                )| {
                    DrillRow {
                        id,
                        occurred_on,
                        type_name,
                        association,
                        mentor,
                        minutes,
                        participants,
                        reason,
                        status,
                    }
                },
            )
            .collect(),
        next,
        course_days,
    })
}
