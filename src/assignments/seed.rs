//! Demo data: Blindeforbundet uses assignments, and its demo mentor has one in every state
//! (one completed long enough ago to have had its details erased), dispatched by the demo
//! coordinator with details taken from contacts of the association.

use chrono::Duration;
use diesel::prelude::*;

use super::keys::KeyStore;
use super::model::*;
use super::service::{details_binding, today};
use crate::db::{new_id, now, DbConn};
use crate::schema::{
    assignment_settings as st, assignment_status_log as log, assignments as asg, contacts,
    organizations, user_organization_roles as uor, users,
};

/// A contact the demo details are taken from: id, name, street, phone, notes.
type DemoPerson = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn user(conn: &mut DbConn, email: &str) -> QueryResult<Option<String>> {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)
        .optional()
}

pub fn seed_demo(conn: &mut DbConn, keys: &KeyStore) -> anyhow::Result<()> {
    let Some(org) = organizations::table
        .filter(organizations::short_name.eq("Blindeforbundet"))
        .select(organizations::id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(());
    };
    if asg::table
        .filter(asg::organization_id.eq(&org))
        .count()
        .get_result::<i64>(conn)?
        > 0
    {
        return Ok(());
    }
    let (Some(mentor), Some(coordinator)) = (
        user(conn, "mentor@blindeforbundet.example")?,
        user(conn, "coordinator@blindeforbundet.example")?,
    ) else {
        return Ok(());
    };
    let Some(association) = uor::table
        .filter(uor::user_id.eq(&mentor))
        .filter(uor::role_id.eq("peer_mentor"))
        .filter(uor::revoked_at.is_null())
        .select(uor::local_association_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten()
    else {
        return Ok(());
    };
    let t = now();
    diesel::insert_into(st::table)
        .values(OrgSettings {
            organization_id: org.clone(),
            enabled: true,
            max_open_per_mentor: 5,
            retention_days: DEFAULT_RETENTION_DAYS,
            updated_by: None,
            updated_at: t,
        })
        .execute(conn)?;
    let people: Vec<DemoPerson> = contacts::table
        .filter(contacts::local_association_id.eq(&association))
        .order(contacts::name_key.asc())
        .select((
            contacts::id,
            contacts::name,
            contacts::street_address,
            contacts::phone,
            contacts::sensitive_notes,
        ))
        .limit(8)
        .load(conn)?;
    use Status::*;
    // (path through the states, days ago dispatched, due in days, reason of the last step)
    let plans: [(&[Status], i64, i64, Option<&str>); 8] = [
        (&[Dispatched], 0, 7, None),
        (&[Dispatched, Delivered], 1, 6, None),
        (&[Dispatched, Delivered, Read], 3, 4, None),
        (&[Dispatched, Delivered, Read, Acknowledged], 12, -2, None),
        (
            &[Dispatched, Delivered, Read, Acknowledged, Completed],
            30,
            -16,
            None,
        ),
        (
            &[Dispatched, Delivered, Declined],
            8,
            3,
            Some("Bortreist de neste ukene."),
        ),
        (
            &[Dispatched, Delivered, Cancelled],
            20,
            -10,
            Some("Fikk hjelp på annen måte."),
        ),
        (
            &[Dispatched, Delivered, Read, Acknowledged, Completed],
            200,
            -180,
            None,
        ),
    ];
    for (i, (path, ago, due, reason)) in plans.iter().enumerate() {
        let id = new_id();
        let start = t - Duration::days(*ago) - Duration::hours(3);
        let (contact_id, name, address, phone, notes) = people
            .get(i % people.len().max(1))
            .cloned()
            .unwrap_or_else(|| (String::new(), "Ola Nordmann".into(), None, None, None));
        let details = Details {
            name,
            address: address.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            notes: notes.unwrap_or_else(|| "Ønsker følge til butikken en gang i uka.".into()),
        };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&details)?);
        let sealed = keys
            .seal_record(conn, &plain, &details_binding(&id, &org))
            .map_err(|e| anyhow::anyhow!("sealing the demo assignments: {e}"))?;
        let last = *path.last().expect("a path");
        let step = |k: usize| start + Duration::hours(k as i64 * 5);
        let closed_at = last.is_closed().then(|| step(path.len() - 1));
        let erased = *ago > 150;
        diesel::insert_into(asg::table)
            .values(Assignment {
                id: id.clone(),
                organization_id: org.clone(),
                local_association_id: association.clone(),
                contact_id: (!contact_id.is_empty()).then_some(contact_id),
                mentor_id: mentor.clone(),
                dispatched_by: coordinator.clone(),
                status: last.key().to_string(),
                due_on: today() + Duration::days(*due),
                key_version: (!erased).then_some(sealed.key_version),
                wrapped_key: (!erased).then_some(sealed.wrapped_key),
                details: (!erased).then_some(sealed.ciphertext),
                dispatched_at: start,
                status_changed_at: step(path.len() - 1),
                completed_at: (last == Completed).then(|| step(path.len() - 1)),
                closed_at,
                details_erased_at: erased.then_some(t),
            })
            .execute(conn)?;
        for (k, s) in path.iter().enumerate() {
            let by = if matches!(s, Dispatched | Cancelled) {
                &coordinator
            } else {
                &mentor
            };
            diesel::insert_into(log::table)
                .values(StatusEntry {
                    id: new_id(),
                    assignment_id: id.clone(),
                    from_status: (k > 0).then(|| path[k - 1].key().to_string()),
                    status: s.key().to_string(),
                    reason: (k == path.len() - 1)
                        .then_some(*reason)
                        .flatten()
                        .map(str::to_string),
                    changed_by: Some(by.clone()),
                    changed_at: step(k),
                })
                .execute(conn)?;
        }
    }
    Ok(())
}
