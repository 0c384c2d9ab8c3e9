//! Demo data that makes reminders due, so that `likeperson run-jobs` on a fresh demo database
//! makes in-app notifications and writes mails to the mail folder: in NHF, an event tomorrow
//! that the demo mentor is registered for, and one of the mentor's claims waiting nine days.
//! (The demo contacts without a recent activity are due already, and every demo coordinator
//! gets the week's digest.)

use chrono::Duration;
use diesel::prelude::*;

use crate::db::{now, DbConn};
use crate::schema::{
    organizations as o, reimbursements as rb, user_organization_roles as uor, users,
};

const TOMORROW: crate::events::seed::Spec = (
    "Kaffetreff for likepersoner",
    1,
    18,
    90,
    Some(12),
    "",
    "Frivillighetshuset",
);

pub fn seed_demo(conn: &mut DbConn) -> anyhow::Result<()> {
    let Some(org) = o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let mentor: Option<(String, Option<String>)> = uor::table
        .inner_join(users::table.on(users::id.eq(uor::user_id)))
        .filter(users::email.eq("mentor@nhf.example"))
        .filter(uor::organization_id.eq(&org))
        .filter(uor::role_id.eq("peer_mentor"))
        .order(uor::local_association_id.asc())
        .select((uor::user_id, uor::local_association_id))
        .first(conn)
        .optional()?;
    let Some((mentor, Some(association))) = mentor else {
        return Ok(());
    };
    let e = crate::events::seed::insert_event(conn, &org, &association, &TOMORROW, &[], None)?;
    crate::events::seed::attend(conn, &e, &mentor, "registered", None)?;
    let waiting: Option<String> = rb::table
        .filter(rb::user_id.eq(&mentor))
        .filter(rb::organization_id.eq(&org))
        .filter(rb::status.eq("submitted"))
        .order(rb::id.asc())
        .select(rb::id)
        .first(conn)
        .optional()?;
    if let Some(claim) = waiting {
        diesel::update(rb::table.find(claim))
            .set(rb::submitted_at.eq(Some(now() - Duration::days(9))))
            .execute(conn)?;
    }
    Ok(())
}
