//! Pictures of badges and toolbox cards: uploaded through the documents' pipeline
//! (`documents::routes::receive`: size cap, type by content, re-encoded without EXIF, the
//! object store under the organization's prefix, no row no file), accepted only when the
//! content is a JPEG or PNG picture, and served as the documents are (`send_file`).

use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};

use crate::db::DbConn;
use crate::documents::routes::receive;
use crate::documents::service::Stored;
use crate::web::AppResult;
use crate::AppState;

/// Whether a stored upload is a picture (a PDF is refused for a badge or card).
pub fn is_picture(stored: &Stored) -> bool {
    matches!(stored.content_type.as_str(), "image/jpeg" | "image/png")
}

/// Receives a picture for `org` and records it with `record`, which returns the key of the
/// picture it replaced (if any); that one is then removed from the store. `Err` inside: the
/// label key of the message for the file field.
pub async fn upload<F>(
    state: &web::Data<AppState>,
    form: Multipart,
    org: String,
    record: F,
) -> AppResult<Result<(), &'static str>>
where
    F: FnOnce(&mut DbConn, &Stored) -> AppResult<Option<String>> + Send + 'static,
{
    let recorded = receive(state, form, Ok(org), move |c, stored| {
        if !is_picture(&stored) {
            return Ok(Err("engage.err_picture_type"));
        }
        Ok(Ok(record(c, &stored)?.unwrap_or_default()))
    })
    .await?;
    match recorded {
        Ok(old) => {
            if !old.is_empty() {
                if let Err(e) = crate::documents::storage::delete(&state.files, &old).await {
                    log::warn!("replaced picture {old} not removed: {e}");
                }
            }
            Ok(Ok(()))
        }
        Err(key) => Ok(Err(key)),
    }
}

/// A stored picture, as a download (an `<img>` shows it).
pub async fn send(
    state: &web::Data<AppState>,
    key: &str,
    content_type: &str,
) -> AppResult<HttpResponse> {
    let name = if content_type == "image/png" {
        "bilde.png"
    } else {
        "bilde.jpg"
    };
    // The size is not kept for pictures; the store streams what it has.
    let meta = crate::documents::storage::get(&state.files, key).await?;
    use futures_util::StreamExt;
    let bytes: Vec<u8> = meta
        .fold(Vec::new(), |mut acc, chunk| async move {
            if let Ok(c) = chunk {
                acc.extend_from_slice(&c);
            }
            acc
        })
        .await;
    Ok(HttpResponse::Ok()
        .content_type(content_type.to_string())
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "private, max-age=300",
        ))
        .insert_header((
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            crate::documents::routes::DOWNLOAD_CSP,
        ))
        .insert_header((actix_web::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}
