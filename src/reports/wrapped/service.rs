//! What the pages read: a mentor's summary of a year (their own, or one in a coordinator's
//! scope), and the scope's totals and mentors, as SQL aggregates over `annual_summaries`.

use diesel::dsl::{exists, sum};
use diesel::prelude::*;

use super::compute::{self, this_year, YEARS_BACK};
use super::model::AnnualSummary;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{Counts, DbConn, DbConnBackend};
use crate::engagement::badges::service::Earned;
use crate::schema::{annual_summaries as asum, user_organization_roles as uor, users};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// A year the pages know: the last `YEARS_BACK` years and this one (which says it is not over).
pub fn valid_year(year: i32) -> AppResult<i32> {
    let this = this_year();
    if (this - YEARS_BACK..=this).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::NotFound)
    }
}

/// One mentor's year as a page shows it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub year: i32,
    /// The mentor's name.
    pub name: String,
    /// None: not computed (a year without anything, or this year).
    pub summary: Option<AnnualSummary>,
    /// The badges of the year with their pictures.
    pub badges: Vec<Earned>,
}

impl Shown {
    pub fn is_this_year(&self) -> bool {
        self.year >= this_year()
    }
    /// Something to celebrate.
    pub fn has_figures(&self) -> bool {
        self.summary
            .as_ref()
            .is_some_and(AnnualSummary::has_figures)
    }
}

fn load(conn: &mut DbConn, org: &str, user: &str, name: String, year: i32) -> QueryResult<Shown> {
    let summary: Option<AnnualSummary> = asum::table
        .filter(asum::organization_id.eq(org))
        .filter(asum::user_id.eq(user))
        .filter(asum::year.eq(year))
        .select(AnnualSummary::as_select())
        .first(conn)
        .optional()?;
    let badges = match &summary {
        Some(s) if s.badges > 0 => {
            crate::engagement::badges::badges_in_year(conn, org, user, year)?
        }
        _ => Vec::new(),
    };
    Ok(Shown {
        year,
        name,
        summary,
        badges,
    })
}

/// The actor's own year (a peer mentor).
pub fn mine(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Shown> {
    actor.require(&[Role::PeerMentor])?;
    let year = valid_year(year)?;
    Ok(load(
        conn,
        actor.org()?,
        &actor.user_id,
        actor.name.clone(),
        year,
    )?)
}

/// A mentor's year for a coordinator (a mentor of their associations) or an administrator (of
/// their organization); anyone else's, or a malformed id, is 404.
pub fn of_mentor(conn: &mut DbConn, actor: &Actor, year: i32, user: &str) -> AppResult<Shown> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = valid_year(year)?;
    let org = actor.org()?.to_string();
    let user = crate::db::parse_id(user).ok_or(AppError::NotFound)?;
    let mut q = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(uor::user_id.eq(user.clone()))
        .filter(uor::organization_id.eq(org.clone()))
        .filter(uor::role_id.eq("peer_mentor"))
        .select(users::name)
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(uor::local_association_id.eq_any(actor.associations.clone()));
    }
    let name: String = q.first(conn).optional()?.ok_or(AppError::NotFound)?;
    Ok(load(conn, &org, &user, name, year)?)
}

/// Whether the actor (a peer mentor) has a summary worth a link for last year (the start page).
pub fn last_year_link(actor: &Actor, counts: &mut Counts) -> Option<(i32, usize)> {
    let org = actor.org_id()?.to_string();
    let year = this_year() - 1;
    let i = counts.push(
        asum::table
            .filter(asum::organization_id.eq(org))
            .filter(asum::user_id.eq(actor.user_id.clone()))
            .filter(asum::year.eq(year))
            .filter(
                asum::activities
                    .gt(0)
                    .or(asum::events.gt(0))
                    .or(asum::courses.gt(0))
                    .or(asum::badges.gt(0)),
            )
            .count(),
    );
    Some((year, i))
}

// ---------------------------------------------------------------- the scope's totals

type Scoped = asum::BoxedQuery<'static, DbConnBackend>;

/// The summaries of a year in the actor's scope: the organization's, or those of the mentors
/// of a coordinator's associations (a mentor of two of them counted once).
fn scoped(actor: &Actor, org: &str, year: i32) -> Scoped {
    let q = asum::table
        .filter(asum::organization_id.eq(org.to_string()))
        .filter(asum::year.eq(year))
        .into_boxed();
    if actor.sees_whole_org() {
        q
    } else {
        q.filter(exists(
            uor::table
                .filter(uor::user_id.eq(asum::user_id))
                .filter(uor::organization_id.eq(org.to_string()))
                .filter(uor::role_id.eq("peer_mentor"))
                .filter(uor::local_association_id.eq_any(actor.associations.clone())),
        ))
    }
}

/// A scope's year added up.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub year: i32,
    /// Mentors with a summary, and of them those who did something.
    pub mentors: i64,
    pub active_mentors: i64,
    pub activities: i64,
    pub minutes: i64,
    /// Each mentor's different contacts, added up (a person two mentors met counts twice).
    pub contacts: i64,
    pub events: i64,
    pub courses: i64,
    pub badges: i64,
    pub previous_activities: i64,
    pub previous_minutes: i64,
    /// The month most mentors had as their busiest, and how many.
    pub common_month: Option<(i32, i64)>,
    /// The newest computing of the rows.
    pub computed_at: Option<chrono::NaiveDateTime>,
}

pub fn totals(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<Totals> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = valid_year(year)?;
    let org = actor.org()?.to_string();
    let s = || scoped(actor, &org, year);
    let mut c = Counts::default();
    let mentors = c.push(s().count());
    let active = c.push(
        s().filter(
            asum::activities
                .gt(0)
                .or(asum::events.gt(0))
                .or(asum::courses.gt(0))
                .or(asum::badges.gt(0)),
        )
        .count(),
    );
    let activities = c.push(s().select(sum(asum::activities)));
    let minutes = c.push(s().select(sum(asum::minutes)));
    let contacts = c.push(s().select(sum(asum::contacts)));
    let events = c.push(s().select(sum(asum::events)));
    let courses = c.push(s().select(sum(asum::courses)));
    let badges = c.push(s().select(sum(asum::badges)));
    let prev_activities = c.push(s().select(sum(asum::previous_activities)));
    let prev_minutes = c.push(s().select(sum(asum::previous_minutes)));
    let months: Vec<usize> = (1..=12)
        .map(|m| c.push(s().filter(asum::busiest_month.eq(m)).count()))
        .collect();
    let n = c.run(conn)?;
    // The earliest month of the largest count.
    let common_month = months
        .iter()
        .enumerate()
        .map(|(m, &i)| (m as i32 + 1, n.get(i)))
        .fold(None, |best: Option<(i32, i64)>, (m, k)| match best {
            Some((_, bk)) if bk >= k => best,
            _ if k > 0 => Some((m, k)),
            _ => best,
        });
    let computed_at: Option<chrono::NaiveDateTime> = s()
        .select(diesel::dsl::max(asum::computed_at))
        .first(conn)?;
    Ok(Totals {
        year,
        mentors: n.get(mentors),
        active_mentors: n.get(active),
        activities: n.get(activities),
        minutes: n.get(minutes),
        contacts: n.get(contacts),
        events: n.get(events),
        courses: n.get(courses),
        badges: n.get(badges),
        previous_activities: n.get(prev_activities),
        previous_minutes: n.get(prev_minutes),
        common_month,
        computed_at,
    })
}

/// A mentor's line in the scope's list.
#[derive(Clone, Debug)]
pub struct MentorLine {
    pub user_id: String,
    pub name: String,
    pub activities: i32,
    pub minutes: i32,
    pub contacts: i32,
}

pub const PER_PAGE: i64 = 25;

/// The scope's mentors with a summary of the year, by name, a page at a time.
pub fn mentors(
    conn: &mut DbConn,
    actor: &Actor,
    year: i32,
    paging: &Paging,
) -> AppResult<PageOf<MentorLine>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = valid_year(year)?;
    let org = actor.org()?.to_string();
    let total: i64 = scoped(actor, &org, year).count().get_result(conn)?;
    let mut q = asum::table
        .inner_join(users::table.on(users::id.eq(asum::user_id)))
        .filter(asum::organization_id.eq(org.clone()))
        .filter(asum::year.eq(year))
        .into_boxed();
    if !actor.sees_whole_org() {
        q = q.filter(exists(
            uor::table
                .filter(uor::user_id.eq(asum::user_id))
                .filter(uor::organization_id.eq(org.clone()))
                .filter(uor::role_id.eq("peer_mentor"))
                .filter(uor::local_association_id.eq_any(actor.associations.clone())),
        ));
    }
    let rows: Vec<(String, String, i32, i32, i32)> = q
        .order((users::name_key.asc(), asum::user_id.asc()))
        .select((
            asum::user_id,
            users::name,
            asum::activities,
            asum::minutes,
            asum::contacts,
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .load(conn)?;
    Ok(paging.page_of(
        rows.into_iter()
            .map(
                |(user_id, name, activities, minutes, contacts)| MentorLine {
                    user_id,
                    name,
                    activities,
                    minutes,
                    contacts,
                },
            )
            .collect(),
        total,
    ))
}

/// A coordinator's or administrator's "compute again": the organization's year, every row
/// rewritten from the activities as they are now. Audit-logged.
pub fn recompute(conn: &mut DbConn, actor: &Actor, year: i32) -> AppResult<usize> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = valid_year(year)?;
    if year >= this_year() {
        return Err(AppError::NotFound);
    }
    let org = actor.org()?.to_string();
    let written = compute::compute_org_year(conn, &org, year, true)?;
    crate::db::tx(conn, |tx| {
        audit::append(
            tx,
            audit::Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "annual_summary.recompute",
                target_type: Some("annual_summary"),
                target_id: None,
                detail: Some(serde_json::json!({ "year": year, "rows": written })),
                ip: actor.ip.as_deref(),
            },
        )
    })?;
    Ok(written)
}
