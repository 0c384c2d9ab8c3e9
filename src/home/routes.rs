//! `GET /`: the start page of the active role.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, CoordinatorHome, GlobalHome, MentorHome, OrgAdminHome};
use crate::access::Actor;
use crate::access::Role;
use crate::reports::charts::{self, Chart};
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
    /// This year's charts (coordinators and organization administrators).
    charts: Vec<Chart>,
}

fn charts(actor: &Actor, view: &View) -> Vec<Chart> {
    let c = match view {
        View::Coordinator(h) => &h.charts,
        View::OrgAdmin(h) => &h.charts,
        _ => return Vec::new(),
    };
    vec![
        charts::months_chart("chart-home-month", &actor.labels, c.year, &c.months),
        charts::categories_chart("chart-home-category", &actor.labels, c.year, &c.categories),
    ]
}

async fn home(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    if actor.role() == Role::Account {
        // No role: the invitations are the start page.
        return Ok(crate::web::redirect("/account/invitations"));
    }
    let a = actor.clone();
    let (view, common) = db(&state, move |c| {
        Ok(match a.role() {
            Role::PeerMentor => {
                let (home, common) = service::mentor_home(c, &a)?;
                (View::Mentor(home), common)
            }
            Role::Coordinator => {
                let (home, common) = service::coordinator_home(c, &a)?;
                (View::Coordinator(home), common)
            }
            Role::OrgAdmin => {
                let (home, common) = service::org_admin_home(c, &a)?;
                (View::OrgAdmin(home), common)
            }
            Role::GlobalAdmin => {
                let (home, common) = service::global_home(c, &a)?;
                (View::Global(home), common)
            }
            Role::Account => return Err(crate::web::AppError::NotFound),
        })
    })
    .await?;
    let charts = charts(&actor, &view);
    page::ok(&HomePage {
        charts,
        context: actor.context_label(),
        page: Page::for_actor(&actor, "page.home"),
        associations: common.associations,
        view,
        invitations: common.invitations,
        assignments: common.assignments,
        search: crate::search::routes::SearchBox::start_page(),
    })
}
