//! The start page: who I am acting as, and where to go from here.

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::auth::actor::Actor;
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
    /// Invitations waiting for the user's answer.
    invitations: i64,
}

async fn home(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let (ids, uid) = (actor.associations.clone(), actor.user_id.clone());
    let (associations, invitations) = db(&state, move |c| {
        Ok((
            crate::auth::service::association_names(c, &ids)?,
            crate::users::service::pending_count(c, &uid)?,
        ))
    })
    .await?;
    let page = Page::for_actor(&actor, "page.home");
    page::ok(&HomePage {
        context: actor.context_label(),
        page,
        associations,
        invitations,
    })
}
