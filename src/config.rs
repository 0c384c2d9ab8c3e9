//! Settings from the environment and flags, with defaults that run out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::db::Backend;

#[derive(Clone, Debug)]
pub struct Config {
    /// SQLite file path or `postgres://` URL.
    pub database_url: String,
    /// Folder for local state: the SQLite file by default, the secret key, mails without SMTP.
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    /// Public base URL used in e-mailed links.
    pub base_url: String,
    /// Session cookie marked Secure (on by default unless bound to a loopback address).
    pub cookie_secure: bool,
    /// 64+ bytes used to sign the session cookie; loaded from `SECRET_KEY` or `data_dir/secret.key`.
    pub secret_key: Vec<u8>,
    /// `smtp://` / `smtps://` URL; without one, mails are written to `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Sign-in failures allowed per account / per address in one window.
    pub login_limit_account: i32,
    pub login_limit_address: i32,
    pub login_window_minutes: i64,
    pub pool_size: u32,
    /// How long a job may wait for a connection inside the pool (`DATABASE_POOL_TIMEOUT_MS`,
    /// default 10 s). Request work is admitted only while a connection is free, so it never
    /// waits there; the timeout covers connections lost and being re-established.
    pub pool_timeout_ms: u64,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_proxy: bool,
    /// Folder of the local object store for uploaded documents (`STORAGE_DIR`, default `data/files`).
    pub storage_dir: PathBuf,
    /// Largest upload accepted, in bytes (`MAX_UPLOAD_MB`, default 10 MB).
    pub max_upload_bytes: usize,
    /// Master keys for encrypted assignment details (`MASTER_KEY`: `VERSION:BASE64` entries);
    /// without it they are read from `master_key_file`.
    pub master_key: Option<crate::assignments::keys::SecretText>,
    /// The master key file (`MASTER_KEY_FILE`, default `data/master.key`), created with
    /// permissions 0600 at the first start of an empty database.
    pub master_key_file: PathBuf,
}

impl Config {
    pub fn backend(&self) -> Backend {
        Backend::of_url(&self.database_url)
    }

    /// Defaults for a given database and data folder; `from_env` and tests start here.
    pub fn new(database_url: String, data_dir: PathBuf, bind: SocketAddr) -> Config {
        Config {
            database_url,
            base_url: format!("http://{bind}"),
            cookie_secure: !bind.ip().is_loopback(),
            secret_key: Vec::new(),
            smtp_url: None,
            mail_from: "Likeperson <no-reply@likeperson.example>".into(),
            session_idle_minutes: 12 * 60,
            session_absolute_hours: 7 * 24,
            login_limit_account: 5,
            login_limit_address: 30,
            login_window_minutes: 15,
            pool_size: 16,
            pool_timeout_ms: 10_000,
            trust_proxy: false,
            storage_dir: data_dir.join("files"),
            max_upload_bytes: 10 * 1024 * 1024,
            master_key: None,
            master_key_file: data_dir.join("master.key"),
            data_dir,
            bind,
        }
    }

    pub fn from_env(
        database_url: Option<String>,
        bind: Option<SocketAddr>,
    ) -> anyhow::Result<Config> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(env("LIKEPERSON_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = database_url
            .or_else(|| env("DATABASE_URL"))
            .unwrap_or_else(|| {
                data_dir
                    .join("likeperson.db")
                    .to_string_lossy()
                    .into_owned()
            });
        let bind = match bind {
            Some(b) => b,
            None => env("BIND")
                .unwrap_or_else(|| "127.0.0.1:8080".into())
                .parse()?,
        };
        let mut c = Config::new(database_url, data_dir, bind);
        if let Some(u) = env("BASE_URL") {
            c.base_url = u.trim_end_matches('/').to_string();
        }
        if let Some(v) = env("COOKIE_SECURE") {
            c.cookie_secure = matches!(v.as_str(), "1" | "true" | "yes");
        }
        c.smtp_url = env("SMTP_URL");
        if let Some(v) = env("MAIL_FROM") {
            c.mail_from = v;
        }
        if let Some(v) = env("TRUST_PROXY") {
            c.trust_proxy = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("STORAGE_DIR") {
            c.storage_dir = PathBuf::from(v);
        }
        if let Some(v) = env("MAX_UPLOAD_MB") {
            let mb: usize = v.parse()?;
            anyhow::ensure!((1..=100).contains(&mb), "MAX_UPLOAD_MB must be 1 to 100");
            c.max_upload_bytes = mb * 1024 * 1024;
        }
        c.master_key = env("MASTER_KEY").map(crate::assignments::keys::SecretText::new);
        if let Some(v) = env("MASTER_KEY_FILE") {
            c.master_key_file = PathBuf::from(v);
        }
        if let Some(v) = env("DATABASE_POOL_SIZE") {
            c.pool_size = v.parse()?;
        }
        if let Some(v) = env("DATABASE_POOL_TIMEOUT_MS") {
            c.pool_timeout_ms = v.parse()?;
        }
        c.secret_key = match env("SECRET_KEY") {
            Some(k) if k.len() >= 64 => k.into_bytes(),
            Some(_) => anyhow::bail!("SECRET_KEY must be at least 64 characters"),
            None => load_or_create_key(&c.data_dir)?,
        };
        Ok(c)
    }
}

/// Reads `secret.key` from the data folder, creating it with fresh random bytes at first start.
pub fn load_or_create_key(dir: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    let path = dir.join("secret.key");
    if let Ok(bytes) = std::fs::read(&path) {
        if bytes.len() >= 64 {
            return Ok(bytes);
        }
    }
    std::fs::create_dir_all(dir)?;
    let mut key = vec![0u8; 64];
    rand::thread_rng().fill_bytes(&mut key);
    std::fs::write(&path, &key)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(key)
}
