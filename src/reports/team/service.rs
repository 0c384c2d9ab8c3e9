//! The team report's rules: which associations an actor may pick (a coordinator only their
//! own, an organization administrator any of the organization's; anything else is out of scope
//! and answers 404), the period's checks, and the figures as SQL aggregates. The activities are
//! one statement (`UnionAll`: `GROUP BY mentor_id`, `GROUP BY activity_type_id`, the total, and a
//! part per month of the period, each a range of `idx_activities_team_report` or, for the whole
//! organization, of `idx_activities_org_figures`); the money is another (claims submitted in the
//! period `GROUP BY status`, expense lines spent in it `GROUP BY` their claim's status, and the
//! lines in no claim). Then the names of the mentors and types that appear. Nothing loads rows.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count, count_star, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::model::{ActivityLine, MoneyLine, TeamReport};
use crate::access::{Actor, Role};
use crate::db::{DbConn, UnionAll};
use crate::expenses::sum_bigint;
use crate::reports::bufdir::compute::Scope;
use crate::schema::{
    activities as act, activity_types as at, expenses as ex, local_associations as la,
    organizations, reimbursements as re, users,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

/// The longest period a report covers (three years and a day).
pub const MAX_DAYS: i64 = 3 * 366;

/// The form as typed: picked associations and the period's dates (`YYYY-MM-DD`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TeamForm {
    #[serde(skip)]
    pub associations: Vec<String>,
    pub from: String,
    pub to: String,
}

/// A checked period.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// This year so far is the default period: 1 January to 31 December of `today`'s year.
pub fn default_period(today: NaiveDate) -> Period {
    let (from, to) = crate::reports::bufdir::compute::year_range(today.year());
    Period { from, to }
}

impl TeamForm {
    /// The form with the default period filled in where a date was left empty.
    pub fn with_defaults(mut self, today: NaiveDate) -> TeamForm {
        let p = default_period(today);
        if self.from.trim().is_empty() {
            self.from = p.from.to_string();
        }
        if self.to.trim().is_empty() {
            self.to = p.to.to_string();
        }
        self
    }

    /// The period, or the fields in error (a date that is not one, an end before the start, a
    /// period over `MAX_DAYS`).
    pub fn period(&self) -> Result<Period, FieldErrors> {
        let mut errors = FieldErrors::new();
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let from = parse(&self.from);
        let to = parse(&self.to);
        if from.is_none() {
            errors.add("from", "report.team_bad_date");
        }
        if to.is_none() {
            errors.add("to", "report.team_bad_date");
        }
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add("to", "report.team_end_before_start");
            } else if (to - from).num_days() > MAX_DAYS {
                errors.add("to", "report.team_too_long");
            } else {
                return Ok(Period { from, to });
            }
        }
        Err(errors)
    }

    /// The query string of this form (for the export links).
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .associations
            .iter()
            .map(|a| ("association", a.as_str()))
            .collect();
        pairs.push(("from", &self.from));
        pairs.push(("to", &self.to));
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The associations the actor may pick, (id, name) by name: a coordinator's own, or every
/// association of an organization administrator's organization.
pub fn options(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?;
    let mut q = la::table
        .filter(la::organization_id.eq(org.to_string()))
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name))
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(la::id.eq_any(actor.associations.clone()));
    }
    Ok(q.load(conn)?)
}

/// The scope of the picked associations and their (id, name): each must be the actor's to pick,
/// or the whole request is out of scope (404). None picked: all the coordinator's, or the whole
/// organization for its administrator.
pub fn scope_of(
    conn: &mut DbConn,
    actor: &Actor,
    picked: &[String],
) -> AppResult<(Scope, Vec<(String, String)>)> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut ids: Vec<String> = picked.to_vec();
    ids.sort();
    ids.dedup();
    if ids.len() > 1000 {
        return Err(AppError::NotFound);
    }
    if !actor.sees_whole_org() && ids.iter().any(|id| !actor.associations.contains(id)) {
        return Err(AppError::NotFound);
    }
    if ids.is_empty() && actor.sees_whole_org() {
        return Ok((Scope::Org, Vec::new()));
    }
    if ids.is_empty() {
        ids = actor.associations.clone();
        ids.sort();
        ids.dedup();
    }
    let names: Vec<(String, String)> = la::table
        .filter(la::organization_id.eq(&org))
        .filter(la::id.eq_any(ids.clone()))
        .order((la::name_key.asc(), la::id.asc()))
        .select((la::id, la::name))
        .load(conn)?;
    if names.len() != ids.len() {
        // Another organization's association, or none at all.
        return Err(AppError::NotFound);
    }
    Ok((Scope::Associations(ids), names))
}

/// Registered activities in the period (not boxed, so it can be grouped); `scoped!` limits
/// them to the organization or its picked associations.
macro_rules! period {
    ($p:expr) => {
        act::table
            .filter(act::status.eq("registered"))
            .filter(act::occurred_on.ge($p.from))
            .filter(act::occurred_on.le($p.to))
    };
}

/// A query boxed and limited to the scope: the picked associations (`$col`, the association
/// column), or the organization (`$org_col`). The associations were checked to be the
/// organization's (`scope_of`), so their filter goes alone: with the organization's too,
/// PostgreSQL's generic plan read the whole organization's year from its figures index and
/// filtered the association there (51 ms a part, against 2.6 ms for the association's range
/// of the team report index, at 1,000,000 activities).
macro_rules! scoped {
    ($q:expr, $scope:expr, $col:expr, $org_col:expr, $org:expr) => {{
        let q = $q.into_boxed::<crate::db::DbConnBackend>();
        match $scope {
            Scope::Associations(ids) => q.filter($col.eq_any(ids.clone())),
            Scope::Org => q.filter($org_col.eq($org.to_string())),
        }
    }};
}

type LineSql = (Integer, Text, BigInt, Nullable<BigInt>, BigInt, BigInt);
type LineRow = (i32, String, i64, Option<i64>, i64, i64);
type MoneySql = (Integer, Text, BigInt, Nullable<BigInt>);
type MoneyRow = (i32, String, i64, Option<i64>);

const BY_MENTOR: i32 = 0;
const BY_TYPE: i32 = 1;
const TOTAL: i32 = 2;
const MONTH: i32 = 3;

/// Each month the period touches: its key (`YYYY-MM`) and the part of the period in it.
pub fn months(p: Period) -> Vec<(String, Period)> {
    let mut out = Vec::new();
    let mut start = p.from;
    while start <= p.to {
        let next = if start.month() == 12 {
            NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
        };
        let Some(next) = next else { break };
        let end = next.pred_opt().unwrap_or(next).min(p.to);
        out.push((
            format!("{:04}-{:02}", start.year(), start.month()),
            Period {
                from: start,
                to: end,
            },
        ));
        start = next;
    }
    out
}

fn line(
    key: String,
    activities: i64,
    minutes: Option<i64>,
    contacts: i64,
    mentors: i64,
) -> ActivityLine {
    ActivityLine {
        key,
        name: String::new(),
        activities,
        minutes: minutes.unwrap_or(0),
        contacts,
        mentors,
    }
}

/// The report of `scope` (checked by `scope_of`) over the period.
pub fn compute(
    conn: &mut DbConn,
    org: &str,
    scope: &Scope,
    associations: Vec<(String, String)>,
    p: Period,
) -> QueryResult<TeamReport> {
    let zero = || 0_i64.into_sql::<BigInt>();
    let mut union: UnionAll<LineSql> = UnionAll::default();
    union.push(scoped!(
        period!(p).group_by(act::mentor_id).select((
            BY_MENTOR.into_sql::<Integer>(),
            act::mentor_id,
            count_star(),
            sum(act::duration_minutes),
            count(act::contact_id).aggregate_distinct(),
            zero(),
        )),
        scope,
        act::local_association_id,
        act::organization_id,
        org
    ));
    union.push(scoped!(
        period!(p).group_by(act::activity_type_id).select((
            BY_TYPE.into_sql::<Integer>(),
            act::activity_type_id,
            count_star(),
            sum(act::duration_minutes),
            count(act::contact_id).aggregate_distinct(),
            zero(),
        )),
        scope,
        act::local_association_id,
        act::organization_id,
        org
    ));
    union.push(scoped!(
        period!(p).select((
            TOTAL.into_sql::<Integer>(),
            String::new().into_sql::<Text>(),
            count_star(),
            sum(act::duration_minutes),
            count(act::contact_id).aggregate_distinct(),
            count(act::mentor_id).aggregate_distinct(),
        )),
        scope,
        act::local_association_id,
        act::organization_id,
        org
    ));
    let month_list = months(p);
    for (key, m) in &month_list {
        union.push(scoped!(
            period!(m).select((
                MONTH.into_sql::<Integer>(),
                key.clone().into_sql::<Text>(),
                count_star(),
                sum(act::duration_minutes),
                count(act::contact_id).aggregate_distinct(),
                zero(),
            )),
            scope,
            act::local_association_id,
            act::organization_id,
            org
        ));
    }
    let mut report = TeamReport {
        associations,
        from: p.from,
        to: p.to,
        by_month: month_list
            .iter()
            .map(|(key, _)| line(key.clone(), 0, None, 0, 0))
            .collect(),
        ..Default::default()
    };
    let mut month_at: HashMap<String, usize> = HashMap::new();
    for (i, (key, _)) in month_list.iter().enumerate() {
        month_at.insert(key.clone(), i);
    }
    for (kind, key, activities, minutes, contacts, mentors) in union.load::<LineRow>(conn)? {
        let l = line(key, activities, minutes, contacts, mentors);
        match kind {
            BY_MENTOR => report.by_mentor.push(l),
            BY_TYPE => report.by_type.push(l),
            TOTAL => report.total = l,
            _ => {
                if let Some(slot) = month_at
                    .get(&l.key)
                    .and_then(|i| report.by_month.get_mut(*i))
                {
                    *slot = l;
                }
            }
        }
    }

    // The money: claims submitted in the period by status, expense lines spent in it by their
    // claim's status, and those in no claim.
    let start = p.from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = (p.to + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let mut money: UnionAll<MoneySql> = UnionAll::default();
    money.push(scoped!(
        re::table
            .filter(re::submitted_at.ge(start))
            .filter(re::submitted_at.lt(end))
            .group_by(re::status)
            .select((
                0.into_sql::<Integer>(),
                re::status,
                count_star(),
                sum_bigint("reimbursements.total_ore"),
            )),
        scope,
        re::local_association_id,
        re::organization_id,
        org
    ));
    macro_rules! lines {
        ($q:expr) => {
            $q.filter(ex::spent_on.ge(p.from))
                .filter(ex::spent_on.le(p.to))
        };
    }
    money.push(scoped!(
        lines!(ex::table.inner_join(re::table))
            .group_by(re::status)
            .select((
                1.into_sql::<Integer>(),
                re::status,
                count_star(),
                sum_bigint("expenses.amount_ore"),
            )),
        scope,
        ex::local_association_id,
        ex::organization_id,
        org
    ));
    money.push(scoped!(
        lines!(ex::table)
            .filter(ex::reimbursement_id.is_null())
            .select((
                1.into_sql::<Integer>(),
                "unclaimed".into_sql::<Text>(),
                count_star(),
                sum_bigint("expenses.amount_ore"),
            )),
        scope,
        ex::local_association_id,
        ex::organization_id,
        org
    ));
    for (kind, status, n, ore) in money.load::<MoneyRow>(conn)? {
        if n == 0 {
            continue;
        }
        let m = MoneyLine {
            status,
            count: n,
            ore: ore.unwrap_or(0),
        };
        if kind == 0 {
            report.claims.push(m);
        } else {
            report.expenses.push(m);
        }
    }
    let order = |s: &str| {
        crate::expenses::model::STATUSES
            .iter()
            .position(|k| *k == s)
            .unwrap_or(usize::MAX)
    };
    report.claims.sort_by_key(|m| order(&m.status));
    report.expenses.sort_by_key(|m| order(&m.status));

    // Names: the mentors that appear (a bound list at a time) and the organization's types.
    let ids: Vec<String> = report.by_mentor.iter().map(|l| l.key.clone()).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        names.extend(
            users::table
                .filter(users::id.eq_any(chunk.to_vec()))
                .select((users::id, users::name))
                .load::<(String, String)>(conn)?,
        );
    }
    let type_ids: Vec<String> = report.by_type.iter().map(|l| l.key.clone()).collect();
    if !type_ids.is_empty() {
        names.extend(
            at::table
                .filter(at::organization_id.eq(org.to_string()))
                .filter(at::id.eq_any(type_ids))
                .select((at::id, at::name))
                .load::<(String, String)>(conn)?,
        );
    }
    for l in report.by_mentor.iter_mut().chain(report.by_type.iter_mut()) {
        l.name = names.get(&l.key).cloned().unwrap_or_default();
    }
    let most = |a: &ActivityLine, b: &ActivityLine| {
        b.activities
            .cmp(&a.activities)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.key.cmp(&b.key))
    };
    report.by_mentor.sort_by(most);
    report.by_type.sort_by(most);
    report.organization = organizations::table
        .find(org)
        .select(organizations::name)
        .first(conn)?;
    Ok(report)
}

/// Every export is audit-logged: who, which associations, which period, which format.
pub fn log_export(
    conn: &mut DbConn,
    actor: &Actor,
    associations: &[(String, String)],
    p: Period,
    format: &str,
) -> AppResult<()> {
    use crate::audit::service::{self as audit, Event};
    let org = actor.org()?.to_string();
    let ids: Vec<&str> = associations.iter().map(|(id, _)| id.as_str()).collect();
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "team_report.export",
                target_type: Some("team_report"),
                target_id: None,
                detail: Some(serde_json::json!({
                    "associations": ids,
                    "from": p.from.to_string(),
                    "to": p.to.to_string(),
                    "format": format,
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok::<_, AppError>(())
    })
}
