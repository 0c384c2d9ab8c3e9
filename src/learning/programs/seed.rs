//! Blindeforbundet's demo programs, in the demo coordinator's home association: a career
//! workshop that ended (three days, attendance marked: some were present every day, some not)
//! and group mentoring to come (two days). The participants are the demo mentor, the demo
//! course participants and two members (contacts) of the association.

use diesel::prelude::*;

use super::model::{Participant, Program, Session};
use crate::db::{new_id, now, DbConn};
use crate::learning::seed::at_hour;
use crate::schema::{
    contacts, mentor_program_sessions as ps, mentor_programs as mp, workshop_attendance as wa,
    workshop_participants as wp,
};

pub const PAST_PROGRAM: &str = "Karriereverksted: veien til arbeid";
pub const UPCOMING_PROGRAM: &str = "Gruppeveiledning for nye likepersoner";

/// Inserts a program with a day (10–15) at each of `days` (days from today).
pub fn insert_program(
    conn: &mut DbConn,
    org: &str,
    association: Option<&str>,
    kind: &str,
    title: &str,
    days: &[i64],
) -> QueryResult<(Program, Vec<Session>)> {
    let t = now();
    let p = Program {
        id: new_id(),
        organization_id: org.to_string(),
        local_association_id: association.map(str::to_string),
        kind: kind.to_string(),
        title: title.to_string(),
        description: "Samlinger i gruppe med erfaringsdeling og oppgaver mellom dagene.".into(),
        place: Some("Blindeforbundets lokaler".into()),
        online_url: None,
        status: "planned".into(),
        starts_at: at_hour(days[0], 10),
        created_by: None,
        created_at: t,
        updated_at: t,
    };
    diesel::insert_into(mp::table).values(&p).execute(conn)?;
    let mut sessions = Vec::new();
    for d in days {
        let s = Session {
            id: new_id(),
            program_id: p.id.clone(),
            starts_at: at_hour(*d, 10),
            ends_at: at_hour(*d, 15),
        };
        diesel::insert_into(ps::table).values(&s).execute(conn)?;
        sessions.push(s);
    }
    Ok((p, sessions))
}

/// Adds a participant (a user or a contact) directly; returns its id.
pub fn join(
    conn: &mut DbConn,
    program: &str,
    user: Option<&str>,
    contact: Option<&str>,
) -> QueryResult<String> {
    let p = Participant {
        id: new_id(),
        program_id: program.to_string(),
        user_id: user.map(str::to_string),
        contact_id: contact.map(str::to_string),
        added_by: None,
        added_at: now(),
    };
    diesel::insert_into(wp::table).values(&p).execute(conn)?;
    Ok(p.id)
}

/// Saves one attendance mark directly.
pub fn mark(
    conn: &mut DbConn,
    session: &str,
    participant: &str,
    attended: bool,
) -> QueryResult<()> {
    diesel::insert_into(wa::table)
        .values((
            wa::session_id.eq(session),
            wa::participant_id.eq(participant),
            wa::attended.eq(attended),
            wa::marked_by.eq(None::<String>),
            wa::marked_at.eq(now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A demo participant: (user, contact, the mark of each day, if any).
type Joined<'a> = (Option<&'a str>, Option<&'a str>, Vec<Option<bool>>);

pub fn seed_demo(
    conn: &mut DbConn,
    org: &str,
    home: &str,
    mentor: &str,
    others: &[String],
) -> QueryResult<()> {
    let members: Vec<String> = contacts::table
        .filter(contacts::organization_id.eq(org))
        .filter(contacts::local_association_id.eq(home))
        .filter(contacts::erased_at.is_null())
        .order(contacts::name_key.asc())
        .select(contacts::id)
        .limit(2)
        .load(conn)?;
    let (past, days) = insert_program(
        conn,
        org,
        Some(home),
        "career_workshop",
        PAST_PROGRAM,
        &[-20, -13, -6],
    )?;
    // (user, contact, present on each day): the mentor, the first participant and the first
    // member completed every day; the second participant missed a day; the second member came
    // once and was not marked after.
    let mut people: Vec<Joined> = vec![
        (Some(mentor), None, vec![Some(true); 3]),
        (Some(&others[0]), None, vec![Some(true); 3]),
        (
            Some(&others[1]),
            None,
            vec![Some(true), Some(false), Some(true)],
        ),
    ];
    if let Some(m) = members.first() {
        people.push((None, Some(m), vec![Some(true); 3]));
    }
    if let Some(m) = members.get(1) {
        people.push((None, Some(m), vec![Some(true), None, None]));
    }
    for (user, contact, marks) in people {
        let id = join(conn, &past.id, user, contact)?;
        for (day, m) in days.iter().zip(marks) {
            if let Some(present) = m {
                mark(conn, &day.id, &id, present)?;
            }
        }
    }
    let (upcoming, _) = insert_program(
        conn,
        org,
        Some(home),
        "group_mentoring",
        UPCOMING_PROGRAM,
        &[10, 17],
    )?;
    join(conn, &upcoming.id, Some(mentor), None)?;
    join(conn, &upcoming.id, Some(&others[2]), None)?;
    if let Some(m) = members.first() {
        join(conn, &upcoming.id, None, Some(m))?;
    }
    Ok(())
}
