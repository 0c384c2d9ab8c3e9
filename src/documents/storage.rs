//! The object store the documents live in: a local folder by default (`STORAGE_DIR`). Keys are
//! `<organization id>/<new uuid>`, never a name the user chose.

use std::path::Path as FsPath;
use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// The store, shared by every request.
pub type Store = Arc<dyn ObjectStore>;

/// A store in a local folder, created if missing. Empty folders are removed after a delete.
pub fn local(dir: &FsPath) -> anyhow::Result<Store> {
    std::fs::create_dir_all(dir)?;
    Ok(Arc::new(
        LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true),
    ))
}

/// A fresh key under the organization's prefix.
pub fn new_key(organization_id: &str) -> String {
    format!("{organization_id}/{}", uuid::Uuid::new_v4())
}

fn path(key: &str) -> anyhow::Result<Path> {
    Ok(Path::parse(key)?)
}

pub async fn put(store: &Store, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
    store
        .put(&path(key)?, PutPayload::from(Bytes::from(bytes)))
        .await?;
    Ok(())
}

/// The object's bytes as a stream, for a download.
pub async fn get(
    store: &Store,
    key: &str,
) -> anyhow::Result<BoxStream<'static, Result<Bytes, std::io::Error>>> {
    let stream = store.get(&path(key)?).await?.into_stream();
    Ok(stream.map(|r| r.map_err(std::io::Error::other)).boxed())
}

/// Removes an object; one that is already gone is not an error.
pub async fn delete(store: &Store, key: &str) -> anyhow::Result<()> {
    match store.delete(&path(key)?).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
