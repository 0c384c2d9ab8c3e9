//! Upload, download and removal of an activity's documents. The list and the upload form are
//! part of the activity page (`templates/documents/section.html`); a refused upload shows that
//! page again with 422 and the message.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{web, HttpResponse};
use futures_util::TryStreamExt;

use super::service::{self, Stored};
use super::{storage, upload};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::web::forms::FieldErrors;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/activities/{id}/documents", web::post().to(create))
        .route(
            "/activities/{id}/documents/{doc_id}",
            web::get().to(download),
        )
        .route(
            "/activities/{id}/documents/{doc_id}/delete",
            web::post().to(delete),
        );
}

fn back(activity_id: &str) -> HttpResponse {
    redirect(&format!("/activities/{activity_id}#documents"))
}

/// The activity page again, 422, with the message on the file field.
async fn refuse(
    actor: &Actor,
    state: &web::Data<AppState>,
    activity_id: String,
    key: &'static str,
) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::new();
    errors.add("file", key);
    crate::activities::routes::show_page(actor, state, activity_id, errors).await
}

/// Reads the `file` part of the form, keeping at most `max` bytes. The rest of an oversized
/// body is read and thrown away (up to a hard cap) so the browser gets the answer, not a reset.
pub(crate) async fn read_file(
    mut form: Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), &'static str> {
    let hard_cap = max.saturating_mul(4).max(64 * 1024 * 1024);
    let mut seen = 0usize;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        let field = match form.try_next().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err("document.err_upload"),
        };
        let is_file = field.name() == Some("file") && file.is_none();
        let name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("")
            .to_string();
        let mut buf = Vec::new();
        let mut field = field;
        loop {
            let chunk = match field.try_next().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(_) => return Err("document.err_upload"),
            };
            seen += chunk.len();
            if seen > hard_cap {
                return Err("document.err_too_large");
            }
            if is_file && !too_large {
                if buf.len() + chunk.len() > max {
                    too_large = true;
                    buf = Vec::new();
                } else {
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        if is_file {
            file = Some((name, buf));
        }
    }
    if too_large {
        return Err("document.err_too_large");
    }
    match file {
        Some((name, bytes)) if !bytes.is_empty() => Ok((name, bytes)),
        _ => Err("document.err_missing"),
    }
}

/// The one upload pipeline, for documents and receipts alike: reads the `file` part (always,
/// so the browser gets an answer), then, when `org` allows it, checks and prepares the file
/// (type by content, pictures re-encoded without EXIF), stores it under the organization's
/// prefix, and records it with `record` (a transaction that checks again). A refused or failed
/// upload leaves neither row nor file. `Err` inside: the label key of the message.
pub async fn receive<F>(
    state: &web::Data<AppState>,
    form: Multipart,
    org: Result<String, &'static str>,
    record: F,
) -> AppResult<Result<String, &'static str>>
where
    F: FnOnce(&mut crate::db::DbConn, Stored) -> AppResult<Result<String, &'static str>>
        + Send
        + 'static,
{
    let read = read_file(form, state.config.max_upload_bytes).await;
    let org = match org {
        Ok(org) => org,
        Err(key) => return Ok(Err(key)),
    };
    let (name, bytes) = match read {
        Ok(f) => f,
        Err(key) => return Ok(Err(key)),
    };
    let prepared = match upload::prepare_in_turn(bytes, name).await? {
        Ok(p) => p,
        Err(key) => return Ok(Err(key)),
    };
    let key = storage::new_key(&org);
    let stored = Stored {
        file_name: prepared.file_name,
        content_type: prepared.content_type.to_string(),
        size_bytes: prepared.bytes.len() as i64,
        sha256: prepared.sha256,
        storage_key: key.clone(),
    };
    storage::put(&state.files, &key, prepared.bytes).await?;
    let recorded = db(state, move |c| record(c, stored)).await;
    if !matches!(recorded, Ok(Ok(_))) {
        // Nothing half-saved: without its row the file goes too.
        if let Err(e) = storage::delete(&state.files, &key).await {
            log::error!("could not remove unrecorded upload {key}: {e}");
        }
    }
    recorded
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let org = db(&state, move |c| service::check_upload(c, &a, &i)).await?;
    let (a, i) = (actor.clone(), id.clone());
    let recorded = receive(&state, form, org, move |c, stored| {
        service::insert(c, &a, &i, &stored)
    })
    .await?;
    match recorded {
        Ok(_) => {
            set_flash(&session, "success", actor.t("document.uploaded"));
            Ok(back(&id))
        }
        Err(key) => refuse(&actor, &state, id, key).await,
    }
}

/// The policy of a downloaded file (instead of the pages' one).
pub const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'";

/// `filename` in plain ASCII for old clients, `filename*` (RFC 6266) with the real name.
fn disposition(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            'æ' => 'a',
            'Æ' => 'A',
            'ø' => 'o',
            'Ø' => 'O',
            'å' => 'a',
            'Å' => 'A',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

async fn download(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (activity_id, doc_id) = path.into_inner();
    let (activity_id, doc_id) = (path_id(&activity_id)?, path_id(&doc_id)?);
    let d = db(&state, move |c| {
        service::find(c, &actor, &activity_id, &doc_id)
    })
    .await?;
    send_file(
        &state,
        &d.storage_key,
        &d.content_type,
        &d.file_name,
        d.size_bytes,
    )
    .await
}

/// A stored file as a download: `attachment`, its stored type, never cached, never sniffed,
/// and sandboxed should a browser show it anyway. Documents and receipts alike.
pub async fn send_file(
    state: &web::Data<AppState>,
    storage_key: &str,
    content_type: &str,
    file_name: &str,
    size_bytes: i64,
) -> AppResult<HttpResponse> {
    let body = storage::get(&state.files, storage_key).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(disposition(file_name))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // Should a browser show the file anyway (a PDF viewer, an old browser), it runs in a
        // sandbox with nothing allowed: no script, no form, no plugin, no same-origin access.
        .insert_header((header::CONTENT_SECURITY_POLICY, DOWNLOAD_CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .no_chunking(size_bytes as u64)
        .streaming(body))
}

async fn delete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (activity_id, doc_id) = path.into_inner();
    let (activity_id, doc_id) = (path_id(&activity_id)?, path_id(&doc_id)?);
    let (a, i) = (actor.clone(), activity_id.clone());
    let d = db(&state, move |c| service::delete(c, &a, &i, &doc_id)).await?;
    if let Err(e) = storage::delete(&state.files, &d.storage_key).await {
        log::warn!(
            "document {} removed, its file {} not: {e}",
            d.id,
            d.storage_key
        );
    }
    set_flash(&session, "success", actor.t("document.deleted"));
    Ok(back(&activity_id))
}
