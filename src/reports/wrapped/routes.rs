//! Pages: a mentor's year (`/wrapped/{year}`) and its card (`/wrapped/{year}/card.svg`), a
//! coordinator's view of one mentor's year, the scope's totals and "compute again".

use actix_session::Session;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::card;
use super::compute::{this_year, YEARS_BACK};
use super::service::{self, MentorLine, Shown, Totals};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::engagement::model::Badge;
use crate::web::page::{self, Page};
use crate::web::pagination::{PageOf, Paging};
use crate::web::{db, extract, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/wrapped/{year}", web::get().to(mine))
        .route("/wrapped/{year}/card.svg", web::get().to(card_svg))
        .route("/wrapped/{year}/organization", web::get().to(organization))
        .route("/wrapped/{year}/recompute", web::post().to(recompute))
        .route("/wrapped/{year}/mentors/{user}", web::get().to(of_mentor));
}

fn year_of(raw: &str) -> AppResult<i32> {
    raw.parse::<i32>()
        .map_err(|_| AppError::NotFound)
        .and_then(service::valid_year)
}

/// The past years the pages link to, newest first.
fn past_years() -> Vec<i32> {
    let this = this_year();
    (this - YEARS_BACK..this).rev().collect()
}

// ---------------------------------------------------------------- a mentor's year

#[derive(Template)]
#[template(path = "reports/wrapped.html")]
struct MentorPage {
    page: Page,
    shown: Shown,
    /// The mentor's own page (the card and "you"), or a coordinator looking.
    own: bool,
    years: Vec<i32>,
    user_id: String,
}

impl MentorPage {
    fn tiles(&self) -> Vec<(String, String)> {
        match &self.shown.summary {
            Some(s) => {
                let mut t = card::tiles(s, &self.page.labels);
                if !self.own {
                    // "people supported", not "you supported".
                    if let Some(c) = t.get_mut(2) {
                        c.1 = self.page.t("wrapped.contacts_of").to_string();
                    }
                    for x in t.iter_mut().skip(3) {
                        if x.1 == self.page.t("wrapped.events") {
                            x.1 = self.page.t("wrapped.events_of").to_string();
                        }
                    }
                }
                t
            }
            None => Vec::new(),
        }
    }
    fn month(&self, m: &i32) -> String {
        card::month_name(&self.page.labels, *m).to_string()
    }
    fn change(&self, now: &i32, before: &i32) -> String {
        card::change(*now, *before, &self.page.labels)
    }
    fn change_hours(&self, now: &i32, before: &i32) -> String {
        // Whole hours, so "+3 more" reads as hours.
        card::change((*now + 30) / 60, (*before + 30) / 60, &self.page.labels)
    }
    fn src(&self, b: &Badge) -> String {
        crate::engagement::badges::routes::image_src(b)
    }
    fn when(&self, e: &crate::engagement::badges::service::Earned) -> String {
        crate::web::fmt::date(e.award.awarded_at)
    }
    fn year_href(&self, y: &i32) -> String {
        if self.own {
            format!("/wrapped/{y}")
        } else {
            format!("/wrapped/{y}/mentors/{}", self.user_id)
        }
    }
}

fn mentor_page(actor: &Actor, shown: Shown, own: bool, user_id: String) -> AppResult<HttpResponse> {
    let mut p = Page::for_actor(
        actor,
        if own {
            "wrapped.title_mine"
        } else {
            "wrapped.title_of"
        },
    );
    p.title = if own {
        format!("{} {}", p.title, shown.year)
    } else {
        format!("{} {} ({})", p.title, shown.name, shown.year)
    };
    page::ok(&MentorPage {
        page: p,
        shown,
        own,
        years: past_years(),
        user_id,
    })
}

async fn mine(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let year = year_of(&path)?;
    let a = actor.clone();
    let shown = db(&state, move |c| service::mine(c, &a, year)).await?;
    let me = actor.user_id.clone();
    mentor_page(&actor, shown, true, me)
}

async fn of_mentor(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (raw_year, user) = path.into_inner();
    let year = year_of(&raw_year)?;
    let (a, u) = (actor.clone(), user.clone());
    let shown = db(&state, move |c| service::of_mentor(c, &a, year, &u)).await?;
    mentor_page(&actor, shown, false, user)
}

/// The card to download: the mentor's own year, as an SVG file.
async fn card_svg(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let year = year_of(&path)?;
    let a = actor.clone();
    let shown = db(&state, move |c| service::mine(c, &a, year)).await?;
    if !shown.has_figures() || shown.is_this_year() {
        return Err(AppError::NotFound);
    }
    let body = card::svg(&shown, &actor.labels, &actor.active.org_name);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!("likeperson-{year}.svg"))],
        })
        .body(body))
}

// ---------------------------------------------------------------- the scope's year

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "reports/wrapped_org.html")]
struct OrgPage {
    page: Page,
    totals: Totals,
    list: PageOf<MentorLine>,
    whole_org: bool,
    can_recompute: bool,
    years: Vec<i32>,
    /// The pagination links' start.
    base: String,
}

impl OrgPage {
    fn hours(&self, minutes: &i64) -> String {
        crate::reports::hours(*minutes)
    }
    fn hours32(&self, minutes: &i32) -> String {
        card::hours(*minutes, &self.page.labels)
    }
    fn month(&self, m: &i32) -> String {
        card::month_name(&self.page.labels, *m).to_string()
    }
    fn change(&self, now: &i64, before: &i64) -> String {
        let c = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        card::change(c(*now), c(*before), &self.page.labels)
    }
    fn change_hours(&self, now: &i64, before: &i64) -> String {
        self.change(&((*now + 30) / 60), &((*before + 30) / 60))
    }
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        crate::web::fmt::datetime(*t)
    }
    fn summary(&self) -> String {
        self.list.summary(&self.page.labels, "")
    }
}

async fn organization(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = year_of(&path)?;
    let paging = Paging::new(q.into_inner().page, service::PER_PAGE);
    let a = actor.clone();
    let (totals, list) = db(&state, move |c| {
        Ok((
            service::totals(c, &a, year)?,
            service::mentors(c, &a, year, &paging)?,
        ))
    })
    .await?;
    let mut p = Page::for_actor(&actor, "wrapped.org_title");
    p.title = format!("{} {year}", p.title);
    page::ok(&OrgPage {
        page: p,
        totals,
        list,
        whole_org: actor.sees_whole_org(),
        can_recompute: year < this_year(),
        years: past_years(),
        base: format!("/wrapped/{year}/organization?"),
    })
}

async fn recompute(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = year_of(&path)?;
    let a = actor.clone();
    db(&state, move |c| service::recompute(c, &a, year)).await?;
    set_flash(&session, "success", actor.t("wrapped.recomputed"));
    Ok(redirect(&format!("/wrapped/{year}/organization")))
}
