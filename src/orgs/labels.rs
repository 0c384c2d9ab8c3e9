//! Organization terminology: overrides of the label catalogue per organization and language.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::labels::{catalogue, default_text, Lang};
use crate::schema::organization_labels as ol;
use crate::web::AppResult;

/// One catalogue entry with the organization's text for the chosen language.
#[derive(Clone, Debug)]
pub struct LabelRow {
    pub key: &'static str,
    pub default_text: &'static str,
    pub value: String,
}

/// The catalogue entries an administrator sees first: the domain terms and the menu.
pub fn is_core(key: &str) -> bool {
    key.starts_with("term.") || key.starts_with("nav.")
}

/// Rows for the terminology page: the core terms, or every text when `all` is set, filtered by `q`.
pub fn rows(
    conn: &mut DbConn,
    actor: &Actor,
    lang: Lang,
    q: &str,
    all: bool,
) -> AppResult<Vec<LabelRow>> {
    actor.require(&[Role::OrgAdmin])?;
    let current = crate::auth::service::label_overrides(conn, actor.org()?, lang)?;
    let q = q.trim().to_lowercase();
    Ok(catalogue()
        .map(|(key, nb, en)| LabelRow {
            key,
            default_text: if lang == Lang::En { en } else { nb },
            value: current.get(*key).cloned().unwrap_or_default(),
        })
        .filter(|r| all || is_core(r.key) || !r.value.is_empty())
        .filter(|r| {
            q.is_empty()
                || r.key.contains(&q)
                || r.default_text.to_lowercase().contains(&q)
                || r.value.to_lowercase().contains(&q)
        })
        .collect())
}

/// Saves the submitted texts: a non-empty text different from the default becomes an
/// override, an empty one removes it. Unknown keys are ignored. Returns the changed keys.
pub fn save(
    conn: &mut DbConn,
    actor: &Actor,
    lang: Lang,
    submitted: &HashMap<String, String>,
) -> AppResult<Vec<String>> {
    actor.require(&[Role::OrgAdmin])?;
    let org = actor.org()?.to_string();
    crate::db::tx(conn, |tx| {
        let current = crate::auth::service::label_overrides(tx.conn, &org, lang)?;
        let mut changed = Vec::new();
        for (key, text) in submitted {
            let Some(default) = default_text(key, lang) else {
                continue;
            };
            let text = text.trim();
            let wanted = (!text.is_empty() && text != default)
                .then(|| text.chars().take(500).collect::<String>());
            if wanted.as_ref() == current.get(key) {
                continue;
            }
            diesel::delete(
                ol::table
                    .filter(ol::organization_id.eq(&org))
                    .filter(ol::locale.eq(lang.code()))
                    .filter(ol::key.eq(key)),
            )
            .execute(tx.conn)?;
            if let Some(text) = wanted {
                diesel::insert_into(ol::table)
                    .values((
                        ol::id.eq(new_id()),
                        ol::organization_id.eq(&org),
                        ol::locale.eq(lang.code()),
                        ol::key.eq(key),
                        ol::text.eq(text),
                        ol::updated_by.eq(&actor.user_id),
                        ol::updated_at.eq(now()),
                    ))
                    .execute(tx.conn)?;
            }
            changed.push(key.clone());
        }
        if !changed.is_empty() {
            changed.sort();
            audit::append(
                tx,
                Event {
                    organization_id: Some(&org),
                    actor_user_id: Some(&actor.user_id),
                    action: "labels.updated",
                    target_type: Some("organization_label"),
                    detail: Some(serde_json::json!({ "locale": lang.code(), "keys": changed })),
                    ip: actor.ip.as_deref(),
                    ..Default::default()
                },
            )?;
        }
        Ok(changed)
    })
}
