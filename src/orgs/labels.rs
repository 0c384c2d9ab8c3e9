//! Organization terminology: overrides of the label catalogue per organization and language.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::access::Actor;
use crate::access::Role;
use crate::audit::service::{self as audit, Event};
use crate::db::{new_id, now, DbConn};
use crate::labels::{
    catalogue, default_text, form_key, is_concept_form, Labels, Lang, CONCEPTS, FORMS,
};
use crate::schema::organization_labels as ol;
use crate::web::AppResult;

/// One catalogue entry with the organization's text for the chosen language.
#[derive(Clone, Debug)]
pub struct LabelRow {
    pub key: &'static str,
    /// What the field is, in words: a form's name ("Several") or the default sentence.
    pub label: String,
    /// The text in force without this override (a sentence's concept words filled in).
    pub default_text: String,
    pub value: String,
}

/// One concept with its forms, as the terminology page shows it.
#[derive(Clone, Debug)]
pub struct ConceptGroup {
    pub concept: &'static str,
    /// "What you call a peer mentor", in the page's language.
    pub heading: String,
    pub forms: Vec<LabelRow>,
}

/// The terminology page: the concepts first, then (under "advanced") single texts.
#[derive(Clone, Debug)]
pub struct LabelsView {
    pub concepts: Vec<ConceptGroup>,
    pub sentences: Vec<LabelRow>,
}

/// Keys edited through the concept groups, never as sentences of their own.
fn is_concept_entry(key: &str) -> bool {
    is_concept_form(key) || key.starts_with("concept.") || key.starts_with("form.")
}

/// The terminology page for `lang`: every concept's forms, and the single texts that are
/// overridden (all of them when `all` is set), filtered by `q`.
pub fn rows(
    conn: &mut DbConn,
    actor: &Actor,
    lang: Lang,
    q: &str,
    all: bool,
) -> AppResult<LabelsView> {
    actor.require(&[Role::OrgAdmin])?;
    let current = crate::auth::service::label_overrides(conn, actor.org()?, lang)?;
    // The page speaks the admin's language; the defaults shown are those of `lang`, with the
    // organization's own words for the concepts filled in.
    let words: HashMap<String, String> = current
        .iter()
        .filter(|(k, _)| is_concept_form(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let in_lang = Labels::new(lang, words);
    let value = |key: &str| current.get(key).cloned().unwrap_or_default();
    let concepts = CONCEPTS
        .iter()
        .map(|concept| ConceptGroup {
            concept,
            heading: actor.t(&format!("concept.{concept}")).to_string(),
            forms: FORMS
                .iter()
                .filter_map(|(form, label_key)| {
                    let key = catalogue().find(|e| e.0 == form_key(concept, form))?.0;
                    Some(LabelRow {
                        key,
                        label: actor.t(label_key).to_string(),
                        default_text: default_text(key, lang).unwrap_or_default().to_string(),
                        value: value(key),
                    })
                })
                .collect(),
        })
        .collect();
    let q = crate::web::forms::search_key(q.trim());
    let sentences = catalogue()
        .filter(|(key, _, _)| !is_concept_entry(key))
        .map(|(key, _, _)| {
            let default_text = in_lang.get(key).to_string();
            LabelRow {
                key,
                label: default_text.clone(),
                default_text,
                value: value(key),
            }
        })
        .filter(|r| all || !q.is_empty() || !r.value.is_empty())
        .filter(|r| {
            q.is_empty()
                || crate::web::forms::search_key(&r.default_text).contains(&q)
                || crate::web::forms::search_key(&r.value).contains(&q)
        })
        .collect();
    Ok(LabelsView {
        concepts,
        sentences,
    })
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
