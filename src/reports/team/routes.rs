//! `/reports/team`: the team report page (a GET form: associations and period, then the
//! figures) and its exports (`/reports/team/export.csv`, `.xlsx`) for the same query.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use askama::Template;

use super::model::TeamReport;
use super::service::{self, Period, TeamForm};
use crate::access::{Actor, Role};
use crate::reports::charts::{self, Bar, Chart};
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, extract, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports/team", web::get().to(show))
        .route("/reports/team/export.{format}", web::get().to(export_file));
}

/// The query: repeated `association`, `from`, `to`.
fn form_of(pairs: Vec<(String, String)>) -> AppResult<TeamForm> {
    let (mut form, associations): (TeamForm, Vec<String>) =
        crate::expenses::split_list(pairs, "association")?;
    form.associations = associations.into_iter().filter(|a| !a.is_empty()).collect();
    Ok(form.with_defaults(crate::activities::service::today()))
}

#[derive(Template)]
#[template(path = "reports/team.html")]
struct TeamPage {
    page: Page,
    form: TeamForm,
    errors: FieldErrors,
    options: Vec<(String, String)>,
    report: Option<TeamReport>,
    chart: Option<Chart>,
    /// The rows of the mentor table shown (the export has all).
    shown_mentors: usize,
}

/// How many mentors the page lists; the exports list every one.
const MENTORS_SHOWN: usize = 200;

impl TeamPage {
    fn picked(&self, id: &str) -> bool {
        self.form.associations.iter().any(|a| a == id)
    }
    fn export(&self, format: &str) -> String {
        format!("/reports/team/export.{format}?{}", self.form.query())
    }
    fn month_name(&self, key: &str) -> String {
        month_name(&self.page, key)
    }
    fn kr(&self, ore: &i64) -> String {
        crate::expenses::money::kr(*ore, self.page.lang)
    }
}

/// "2026-03" as "mar 2026".
fn month_name(page: &Page, key: &str) -> String {
    let en = page.lang == "en";
    let (y, m) = key.split_once('-').unwrap_or((key, ""));
    match m.parse::<usize>() {
        Ok(m) if (1..=12).contains(&m) => format!("{} {y}", charts::month_label(m - 1, en)),
        _ => key.to_string(),
    }
}

/// Activities per month; within one calendar year the labels are the short month names and
/// the year is in the title (so they sit flat even on a phone).
fn chart(actor: &Actor, page: &Page, r: &TeamReport) -> Chart {
    use chrono::Datelike;
    let one_year = r.from.year() == r.to.year();
    let en = page.lang == "en";
    let label = |key: &str| match key.split_once('-').map(|(_, m)| m.parse::<usize>()) {
        Some(Ok(m)) if one_year && (1..=12).contains(&m) => {
            charts::month_label(m - 1, en).to_string()
        }
        _ => month_name(page, key),
    };
    let title = actor.t("report.chart_per_month");
    Chart {
        id: "chart-team-month".into(),
        title: if one_year {
            format!("{title} {}", r.from.year())
        } else {
            title.to_string()
        },
        label_header: actor.t("report.col_month").into(),
        value_header: actor.t("report.col_activities").into(),
        bars: r
            .by_month
            .iter()
            .map(|l| Bar {
                label: label(&l.key),
                value: l.activities,
            })
            .collect(),
    }
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let form = form_of(q.into_inner())?;
    let checked = form.period();
    let (a, picked) = (actor.clone(), form.associations.clone());
    let (options, report) = db(&state, move |c| {
        let options = service::options(c, &a)?;
        let (scope, names) = service::scope_of(c, &a, &picked)?;
        let report = match checked {
            Ok(p) => Some(service::compute(c, a.org()?, &scope, names, p)?),
            Err(_) => None,
        };
        Ok((options, report))
    })
    .await?;
    let p = Page::for_actor(&actor, "report.team_title");
    let chart = report.as_ref().map(|r| chart(&actor, &p, r));
    let errors = form.period().err().unwrap_or_default();
    let failed = !errors.is_empty();
    let t = TeamPage {
        page: p,
        form,
        errors,
        options,
        shown_mentors: MENTORS_SHOWN,
        report,
        chart,
    };
    if failed {
        page::unprocessable(&t)
    } else {
        page::ok(&t)
    }
}

async fn export_file(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: extract::Query<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let format = match path.as_str() {
        "csv" => "csv",
        "xlsx" => "xlsx",
        _ => return Err(AppError::NotFound),
    };
    let form = form_of(q.into_inner())?;
    // A period that is not one has no export (the page says why).
    let p: Period = form.period().map_err(|_| AppError::NotFound)?;
    let a = actor.clone();
    let report = db(&state, move |c| {
        let (scope, names) = service::scope_of(c, &a, &form.associations)?;
        service::log_export(c, &a, &names, p, format)?;
        Ok(service::compute(c, a.org()?, &scope, names, p)?)
    })
    .await?;
    let labels = actor.labels.clone();
    let name = format!("team-{}-{}.{format}", p.from, p.to);
    let (bytes, mime): (Vec<u8>, &str) = match format {
        "csv" => (
            super::export::csv(&report, &labels).to_vec(),
            "text/csv; charset=utf-8",
        ),
        _ => (
            web::block(move || super::export::xlsx(&report, &labels)).await??,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
