//! Sessions as rows in the `sessions` table behind actix-session's `SessionStore`: one row per
//! signed-in device, with an idle timeout (extended as the user works), an absolute timeout, and
//! revocation by the user or an administrator. Only a SHA-256 hash of the cookie value is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::{new_id, now, Pool};
use crate::schema::sessions;

/// Keys of session state that the store copies into columns.
pub const UID: &str = crate::access::SESSION_UID;
pub const SID: &str = "sid";
pub const USER_AGENT: &str = "ua";
pub const IP: &str = "ip";
pub const LOGIN_METHOD: &str = "lm";

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
    absolute: TimeDelta,
    /// When this process last extended each session, so that the idle timeout is written at
    /// most once a minute per session instead of on every request.
    extended: Arc<Mutex<HashMap<String, Instant>>>,
}

impl DbSessionStore {
    pub fn new(pool: Pool, absolute_hours: i64) -> DbSessionStore {
        DbSessionStore {
            pool,
            absolute: TimeDelta::hours(absolute_hours),
            extended: Arc::default(),
        }
    }

    /// True when this process extended the session less than a minute ago.
    fn recently_extended(&self, key_hash: &str) -> bool {
        let mut map = self.extended.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let minute = std::time::Duration::from_secs(60);
        if map
            .get(key_hash)
            .is_some_and(|t| now.duration_since(*t) < minute)
        {
            return true;
        }
        if map.len() > 100_000 {
            map.retain(|_, t| now.duration_since(*t) < minute);
        }
        map.insert(key_hash.to_string(), now);
        false
    }
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn new_key() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// actix-session keeps each value JSON-encoded; read a string value back.
fn string_value(state: &HashMap<String, String>, key: &str) -> Option<String> {
    state
        .get(key)
        .and_then(|v| serde_json::from_str::<String>(v).ok())
}

fn ttl_delta(ttl: &Duration) -> TimeDelta {
    TimeDelta::seconds(ttl.whole_seconds())
}

/// Anonymous sessions (a sign-in form's CSRF token) live one hour.
const ANONYMOUS_TTL: TimeDelta = TimeDelta::hours(1);

#[derive(Insertable)]
#[diesel(table_name = sessions)]
struct NewSession {
    id: String,
    key_hash: String,
    user_id: Option<String>,
    state: String,
    login_method: Option<String>,
    user_agent: Option<String>,
    ip: Option<String>,
    created_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    absolute_expires_at: NaiveDateTime,
}

impl DbSessionStore {
    async fn run<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut crate::db::DbConn) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.pool.run(f).await?
    }

    fn new_row(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> anyhow::Result<(String, NewSession)> {
        let key = new_key();
        let t = now();
        let user_id = string_value(&state, UID);
        let (expires, absolute) = if user_id.is_some() {
            (t + ttl_delta(ttl), t + self.absolute)
        } else {
            (t + ANONYMOUS_TTL, t + ANONYMOUS_TTL)
        };
        let row = NewSession {
            id: string_value(&state, SID).unwrap_or_else(new_id),
            key_hash: hash_key(&key),
            login_method: string_value(&state, LOGIN_METHOD),
            user_agent: string_value(&state, USER_AGENT).map(|ua| ua.chars().take(300).collect()),
            ip: string_value(&state, IP),
            user_id,
            state: serde_json::to_string(&state)?,
            created_at: t,
            last_seen_at: t,
            expires_at: expires,
            absolute_expires_at: absolute,
        };
        Ok((key, row))
    }
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let key_hash = hash_key(session_key.as_ref());
        // The signed-in user's rows come with the session, in the same statement, and wait for
        // the `Actor` extractor of this request (`load::take_preloaded`).
        let found = self
            .run(move |conn| Ok(super::load::session_with_actor(conn, &key_hash, now())?))
            .await
            .map_err(LoadError::Other)?;
        match found {
            None => Ok(None),
            Some((s, actor)) => {
                if let Some(rows) = actor {
                    super::load::preload(rows);
                }
                serde_json::from_str(&s)
                    .map(Some)
                    .map_err(|e| LoadError::Deserialization(e.into()))
            }
        }
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let (key, row) = self
            .new_row(session_state, ttl)
            .map_err(SaveError::Serialization)?;
        self.run(move |conn| {
            diesel::insert_into(sessions::table)
                .values(&row)
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(SaveError::Other)?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let key_hash = hash_key(session_key.as_ref());
        let state = serde_json::to_string(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        let signed_in = session_state.contains_key(UID);
        let idle = if signed_in {
            ttl_delta(ttl)
        } else {
            ANONYMOUS_TTL
        };
        let updated = self
            .run(move |conn| {
                let t = now();
                Ok(diesel::update(
                    sessions::table
                        .filter(sessions::key_hash.eq(key_hash))
                        .filter(sessions::revoked_at.is_null())
                        .filter(sessions::expires_at.gt(t))
                        .filter(sessions::absolute_expires_at.gt(t)),
                )
                .set((
                    sessions::state.eq(state),
                    sessions::last_seen_at.eq(t),
                    sessions::expires_at.eq(t + idle),
                ))
                .execute(conn)?)
            })
            .await
            .map_err(UpdateError::Other)?;
        if updated == 0 && !signed_in {
            // An anonymous session (a sign-in form's CSRF secret) that lapsed meanwhile: it holds
            // no identity, so it may start afresh.
            return self
                .save(session_state, ttl)
                .await
                .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")));
        }
        // When a signed-in session was signed out, revoked or expired while this request ran,
        // its state is never written again (that undid sign-outs) and the request does not fail
        // (actix-session answers an `UpdateError` with a bare 500): the cookie keeps a key
        // that no longer loads, so the next request is signed out.
        Ok(session_key)
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let key_hash = hash_key(session_key.as_ref());
        if self.recently_extended(&key_hash) {
            return Ok(());
        }
        let idle = ttl_delta(ttl);
        self.run(move |conn| {
            let t = now();
            // At most one write a minute per session: extend the idle timeout, never past the
            // absolute one, and only for signed-in sessions.
            diesel::update(
                sessions::table
                    .filter(sessions::key_hash.eq(key_hash))
                    .filter(sessions::user_id.is_not_null())
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::last_seen_at.lt(t - TimeDelta::seconds(60))),
            )
            .set((
                sessions::last_seen_at.eq(t),
                sessions::expires_at.eq(t + idle),
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let key_hash = hash_key(session_key.as_ref());
        self.run(move |conn| {
            diesel::delete(sessions::table.filter(sessions::key_hash.eq(key_hash)))
                .execute(conn)?;
            Ok(())
        })
        .await
    }
}

/// Removes sessions that can no longer be used (run periodically by `serve`).
pub fn purge_expired(conn: &mut crate::db::DbConn) -> QueryResult<usize> {
    let t = now();
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .lt(t)
                .or(sessions::absolute_expires_at.lt(t))
                .or(sessions::revoked_at.lt(t - TimeDelta::days(1))),
        ),
    )
    .execute(conn)
}
