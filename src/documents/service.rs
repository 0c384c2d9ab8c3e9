//! The rules for documents. Who may see them is whoever may see the activity
//! (`activities::service::find`); who may add or remove them is whoever may edit it.

use diesel::prelude::*;

use super::model::*;
use crate::access::Actor;
use crate::activities::service as activities;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::schema::{documents as doc, users};
use crate::web::{AppError, AppResult};

/// The documents of an activity, oldest first, with who uploaded them.
fn rows(conn: &mut DbConn, activity_id: &str) -> QueryResult<Vec<DocumentRow>> {
    let rows: Vec<(Document, String)> = doc::table
        .inner_join(users::table.on(users::id.eq(doc::uploaded_by)))
        .filter(doc::activity_id.eq(activity_id))
        .order((doc::created_at.asc(), doc::id.asc()))
        .select((Document::as_select(), users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(d, uploader_name)| DocumentRow { d, uploader_name })
        .collect())
}

/// The documents part of an activity page the actor may see (`editable` as `get` answered it).
pub fn section(
    conn: &mut DbConn,
    activity_id: &str,
    editable: bool,
    max_bytes: usize,
) -> AppResult<Section> {
    Ok(Section {
        activity_id: activity_id.to_string(),
        rows: rows(conn, activity_id)?,
        can_change: editable,
        max_bytes,
        errors: Default::default(),
    })
}

/// The activity's organization when the actor may add a document to it; 404 otherwise.
/// `Err` inside: the activity already has as many documents as allowed.
pub fn check_upload(
    conn: &mut DbConn,
    actor: &Actor,
    activity_id: &str,
) -> AppResult<Result<String, &'static str>> {
    let (a, editable) = activities::find(conn, actor, activity_id)?;
    if !editable {
        return Err(AppError::NotFound);
    }
    let count: i64 = doc::table
        .filter(doc::activity_id.eq(activity_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_ACTIVITY {
        return Ok(Err("document.err_too_many"));
    }
    Ok(Ok(a.organization_id))
}

/// What the upload stored, to record.
pub struct Stored {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
}

/// Records a stored file, checking again in the transaction that it may be added.
pub fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    activity_id: &str,
    s: &Stored,
) -> AppResult<Result<String, &'static str>> {
    crate::db::tx(conn, |tx| {
        let org = match check_upload(tx.conn, actor, activity_id)? {
            Ok(org) => org,
            Err(e) => return Ok(Err(e)),
        };
        let d = Document {
            id: new_id(),
            organization_id: org.clone(),
            activity_id: activity_id.to_string(),
            file_name: s.file_name.clone(),
            content_type: s.content_type.clone(),
            size_bytes: s.size_bytes,
            sha256: s.sha256.clone(),
            storage_key: s.storage_key.clone(),
            uploaded_by: actor.user_id.clone(),
            created_at: now(),
        };
        diesel::insert_into(doc::table)
            .values(&d)
            .execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&org),
                actor_user_id: Some(&actor.user_id),
                action: "document.uploaded",
                target_type: Some("activity"),
                target_id: Some(activity_id),
                detail: Some(serde_json::json!({
                    "document": d.id, "name": d.file_name, "type": d.content_type,
                    "size": d.size_bytes, "sha256": d.sha256,
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(Ok(d.id))
    })
}

fn of_activity(conn: &mut DbConn, activity_id: &str, id: &str) -> AppResult<Document> {
    doc::table
        .find(id)
        .filter(doc::activity_id.eq(activity_id))
        .select(Document::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A document of an activity the actor may see; 404 for anything else.
pub fn find(conn: &mut DbConn, actor: &Actor, activity_id: &str, id: &str) -> AppResult<Document> {
    activities::find(conn, actor, activity_id)?;
    of_activity(conn, activity_id, id)
}

/// Removes the row (the caller then removes the stored file). 404 unless the actor may edit
/// the activity and the document is one of its own.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    activity_id: &str,
    id: &str,
) -> AppResult<Document> {
    crate::db::tx(conn, |tx| {
        let (_, editable) = activities::find(tx.conn, actor, activity_id)?;
        if !editable {
            return Err(AppError::NotFound);
        }
        let d = of_activity(tx.conn, activity_id, id)?;
        diesel::delete(doc::table.find(&d.id)).execute(tx.conn)?;
        audit::append(
            tx,
            Event {
                organization_id: Some(&d.organization_id),
                actor_user_id: Some(&actor.user_id),
                action: "document.deleted",
                target_type: Some("activity"),
                target_id: Some(activity_id),
                detail: Some(serde_json::json!({
                    "document": d.id, "name": d.file_name, "sha256": d.sha256,
                })),
                ip: actor.ip.as_deref(),
            },
        )?;
        Ok(d)
    })
}
