//! The course catalogue: who sees which course (a course is for a set of associations,
//! `course_associations`, or for the whole organization when it has none), the list, one
//! course with its days, and the create form's rules.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde::Deserialize;

use super::model::*;
use crate::access::{Actor, Role};
use crate::audit::service::{self as audit, Event as AuditEvent};
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::events::service::oslo_to_utc;
use crate::schema::{
    course_associations as cas, course_days as cd, course_enrollments as ce, courses as co,
    local_associations as la,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

/// At most this many courses are listed on each side of today.
pub const LIST_MAX: i64 = 50;
/// Days a course form offers.
pub const DAYS: usize = 3;

pub fn audit_event<'a>(
    actor: &'a Actor,
    org: &'a str,
    action: &'a str,
    target_type: &'a str,
    target_id: &'a str,
    detail: serde_json::Value,
) -> AuditEvent<'a> {
    AuditEvent {
        organization_id: Some(org),
        actor_user_id: Some(&actor.user_id),
        action,
        target_type: Some(target_type),
        target_id: Some(target_id),
        detail: Some(detail),
        ip: actor.ip.as_deref(),
    }
}

/// Courses the actor may see: the organization's, for one of their associations or the whole
/// organization (all of them for an organization administrator). This is also who may enroll:
/// a mentor of none of a course's associations neither sees it nor enrolls (404).
pub fn visible(actor: &Actor) -> AppResult<co::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let q = co::table.filter(co::organization_id.eq(org)).into_boxed();
    Ok(match actor.role() {
        Role::PeerMentor | Role::Coordinator => q.filter(
            not(exists(cas::table.filter(cas::course_id.eq(co::id)))).or(exists(
                cas::table
                    .filter(cas::course_id.eq(co::id))
                    .filter(cas::local_association_id.eq_any(actor.associations.clone())),
            )),
        ),
        Role::OrgAdmin => q,
        Role::GlobalAdmin | Role::Account => return Err(AppError::NotFound),
    })
}

/// Whether the actor arranges courses (coordinator or organization administrator).
pub fn manages(actor: &Actor) -> bool {
    matches!(actor.role(), Role::Coordinator | Role::OrgAdmin)
}

fn rows(conn: &mut DbConn, actor: &Actor, list: Vec<Course>) -> QueryResult<Vec<CourseRow>> {
    let ids: Vec<String> = list.iter().map(|c| c.id.clone()).collect();
    let audience: Vec<(String, String, String)> = cas::table
        .inner_join(la::table)
        .filter(cas::course_id.eq_any(&ids))
        .order(la::name.asc())
        .select((cas::course_id, la::id, la::name))
        .load(conn)?;
    let days: Vec<CourseDay> = cd::table
        .filter(cd::course_id.eq_any(&ids))
        .order((cd::course_id.asc(), cd::starts_at.asc()))
        .select(CourseDay::as_select())
        .load(conn)?;
    let mine: Vec<(String, String, Option<NaiveDateTime>)> = ce::table
        .filter(ce::user_id.eq(&actor.user_id))
        .filter(ce::course_id.eq_any(&ids))
        .select((ce::course_id, ce::status, ce::waitlisted_at))
        .load(conn)?;
    let waiting: Vec<(String, i64)> = ce::table
        .filter(ce::course_id.eq_any(&ids))
        .filter(ce::status.eq("waitlisted"))
        .group_by(ce::course_id)
        .select((ce::course_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let me = mine.iter().find(|(id, _, _)| *id == c.id);
        let my_position = match me {
            Some((_, s, Some(at))) if s == "waitlisted" => {
                Some(position(conn, &c.id, at, &actor.user_id)?)
            }
            _ => None,
        };
        out.push(CourseRow {
            audience: audience
                .iter()
                .filter(|(id, _, _)| *id == c.id)
                .map(|(_, a, n)| (a.clone(), n.clone()))
                .collect(),
            days: days
                .iter()
                .filter(|d| d.course_id == c.id)
                .cloned()
                .collect(),
            my_status: me.map(|(_, s, _)| s.clone()),
            my_position,
            waitlisted: waiting
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or(0, |(_, n)| *n),
            c,
        });
    }
    Ok(out)
}

/// A waitlisted person's place: one more than those waiting before them (same order as the
/// seats are handed out: `waitlisted_at`, then the enrollment's user id for a tie).
pub fn position(
    conn: &mut DbConn,
    course: &str,
    at: &NaiveDateTime,
    user: &str,
) -> QueryResult<i64> {
    let before: i64 = ce::table
        .filter(ce::course_id.eq(course))
        .filter(ce::status.eq("waitlisted"))
        .filter(
            ce::waitlisted_at
                .lt(at)
                .or(ce::waitlisted_at.eq(at).and(ce::user_id.lt(user))),
        )
        .count()
        .get_result(conn)?;
    Ok(before + 1)
}

/// The catalogue: upcoming courses (soonest first) and a bounded list of past ones.
pub fn list(conn: &mut DbConn, actor: &Actor) -> AppResult<(Vec<CourseRow>, Vec<CourseRow>)> {
    let t = now();
    let upcoming: Vec<Course> = visible(actor)?
        .filter(co::starts_at.gt(t))
        .order((co::starts_at.asc(), co::id.asc()))
        .limit(LIST_MAX)
        .select(Course::as_select())
        .load(conn)?;
    let past: Vec<Course> = visible(actor)?
        .filter(co::starts_at.le(t))
        .order((co::starts_at.desc(), co::id.asc()))
        .limit(LIST_MAX)
        .select(Course::as_select())
        .load(conn)?;
    Ok((rows(conn, actor, upcoming)?, rows(conn, actor, past)?))
}

/// One course in the actor's scope, else not found.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<CourseRow> {
    let c: Course = visible(actor)?
        .filter(co::id.eq(id.to_string()))
        .select(Course::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    rows(conn, actor, vec![c])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// One course the actor arranges: one for any of a coordinator's associations, or any for an
/// administrator (a whole-organization course is the administrator's).
pub fn managed(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<CourseRow> {
    let row = get(conn, actor, id)?;
    let ok = match actor.role() {
        Role::OrgAdmin => true,
        Role::Coordinator => row
            .audience
            .iter()
            .any(|(a, _)| actor.associations.contains(a)),
        _ => false,
    };
    if ok {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

// ---------------------------------------------------------------- create

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CourseForm {
    pub title: String,
    pub description: String,
    /// The chosen associations (checkboxes named `associations`, read by
    /// `expenses::split_list`); none means the whole organization.
    #[serde(skip)]
    pub associations: Vec<String>,
    pub place: String,
    pub online_url: String,
    pub capacity: String,
    pub deadline_date: String,
    pub deadline_time: String,
    pub day1_date: String,
    pub day1_start: String,
    pub day1_end: String,
    pub day2_date: String,
    pub day2_start: String,
    pub day2_end: String,
    pub day3_date: String,
    pub day3_start: String,
    pub day3_end: String,
    pub certification_name: String,
    pub validity_months: String,
    pub bufdir_training: Option<String>,
}

impl CourseForm {
    pub fn chose(&self, association: &str) -> bool {
        self.associations.iter().any(|a| a == association)
    }
    fn day(&self, i: usize) -> (&str, &str, &str) {
        match i {
            0 => (&self.day1_date, &self.day1_start, &self.day1_end),
            1 => (&self.day2_date, &self.day2_start, &self.day2_end),
            _ => (&self.day3_date, &self.day3_start, &self.day3_end),
        }
    }
}

const DAY_FIELDS: [&str; DAYS] = ["day1_date", "day2_date", "day3_date"];

/// The associations a course can be for: the coordinator's, or every active one of the
/// organization for an administrator (who may also leave it empty: the whole organization).
pub fn association_choices(conn: &mut DbConn, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    let org = actor.org()?.to_string();
    let mut q = la::table
        .filter(la::organization_id.eq(org))
        .filter(la::is_active.eq(true))
        .into_boxed();
    if actor.role() != Role::OrgAdmin {
        q = q.filter(la::id.eq_any(actor.associations.clone()));
    }
    Ok(q.order(la::name.asc())
        .select((la::id, la::name))
        .load(conn)?)
}

pub(super) struct Valid {
    /// The chosen associations, each one of the actor's choices, sorted.
    pub associations: Vec<String>,
    pub days: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub deadline: NaiveDateTime,
    pub capacity: i32,
    pub validity: Option<i32>,
}

/// The form's rules. `editing`: a coordinator may leave their own associations unticked on a
/// course that keeps others' (the caller checks the result is not the whole organization).
pub(super) fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &CourseForm,
    editing: bool,
) -> AppResult<Result<Valid, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let title = forms::fold_whitespace(&f.title);
    if title.is_empty() {
        errors.add("title", "err.required");
    } else if title.chars().count() > 200 {
        errors.add("title", "err.too_long");
    }
    if f.description.chars().count() > 4000 {
        errors.add("description", "err.too_long");
    }
    let choices = association_choices(conn, actor)?;
    let mut associations: Vec<String> = f
        .associations
        .iter()
        .map(|a| a.trim().to_string())
        .collect();
    associations.sort();
    associations.dedup();
    if associations
        .iter()
        .any(|a| !choices.iter().any(|(id, _)| id == a))
    {
        errors.add("associations", "err.choice");
    } else if associations.is_empty() && actor.role() != Role::OrgAdmin && !editing {
        errors.add("associations", "err.required");
    }
    let place = forms::fold_whitespace(&f.place);
    let online = f.online_url.trim();
    if place.is_empty() && online.is_empty() {
        errors.add("place", "course.err_place");
    }
    if place.chars().count() > 200 {
        errors.add("place", "err.too_long");
    }
    if !(online.is_empty() || online.starts_with("https://") || online.starts_with("http://"))
        || online.len() > 500
    {
        errors.add("online_url", "course.err_url");
    }
    let capacity = match f.capacity.trim().parse::<i32>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => {
            errors.add("capacity", "course.err_capacity");
            0
        }
    };
    let mut days = Vec::new();
    for (i, field) in DAY_FIELDS.iter().enumerate() {
        let (d, s, e) = f.day(i);
        if i > 0 && d.trim().is_empty() && s.trim().is_empty() && e.trim().is_empty() {
            continue;
        }
        match (oslo_to_utc(d, s), oslo_to_utc(d, e)) {
            (Some(a), Some(b)) if b > a => days.push((a, b)),
            _ => errors.add(field, "course.err_day"),
        }
    }
    days.sort();
    let deadline = oslo_to_utc(&f.deadline_date, &f.deadline_time);
    match (deadline, days.first()) {
        (None, _) => errors.add("deadline_date", "course.err_deadline"),
        (Some(d), Some((first, _))) if d > *first => {
            errors.add("deadline_date", "course.err_deadline_after")
        }
        _ => {}
    }
    if days.first().is_some_and(|(a, _)| *a <= now()) {
        errors.add("day1_date", "course.err_past");
    }
    let cert = forms::fold_whitespace(&f.certification_name);
    if cert.chars().count() > 200 {
        errors.add("certification_name", "err.too_long");
    }
    let validity = match f.validity_months.trim() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) if (1..=240).contains(&n) && !cert.is_empty() => Some(n),
            _ => {
                errors.add("validity_months", "course.err_validity");
                None
            }
        },
    };
    match (errors.is_empty(), deadline) {
        (true, Some(deadline)) => Ok(Ok(Valid {
            associations,
            days,
            deadline,
            capacity,
            validity,
        })),
        _ => Ok(Err(errors)),
    }
}

/// Creates a course with its days (logged).
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &CourseForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let v = match validate(conn, actor, f, false)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let t = now();
    let cert = forms::fold_whitespace(&f.certification_name);
    let place = forms::fold_whitespace(&f.place);
    let c = Course {
        id: new_id(),
        organization_id: org.clone(),
        local_association_id: None,
        title: forms::fold_whitespace(&f.title),
        description: f.description.trim().to_string(),
        place: (!place.is_empty()).then_some(place),
        online_url: forms::opt(&Some(f.online_url.trim().to_string())),
        capacity: v.capacity,
        seats_taken: 0,
        enrollment_deadline: v.deadline,
        starts_at: v.days[0].0,
        certification_name: (!cert.is_empty()).then_some(cert),
        validity_months: v.validity,
        bufdir_training: f.bufdir_training.is_some(),
        status: "open".into(),
        created_by: Some(actor.user_id.clone()),
        created_at: t,
        updated_at: t,
        cancel_reason: None,
    };
    let id = c.id.clone();
    crate::db::tx(conn, |tx| {
        diesel::insert_into(co::table).values(&c).execute(tx.conn)?;
        set_audience(tx.conn, &c.id, &v.associations)?;
        for (a, b) in &v.days {
            diesel::insert_into(cd::table)
                .values(&CourseDay {
                    id: new_id(),
                    course_id: c.id.clone(),
                    starts_at: *a,
                    ends_at: *b,
                })
                .execute(tx.conn)?;
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.created",
                "course",
                &c.id,
                serde_json::json!({ "title": c.title, "associations": v.associations }),
            ),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(id))
}

/// Replaces a course's associations (the caller's transaction; seed too), and sets the one its
/// Bufdir training days are credited to (`courses.local_association_id`): the only one of the
/// audience, none for the whole organization or several (the organization's total only).
pub fn set_audience(conn: &mut DbConn, course: &str, associations: &[String]) -> QueryResult<()> {
    diesel::delete(cas::table.filter(cas::course_id.eq(course))).execute(conn)?;
    for a in associations {
        diesel::insert_into(cas::table)
            .values((cas::course_id.eq(course), cas::local_association_id.eq(a)))
            .execute(conn)?;
    }
    let credited = match associations {
        [one] => Some(one.clone()),
        _ => None,
    };
    diesel::update(co::table.find(course))
        .set(co::local_association_id.eq(credited))
        .execute(conn)?;
    Ok(())
}
