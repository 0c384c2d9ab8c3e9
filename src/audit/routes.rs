//! The audit log page: organization admins see their organization's entries, the global
//! administrator sees all, with a check of the hash chain.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::AuditRow;
use super::service;
use crate::access::Actor;
use crate::access::Role;
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
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    page: Page,
    list: PageOf<AuditRow>,
    broken_at: Option<i64>,
    checked: bool,
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Query>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin, Role::GlobalAdmin])?;
    let org = if actor.role() == Role::GlobalAdmin {
        None
    } else {
        Some(actor.org()?.to_string())
    };
    let paging = Paging::new(q.page, 50);
    let global = org.is_none();
    let (list, broken_at) = db(&state, move |c| {
        let list = service::list(c, org.as_deref(), &paging)?;
        // The whole chain is verified for the global administrator only: it reads every row.
        let broken = if global {
            service::verify_chain(c)?
        } else {
            None
        };
        Ok((list, broken))
    })
    .await?;
    page::ok(&AuditPage {
        page: Page::for_actor(&actor, "page.audit"),
        list,
        broken_at,
        checked: global,
    })
}
