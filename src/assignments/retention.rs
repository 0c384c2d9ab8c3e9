//! Retention: the details of completed and cancelled assignments are erased once they have been
//! closed for longer than the organization's retention period (default 90 days). The row, its
//! status trail and every count stay; only the ciphertext and its wrapped key go. Run by the
//! job runner (`src/jobs`).

use diesel::prelude::*;

use super::model::Status;
use super::service::settings;
use crate::audit::service::{self as audit, Event};
use crate::db::{now, DbConn};
use crate::schema::assignments as asg;

/// Erases what is due in every organization; returns how many assignments lost their details.
pub fn erase_expired(conn: &mut DbConn) -> anyhow::Result<usize> {
    let orgs: Vec<String> = asg::table
        .filter(asg::details_erased_at.is_null())
        .filter(asg::closed_at.is_not_null())
        .select(asg::organization_id)
        .distinct()
        .load(conn)?;
    let mut total = 0;
    for org in orgs {
        let days = settings(conn, &org)?.retention_days.max(1);
        let t = now();
        let cutoff = t - chrono::Duration::days(i64::from(days));
        let n = crate::db::tx(conn, |tx| {
            let n = diesel::update(
                asg::table
                    .filter(asg::organization_id.eq(&org))
                    .filter(
                        asg::status.eq_any(Status::keys(&[Status::Completed, Status::Cancelled])),
                    )
                    .filter(asg::closed_at.lt(cutoff))
                    .filter(asg::details_erased_at.is_null()),
            )
            .set((
                asg::details.eq(None::<String>),
                asg::wrapped_key.eq(None::<String>),
                asg::key_version.eq(None::<i32>),
                asg::details_erased_at.eq(Some(t)),
            ))
            .execute(tx.conn)?;
            if n > 0 {
                audit::append(
                    tx,
                    Event {
                        organization_id: Some(&org),
                        action: "assignment.details_erased",
                        target_type: Some("organization"),
                        target_id: Some(&org),
                        detail: Some(serde_json::json!({ "count": n, "retention_days": days })),
                        ..Default::default()
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(n)
        })?;
        total += n;
    }
    Ok(total)
}

/// Erasing a contact on request erases the details of every assignment dispatched from it
/// (whatever its state; the rows and trails stay). Runs inside the caller's transaction.
pub fn erase_for_contact(conn: &mut DbConn, contact_id: &str) -> QueryResult<usize> {
    diesel::update(
        asg::table
            .filter(asg::contact_id.eq(contact_id))
            .filter(asg::details_erased_at.is_null()),
    )
    .set((
        asg::details.eq(None::<String>),
        asg::wrapped_key.eq(None::<String>),
        asg::key_version.eq(None::<i32>),
        asg::details_erased_at.eq(Some(now())),
    ))
    .execute(conn)
}
