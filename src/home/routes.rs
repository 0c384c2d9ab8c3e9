//! `GET /`: the start page of the active role.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, CoordinatorHome, GlobalHome, MentorHome, OrgAdminHome};
use crate::access::Actor;
use crate::access::Role;
use crate::web::page::{self, Page};
use crate::web::{db, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}

/// What the page shows for the active role.
enum View {
    Mentor(MentorHome),
    Coordinator(CoordinatorHome),
    OrgAdmin(OrgAdminHome),
    Global(GlobalHome),
}

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    page: Page,
    context: String,
    associations: Vec<(String, String)>,
    view: View,
    /// The search box (coordinators and organization administrators).
    search: crate::search::routes::SearchBox,
    /// Invitations waiting for the user's answer.
    invitations: i64,
    /// The way to assignments where the organization uses them, with how many the mentor has
    /// not seen yet.
    assignments: Option<i64>,
}

async fn home(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    if actor.role() == Role::Account {
        // No role: the invitations are the start page.
        return Ok(crate::web::redirect("/account/invitations"));
    }
    let a = actor.clone();
    let (associations, view, invitations, assignments) = db(&state, move |c| {
        let associations = crate::auth::service::association_names(c, &a.associations)?;
        let view = match a.role() {
            Role::PeerMentor => View::Mentor(service::mentor_home(c, &a)?),
            Role::Coordinator => View::Coordinator(service::coordinator_home(c, &a)?),
            Role::OrgAdmin => View::OrgAdmin(service::org_admin_home(c, &a)?),
            Role::GlobalAdmin => View::Global(service::global_home(c, &a)?),
            Role::Account => return Err(crate::web::AppError::NotFound),
        };
        let invitations = crate::users::service::pending_count(c, &a.user_id)?;
        let assignments = crate::assignments::service::home_notice(c, &a)?;
        Ok((associations, view, invitations, assignments))
    })
    .await?;
    page::ok(&HomePage {
        context: actor.context_label(),
        page: Page::for_actor(&actor, "page.home"),
        associations,
        view,
        invitations,
        assignments,
        search: crate::search::routes::SearchBox::start_page(),
    })
}
