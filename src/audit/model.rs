use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::labels::{is_known, Labels};

use crate::schema::audit_log;

/// An entry as `audit_log` holds it. Its link in the hash chain (position, previous hash, hash)
/// is in `audit_chain`, made by the chainer (`audit::chain`) just after the entry commits.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: String,
    pub seq: i64,
    pub organization_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
}

/// An entry to append on PostgreSQL: without `seq`, which the database's sequence gives.
#[derive(Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewPgEntry<'a> {
    pub id: &'a str,
    pub organization_id: Option<&'a str>,
    pub actor_user_id: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// One link of the chain.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = crate::schema::audit_chain)]
pub struct ChainLink {
    pub pos: i64,
    pub entry_id: String,
    pub prev_hash: String,
    pub hash: String,
    pub chained_at: NaiveDateTime,
}

/// One row of the audit list, with the actor's name and the names of the records the page's
/// entries name (`"<type>:<id>"`, shared by the rows of one page).
#[derive(Clone, Debug)]
pub struct AuditRow {
    pub entry: AuditEntry,
    pub actor_name: Option<String>,
    pub names: Arc<HashMap<String, String>>,
}

/// The record types the log names, as `target_type` spells them.
pub fn known_target(t: &str) -> Option<&'static str> {
    [
        "user",
        "contact",
        "peer_mentor",
        "local_association",
        "event",
        "activity",
        "activity_type",
        "region",
        "organization",
    ]
    .into_iter()
    .find(|k| *k == t)
}

/// A record an entry is about: its kind and name in words, and where to see it.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: String,
    pub name: String,
    pub href: Option<String>,
}

/// Detail keys that are internal ids with nothing to show a person.
const HIDDEN: &[&str] = &[
    "grant_id",
    "assignment_id",
    "note_id",
    "caregiver_id",
    "activity_id",
];

/// "max_contacts" → "Max contacts": a last resort for a key without a label.
fn humanize(key: &str) -> String {
    let words = key.replace(['_', '.'], " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A label when the catalogue has one of the candidate keys.
fn known(l: &Labels, keys: &[String]) -> Option<String> {
    keys.iter()
        .find(|k| is_known(k))
        .map(|k| l.get(k).to_string())
}

impl AuditRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.entry.created_at)
    }
    pub fn machine_when(&self) -> String {
        crate::web::fmt::machine(&self.entry.created_at)
    }
    pub fn who(&self) -> &str {
        self.actor_name.as_deref().unwrap_or("–")
    }
    pub fn ip(&self) -> &str {
        self.entry.ip.as_deref().unwrap_or("")
    }

    /// What happened, in words: the action's label, or for an action without one its kind
    /// and last word (never the stored JSON).
    pub fn action(&self, l: &Labels) -> String {
        action_text(l, &self.entry.action)
    }

    /// The record the entry is about, with a link when `links` says the reader may open it.
    pub fn target(&self, l: &Labels, links: Links) -> Option<Target> {
        let t = self.entry.target_type.as_deref()?;
        let kind_key = format!("audit.target.{t}");
        let kind = known(l, &[kind_key]).unwrap_or_else(|| humanize(t));
        let Some(id) = self.entry.target_id.as_deref() else {
            return Some(Target {
                kind,
                name: String::new(),
                href: None,
            });
        };
        let lookup = if t == "setting" { "user" } else { t };
        let name = self
            .names
            .get(&format!("{lookup}:{id}"))
            .cloned()
            .unwrap_or_default();
        let same_org = self.entry.organization_id.as_deref() == links.organization;
        let href = match (links.org_admin && same_org, t) {
            (true, "contact") => Some(format!("/contacts/{id}")),
            (true, "peer_mentor") => Some(format!("/mentors/{id}")),
            (true, "user" | "setting") => Some(format!("/users/{id}")),
            (true, "local_association") => Some(format!("/associations/{id}")),
            (true, "event") => Some(format!("/events/{id}")),
            (true, "activity") => Some(format!("/activities/{id}")),
            (true, "activity_type") => Some(format!("/activity-types/{id}/edit")),
            (true, "region") => Some(format!("/regions/{id}/edit")),
            (_, "organization") if links.global_admin => Some(format!("/organizations/{id}/edit")),
            _ => None,
        }
        .filter(|_| !name.is_empty());
        Some(Target { kind, name, href })
    }

    /// The details as "what: value" lines ("Name: Old → New", "Status: Active → Paused"),
    /// internal ids left out, people and associations by name. Never the raw JSON.
    pub fn details(&self, l: &Labels) -> Vec<(String, String)> {
        let Some(raw) = self.entry.detail.as_deref() else {
            return Vec::new();
        };
        let map = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(m)) => m,
            Ok(Value::String(s)) => return vec![(String::new(), s)],
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        let get = |k: &str| map.get(k).filter(|v| !v.is_null());
        if let (Some(from), Some(to)) = (get("from"), get("to")) {
            out.push((
                key_label(l, "status"),
                format!(
                    "{} → {}",
                    self.value(l, "status", from),
                    self.value(l, "status", to)
                ),
            ));
        }
        if let (Some(old), Some(new)) = (get("previous_name"), get("name")) {
            if old != new {
                out.push((
                    key_label(l, "name"),
                    format!(
                        "{} → {}",
                        self.value(l, "name", old),
                        self.value(l, "name", new)
                    ),
                ));
            }
        }
        let paired = |k: &str| {
            matches!(k, "from" | "to") && get("from").is_some() && get("to").is_some()
                || matches!(k, "previous_name" | "name") && get("previous_name").is_some()
        };
        for (k, v) in &map {
            if v.is_null() || HIDDEN.contains(&k.as_str()) || paired(k) {
                continue;
            }
            out.push((key_label(l, k), self.value(l, k, v)));
        }
        out
    }

    fn value(&self, l: &Labels, key: &str, v: &Value) -> String {
        match v {
            Value::Bool(true) => l.get("value.yes").to_string(),
            Value::Bool(false) => l.get("value.no").to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => {
                let kind = match key {
                    "user_id" => Some("user"),
                    "local_association_id" => Some("local_association"),
                    _ => None,
                };
                if let Some(kind) = kind {
                    return self
                        .names
                        .get(&format!("{kind}:{s}"))
                        .cloned()
                        .unwrap_or_else(|| "–".into());
                }
                known(
                    l,
                    &[
                        format!("people.status_{s}"),
                        format!("term.{s}"),
                        format!("value.{s}"),
                        format!("field.{s}"),
                    ],
                )
                .unwrap_or_else(|| s.clone())
            }
            Value::Array(items) if key == "keys" => items.len().to_string(),
            Value::Array(items) => items
                .iter()
                .map(|i| self.value(l, key, i))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(m) => m
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                .map(|(k, v)| format!("{}: {}", key_label(l, k), self.value(l, k, v)))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Null => String::new(),
        }
    }
}

/// An action key in words (see `AuditRow::action`).
pub fn action_text(l: &Labels, action: &str) -> String {
    let key = format!("audit.action.{action}");
    if is_known(&key) {
        return l.get(&key).to_string();
    }
    let (kind, what) = action.split_once('.').unwrap_or(("", action));
    match known(l, &[format!("audit.target.{kind}")]) {
        Some(k) => format!("{k}: {}", humanize(what).to_lowercase()),
        None => humanize(action),
    }
}

fn key_label(l: &Labels, key: &str) -> String {
    known(l, &[format!("audit.key.{key}"), format!("field.{key}")]).unwrap_or_else(|| humanize(key))
}

/// What the reader may open: an org admin their organization's records, the global
/// administrator the organizations.
#[derive(Clone, Copy, Debug, Default)]
pub struct Links<'a> {
    pub organization: Option<&'a str>,
    pub org_admin: bool,
    pub global_admin: bool,
}
