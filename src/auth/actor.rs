//! The `Actor`: who is asking, in which organization and role, over which associations. Every
//! handler that needs a signed-in user takes one; without a session it redirects to sign-in.

use std::sync::Arc;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::load;
use super::session_store::UID;
use crate::access::{Actor, Flash};
use crate::labels::{Labels, Lang};
use crate::web::AppError;
use crate::AppState;

pub const CONTEXT: &str = "ctx";
pub const FLASH: &str = "flash";

/// Makes sure the session holds a CSRF secret and returns it.
pub fn ensure_csrf(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(crate::web::csrf::SESSION_KEY) {
        return t;
    }
    let t = crate::web::csrf::new_token();
    let _ = session.insert(crate::web::csrf::SESSION_KEY, &t);
    t
}

pub fn set_flash(session: &Session, kind: &str, text: impl Into<String>) {
    let _ = session.insert(
        FLASH,
        Flash {
            kind: kind.to_string(),
            text: text.into(),
        },
    );
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop behind a trusted proxy.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<String> {
    if trust_proxy {
        if let Some(first) = req
            .headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return Some(first.trim().to_string());
        }
    }
    req.peer_addr().map(|a| a.ip().to_string())
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Actor, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let path = req.path().to_string();
        let next = match req.query_string() {
            "" => path.clone(),
            q => format!("{path}?{q}"),
        };
        let htmx = crate::web::is_htmx(req);
        let is_page_load = req.method() == actix_web::http::Method::GET && !htmx;
        let ip = state
            .as_ref()
            .and_then(|s| client_ip(req, s.config.trust_proxy));
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let uid: Option<String> = session.get(UID).ok().flatten();
            let Some(uid) = uid else {
                return Err(AppError::SignInRequired { next, htmx });
            };
            let ctx: Option<String> = session.get(CONTEXT).ok().flatten();
            // Read by the session store with the session (one statement), else read now.
            let rows = match load::take_preloaded(&uid) {
                Some(rows) => rows,
                None => crate::web::db(&state, move |c| Ok(load::actor_rows(c, &uid)?)).await?,
            };
            let Some(data) = load::actor_from(rows, ctx.as_deref()) else {
                session.purge();
                return Err(AppError::SignInRequired { next, htmx });
            };
            let lang = Lang::parse(&data.setting.language);
            let labels = match data.active.org_id.clone() {
                Some(org) => match state.labels.get(&org, data.labels_version, lang) {
                    Some(hit) => hit,
                    None => {
                        let version = data.labels_version;
                        let st = state.clone();
                        crate::web::db(&state, move |c| {
                            Ok(load::labels_for(c, &st.labels, &org, version, lang)?)
                        })
                        .await?
                    }
                },
                None => Labels::new(lang, Default::default()),
            };
            let csrf = ensure_csrf(&session);
            // Only a session that holds a flash is changed: `remove` marks the session changed
            // even when the key is absent, which would write the session row on every page load
            // (and, on SQLite, reset every other connection's page cache).
            let flash = if is_page_load && session.contains_key(FLASH) {
                session.remove_as::<Flash>(FLASH).and_then(Result::ok)
            } else {
                None
            };
            Ok(Actor {
                user_id: data.user.id,
                name: data.user.name,
                email: data.user.email,
                contexts: data.contexts,
                active: data.active,
                associations: data.associations,
                settings: data.setting,
                labels: Arc::new(labels),
                csrf,
                flash,
                unread: data.unread,
                path,
                ip,
            })
        })
    }
}
