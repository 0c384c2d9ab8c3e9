//! Who sees which program, the list, one program with its days, and the form's rules (create,
//! edit before the start, cancel). A program arranged by an association is seen by that
//! association's coordinators; one of the whole organization by every coordinator (arranged
//! by an administrator). A mentor sees the programs they take part in; nothing of another
//! organization is found.

use chrono::{Duration, NaiveDateTime};
use chrono_tz::Europe::Oslo;
use diesel::prelude::*;

use super::model::*;
use crate::access::{Actor, Role};
use crate::audit::service as audit;
use crate::db::{new_id, now, DbConn, DbConnBackend};
use crate::events::service::oslo_to_utc;
use crate::learning::courses::service::{association_choices, audit_event};
use crate::schema::{
    local_associations as la, mentor_program_sessions as ps, mentor_programs as mp,
    workshop_participants as wp,
};
use crate::web::forms::{self, FieldErrors};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{AppError, AppResult};

/// Programs on a page of the list.
pub const PER_PAGE: i64 = 20;
/// Day rows the form offers.
pub const DAYS: usize = 5;
/// The date field of each day row, where its error shows.
pub const DAY_FIELDS: [&str; DAYS] = [
    "day1_date",
    "day2_date",
    "day3_date",
    "day4_date",
    "day5_date",
];
/// How far ahead a day may be, in days.
const MAX_AHEAD_DAYS: i64 = 3 * 366;

/// Programs the actor may see.
pub fn visible(actor: &Actor) -> AppResult<mp::BoxedQuery<'static, DbConnBackend>> {
    let org = actor.org()?.to_string();
    let q = mp::table.filter(mp::organization_id.eq(org)).into_boxed();
    Ok(match actor.role() {
        Role::PeerMentor => q.filter(
            mp::id.eq_any(
                wp::table
                    .filter(wp::user_id.eq(actor.user_id.clone()))
                    .select(wp::program_id),
            ),
        ),
        Role::Coordinator => q.filter(
            mp::local_association_id
                .is_null()
                .or(mp::local_association_id.eq_any(actor.associations.clone())),
        ),
        Role::OrgAdmin => q,
        Role::GlobalAdmin | Role::Account => return Err(AppError::NotFound),
    })
}

fn rows(conn: &mut DbConn, list: Vec<Program>) -> QueryResult<Vec<ProgramRow>> {
    let ids: Vec<String> = list.iter().map(|p| p.id.clone()).collect();
    let days: Vec<Session> = ps::table
        .filter(ps::program_id.eq_any(&ids))
        .order((ps::program_id.asc(), ps::starts_at.asc()))
        .select(Session::as_select())
        .load(conn)?;
    let counts: Vec<(String, i64)> = wp::table
        .filter(wp::program_id.eq_any(&ids))
        .group_by(wp::program_id)
        .select((wp::program_id, diesel::dsl::count_star()))
        .load(conn)?;
    let assoc: Vec<String> = list
        .iter()
        .filter_map(|p| p.local_association_id.clone())
        .collect();
    let names: Vec<(String, String)> = la::table
        .filter(la::id.eq_any(assoc))
        .select((la::id, la::name))
        .load(conn)?;
    Ok(list
        .into_iter()
        .map(|p| ProgramRow {
            association: names
                .iter()
                .find(|(id, _)| Some(id) == p.local_association_id.as_ref())
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            sessions: days
                .iter()
                .filter(|d| d.program_id == p.id)
                .cloned()
                .collect(),
            participants: counts
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n),
            p,
        })
        .collect())
}

/// A page of the programs the actor sees, the newest start first.
pub fn list(conn: &mut DbConn, actor: &Actor, page: Option<i64>) -> AppResult<PageOf<ProgramRow>> {
    let paging = Paging::new(page, PER_PAGE);
    let total: i64 = visible(actor)?.count().get_result(conn)?;
    let list: Vec<Program> = visible(actor)?
        .order((mp::starts_at.desc(), mp::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Program::as_select())
        .load(conn)?;
    Ok(paging.page_of(rows(conn, list)?, total))
}

/// One program the actor sees, else not found.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ProgramRow> {
    let p: Program = visible(actor)?
        .filter(mp::id.eq(id.to_string()))
        .select(Program::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    rows(conn, vec![p])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Whether the actor arranges this program: any for an administrator, their associations'
/// for a coordinator.
pub fn arranges(actor: &Actor, p: &Program) -> bool {
    match actor.role() {
        Role::OrgAdmin => true,
        Role::Coordinator => p
            .local_association_id
            .as_ref()
            .is_some_and(|a| actor.associations.contains(a)),
        _ => false,
    }
}

/// One program the actor arranges, else not found.
pub fn managed(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ProgramRow> {
    let row = get(conn, actor, id)?;
    if arranges(actor, &row.p) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// One the actor arranges that may still change (planned, not started), else not found.
pub fn for_edit(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ProgramRow> {
    let row = managed(conn, actor, id)?;
    if !row.editable() {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

// ---------------------------------------------------------------- the form

/// One day row of the form, as typed.
#[derive(Clone, Debug, Default)]
pub struct DayInput {
    pub date: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Default)]
pub struct ProgramForm {
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The arranging association; empty: the whole organization (an administrator's).
    pub association: String,
    pub place: String,
    pub online_url: String,
    /// `DAYS` rows (`day1_date`, `day1_start`, `day1_end`, ...).
    pub days: Vec<DayInput>,
}

impl ProgramForm {
    /// An empty form with `DAYS` day rows.
    pub fn blank() -> ProgramForm {
        ProgramForm {
            kind: KINDS[0].into(),
            days: vec![DayInput::default(); DAYS],
            ..Default::default()
        }
    }

    /// The form from its fields (unknown fields are ignored).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> ProgramForm {
        let mut f = ProgramForm::blank();
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v,
                "title" => f.title = v,
                "description" => f.description = v,
                "association" => f.association = v,
                "place" => f.place = v,
                "online_url" => f.online_url = v,
                _ => {
                    let Some((n, part)) = k.strip_prefix("day").and_then(|r| r.split_once('_'))
                    else {
                        continue;
                    };
                    let Some(d) = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|i| f.days.get_mut(i))
                    else {
                        continue;
                    };
                    match part {
                        "date" => d.date = v,
                        "start" => d.start = v,
                        "end" => d.end = v,
                        _ => {}
                    }
                }
            }
        }
        f
    }

    /// The form filled from a program (times in Norway's time).
    pub fn from_row(row: &ProgramRow) -> ProgramForm {
        let local = |t: NaiveDateTime| t.and_utc().with_timezone(&Oslo);
        let mut f = ProgramForm {
            kind: row.p.kind.clone(),
            title: row.p.title.clone(),
            description: row.p.description.clone(),
            association: row.p.local_association_id.clone().unwrap_or_default(),
            place: row.p.place.clone().unwrap_or_default(),
            online_url: row.p.online_url.clone().unwrap_or_default(),
            days: row
                .sessions
                .iter()
                .map(|s| DayInput {
                    date: local(s.starts_at).format("%Y-%m-%d").to_string(),
                    start: local(s.starts_at).format("%H:%M").to_string(),
                    end: local(s.ends_at).format("%H:%M").to_string(),
                })
                .collect(),
        };
        f.days.resize(DAYS, DayInput::default());
        f
    }

    /// (number from 1, the date field's name, row) for the template.
    pub fn numbered(&self) -> Vec<(usize, &'static str, &DayInput)> {
        self.days
            .iter()
            .zip(DAY_FIELDS)
            .enumerate()
            .map(|(i, (d, name))| (i + 1, name, d))
            .collect()
    }
}

struct Valid {
    kind: String,
    title: String,
    description: String,
    association: Option<String>,
    place: Option<String>,
    online: Option<String>,
    days: Vec<(NaiveDateTime, NaiveDateTime)>,
}

fn validate(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ProgramForm,
) -> AppResult<Result<Valid, FieldErrors>> {
    let mut errors = FieldErrors::new();
    if !KINDS.contains(&f.kind.as_str()) {
        errors.add("kind", "err.choice");
    }
    let title = forms::fold_whitespace(&f.title);
    if title.is_empty() {
        errors.add("title", "err.required");
    } else if title.chars().count() > 200 {
        errors.add("title", "err.too_long");
    }
    let description = f.description.trim().to_string();
    if description.chars().count() > 4000 {
        errors.add("description", "err.too_long");
    }
    let association = f.association.trim().to_string();
    if association.is_empty() {
        if actor.role() != Role::OrgAdmin {
            errors.add("association", "err.required");
        }
    } else if !association_choices(conn, actor)?
        .iter()
        .any(|(id, _)| *id == association)
    {
        errors.add("association", "err.choice");
    }
    let place = forms::fold_whitespace(&f.place);
    let online = f.online_url.trim().to_string();
    if place.is_empty() && online.is_empty() {
        errors.add("place", "course.err_place");
    } else if place.chars().count() > 200 {
        errors.add("place", "err.too_long");
    }
    if !(online.is_empty() || online.starts_with("https://") || online.starts_with("http://"))
        || online.len() > 500
    {
        errors.add("online_url", "course.err_url");
    }
    let t = now();
    let latest = t + Duration::days(MAX_AHEAD_DAYS);
    let mut days = Vec::new();
    for (d, field) in f.days.iter().zip(DAY_FIELDS) {
        if [&d.date, &d.start, &d.end]
            .iter()
            .all(|s| s.trim().is_empty())
        {
            continue;
        }
        match (oslo_to_utc(&d.date, &d.start), oslo_to_utc(&d.date, &d.end)) {
            (Some(a), Some(b)) if b > a => {
                if a <= t {
                    errors.add(field, "program.err_past");
                } else if a > latest {
                    errors.add(field, "program.err_far");
                } else {
                    days.push((a, b));
                }
            }
            _ => errors.add(field, "course.err_day"),
        }
    }
    days.sort();
    if days.windows(2).any(|w| w[1].0 < w[0].1) {
        errors.add("day1_date", "program.err_overlap");
    }
    if days.is_empty() && !errors.has("day1_date") {
        errors.add("day1_date", "program.err_no_days");
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Valid {
        kind: f.kind.clone(),
        title,
        description,
        association: (!association.is_empty()).then_some(association),
        place: (!place.is_empty()).then_some(place),
        online: (!online.is_empty()).then_some(online),
        days,
    }))
}

fn put_days(
    conn: &mut DbConn,
    program: &str,
    days: &[(NaiveDateTime, NaiveDateTime)],
) -> QueryResult<()> {
    diesel::delete(ps::table.filter(ps::program_id.eq(program))).execute(conn)?;
    for (a, b) in days {
        diesel::insert_into(ps::table)
            .values(&Session {
                id: new_id(),
                program_id: program.to_string(),
                starts_at: *a,
                ends_at: *b,
            })
            .execute(conn)?;
    }
    Ok(())
}

fn detail(v: &Valid) -> serde_json::Value {
    serde_json::json!({
        "title": v.title,
        "kind": v.kind,
        "association": v.association,
        "days": v.days.len(),
        "starts_at": v.days[0].0.to_string(),
    })
}

/// Creates a program with its days (logged).
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ProgramForm,
) -> AppResult<Result<String, FieldErrors>> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    let v = match validate(conn, actor, f)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let t = now();
    let p = Program {
        id: new_id(),
        organization_id: org.clone(),
        local_association_id: v.association.clone(),
        kind: v.kind.clone(),
        title: v.title.clone(),
        description: v.description.clone(),
        place: v.place.clone(),
        online_url: v.online.clone(),
        status: "planned".into(),
        starts_at: v.days[0].0,
        created_by: Some(actor.user_id.clone()),
        created_at: t,
        updated_at: t,
    };
    crate::db::tx(conn, |tx| {
        diesel::insert_into(mp::table).values(&p).execute(tx.conn)?;
        put_days(tx.conn, &p.id, &v.days)?;
        audit::append(
            tx,
            audit_event(actor, &org, "program.created", "program", &p.id, detail(&v)),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(Ok(p.id))
}

/// Saves an edited program (before its start; logged). Days are replaced: none has begun, so
/// no attendance refers to them.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    f: &ProgramForm,
) -> AppResult<Result<(), FieldErrors>> {
    let row = for_edit(conn, actor, id)?;
    let org = row.p.organization_id.clone();
    let v = match validate(conn, actor, f)? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    // The mentors taking part are told of new days or a new place.
    let old_days: Vec<(NaiveDateTime, NaiveDateTime)> = row
        .sessions
        .iter()
        .map(|d| (d.starts_at, d.ends_at))
        .collect();
    let moved = old_days != v.days || row.p.place != v.place || row.p.online_url != v.online;
    crate::db::tx(conn, |tx| {
        let n = diesel::update(
            mp::table
                .find(id)
                .filter(mp::status.eq("planned"))
                .filter(mp::starts_at.gt(now())),
        )
        .set((
            mp::kind.eq(&v.kind),
            mp::title.eq(&v.title),
            mp::description.eq(&v.description),
            mp::local_association_id.eq(&v.association),
            mp::place.eq(&v.place),
            mp::online_url.eq(&v.online),
            mp::starts_at.eq(v.days[0].0),
            mp::updated_at.eq(now()),
        ))
        .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        put_days(tx.conn, id, &v.days)?;
        audit::append(
            tx,
            audit_event(actor, &org, "program.updated", "program", id, detail(&v)),
        )?;
        if moved {
            let place = v.place.clone().unwrap_or_default();
            let when = crate::learning::courses::edit::when_text(v.days[0].0, &place);
            tell(
                tx.conn,
                &org,
                id,
                "program.changed",
                serde_json::json!({ "title": v.title, "when": when }),
            )?;
        }
        Ok(Ok(()))
    })
}

/// Tells the mentors taking part (invited members have no account: the coordinator reaches
/// them), in the caller's transaction.
fn tell(
    conn: &mut DbConn,
    org: &str,
    id: &str,
    scenario: &'static str,
    params: serde_json::Value,
) -> QueryResult<usize> {
    let users: Vec<String> = wp::table
        .filter(wp::program_id.eq(id))
        .filter(wp::user_id.is_not_null())
        .select(wp::user_id.assume_not_null())
        .load(conn)?;
    let notice = crate::notifications::Notice {
        user_id: "",
        org_id: Some(org),
        role: Some(Role::PeerMentor),
        scenario,
        subject_kind: "program",
        subject_id: id,
        link: format!("/programs/{id}"),
        params,
    };
    crate::notifications::service::notify_each(conn, users, &notice, None)
}

/// Cancels a program before its start (logged); the mentors taking part are told.
pub fn cancel(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<()> {
    let row = for_edit(conn, actor, id)?;
    let org = row.p.organization_id.clone();
    crate::db::tx(conn, |tx| {
        let n = diesel::update(mp::table.find(id).filter(mp::status.eq("planned")))
            .set((mp::status.eq("cancelled"), mp::updated_at.eq(now())))
            .execute(tx.conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::append(
            tx,
            audit_event(
                actor,
                &org,
                "program.cancelled",
                "program",
                id,
                serde_json::json!({ "title": row.p.title }),
            ),
        )?;
        tell(
            tx.conn,
            &org,
            id,
            "program.cancelled",
            serde_json::json!({ "title": row.p.title }),
        )?;
        Ok(())
    })
}
