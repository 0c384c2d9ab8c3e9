//! `GET /search?q=`: the search page, or (for htmx, as the user types) only its results, with
//! the number of hits announced through the page's live region.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::service::{self, Results};
use crate::access::Actor;
use crate::access::Role;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// The search form as a page or the start page shows it.
#[derive(Clone, Debug, Default)]
pub struct SearchBox {
    pub q: String,
    /// The search page keeps the query in the address (back and reload work); the start page
    /// does not.
    pub push_url: bool,
}

impl SearchBox {
    pub fn start_page() -> SearchBox {
        SearchBox::default()
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Query {
    q: String,
}

#[derive(Template)]
#[template(path = "search/page.html", blocks = ["results"])]
struct SearchPage {
    page: Page,
    search: SearchBox,
    results: Results,
    /// For htmx: the hit count for the live region.
    announce: bool,
    kind: &'static str,
    message: String,
}

impl SearchPage {
    fn summary(&self) -> String {
        let r = &self.results;
        match r.hit_count() {
            0 => format!("{} «{}».", self.page.t("search.no_hits"), r.q),
            n => format!(
                "{} {n} {}{}",
                self.page.t("search.showing"),
                self.page
                    .t(if n == 1 { "search.hit" } else { "search.hits" }),
                if r.any_more() {
                    format!(" ({})", self.page.t("search.more_in_lists"))
                } else {
                    String::new()
                }
            ),
        }
    }
}

async fn search(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: crate::web::extract::Query<Query>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let raw = q.into_inner().q;
    let a = actor.clone();
    let results = db(&state, move |c| service::search(c, &a, &raw)).await?;
    let mut tpl = SearchPage {
        page: Page::for_actor(&actor, "search.page"),
        search: SearchBox {
            q: results.q.clone(),
            push_url: true,
        },
        results,
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if is_htmx(&req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "search-results")
    {
        tpl.announce = true;
        tpl.message = if tpl.results.searched() {
            tpl.summary()
        } else {
            String::new()
        };
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}
