//! Static files (CSS, htmx, our small script, icons), embedded in the binary and served under a
//! content-hashed URL with a year-long immutable cache.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

fn hashes() -> &'static HashMap<String, String> {
    static HASHES: OnceLock<HashMap<String, String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        Static::iter()
            .filter_map(|path| {
                let file = Static::get(&path)?;
                let digest = Sha256::digest(&file.data);
                Some((path.to_string(), hex::encode(&digest[..6])))
            })
            .collect()
    })
}

/// The versioned URL of a static file, e.g. `/static/3fa1…/css/app.css`.
pub fn url(path: &str) -> String {
    match hashes().get(path) {
        Some(h) => format!("/static/{h}/{path}"),
        None => format!("/static/0/{path}"),
    }
}

pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, file_path) = path.into_inner();
    let Some(file) = Static::get(&file_path) else {
        return HttpResponse::NotFound().finish();
    };
    let current = hashes().get(&file_path).map(String::as_str) == Some(hash.as_str());
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, file.metadata.mimetype().to_string()));
    if current {
        res.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    } else {
        res.insert_header((header::CACHE_CONTROL, "no-cache"));
    }
    res.body(file.data.into_owned())
}
