//! The start page: who I am acting as, and where to go from here.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::access::Actor;
use crate::web::page::{self, Page};
use crate::web::{db, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    associations: Vec<(String, String)>,
    context: String,
}

async fn home(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ids = actor.associations.clone();
    let associations = db(&state, move |c| {
        Ok(crate::auth::service::association_names(c, &ids)?)
    })
    .await?;
    let page = Page::for_actor(&actor, "page.home");
    page::ok(&HomePage {
        context: actor.context_label(),
        page,
        associations,
    })
}
