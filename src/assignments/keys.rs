//! Master keys: where they come from, the check at start-up, and rotation.
//!
//! A master key is 32 random bytes with a version. They come from `MASTER_KEY` (one or more
//! `VERSION:BASE64` entries separated by commas; a bare base64 key is version 1), or else from a
//! key file (`MASTER_KEY_FILE`, default `data/master.key`: one `VERSION:BASE64` line per
//! version), created with permissions 0600 at the first start of an empty database.
//!
//! The database keeps, per version, a check value: a fixed text sealed under that key. At start
//! every version still in use must be present and open its check value, or the server refuses
//! to start with a message saying which key is missing or wrong (rather than showing garbage or
//! creating a fresh key beside data it cannot read).
//!
//! `likeperson rotate-key` adds a new version (to the key file; with `MASTER_KEY`, the operator
//! adds it to the environment first), re-wraps every record's data key under it with one
//! conditional UPDATE per record, and marks the old versions retired. Old versions stay in the
//! key file, so running servers and old backups keep reading; a running server that meets a
//! version it has not loaded reads the key file again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use diesel::prelude::*;
use zeroize::Zeroizing;

use super::crypto::{self, Binding, CryptoError, SecretKey, KEY_LEN};
use crate::config::Config;
use crate::db::{now, DbConn};
use crate::schema::{assignments as asg, encryption_keys as ek};

/// Text that must not be printed: `Debug` shows only that it is there.
#[derive(Clone)]
pub struct SecretText(pub Zeroizing<String>);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(redacted)")
    }
}

impl SecretText {
    pub fn new(s: String) -> SecretText {
        SecretText(Zeroizing::new(s))
    }
}

const CHECK_TEXT: &[u8] = b"likeperson master key check";

fn check_aad(version: i32) -> Vec<u8> {
    format!("likeperson/check/{version}").into_bytes()
}

/// The check value stored for a key version.
pub fn check_value(key: &[u8; KEY_LEN], version: i32) -> String {
    crypto::seal(key, CHECK_TEXT, &check_aad(version))
}

fn check_opens(key: &[u8; KEY_LEN], version: i32, value: &str) -> bool {
    crypto::open(key, value, &check_aad(version)).is_ok_and(|t| &t[..] == CHECK_TEXT)
}

/// Loaded master keys by version.
#[derive(Default)]
pub struct Keyring {
    keys: BTreeMap<i32, SecretKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keyring(versions {:?})",
            self.keys.keys().collect::<Vec<_>>()
        )
    }
}

impl Keyring {
    /// Parses `VERSION:BASE64` entries separated by commas, white space or lines (`#` starts a
    /// comment line); a single bare base64 key is version 1. The message never quotes a key.
    pub fn parse(text: &str) -> anyhow::Result<Keyring> {
        let mut ring = Keyring::default();
        let entries: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(|l| l.split([',', ' ', '\t']))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        for entry in &entries {
            let (version, b64) = match entry.split_once(':') {
                Some((v, k)) => (
                    v.trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|v| *v > 0)
                        .ok_or_else(|| {
                            anyhow::anyhow!("a master key version is not a positive number")
                        })?,
                    k.trim(),
                ),
                None if entries.len() == 1 => (1, *entry),
                None => anyhow::bail!("each master key must be written VERSION:BASE64"),
            };
            let raw = Zeroizing::new(B64.decode(b64).map_err(|_| {
                anyhow::anyhow!("master key version {version} is not valid base64")
            })?);
            anyhow::ensure!(
                raw.len() == KEY_LEN,
                "master key version {version} must be {KEY_LEN} bytes (base64 of 32 random bytes)"
            );
            let mut k = Zeroizing::new([0u8; KEY_LEN]);
            k.copy_from_slice(&raw);
            anyhow::ensure!(
                ring.keys.insert(version, k).is_none(),
                "master key version {version} is given twice"
            );
        }
        Ok(ring)
    }

    pub fn get(&self, version: i32) -> Option<&SecretKey> {
        self.keys.get(&version)
    }
    pub fn versions(&self) -> Vec<i32> {
        self.keys.keys().copied().collect()
    }
    pub fn newest(&self) -> Option<i32> {
        self.keys.keys().next_back().copied()
    }
    /// A one-version ring (tests and the demo seed of tests).
    pub fn single(version: i32, key: SecretKey) -> Keyring {
        let mut keys = BTreeMap::new();
        keys.insert(version, key);
        Keyring { keys }
    }
}

/// Where the keys come from.
#[derive(Clone, Debug)]
pub enum Source {
    Env(SecretText),
    File(PathBuf),
}

impl Source {
    pub fn of(config: &Config) -> Source {
        match &config.master_key {
            Some(k) => Source::Env(k.clone()),
            None => Source::File(config.master_key_file.clone()),
        }
    }
    fn describe(&self) -> String {
        match self {
            Source::Env(_) => "MASTER_KEY".into(),
            Source::File(p) => format!("the key file {}", p.display()),
        }
    }
    fn load(&self) -> anyhow::Result<Option<Keyring>> {
        match self {
            Source::Env(text) => Keyring::parse(&text.0).map(Some),
            Source::File(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    let text = Zeroizing::new(text);
                    Keyring::parse(&text)
                        .map(Some)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
            },
        }
    }
}

/// Appends a key line to the key file (created 0600), replacing it atomically.
fn append_key_file(path: &Path, version: i32, key: &SecretKey) -> anyhow::Result<()> {
    let mut text = Zeroizing::new(std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# Likeperson master keys: VERSION:BASE64, one per line. Back this file up apart from\n\
         # the database; without it the encrypted assignment details cannot be read.\n"
            .to_string()
    }));
    text.push_str(&format!("{version}:{}\n", B64.encode(&key[..])));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The keys a running server holds, shared by every worker; reloaded from the key file when a
/// version it has not loaded turns up (after a rotation by another process).
#[derive(Clone, Debug)]
pub struct KeyStore {
    source: Source,
    ring: Arc<RwLock<Arc<Keyring>>>,
}

impl KeyStore {
    /// A store over a given ring (tests).
    pub fn with_ring(source: Source, ring: Keyring) -> KeyStore {
        KeyStore {
            source,
            ring: Arc::new(RwLock::new(Arc::new(ring))),
        }
    }

    fn ring(&self) -> Arc<Keyring> {
        self.ring.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// The master key of `version`, reading the key file again once when it is not loaded.
    /// A reloaded key is used only if it opens the version's check value.
    pub fn key(&self, conn: &mut DbConn, version: i32) -> Result<Arc<Keyring>, CryptoError> {
        let ring = self.ring();
        if ring.get(version).is_some() {
            return Ok(ring);
        }
        let fresh = match self.source.load() {
            Ok(Some(r)) => r,
            _ => return Err(CryptoError::MissingKey(version)),
        };
        let check: Option<String> = ek::table
            .find(version)
            .select(ek::check_value)
            .first(conn)
            .optional()
            .map_err(|_| CryptoError::MissingKey(version))?;
        match (fresh.get(version), check) {
            (Some(k), Some(c)) if check_opens(k, version, &c) => {
                let fresh = Arc::new(fresh);
                if let Ok(mut w) = self.ring.write() {
                    *w = fresh.clone();
                }
                Ok(fresh)
            }
            _ => Err(CryptoError::MissingKey(version)),
        }
    }

    /// The version new records are sealed with: the newest registered, unretired version.
    pub fn current(&self, conn: &mut DbConn) -> Result<(i32, Arc<Keyring>), CryptoError> {
        let v: Option<i32> = ek::table
            .filter(ek::retired_at.is_null())
            .select(diesel::dsl::max(ek::version))
            .first(conn)
            .map_err(|_| CryptoError::MissingKey(0))?;
        let v = v.ok_or(CryptoError::MissingKey(0))?;
        Ok((v, self.key(conn, v)?))
    }

    /// Seals a record under the current master key.
    pub fn seal_record(
        &self,
        conn: &mut DbConn,
        plaintext: &[u8],
        b: &Binding,
    ) -> Result<crypto::Sealed, CryptoError> {
        let (v, ring) = self.current(conn)?;
        let master = ring.get(v).ok_or(CryptoError::MissingKey(v))?;
        Ok(crypto::seal_record(master, v, plaintext, b))
    }

    /// Opens a sealed record.
    pub fn open_record(
        &self,
        conn: &mut DbConn,
        version: i32,
        wrapped_key: &str,
        ciphertext: &str,
        b: &Binding,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let ring = self.key(conn, version)?;
        let master = ring.get(version).ok_or(CryptoError::MissingKey(version))?;
        crypto::open_record(master, version, wrapped_key, ciphertext, b)
    }
}

/// What `open` found and did.
#[derive(Debug, Default)]
pub struct Opened {
    /// Versions registered by this call (new in the key source).
    pub registered: Vec<i32>,
    /// The key file was created (first start).
    pub created_file: bool,
}

/// Loads the master keys and checks them against the database; creates the key file at the
/// first start of an empty database. Any missing or wrong key is an error whose message says
/// what to do.
pub fn open(config: &Config, conn: &mut DbConn) -> anyhow::Result<(KeyStore, Opened)> {
    let source = Source::of(config);
    let stored: Vec<(i32, String, Option<chrono::NaiveDateTime>)> = ek::table
        .select((ek::version, ek::check_value, ek::retired_at))
        .order(ek::version.asc())
        .load(conn)?;
    let mut opened = Opened::default();
    let ring = match source.load()? {
        Some(r) => r,
        None => {
            let Source::File(path) = &source else {
                unreachable!("MASTER_KEY always yields a ring")
            };
            if !stored.is_empty() {
                anyhow::bail!(
                    "The master key file {} is missing, but this database holds data sealed with \
                     master key version(s) {:?}. Restore the key file from your backup (or set \
                     MASTER_KEY / MASTER_KEY_FILE) and start again. Nothing was changed.",
                    path.display(),
                    stored.iter().map(|s| s.0).collect::<Vec<_>>()
                );
            }
            let key = crypto::new_key();
            append_key_file(path, 1, &key)?;
            opened.created_file = true;
            log::warn!(
                "Created the master key file {} (permissions 0600). Back it up apart from the \
                 database: without it the encrypted assignment details cannot be read.",
                path.display()
            );
            Keyring::single(1, key)
        }
    };
    anyhow::ensure!(
        ring.newest().is_some(),
        "{} holds no master key",
        source.describe()
    );
    // Versions still holding records must be loaded, even if retired.
    let in_use: Vec<Option<i32>> = asg::table
        .filter(asg::key_version.is_not_null())
        .select(asg::key_version)
        .distinct()
        .load(conn)?;
    for (version, check, retired) in &stored {
        match ring.get(*version) {
            Some(k) if check_opens(k, *version, check) => {}
            Some(_) => anyhow::bail!(
                "The master key of version {version} in {} is wrong: it does not open the check \
                 value this database stored for that version. Use the key this database was \
                 encrypted with (from your backup). Nothing was changed.",
                source.describe()
            ),
            None if retired.is_some() && !in_use.contains(&Some(*version)) => {}
            None => anyhow::bail!(
                "The master key of version {version} is missing from {}, and this database needs \
                 it. Restore it from your backup. Nothing was changed.",
                source.describe()
            ),
        }
    }
    for v in in_use.into_iter().flatten() {
        anyhow::ensure!(
            stored.iter().any(|s| s.0 == v),
            "records are sealed with master key version {v}, which this database has no check \
             value for"
        );
    }
    let max_stored = stored.iter().map(|s| s.0).max().unwrap_or(0);
    for v in ring.versions() {
        if stored.iter().any(|s| s.0 == v) {
            continue;
        }
        if v < max_stored {
            // An old key the database never knew: not used for sealing.
            continue;
        }
        let key = ring.get(v).expect("listed version");
        diesel::insert_into(ek::table)
            .values((
                ek::version.eq(v),
                ek::check_value.eq(check_value(key, v)),
                ek::created_at.eq(now()),
            ))
            .execute(conn)?;
        opened.registered.push(v);
    }
    Ok((KeyStore::with_ring(source, ring), opened))
}

/// What a rotation did.
#[derive(Debug)]
pub struct Rotated {
    pub version: i32,
    pub rewrapped: usize,
    pub retired: Vec<i32>,
}

/// `likeperson rotate-key`: a new master key version, every data key re-wrapped under it, the
/// old versions retired (they stay in the key file, so old backups stay readable).
pub fn rotate(config: &Config, conn: &mut DbConn) -> anyhow::Result<Rotated> {
    let (store, opened) = open(config, conn)?;
    let version = match &store.source {
        Source::File(path) => {
            let max_stored: Option<i32> = ek::table
                .select(diesel::dsl::max(ek::version))
                .first(conn)?;
            let v = max_stored
                .unwrap_or(0)
                .max(store.ring().newest().unwrap_or(0))
                + 1;
            let key = crypto::new_key();
            append_key_file(path, v, &key)?;
            diesel::insert_into(ek::table)
                .values((
                    ek::version.eq(v),
                    ek::check_value.eq(check_value(&key, v)),
                    ek::created_at.eq(now()),
                ))
                .execute(conn)?;
            v
        }
        Source::Env(_) => {
            let newest = store.ring().newest().unwrap_or(1);
            if !opened.registered.contains(&newest) {
                let suggestion = B64.encode(&crypto::new_key()[..]);
                anyhow::bail!(
                    "MASTER_KEY holds no new key. Add a new version to MASTER_KEY for every \
                     instance first (keeping the old ones), for example\n  MASTER_KEY=\"...,{}:{}\"\n\
                     then run rotate-key again with it.",
                    newest + 1,
                    suggestion
                );
            }
            newest
        }
    };
    let ring = store
        .key(conn, version)
        .map_err(|e| anyhow::anyhow!("the new key is not readable: {e}"))?;
    let new_key = ring.get(version).expect("checked");
    let mut rewrapped = 0;
    // Repeat until no record is sealed under an older version (a server may seal one under the
    // old key while this runs, before it has seen the new version).
    loop {
        let batch: Vec<(String, String, Option<i32>, Option<String>)> = asg::table
            .filter(asg::key_version.lt(version))
            .filter(asg::wrapped_key.is_not_null())
            .select((
                asg::id,
                asg::organization_id,
                asg::key_version,
                asg::wrapped_key,
            ))
            .order(asg::id.asc())
            .limit(200)
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for (id, org, old_v, wrapped) in batch {
            let (Some(old_v), Some(wrapped)) = (old_v, wrapped) else {
                continue;
            };
            let old_ring = store
                .key(conn, old_v)
                .map_err(|e| anyhow::anyhow!("record {id}: {e}"))?;
            let old_key = old_ring.get(old_v).expect("loaded");
            let b = super::service::details_binding(&id, &org);
            let fresh = crypto::rewrap((old_key, old_v), (new_key, version), &wrapped, &b)
                .map_err(|e| anyhow::anyhow!("record {id}: {e}"))?;
            // Conditional: a record erased or re-wrapped meanwhile is left alone.
            rewrapped += diesel::update(
                asg::table
                    .filter(asg::id.eq(&id))
                    .filter(asg::key_version.eq(old_v))
                    .filter(asg::wrapped_key.eq(&wrapped)),
            )
            .set((asg::key_version.eq(version), asg::wrapped_key.eq(fresh)))
            .execute(conn)?;
        }
    }
    let retired: Vec<i32> = ek::table
        .filter(ek::version.lt(version))
        .filter(ek::retired_at.is_null())
        .select(ek::version)
        .load(conn)?;
    diesel::update(ek::table.filter(ek::version.eq_any(retired.clone())))
        .set(ek::retired_at.eq(now()))
        .execute(conn)?;
    crate::db::tx(conn, |tx| {
        crate::audit::service::append(
            tx,
            crate::audit::service::Event {
                action: "encryption.key_rotated",
                target_type: Some("encryption_key"),
                target_id: Some(&version.to_string()),
                detail: Some(serde_json::json!({ "rewrapped": rewrapped })),
                ..Default::default()
            },
        )
    })?;
    Ok(Rotated {
        version,
        rewrapped,
        retired,
    })
}
