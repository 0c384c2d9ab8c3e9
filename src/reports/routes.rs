//! Pages: the reports index, the Bufdir report (a version, its lifecycle buttons, the
//! drill-down, comparing versions, exports).

use actix_session::Session;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::bufdir::compute::Figures;
use super::bufdir::drill::{self, Drill, DrillPage};
use super::bufdir::export;
use super::bufdir::lifecycle::{self, Shown, Step};
use super::bufdir::run;
use super::charts::{self, Chart};
use super::model::BufdirReport;
use super::runs;
use crate::access::{Actor, Role};
use crate::activities::model::CATEGORIES;
use crate::auth::actor::set_flash;
use crate::web::page::{self, Page};
use crate::web::{db, extract, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports", web::get().to(index))
        .route("/reports/bufdir/{year}", web::get().to(show))
        .route(
            "/reports/bufdir/{year}/activities",
            web::get().to(drill_page),
        )
        .route("/reports/bufdir/{year}/compare", web::get().to(compare))
        .route("/reports/bufdir/{year}/progress", web::get().to(progress))
        .route("/reports/bufdir/{year}/finalize", web::post().to(finalize))
        .route("/reports/bufdir/{year}/submit", web::post().to(submit))
        .route(
            "/reports/bufdir/{year}/new-version",
            web::post().to(new_version),
        )
        .route(
            "/reports/bufdir/{year}/export.{format}",
            web::get().to(export_file),
        );
    super::team::routes::configure(cfg);
}

fn year_of(raw: &str) -> AppResult<i32> {
    raw.parse::<i32>()
        .map_err(|_| AppError::NotFound)
        .and_then(lifecycle::valid_year)
}

fn this_year() -> i32 {
    chrono::Datelike::year(&crate::activities::service::today())
}

// ---------------------------------------------------------------- index

#[derive(Template)]
#[template(path = "reports/index.html")]
struct IndexPage {
    page: Page,
    years: Vec<i32>,
    chart: Chart,
}

async fn index(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = this_year();
    let chart = month_chart(&actor, &state, year).await?;
    page::ok(&IndexPage {
        page: Page::for_actor(&actor, "report.page_index"),
        years: (year - 3..=year).rev().collect(),
        chart,
    })
}

/// Activities per month of `year` in the actor's scope, as a chart.
pub async fn month_chart(
    actor: &Actor,
    state: &web::Data<AppState>,
    year: i32,
) -> AppResult<Chart> {
    let org = actor.org()?.to_string();
    let assocs = (!actor.sees_whole_org()).then(|| actor.associations.clone());
    let counts = db(state, move |c| {
        Ok(charts::per_month(c, &org, assocs.as_deref(), year)?)
    })
    .await?;
    Ok(charts::months_chart(
        "chart-month",
        &actor.labels,
        year,
        &counts,
    ))
}

fn category_chart(actor: &Actor, f: &Figures) -> Chart {
    let counts: Vec<i64> = (0..CATEGORIES.len())
        .map(|i| f.total.categories.get(i).map_or(0, |l| l.activities))
        .collect();
    charts::categories_chart("chart-category", &actor.labels, f.year, &counts)
}

// ---------------------------------------------------------------- the report

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionQuery {
    version: String,
}

impl VersionQuery {
    fn number(&self) -> AppResult<Option<i32>> {
        if self.version.is_empty() {
            Ok(None)
        } else {
            self.version
                .parse()
                .map(Some)
                .map_err(|_| AppError::NotFound)
        }
    }
}

#[derive(Template)]
#[template(path = "reports/bufdir.html")]
struct ReportPage {
    page: Page,
    year: i32,
    shown: Shown,
    versions: Vec<BufdirReport>,
    manage: bool,
    chart: Chart,
    categories: Vec<(usize, &'static str)>,
}

impl ReportPage {
    fn drill(&self, association: &str, category: &str) -> String {
        let d = Drill {
            association: association.into(),
            category: category.into(),
            ..Default::default()
        };
        format!("/reports/bufdir/{}/activities?{}", self.year, d.query())
    }
    fn drill_reason(&self, reason: &str) -> String {
        let d = Drill {
            counts: "no".into(),
            reason: reason.into(),
            ..Default::default()
        };
        format!("/reports/bufdir/{}/activities?{}", self.year, d.query())
    }
    fn export(&self, format: &str) -> String {
        match &self.shown.report {
            Some(r) => format!(
                "/reports/bufdir/{}/export.{format}?version={}",
                self.year, r.version
            ),
            None => format!("/reports/bufdir/{}/export.{format}", self.year),
        }
    }
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let year = year_of(&path)?;
    let version = q.into_inner().number()?;
    let a = actor.clone();
    let (mut picked, versions) = db(&state, move |c| {
        let picked = lifecycle::pick(c, &a, year, version)?;
        let versions = if a.sees_whole_org() {
            lifecycle::versions(c, a.org()?, year)?
        } else {
            Vec::new()
        };
        Ok((picked, versions))
    })
    .await?;
    let figures = match picked.snapshot.take() {
        Some(f) => f,
        None => match draft_figures(&actor, &state, &picked).await? {
            Some(f) => f,
            None => return progress_page(&actor, &state, year).await,
        },
    };
    let shown = picked.with(figures);
    let chart = category_chart(&actor, &shown.figures);
    let mut p = Page::for_actor(&actor, "report.bufdir_title");
    p.title = format!("{} {year}", p.title);
    page::ok(&ReportPage {
        page: p,
        year,
        manage: actor.role() == Role::OrgAdmin,
        shown,
        versions,
        chart,
        categories: CATEGORIES.iter().copied().enumerate().collect(),
    })
}

/// How long the page waits for a run it started before showing its progress instead.
const WAIT_FOR_RUN: std::time::Duration = std::time::Duration::from_millis(1500);

/// A draft's figures, computed once however many ask at once (`bufdir::run`): the first to ask
/// computes on the blocking pool and the page waits a moment; `None` when the run (this one or
/// someone else's) is still going, and the page shows its progress.
async fn draft_figures(
    actor: &Actor,
    state: &web::Data<AppState>,
    picked: &lifecycle::Picked,
) -> AppResult<Option<Figures>> {
    let key = run::key(&picked.org, picked.year, &picked.scope);
    let (k, user) = (key.clone(), actor.user_id.clone());
    let draft = db(state, move |c| run::claim(c, &k, &user)).await?;
    let ticket = match draft {
        run::Draft::Ready(f) => return Ok(Some(f)),
        run::Draft::Running => return Ok(None),
        run::Draft::Mine(t) => t,
    };
    let (st, org, year, scope) = (
        state.clone(),
        picked.org.clone(),
        picked.year,
        picked.scope.clone(),
    );
    // Spawned, so the run goes on when the page stops waiting for it.
    let handle = actix_web::rt::spawn(async move {
        db(&st, move |c| run::run(c, &org, year, &scope, &ticket)).await
    });
    match actix_web::rt::time::timeout(WAIT_FOR_RUN, handle).await {
        Ok(Ok(figures)) => figures.map(Some),
        Ok(Err(e)) => Err(AppError::Internal(anyhow::anyhow!("report run: {e}"))),
        Err(_) => Ok(None),
    }
}

#[derive(Template)]
#[template(path = "reports/progress.html")]
struct ProgressPage {
    page: Page,
    year: i32,
    state: Option<runs::State>,
}

/// The polled part of `ProgressPage` (htmx).
#[derive(Template)]
#[template(path = "reports/progress_box.html")]
struct ProgressBox {
    page: Page,
    year: i32,
    state: Option<runs::State>,
}

macro_rules! progress_fns {
    ($t:ty) => {
        impl $t {
            fn percent(&self) -> i32 {
                self.state.as_ref().map_or(0, |s| s.progress)
            }
            fn step(&self) -> &str {
                self.state.as_ref().map_or("", |s| s.step.as_str())
            }
        }
    };
}
progress_fns!(ProgressPage);
progress_fns!(ProgressBox);

async fn run_state(
    actor: &Actor,
    state: &web::Data<AppState>,
    year: i32,
) -> AppResult<Option<runs::State>> {
    let org = actor.org()?.to_string();
    let key = run::key(&org, year, &lifecycle::scope_of(actor));
    db(state, move |c| Ok(runs::state(c, &key)?)).await
}

/// The page shown while the draft is being computed: its progress, polled every second with
/// htmx; without JavaScript the page reloads itself (and has a link to do so).
async fn progress_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    year: i32,
) -> AppResult<HttpResponse> {
    let run_state = run_state(actor, state, year).await?;
    let mut p = Page::for_actor(actor, "report.bufdir_title");
    p.title = format!("{} {year}", p.title);
    page::ok(&ProgressPage {
        page: p,
        year,
        state: run_state,
    })
}

/// `GET /reports/bufdir/{year}/progress`: the run's progress (the htmx poll's fragment); when it
/// is no longer running, the report (htmx: `HX-Redirect`; otherwise a redirect).
async fn progress(
    actor: Actor,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let year = year_of(&path)?;
    let run_state = run_state(&actor, &state, year).await?;
    let report = format!("/reports/bufdir/{year}");
    if !run_state.as_ref().is_some_and(runs::State::running) {
        return Ok(if crate::web::is_htmx(&req) {
            HttpResponse::Ok()
                .insert_header(("HX-Redirect", report))
                .finish()
        } else {
            redirect(&report)
        });
    }
    let mut p = Page::for_actor(&actor, "report.bufdir_title");
    p.title = format!("{} {year}", p.title);
    if crate::web::is_htmx(&req) {
        page::ok(&ProgressBox {
            page: p,
            year,
            state: run_state,
        })
    } else {
        page::ok(&ProgressPage {
            page: p,
            year,
            state: run_state,
        })
    }
}

// ---------------------------------------------------------------- drill-down

#[derive(Template)]
#[template(path = "reports/drill.html")]
struct DrillTemplate {
    page: Page,
    year: i32,
    d: Drill,
    result: DrillPage,
}

async fn drill_page(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<Drill>,
) -> AppResult<HttpResponse> {
    let year = year_of(&path)?;
    let d = q.into_inner();
    let (a, d2) = (actor.clone(), d.clone());
    let result = db(&state, move |c| drill::page(c, &a, year, &d2)).await?;
    page::ok(&DrillTemplate {
        page: Page::for_actor(&actor, "report.drill_title"),
        year,
        d,
        result,
    })
}

// ---------------------------------------------------------------- lifecycle

async fn step(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    run: fn(&mut crate::db::DbConn, &Actor, i32) -> AppResult<Step>,
    done_key: &'static str,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let year = year_of(&path)?;
    let a = actor.clone();
    let outcome = db(&state, move |c| run(c, &a, year)).await?;
    match outcome {
        Step::Done(v) => {
            set_flash(&session, "success", actor.t(done_key));
            Ok(redirect(&format!("/reports/bufdir/{year}?version={v}")))
        }
        Step::Stale => {
            set_flash(&session, "warning", actor.t("report.stale"));
            Ok(redirect(&format!("/reports/bufdir/{year}")))
        }
    }
}

async fn finalize(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    step(
        actor,
        session,
        state,
        path,
        lifecycle::finalize,
        "report.finalized",
    )
    .await
}

async fn submit(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    step(
        actor,
        session,
        state,
        path,
        lifecycle::submit,
        "report.submitted",
    )
    .await
}

async fn new_version(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    step(
        actor,
        session,
        state,
        path,
        lifecycle::new_version,
        "report.new_version_made",
    )
    .await
}

// ---------------------------------------------------------------- compare

#[derive(Deserialize, Default)]
#[serde(default)]
struct CompareQuery {
    a: String,
    b: String,
}

pub struct CompareRow {
    pub label: String,
    pub a: i64,
    pub b: i64,
}

impl CompareRow {
    pub fn diff(&self) -> String {
        let d = self.b - self.a;
        if d > 0 {
            format!("+{d}")
        } else {
            d.to_string()
        }
    }
}

#[derive(Template)]
#[template(path = "reports/compare.html")]
struct ComparePage {
    page: Page,
    year: i32,
    versions: Vec<BufdirReport>,
    a: i32,
    b: i32,
    rows: Vec<CompareRow>,
}

fn compare_rows(actor: &Actor, a: &Figures, b: &Figures) -> Vec<CompareRow> {
    let mut rows = Vec::new();
    let label = |k: &str, x: &str| format!("{}: {}", actor.t(k), actor.t(x));
    for (i, c) in CATEGORIES.iter().enumerate() {
        let key = format!("activity.category_{c}");
        let (la, lb) = (
            a.total.categories.get(i).cloned().unwrap_or_default(),
            b.total.categories.get(i).cloned().unwrap_or_default(),
        );
        rows.push(CompareRow {
            label: label(&key, "report.col_activities"),
            a: la.activities,
            b: lb.activities,
        });
        rows.push(CompareRow {
            label: label(&key, "report.col_participants"),
            a: la.participants,
            b: lb.participants,
        });
    }
    for (k, x, y) in [
        (
            "report.col_activities",
            a.total.all.activities,
            b.total.all.activities,
        ),
        ("report.col_people", a.total.all.people, b.total.all.people),
        (
            "report.col_mentors",
            a.total.all.mentors,
            b.total.all.mentors,
        ),
        (
            "report.col_minutes",
            a.total.all.minutes,
            b.total.all.minutes,
        ),
        ("report.col_events", a.total.events, b.total.events),
        (
            "report.col_event_participants",
            a.total.event_participants,
            b.total.event_participants,
        ),
    ] {
        rows.push(CompareRow {
            label: format!("{}: {}", actor.t("report.total"), actor.t(k)),
            a: x,
            b: y,
        });
    }
    rows
}

async fn compare(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<CompareQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let year = year_of(&path)?;
    let q = q.into_inner();
    let a = actor.clone();
    let versions = db(&state, move |c| Ok(lifecycle::versions(c, a.org()?, year)?)).await?;
    let newest = versions.first().map_or(1, |v| v.version);
    let pick = |s: &str, default: i32| -> AppResult<i32> {
        if s.is_empty() {
            Ok(default)
        } else {
            s.parse().map_err(|_| AppError::NotFound)
        }
    };
    let (va, vb) = (pick(&q.a, (newest - 1).max(1))?, pick(&q.b, newest)?);
    let a = actor.clone();
    let (fa, fb) = db(&state, move |c| {
        let fa = lifecycle::show(c, &a, year, Some(va))?.figures;
        let fb = lifecycle::show(c, &a, year, Some(vb))?.figures;
        Ok((fa, fb))
    })
    .await?;
    page::ok(&ComparePage {
        page: Page::for_actor(&actor, "report.compare_title"),
        year,
        rows: compare_rows(&actor, &fa, &fb),
        versions,
        a: va,
        b: vb,
    })
}

// ---------------------------------------------------------------- exports

fn attachment(name: String) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name)],
    }
}

async fn export_file(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: extract::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let (year, format) = path.into_inner();
    let year = year_of(&year)?;
    let format = match format.as_str() {
        "csv" => "csv",
        "xlsx" => "xlsx",
        "pdf" => "pdf",
        _ => return Err(AppError::NotFound),
    };
    let version = q.into_inner().number()?;
    let a = actor.clone();
    let shown = db(&state, move |c| {
        let shown = lifecycle::show(c, &a, year, version)?;
        lifecycle::log_export(c, &a, year, shown.version, format)?;
        Ok(shown)
    })
    .await?;
    let labels = actor.labels.clone();
    let name = format!("bufdir-{year}-v{}.{format}", shown.version);
    let (bytes, mime): (Vec<u8>, &str) = match format {
        "csv" => (
            export::csv(&shown.figures, &labels).to_vec(),
            "text/csv; charset=utf-8",
        ),
        "xlsx" => (
            web::block(move || export::xlsx(&shown.figures, &labels)).await??,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (
            web::block(move || export::pdf(&shown.figures, &labels, &shown.status, shown.version))
                .await??,
            "application/pdf",
        ),
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header(attachment(name))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
