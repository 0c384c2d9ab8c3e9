//! The administrator's honorarium tiers per association, and the team's year (coordinator and
//! administrator): reimbursed and honorarium totals per mentor with the volunteer-limit warning.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, MentorYear, TierForm};
use crate::access::Actor;
use crate::auth::actor::set_flash;
use crate::expenses::model::HonorariumThreshold;
use crate::expenses::money;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/honorarium", web::get().to(tiers))
        .route("/honorarium", web::post().to(save))
        .route("/honorarium/{id}/delete", web::post().to(delete))
        .route("/expense-totals", web::get().to(totals));
}

#[derive(Template)]
#[template(path = "expenses/honorarium.html")]
struct TiersPage {
    page: Page,
    associations: Vec<(String, String)>,
    form: TierForm,
    rows: Vec<HonorariumThreshold>,
    errors: FieldErrors,
    /// The introduction's label: it names what the tiers count.
    intro: &'static str,
}

impl TiersPage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AssocQuery {
    association: String,
}

async fn tiers_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: TierForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (a, assoc) = (actor.clone(), form.association.clone());
    let (associations, rows, by_assignments) = db(state, move |c| {
        let associations = service::association_choices(c, &a)?;
        let rows = if associations.iter().any(|(i, _)| *i == assoc) {
            service::tiers(c, &a, &assoc)?
        } else {
            Vec::new()
        };
        Ok((associations, rows, service::counts_assignments(c, &a)?))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &TiersPage {
            page: Page::for_actor(actor, "expense.page_honorarium"),
            associations,
            form,
            rows,
            errors,
            intro: if by_assignments {
                "expense.honorarium_intro"
            } else {
                "expense.honorarium_intro_activities"
            },
        },
        failed,
    )
}

async fn tiers(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<AssocQuery>,
) -> AppResult<HttpResponse> {
    let form = TierForm {
        association: q.into_inner().association,
        ..Default::default()
    };
    tiers_page(&actor, &state, form, FieldErrors::new()).await
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<TierForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::save_tier(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!(
                "/honorarium?association={}",
                crate::web::urlencode(&form.association)
            )))
        }
        Err(errors) => tiers_page(&actor, &state, form, errors).await,
    }
}

async fn delete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let assoc = db(&state, move |c| service::delete_tier(c, &a, &id)).await?;
    set_flash(&session, "success", actor.t("expense.tier_deleted"));
    Ok(redirect(&format!(
        "/honorarium?association={}",
        crate::web::urlencode(&assoc)
    )))
}

#[derive(Template)]
#[template(path = "expenses/totals.html")]
struct TotalsPage {
    page: Page,
    year: i32,
    rows: Vec<MentorYear>,
    /// The count's column heading: what was counted (the organization's, so every row's).
    completed_label: &'static str,
}

impl TotalsPage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: String,
}

async fn totals(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<YearQuery>,
) -> AppResult<HttpResponse> {
    let this = service::this_year();
    let year = q
        .year
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=this).contains(y))
        .unwrap_or(this);
    let a = actor.clone();
    let rows = db(&state, move |c| service::team_years(c, &a, year)).await?;
    page::ok(&TotalsPage {
        page: Page::for_actor(&actor, "expense.page_totals"),
        year,
        completed_label: rows
            .first()
            .map_or("expense.year_completed", MentorYear::completed_label),
        rows,
    })
}
