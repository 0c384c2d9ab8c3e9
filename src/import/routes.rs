//! Pages of the bulk import (organization administrators): upload, preview with each row's
//! problems, run, and the rows with problems as a file to fix.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use super::read::{self, Table};
use super::service::{self, Batch, Checked, Kind, Ran};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::documents::storage;
use crate::web::export::{Cell, CsvSheet};
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/import", web::get().to(start))
        .route("/import/upload/{kind}", web::post().to(upload))
        .route("/import/sample/{kind}", web::get().to(sample))
        .route("/import/{id}", web::get().to(preview))
        .route("/import/{id}/run", web::post().to(run))
        .route("/import/{id}/rejected.csv", web::get().to(rejected));
}

/// Rows with problems listed on the preview (all are in the file to fix).
const SHOWN_BAD: usize = 500;
/// Good rows shown as a sample.
const SHOWN_GOOD: usize = 20;

#[derive(Template)]
#[template(path = "import/start.html")]
struct StartPage {
    page: Page,
    recent: Vec<Batch>,
    /// The form that failed and its message.
    error: Option<(&'static str, String)>,
    max_mb: usize,
}

impl StartPage {
    fn error_for(&self, kind: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(k, _)| *k == kind)
            .map(|(_, m)| m.as_str())
    }
    fn columns(&self, kind: &str) -> String {
        let optional = self.page.t("text.optional");
        Kind::parse(kind)
            .map(|k| {
                k.columns()
                    .iter()
                    .map(|(_, names, req)| {
                        let n = names
                            .iter()
                            .take(2)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(" / ");
                        if *req {
                            n
                        } else {
                            format!("{n} ({optional})")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }
    fn kind_label(&self, kind: &str) -> &str {
        self.page.t(if kind == "mentors" {
            "import.kind_mentors"
        } else {
            "import.kind_contacts"
        })
    }
}

async fn start_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    error: Option<(&'static str, String)>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let recent = db(state, move |c| service::recent(c, &a)).await?;
    let failed = error.is_some();
    page::form(
        &StartPage {
            page: Page::for_actor(actor, "import.page"),
            recent,
            error,
            max_mb: state.config.max_upload_bytes / (1024 * 1024),
        },
        failed,
    )
}

async fn start(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    start_page(&actor, &state, None).await
}

fn message(actor: &Actor, key: &str, max_mb: usize) -> String {
    actor
        .t(key)
        .replace("{mb}", &max_mb.to_string())
        .replace("{rows}", &read::MAX_ROWS.to_string())
}

/// Reads a stored file of a batch into rows (on the blocking pool).
async fn load(state: &web::Data<AppState>, key: &str) -> AppResult<Result<Table, &'static str>> {
    let mut stream = storage::get(&state.files, key).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.map_err(anyhow::Error::from)?);
    }
    Ok(web::block(move || read::read(&bytes)).await?)
}

async fn upload(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let kind = Kind::parse(&path).ok_or(AppError::NotFound)?;
    let org = actor.org()?.to_string();
    let max = state.config.max_upload_bytes;
    let max_mb = max / (1024 * 1024);
    let refuse = |key: &'static str| (kind.key_static(), message(&actor, key, max_mb));
    let (name, bytes) = match crate::documents::routes::read_file(form, max).await {
        Ok(f) => f,
        Err(key) => return start_page(&actor, &state, Some(refuse(key))).await,
    };
    let copy = bytes.clone();
    let table = match web::block(move || read::read(&copy)).await? {
        Ok(t) => t,
        Err(key) => return start_page(&actor, &state, Some(refuse(key))).await,
    };
    if let Err(missing) = service::column_map(kind, &table.headers) {
        let text = format!("{} {}", actor.t("import.err_columns"), missing.join(", "));
        return start_page(&actor, &state, Some((kind.key_static(), text))).await;
    }
    let key = storage::new_key(&org);
    storage::put(&state.files, &key, bytes).await?;
    let (a, k) = (actor.clone(), key.clone());
    match db(&state, move |c| {
        service::create_batch(c, &a, kind, &name, &k)
    })
    .await
    {
        Ok(id) => Ok(redirect(&format!("/import/{id}"))),
        Err(e) => {
            let _ = storage::delete(&state.files, &key).await;
            Err(e)
        }
    }
}

impl Kind {
    fn key_static(self) -> &'static str {
        self.key()
    }
}

pub struct ShownRow {
    pub line: usize,
    pub values: Vec<String>,
    pub problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "import/preview.html")]
struct PreviewPage {
    page: Page,
    batch: Batch,
    headers: Vec<String>,
    good: usize,
    bad: usize,
    bad_rows: Vec<ShownRow>,
    good_rows: Vec<ShownRow>,
    more_bad: usize,
    error: Option<String>,
}

impl PreviewPage {
    fn pending(&self) -> bool {
        self.batch.status == "pending"
    }
    fn count(&self, key: &str, n: &usize) -> String {
        self.page.t(key).replace("{count}", &n.to_string())
    }
}

fn shown(actor: &Actor, checked: &Checked) -> (Vec<ShownRow>, Vec<ShownRow>) {
    let to_row = |r: &service::RowCheck| ShownRow {
        line: r.line,
        values: r.values.clone(),
        problems: r.problems.iter().map(|p| actor.t(p).to_string()).collect(),
    };
    let bad = checked
        .rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .take(SHOWN_BAD)
        .map(to_row)
        .collect();
    let good = checked
        .rows
        .iter()
        .filter(|r| r.problems.is_empty())
        .take(SHOWN_GOOD)
        .map(to_row)
        .collect();
    (bad, good)
}

async fn preview(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let batch = db(&state, move |c| service::batch(c, &a, &i)).await?;
    let mut tpl = PreviewPage {
        page: Page::for_actor(&actor, "import.page_preview"),
        headers: Vec::new(),
        good: batch.imported as usize,
        bad: batch.rejected as usize,
        bad_rows: Vec::new(),
        good_rows: Vec::new(),
        more_bad: 0,
        error: None,
        batch,
    };
    if tpl.pending() {
        match load(&state, &tpl.batch.storage_key).await? {
            Err(key) => tpl.error = Some(actor.t(key).to_string()),
            Ok(table) => {
                let (a, org) = (actor.clone(), tpl.batch.organization_id.clone());
                let kind = Kind::parse(&tpl.batch.kind).ok_or(AppError::NotFound)?;
                let checked = db(&state, move |c| {
                    let _ = &a;
                    service::check(c, &org, kind, &table)
                })
                .await?;
                match checked {
                    Ok(checked) => {
                        tpl.good = checked.good();
                        tpl.bad = checked.bad();
                        tpl.more_bad = tpl.bad.saturating_sub(SHOWN_BAD);
                        let (bad, good) = shown(&actor, &checked);
                        tpl.bad_rows = bad;
                        tpl.good_rows = good;
                        tpl.headers = checked.headers;
                    }
                    Err(missing) => {
                        tpl.error = Some(format!(
                            "{} {}",
                            actor.t("import.err_columns"),
                            missing.join(", ")
                        ))
                    }
                }
            }
        }
    }
    page::ok(&tpl)
}

async fn run(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let batch = db(&state, move |c| service::batch(c, &a, &i)).await?;
    let table = match load(&state, &batch.storage_key).await? {
        Ok(t) => t,
        Err(key) => {
            set_flash(&session, "error", actor.t(key));
            return Ok(redirect(&format!("/import/{id}")));
        }
    };
    let (a, i) = (actor.clone(), id.clone());
    let ran = db(&state, move |c| {
        let ran = service::run(c, &a, &i, &table)?;
        // The invitations are queued in the outbox; the mail runner sends them.
        if let Ran::Done { invited, .. } = &ran {
            for inv in invited {
                crate::users::routes::invitation_mail(c, &a, inv, a.org_id())?;
            }
        }
        Ok(ran)
    })
    .await?;
    state.nudge.poke();
    match ran {
        Ran::Done {
            imported,
            rejected,
            invited,
        } => {
            let sent = invited.len();
            let text = actor
                .t("import.done")
                .replace("{imported}", &imported.to_string())
                .replace("{rejected}", &rejected.to_string())
                .replace("{invited}", &sent.to_string());
            set_flash(&session, "success", text);
        }
        Ran::AlreadyRun => set_flash(&session, "error", actor.t("import.already_run")),
        Ran::Columns(_) => set_flash(&session, "error", actor.t("import.err_columns")),
    }
    Ok(redirect(&format!("/import/{id}")))
}

/// The rows with problems, as they were in the file plus a column naming the problems, to fix
/// and upload again. Before the import: the rows the check finds now; after it: the rows it
/// rejected.
async fn rejected(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let batch = db(&state, move |c| service::batch(c, &a, &i)).await?;
    let table = match load(&state, &batch.storage_key).await? {
        Ok(t) => t,
        Err(_) => return Err(AppError::NotFound),
    };
    let kind = Kind::parse(&batch.kind).ok_or(AppError::NotFound)?;
    let lines: Vec<(usize, Vec<String>)> = if batch.status == "pending" {
        let org = batch.organization_id.clone();
        let t2 = table.clone();
        let checked = db(&state, move |c| service::check(c, &org, kind, &t2))
            .await?
            .map_err(|_| AppError::NotFound)?;
        checked
            .rows
            .iter()
            .filter(|r| !r.problems.is_empty())
            .map(|r| (r.line, r.problems.iter().map(|p| p.to_string()).collect()))
            .collect()
    } else {
        let mut v: Vec<_> = service::rejected_lines(&batch).into_iter().collect();
        v.sort_by_key(|(l, _)| *l);
        v
    };
    let mut headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let problems_header = actor.t("import.col_problems");
    headers.push(problems_header);
    let mut sheet = CsvSheet::start(&headers);
    for (line, problems) in &lines {
        let Some(values) = table.rows.get(line.saturating_sub(2)) else {
            continue;
        };
        let text = problems
            .iter()
            .map(|p| actor.t(p).to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let mut cells: Vec<Cell> = values.iter().map(|v| Cell::Text(v)).collect();
        cells.resize(table.headers.len(), Cell::Empty);
        cells.push(Cell::Text(&text));
        sheet.row(&cells);
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"rader-med-feil.csv\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(sheet.into_bytes()))
}

/// A file to start from: the columns and two example rows (demo data for the import).
async fn sample(actor: Actor, path: web::Path<String>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let kind = Kind::parse(&path).ok_or(AppError::NotFound)?;
    let (headers, rows): (Vec<&str>, Vec<Vec<&str>>) = match kind {
        Kind::Mentors => (
            vec!["navn", "e-post", "rolle", "lokallag"],
            vec![
                vec![
                    "Kari Nordmann",
                    "kari.nordmann@example.org",
                    "likeperson",
                    "Oslo",
                ],
                vec![
                    "Per Hansen",
                    "per.hansen@example.org",
                    "koordinator",
                    "Oslo",
                ],
            ],
        ),
        Kind::Contacts => (
            vec![
                "navn",
                "lokallag",
                "fødselsår",
                "telefon",
                "e-post",
                "kommune",
            ],
            vec![
                vec!["Ola Olsen", "Oslo", "1958", "+47 912 34 567", "", "Oslo"],
                vec![
                    "Åse Berg",
                    "Oslo",
                    "1971",
                    "",
                    "ase.berg@example.org",
                    "Bærum",
                ],
            ],
        ),
    };
    let mut sheet = CsvSheet::start(&headers);
    for r in &rows {
        sheet.row(&r.iter().map(|v| Cell::Text(v)).collect::<Vec<_>>());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.csv\"", kind.key()),
        ))
        .body(sheet.into_bytes()))
}
