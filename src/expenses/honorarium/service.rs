//! Honorarium tiers and the year's totals per mentor. A tier says: from `min_count` completed
//! assignments in a year in this association, the year's honorarium is `amount_ore`; the
//! highest tier reached applies, per association, and a mentor's honorarium is the sum over
//! their associations. Volunteers may be paid up to 10,000 kr a year tax-free; above that the
//! whole amount is taxable, so the pages warn from `WARN_FROM_ORE` on. What counts toward the
//! limit here: the honorarium and the taxable part of mileage (tax-free refunds do not).

use chrono::Datelike;
use diesel::prelude::*;
use serde::Deserialize;

use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::expenses::model::HonorariumThreshold;
use crate::expenses::money;
use crate::schema::{
    activities as act, expenses as ex, honorarium_thresholds as ht, local_associations as la,
    reimbursements as rb, user_organization_roles as uor, users,
};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppResult};

/// The tax-free limit for payments to a volunteer in a year.
pub const VOLUNTEER_LIMIT_ORE: i64 = 1_000_000;
/// From here on the pages warn that the limit is near (80 %).
pub const WARN_FROM_ORE: i64 = 800_000;

/// Completed assignments of a mentor in a year, credited to an association. The one place
/// that decides what "completed" means: where the association's organization uses assignments
/// (`assignments::service::in_use_for_association`), completed assignments; elsewhere a
/// registered (not cancelled) activity.
pub fn completed_count(
    conn: &mut DbConn,
    user_id: &str,
    association_id: &str,
    year: i32,
) -> QueryResult<i64> {
    let by_assignments = crate::assignments::service::in_use_for_association(conn, association_id)?;
    count_completed(conn, by_assignments, user_id, association_id, year)
}

/// `completed_count` once it is known whether the organization uses assignments (a page of
/// many mentors asks that once, not per mentor and association).
fn count_completed(
    conn: &mut DbConn,
    by_assignments: bool,
    user_id: &str,
    association_id: &str,
    year: i32,
) -> QueryResult<i64> {
    if by_assignments {
        return crate::assignments::service::completed_in_association(
            conn,
            user_id,
            association_id,
            year,
        );
    }
    let (from, to) = year_bounds(year);
    act::table
        .filter(act::mentor_id.eq(user_id))
        .filter(act::local_association_id.eq(association_id))
        .filter(act::status.eq("registered"))
        .filter(act::occurred_on.ge(from))
        .filter(act::occurred_on.lt(to))
        .count()
        .get_result(conn)
}

fn year_bounds(year: i32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let d = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (d(year), d(year + 1))
}

/// The label of a completed count: completed assignments where the organization uses them,
/// else registered activities (what `completed_count` counts).
pub fn completed_label(by_assignments: bool) -> &'static str {
    if by_assignments {
        "expense.year_completed"
    } else {
        "expense.year_activities"
    }
}

/// The honorarium a count earns under an association's tiers: the highest tier reached.
pub fn earned(tiers: &[HonorariumThreshold], count: i64) -> i64 {
    tiers
        .iter()
        .filter(|t| i64::from(t.min_count) <= count)
        .max_by_key(|t| t.min_count)
        .map_or(0, |t| t.amount_ore)
}

/// One mentor's year.
#[derive(Clone, Debug, Default)]
pub struct MentorYear {
    pub user_id: String,
    pub name: String,
    pub year: i32,
    /// Approved and paid claim lines dated in the year.
    pub reimbursed_ore: i64,
    pub taxable_ore: i64,
    pub completed: i64,
    pub honorarium_ore: i64,
    /// `completed` counts assignments (the organization uses them), else activities.
    pub by_assignments: bool,
}

impl MentorYear {
    /// The label of `completed`: it names what was counted.
    pub fn completed_label(&self) -> &'static str {
        completed_label(self.by_assignments)
    }
    /// What counts toward the volunteer limit.
    pub fn limit_base(&self) -> i64 {
        self.honorarium_ore + self.taxable_ore
    }
    pub fn near_limit(&self) -> bool {
        (WARN_FROM_ORE..=VOLUNTEER_LIMIT_ORE).contains(&self.limit_base())
    }
    pub fn over_limit(&self) -> bool {
        self.limit_base() > VOLUNTEER_LIMIT_ORE
    }
}

/// Totals for the given mentors and year, within the given associations (`None`: the whole
/// organization). The sums are one `GROUP BY` query; the counts one per mentor and association
/// with tiers.
pub fn years(
    conn: &mut DbConn,
    org: &str,
    mentors: &[(String, String)],
    associations: Option<&[String]>,
    year: i32,
) -> QueryResult<Vec<MentorYear>> {
    let (from, to) = year_bounds(year);
    let ids: Vec<String> = mentors.iter().map(|(i, _)| i.clone()).collect();
    let mut q = ex::table
        .inner_join(rb::table.on(rb::id.nullable().eq(ex::reimbursement_id)))
        .filter(ex::organization_id.eq(org.to_string()))
        .filter(ex::user_id.eq_any(ids.clone()))
        .filter(rb::status.eq_any(["approved", "paid"]))
        .filter(ex::spent_on.ge(from))
        .filter(ex::spent_on.lt(to))
        .group_by(ex::user_id)
        .select((
            ex::user_id,
            crate::expenses::sum_bigint("expenses.amount_ore"),
            crate::expenses::sum_bigint("expenses.taxable_ore"),
        ))
        .into_boxed();
    if let Some(a) = associations {
        q = q.filter(ex::local_association_id.eq_any(a.to_vec()));
    }
    let sums: Vec<(String, Option<i64>, Option<i64>)> = q.load(conn)?;
    let mut tq = ht::table
        .filter(ht::organization_id.eq(org.to_string()))
        .into_boxed();
    if let Some(a) = associations {
        tq = tq.filter(ht::local_association_id.eq_any(a.to_vec()));
    }
    let tiers: Vec<HonorariumThreshold> = tq.select(HonorariumThreshold::as_select()).load(conn)?;
    let mut tiered: Vec<String> = tiers
        .iter()
        .map(|t| t.local_association_id.clone())
        .collect();
    tiered.sort();
    tiered.dedup();
    // Each mentor's associations that have tiers.
    let grants: Vec<(String, String)> = uor::table
        .filter(uor::user_id.eq_any(ids))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .filter(
            uor::local_association_id
                .eq_any(tiered.iter().map(|s| Some(s.clone())).collect::<Vec<_>>()),
        )
        .select((uor::user_id, uor::local_association_id.assume_not_null()))
        .load(conn)?;
    let by_assignments = crate::assignments::service::settings(conn, org)?.enabled;
    let mut out = Vec::new();
    for (id, name) in mentors {
        let (reimbursed, taxable) = sums
            .iter()
            .find(|(u, _, _)| u == id)
            .map_or((0, 0), |(_, a, t)| (a.unwrap_or(0), t.unwrap_or(0)));
        let mut completed = 0;
        let mut honorarium = 0;
        let mut mine: Vec<&String> = grants
            .iter()
            .filter(|(u, _)| u == id)
            .map(|(_, a)| a)
            .collect();
        mine.sort();
        mine.dedup();
        for a in mine {
            let n = count_completed(conn, by_assignments, id, a, year)?;
            completed += n;
            let own: Vec<HonorariumThreshold> = tiers
                .iter()
                .filter(|t| &t.local_association_id == a)
                .cloned()
                .collect();
            honorarium += earned(&own, n);
        }
        out.push(MentorYear {
            user_id: id.clone(),
            name: name.clone(),
            year,
            reimbursed_ore: reimbursed,
            taxable_ore: taxable,
            completed,
            honorarium_ore: honorarium,
            by_assignments,
        });
    }
    Ok(out)
}

pub fn this_year() -> i32 {
    crate::activities::service::today().year()
}

/// The signed-in mentor's own year.
pub fn own_year(conn: &mut DbConn, actor: &Actor) -> AppResult<MentorYear> {
    let org = actor.org()?.to_string();
    let me = vec![(actor.user_id.clone(), actor.name.clone())];
    Ok(years(conn, &org, &me, None, this_year())?
        .pop()
        .unwrap_or_default())
}

/// One mentor's year as a coordinator (their associations) or administrator sees it.
pub fn mentor_year(
    conn: &mut DbConn,
    actor: &Actor,
    user_id: &str,
    name: &str,
) -> AppResult<MentorYear> {
    let org = actor.org()?.to_string();
    let scope = (actor.role() == Role::Coordinator).then(|| actor.associations.clone());
    let me = vec![(user_id.to_string(), name.to_string())];
    Ok(years(conn, &org, &me, scope.as_deref(), this_year())?
        .pop()
        .unwrap_or_default())
}

/// The year of every mentor of the coordinator's associations (or the organization's, for its
/// administrator), by name; at most 500 mentors.
pub fn team_years(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Vec<MentorYear>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut q = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::organization_id.eq(Some(org.clone())))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .into_boxed();
    let scope = (actor.role() == Role::Coordinator).then(|| actor.associations.clone());
    if let Some(a) = &scope {
        q = q.filter(
            uor::local_association_id.eq_any(a.iter().map(|s| Some(s.clone())).collect::<Vec<_>>()),
        );
    }
    let mentors: Vec<(String, String)> = q
        .select((users::id, users::name))
        .distinct()
        .order(users::name.asc())
        .limit(500)
        .load(conn)?;
    Ok(years(conn, &org, &mentors, scope.as_deref(), year)?)
}

// ---------------------------------------------------------------- tiers (administrator)

/// Whether the actor's organization counts completed assignments (it uses them) rather than
/// registered activities toward the tiers.
pub fn counts_assignments(conn: &mut DbConn, actor: &Actor) -> AppResult<bool> {
    Ok(crate::assignments::service::settings(conn, actor.org()?)?.enabled)
}

pub fn association_choices(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(la::table
        .filter(la::organization_id.eq(actor.org()?))
        .filter(la::is_active.eq(true))
        .order(la::name_key.asc())
        .select((la::id, la::name))
        .load(conn)?)
}

pub fn tiers(
    conn: &mut DbConn,
    actor: &Actor,
    association: &str,
) -> AppResult<Vec<HonorariumThreshold>> {
    actor.require(&[Role::OrgAdmin])?;
    Ok(ht::table
        .filter(ht::organization_id.eq(actor.org()?))
        .filter(ht::local_association_id.eq(association))
        .order(ht::min_count.asc())
        .select(HonorariumThreshold::as_select())
        .load(conn)?)
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct TierForm {
    pub association: String,
    pub min_count: String,
    pub amount: String,
}

fn audit_tier(
    tx: &mut crate::db::Tx<'_>,
    actor: &Actor,
    org: &str,
    action: &str,
    t: &HonorariumThreshold,
) -> AppResult<()> {
    audit::append(
        tx,
        crate::expenses::audit_event(
            actor,
            org,
            action,
            "local_association",
            &t.local_association_id,
            serde_json::json!({ "min_count": t.min_count, "amount": t.amount_ore }),
        ),
    )?;
    Ok(())
}

/// Adds a tier, or changes the amount of the tier with the same count.
pub fn save_tier(
    conn: &mut DbConn,
    actor: &Actor,
    f: &TierForm,
) -> AppResult<Result<(), FieldErrors>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let mut errors = FieldErrors::new();
    let assoc_ok: i64 = la::table
        .filter(la::id.eq(&f.association))
        .filter(la::organization_id.eq(&org))
        .count()
        .get_result(conn)?;
    if assoc_ok == 0 {
        errors.add("association", "err.choice");
    }
    let count = f
        .min_count
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (1..=10_000).contains(n));
    if count.is_none() {
        errors.add("min_count", "expense.err_count");
    }
    let amount = money::parse_kroner(&f.amount, money::MAX_LINE_ORE);
    if amount.is_none() {
        errors.add("amount", "expense.err_amount");
    }
    let (Some(count), Some(amount), true) = (count, amount, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    crate::db::tx(conn, |tx| {
        let t = HonorariumThreshold {
            id: new_id(),
            organization_id: org.clone(),
            local_association_id: f.association.clone(),
            min_count: count,
            amount_ore: amount,
            created_at: now(),
        };
        let n = diesel::update(
            ht::table
                .filter(ht::local_association_id.eq(&t.local_association_id))
                .filter(ht::min_count.eq(count)),
        )
        .set(ht::amount_ore.eq(amount))
        .execute(tx.conn)?;
        if n == 0 {
            diesel::insert_into(ht::table).values(&t).execute(tx.conn)?;
        }
        audit_tier(tx, actor, &org, "honorarium_threshold.saved", &t)?;
        Ok(Ok(()))
    })
}

/// Removes a tier (configuration, not history); returns its association.
pub fn delete_tier(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<String> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let t: HonorariumThreshold = ht::table
            .find(id)
            .filter(ht::organization_id.eq(&org))
            .select(HonorariumThreshold::as_select())
            .first(tx.conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        diesel::delete(ht::table.find(&t.id)).execute(tx.conn)?;
        audit_tier(tx, actor, &org, "honorarium_threshold.deleted", &t)?;
        Ok(t.local_association_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_tier_reached_applies_and_the_limit_warns() {
        let tier = |min_count, amount_ore| HonorariumThreshold {
            id: String::new(),
            organization_id: String::new(),
            local_association_id: String::new(),
            min_count,
            amount_ore,
            created_at: now(),
        };
        let tiers = vec![tier(10, 150_000), tier(5, 50_000), tier(20, 400_000)];
        assert_eq!(earned(&tiers, 4), 0);
        assert_eq!(earned(&tiers, 5), 50_000);
        assert_eq!(earned(&tiers, 19), 150_000);
        assert_eq!(earned(&tiers, 25), 400_000);
        let y = |h, t| MentorYear {
            honorarium_ore: h,
            taxable_ore: t,
            ..Default::default()
        };
        assert!(!y(700_000, 99_999).near_limit());
        assert!(y(700_000, 100_000).near_limit());
        assert!(y(1_000_000, 0).near_limit() && !y(1_000_000, 0).over_limit());
        assert!(y(1_000_000, 1).over_limit());
    }
}
