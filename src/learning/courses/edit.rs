//! Changing a course after it was made: the coordinator edits it (the enrolled and waitlisted
//! are told when the days or the place change; more seats go to the waitlist at once), cancels
//! it with a reason (everyone enrolled or waiting is told once), and writes a short message to
//! everyone enrolled (in the app and by e-mail, as each person chose). All audit-logged.

use chrono::NaiveDateTime;
use chrono_tz::Europe::Oslo;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::CourseRow;
use super::service::{self, audit_event, validate, CourseForm};
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn};
use crate::labels::Labels;
use crate::learning::courses::model::CourseDay;
use crate::notifications::render::{self, Rendered};
use crate::notifications::scenarios::fill;
use crate::notifications::service::{notify_each, MailFn};
use crate::notifications::Notice;
use crate::schema::{course_days as cd, course_enrollments as ce, courses as co};
use crate::seats::{self, Pool};
use crate::web::forms::{self, FieldErrors};
use crate::web::{AppError, AppResult};

/// The longest message to the enrolled, in characters.
pub const MESSAGE_MAX: usize = 2000;

/// Enrollment statuses that are told when a course changes or is cancelled.
const HOLDING: [&str; 2] = ["registered", "waitlisted"];
/// Enrollment statuses that get a coordinator's message: everyone enrolled, not withdrawn.
const ENROLLED: [&str; 4] = ["registered", "waitlisted", "attended", "no_show"];

fn local(t: NaiveDateTime) -> chrono::DateTime<chrono_tz::Tz> {
    t.and_utc().with_timezone(&Oslo)
}

impl CourseForm {
    /// The form filled from a course (times in Norway's time).
    pub fn from_row(row: &CourseRow) -> CourseForm {
        let c = &row.c;
        let day = |i: usize| -> (String, String, String) {
            row.days.get(i).map_or_else(Default::default, |d| {
                (
                    local(d.starts_at).format("%Y-%m-%d").to_string(),
                    local(d.starts_at).format("%H:%M").to_string(),
                    local(d.ends_at).format("%H:%M").to_string(),
                )
            })
        };
        let (d1, d2, d3) = (day(0), day(1), day(2));
        let deadline = local(c.enrollment_deadline);
        CourseForm {
            title: c.title.clone(),
            description: c.description.clone(),
            associations: row.audience.iter().map(|(a, _)| a.clone()).collect(),
            place: c.place.clone().unwrap_or_default(),
            online_url: c.online_url.clone().unwrap_or_default(),
            capacity: c.capacity.to_string(),
            deadline_date: deadline.format("%Y-%m-%d").to_string(),
            deadline_time: deadline.format("%H:%M").to_string(),
            day1_date: d1.0,
            day1_start: d1.1,
            day1_end: d1.2,
            day2_date: d2.0,
            day2_start: d2.1,
            day2_end: d2.2,
            day3_date: d3.0,
            day3_start: d3.1,
            day3_end: d3.2,
            certification_name: c.certification_name.clone().unwrap_or_default(),
            validity_months: c.validity_months.map(|m| m.to_string()).unwrap_or_default(),
            bufdir_training: c.bufdir_training.then(|| "1".to_string()),
        }
    }
}

/// A course the actor arranges that may still change (open, not started), else not found.
pub fn for_edit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<CourseRow> {
    let row = service::managed(conn, actor, id)?;
    if !row.editable() {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// "d.m.yyyy hh:mm, place" of a course's first day, for the change notice.
pub(crate) fn when_text(first: NaiveDateTime, place: &str) -> String {
    let when = local(first).format("%-d.%-m.%Y %H:%M").to_string();
    if place.is_empty() {
        when
    } else {
        format!("{when}, {place}")
    }
}

/// Tells each person with one of `statuses` on the course, once (in the caller's
/// transaction). Returns how many were told.
fn tell(
    conn: &mut DbConn,
    org: &str,
    id: &str,
    statuses: &[&str],
    scenario: &'static str,
    params: &serde_json::Value,
    mail: Option<&MailFn<'_>>,
) -> QueryResult<usize> {
    let users: Vec<String> = ce::table
        .filter(ce::course_id.eq(id))
        .filter(ce::status.eq_any(statuses))
        .select(ce::user_id)
        .load(conn)?;
    let notice = Notice {
        user_id: "",
        org_id: Some(org),
        role: Some(Role::PeerMentor),
        scenario,
        subject_kind: "course",
        subject_id: id,
        link: format!("/courses/{id}"),
        params: params.clone(),
    };
    notify_each(conn, users, &notice, mail)
}

/// Saves the edited course (logged). The capacity may not drop below the seats taken; seats
/// added go to the waitlist at once; the enrolled and waiting are told of new days or place.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &CourseForm,
) -> AppResult<Result<(), FieldErrors>> {
    let row = for_edit(conn, actor, id)?;
    let org = row.c.organization_id.clone();
    let v = match validate(conn, actor, f, true)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    // A coordinator decides for their own associations only: others' already on the course stay.
    // The result may not be empty (that would be the whole organization, the administrator's).
    let mut audience = v.associations.clone();
    if actor.role() != Role::OrgAdmin {
        audience.extend(
            row.audience
                .iter()
                .filter(|(a, _)| !actor.associations.contains(a))
                .map(|(a, _)| a.clone()),
        );
        audience.sort();
        audience.dedup();
        if audience.is_empty() {
            let mut errors = FieldErrors::new();
            errors.add("associations", "err.required");
            return Ok(Err(errors));
        }
    }
    let cert = forms::fold_whitespace(&f.certification_name);
    let place = forms::fold_whitespace(&f.place);
    let online = forms::opt(&Some(f.online_url.trim().to_string()));
    let title = forms::fold_whitespace(&f.title);
    let old_days: Vec<(NaiveDateTime, NaiveDateTime)> =
        row.days.iter().map(|d| (d.starts_at, d.ends_at)).collect();
    let moved = old_days != v.days
        || row.c.place.clone().unwrap_or_default() != place
        || row.c.online_url != online;
    crate::db::tx(conn, |tx| {
        let n = diesel::update(
            co::table
                .find(id)
                .filter(co::status.eq("open"))
                .filter(co::starts_at.gt(now()))
                .filter(co::seats_taken.le(v.capacity)),
        )
        .set((
            co::title.eq(&title),
            co::description.eq(f.description.trim()),
            co::place.eq((!place.is_empty()).then(|| place.clone())),
            co::online_url.eq(&online),
            co::capacity.eq(v.capacity),
            co::enrollment_deadline.eq(v.deadline),
            co::starts_at.eq(v.days[0].0),
            co::certification_name.eq((!cert.is_empty()).then(|| cert.clone())),
            co::validity_months.eq(v.validity),
            co::bufdir_training.eq(f.bufdir_training.is_some()),
            co::updated_at.eq(now()),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            let mut errors = FieldErrors::new();
            errors.add("capacity", "course.err_capacity_below");
            return Ok(Err(errors));
        }
        service::set_audience(tx.conn, id, &audience)?;
        if old_days != v.days {
            // Not started, so no attendance refers to the days yet.
            diesel::delete(cd::table.filter(cd::course_id.eq(id))).execute(tx.conn)?;
            for (a, b) in &v.days {
                diesel::insert_into(cd::table)
                    .values(&CourseDay {
                        id: new_id(),
                        course_id: id.to_string(),
                        starts_at: *a,
                        ends_at: *b,
                    })
                    .execute(tx.conn)?;
            }
        }
        let seated = if v.capacity > row.c.capacity {
            seats::fill_from_waitlist(tx.conn, Pool::Course, id)?
        } else {
            Vec::new()
        };
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.updated",
                "course",
                id,
                serde_json::json!({
                    "title": title,
                    "capacity": v.capacity,
                    "associations": audience,
                    "starts_at": v.days[0].0.to_string(),
                    "seated_from_waitlist": seated.len(),
                }),
            ),
        )?;
        if moved {
            tell(
                tx.conn,
                &org,
                id,
                &HOLDING,
                "course.changed",
                &serde_json::json!({ "title": title, "when": when_text(v.days[0].0, &place) }),
                None,
            )?;
        }
        Ok::<_, AppError>(Ok(()))
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CancelForm {
    pub reason: String,
}

/// Cancels the course with a reason (logged). Enrollments stay as they were, so each person
/// sees the course was cancelled; everyone enrolled or waiting is told once.
pub fn cancel(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &CancelForm,
) -> AppResult<Result<usize, FieldErrors>> {
    let row = for_edit(conn, actor, id)?;
    let org = row.c.organization_id.clone();
    let reason = forms::fold_whitespace(&f.reason);
    let mut errors = FieldErrors::new();
    if reason.is_empty() {
        errors.add("reason", "err.required");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "err.too_long");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    crate::db::tx(conn, |tx| {
        let n = diesel::update(co::table.find(id).filter(co::status.eq("open")))
            .set((
                co::status.eq("cancelled"),
                co::cancel_reason.eq(&reason),
                co::updated_at.eq(now()),
            ))
            .execute(tx.conn)?;
        if n == 0 {
            // Cancelled a moment ago by someone else: they were told then.
            return Err(AppError::NotFound);
        }
        let told = tell(
            tx.conn,
            &org,
            id,
            &HOLDING,
            "course.cancelled",
            &serde_json::json!({ "title": row.c.title, "reason": reason }),
            None,
        )?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.cancelled",
                "course",
                id,
                serde_json::json!({ "reason": reason, "told": told }),
            ),
        )?;
        Ok::<_, AppError>(Ok(told))
    })
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct MessageForm {
    /// The message (a multi-line field: `body` is in `web::extract::MULTILINE`).
    pub body: String,
}

/// How many a message would reach: everyone enrolled, waiting or marked, not withdrawn.
pub fn enrolled_count(conn: &mut DbConn, id: &str) -> QueryResult<i64> {
    ce::table
        .filter(ce::course_id.eq(id))
        .filter(ce::status.eq_any(ENROLLED))
        .count()
        .get_result(conn)
}

/// Sends a coordinator's message to everyone enrolled in a course they arrange (not those who
/// withdrew): in the app and by e-mail through the outbox, as each person chose. Logged with
/// the number reached. Returns that number.
pub fn message(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &MessageForm,
) -> AppResult<Result<usize, FieldErrors>> {
    let row = service::managed(conn, actor, id)?;
    let org = row.c.organization_id.clone();
    let body = f.body.trim();
    let mut errors = FieldErrors::new();
    if body.is_empty() {
        errors.add("body", "err.required");
    } else if body.chars().count() > MESSAGE_MAX {
        errors.add("body", "course.err_message_long");
    } else if !body.chars().all(|c| crate::web::extract::allowed(c, true)) {
        errors.add("body", "course.err_message_chars");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let params = serde_json::json!({ "title": row.c.title, "from": actor.name, "message": body });
    let link = format!("/courses/{id}");
    // The mail: the course in the subject, the message as written (its lines kept) below.
    let mail = |labels: &Labels, name: &str, _title: &str| -> Rendered {
        let subject = fill(labels.get("ntf.course.message.subject"), &params);
        let lines = [
            fill(labels.get("ntf.course.message.intro"), &params),
            body.to_string(),
        ];
        render::simple(labels, name, &subject, &lines, Some(link.as_str()), true)
    };
    crate::db::tx(conn, |tx| {
        let told = tell(
            tx.conn,
            &org,
            id,
            &ENROLLED,
            "course.message",
            &params,
            Some(&mail as &MailFn<'_>),
        )?;
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "course.message_sent",
                "course",
                id,
                serde_json::json!({ "told": told, "chars": body.chars().count() }),
            ),
        )?;
        Ok::<_, AppError>(Ok(told))
    })
}
