//! The audit log page: organization admins see their organization's entries, the global
//! administrator sees all, with a check of the hash chain. Entries read as sentences: who,
//! what in words, the record by name (linked where the reader may open it) and the details
//! as "what: old → new" lines; filters by person, kind of event and period.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{action_text, Links, Target};
use super::service::{self, Filter};
use crate::access::Actor;
use crate::access::Role;
use crate::labels::catalogue;
use crate::web::extract;
use crate::web::page::{self, Page};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{db, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(list));
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Query {
    page: Option<i64>,
    who: String,
    kind: String,
    from: String,
    to: String,
}

impl Query {
    /// The query string without the page, ending in `&` (for pagination links).
    fn base(&self) -> String {
        format!(
            "/audit?who={}&kind={}&from={}&to={}&",
            crate::web::urlencode(&self.who),
            crate::web::urlencode(&self.kind),
            crate::web::urlencode(&self.from),
            crate::web::urlencode(&self.to)
        )
    }
}

/// One entry as the page shows it.
struct Line {
    seq: i64,
    when: String,
    machine_when: String,
    who: String,
    who_href: Option<String>,
    action: String,
    target: Option<Target>,
    details: Vec<(String, String)>,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    page: Page,
    list: PageOf<Line>,
    kinds: Vec<(String, String)>,
    q: Query,
    base: String,
    broken_at: Option<i64>,
    checked: bool,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Query>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin, Role::GlobalAdmin])?;
    let q = q.into_inner();
    let org = if actor.role() == Role::GlobalAdmin {
        None
    } else {
        Some(actor.org()?.to_string())
    };
    let labels = actor.labels.clone();
    // The kinds of event the log knows, in words, for the filter.
    let mut kinds: Vec<(String, String)> = catalogue()
        .filter_map(|(k, _, _)| k.strip_prefix("audit.action."))
        .map(|a| (a.to_string(), action_text(&labels, a)))
        .collect();
    kinds.sort_by(|a, b| a.1.cmp(&b.1));
    let filter = Filter {
        who: q.who.chars().take(100).collect(),
        kind: if kinds.iter().any(|(k, _)| *k == q.kind) {
            q.kind.clone()
        } else {
            String::new()
        },
        from: date(&q.from),
        to: date(&q.to),
    };
    let paging = Paging::new(q.page, 50);
    let global = org.is_none();
    let org_for_query = org.clone();
    let (list, broken_at) = db(&state, move |c| {
        let list = service::list(c, org_for_query.as_deref(), &filter, &paging)?;
        // The whole chain is verified for the global administrator only: it reads every row.
        let broken = if global {
            service::verify_chain(c)?
        } else {
            None
        };
        Ok((list, broken))
    })
    .await?;
    let links = Links {
        organization: org.as_deref(),
        org_admin: !global,
        global_admin: global,
    };
    let lines = list
        .rows
        .iter()
        .map(|r| Line {
            seq: r.entry.seq,
            when: r.when(),
            machine_when: r.machine_when(),
            who: r.who().to_string(),
            who_href: r
                .entry
                .actor_user_id
                .as_ref()
                .filter(|_| !global && r.actor_name.is_some())
                .map(|id| format!("/users/{id}")),
            action: r.action(&labels),
            target: r.target(&labels, links),
            details: r.details(&labels),
            ip: r.ip().to_string(),
        })
        .collect();
    let base = q.base();
    page::ok(&AuditPage {
        page: Page::for_actor(&actor, "page.audit"),
        list: PageOf {
            rows: lines,
            total: list.total,
            page: list.page,
            per_page: list.per_page,
        },
        kinds,
        q,
        base,
        broken_at,
        checked: global,
    })
}
