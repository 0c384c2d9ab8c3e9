//! Claim pages: submitting (mentor), the claim with its lines and receipts side by side, the
//! coordinator's queue (htmx filters, decisions that swap the row, approving many at once),
//! and the administrator's exports (CSV, XLSX) and payment.

use actix_session::Session;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::export::{self, ExportLine};
use super::queue::{self, Decided, Decision, QueueFilter, QueueRow, REASONS};
use super::service::{self, ClaimView, Submitted};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::expenses::model::Export;
use crate::expenses::money;
use crate::web::export::{Cell, CsvSheet, XlsxSheet};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims", web::get().to(queue_page))
        .route("/claims", web::post().to(submit))
        .route("/claims/approve", web::post().to(approve_many))
        .route("/claims/exports", web::get().to(exports))
        .route("/claims/exports", web::post().to(create_export))
        .route("/claims/exports/{id}.csv", web::get().to(export_csv))
        .route("/claims/exports/{id}.xlsx", web::get().to(export_xlsx))
        .route("/claims/exports/{id}/paid", web::post().to(mark_paid))
        .route("/claims/{id}", web::get().to(show))
        .route("/claims/{id}/submit", web::post().to(resubmit))
        .route("/claims/{id}/decide", web::post().to(decide));
}

// ---------------------------------------------------------------- submitting

async fn submit(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor])?;
    let (_, ids) =
        crate::expenses::split_list::<serde::de::IgnoredAny>(form.into_inner(), "expense")?;
    let mut ids: Vec<String> = ids.iter().filter_map(|i| crate::db::parse_id(i)).collect();
    ids.sort();
    ids.dedup();
    let a = actor.clone();
    match db(&state, move |c| service::submit(c, &a, &ids)).await? {
        Submitted::Claims(made) => {
            set_flash(&session, "success", actor.t("expense.submitted"));
            Ok(match made.as_slice() {
                [one] => redirect(&format!("/claims/{one}")),
                _ => redirect("/expenses"),
            })
        }
        Submitted::Refused(key) => {
            let mut errors = FieldErrors::new();
            errors.add("expense", key);
            crate::expenses::entry::routes::overview_page(&actor, &state, errors).await
        }
    }
}

async fn resubmit(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    match db(&state, move |c| service::resubmit(c, &a, &i)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("expense.submitted"));
            Ok(redirect(&format!("/claims/{id}")))
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.add("note", key);
            claim_page(&actor, &state, id, errors, None).await
        }
    }
}

// ---------------------------------------------------------------- the claim

#[derive(Template)]
#[template(path = "expenses/claim.html")]
struct ClaimPage {
    page: Page,
    v: ClaimView,
    errors: FieldErrors,
    /// Someone else decided first.
    taken: Option<(String, String)>,
}

impl ClaimPage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
    fn km(&self, k: &Option<i32>) -> String {
        k.map(|k| money::km(i64::from(k), self.page.lang))
            .unwrap_or_default()
    }
    fn rule_key(&self, r: &str) -> String {
        format!("expense.rule_{r}")
    }
    fn reason_key(&self, r: &str) -> String {
        format!("expense.reason_{r}")
    }
    fn taken_text(&self) -> String {
        match &self.taken {
            Some((by, status)) => self
                .page
                .t("expense.already_decided")
                .replace("{name}", by)
                .replace("{status}", self.page.t(&format!("expense.status_{status}"))),
            None => String::new(),
        }
    }
    fn spot_pending(&self) -> bool {
        self.v.c.spot_check == "pending"
    }
}

async fn claim_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    errors: FieldErrors,
    taken: Option<(String, String)>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let v = db(state, move |c| service::view(c, &a, &id)).await?;
    let failed = !errors.is_empty();
    let tpl = ClaimPage {
        page: Page::for_actor(actor, "expense.page_claim"),
        v,
        errors,
        taken,
    };
    if tpl.taken.is_some() {
        return page::html(actix_web::http::StatusCode::CONFLICT, &tpl);
    }
    page::form(&tpl, failed)
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    claim_page(&actor, &state, id, FieldErrors::new(), None).await
}

// ---------------------------------------------------------------- the queue

#[derive(Template)]
#[template(path = "expenses/queue.html", blocks = ["results"])]
struct QueuePage {
    page: Page,
    filter: QueueFilter,
    rows: Vec<QueueRow>,
    next: Option<String>,
    associations: Vec<(String, String)>,
    mentors: Vec<(String, String)>,
    reasons: &'static [&'static str],
}

impl QueuePage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
    fn reason_key(&self, r: &str) -> String {
        format!("expense.reason_{r}")
    }
    /// An amount or reason filter stopped reading before the page was full
    /// (`queue::FILTER_WINDOW`): it goes on from the next link.
    fn search_stopped(&self) -> bool {
        self.next.is_some() && (self.rows.len() as i64) < queue::PAGE_SIZE
    }
    /// The submission date the filter has read up to (from the next cursor).
    fn searched_to(&self) -> String {
        self.next
            .as_deref()
            .and_then(|n| n.get(..10))
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    }
    fn next_link(&self) -> Option<String> {
        let q = self.filter.query();
        self.next.as_ref().map(|n| {
            format!(
                "/claims?{q}{}after={}",
                if q.is_empty() { "" } else { "&" },
                crate::web::urlencode(n)
            )
        })
    }
}

async fn queue_page(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<QueueFilter>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let filter = q.into_inner();
    let htmx = is_htmx(&req);
    let (a, f) = (actor.clone(), filter.clone());
    let (rows, next, associations, mentors) = db(&state, move |c| {
        let (rows, next) = queue::page(c, &a, &f)?;
        let (associations, mentors) = if htmx {
            Default::default()
        } else {
            queue::filter_choices(c, &a)?
        };
        Ok((rows, next, associations, mentors))
    })
    .await?;
    let tpl = QueuePage {
        page: Page::for_actor(&actor, "expense.page_queue"),
        filter,
        rows,
        next,
        associations,
        mentors,
        reasons: &REASONS,
    };
    if htmx {
        let mut res = page::ok(&tpl.as_results())?;
        res.headers_mut()
            .insert(header::VARY, header::HeaderValue::from_static("HX-Request"));
        return Ok(res);
    }
    page::ok(&tpl)
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
struct DecideForm {
    decision: String,
    note: String,
}

#[derive(Template)]
#[template(path = "expenses/decided_row.html")]
struct DecidedRow {
    id: String,
    kind: &'static str,
    message: String,
}

async fn decide(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let f = form.into_inner();
    let Some(d) = Decision::parse(&f.decision) else {
        return Err(crate::web::AppError::NotFound);
    };
    let (a, i, note) = (actor.clone(), id.clone(), f.note.clone());
    let outcome = db(&state, move |c| queue::decide(c, &a, &i, d, &note)).await?;
    let htmx = is_htmx(&req);
    match outcome {
        Ok(Decided::Done(status)) => {
            let message = actor.t(&format!("expense.decided_{status}")).to_string();
            if htmx {
                return page::ok(&DecidedRow {
                    id,
                    kind: "success",
                    message,
                });
            }
            set_flash(&session, "success", message);
            Ok(redirect(&format!("/claims/{id}")))
        }
        Ok(Decided::AlreadyDecided { by, status }) => {
            if htmx {
                let message = actor
                    .t("expense.already_decided")
                    .replace("{name}", &by)
                    .replace("{status}", actor.t(&format!("expense.status_{status}")));
                return page::html(
                    actix_web::http::StatusCode::CONFLICT,
                    &DecidedRow {
                        id,
                        kind: "error",
                        message,
                    },
                );
            }
            claim_page(&actor, &state, id, FieldErrors::new(), Some((by, status))).await
        }
        Err(errors) => claim_page(&actor, &state, id, errors, None).await,
    }
}

async fn approve_many(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::Coordinator, Role::OrgAdmin])?;
    let (_, ids) =
        crate::expenses::split_list::<serde::de::IgnoredAny>(form.into_inner(), "claim")?;
    let a = actor.clone();
    let (done, taken) = db(&state, move |c| queue::approve_many(c, &a, &ids)).await?;
    let text = actor
        .t("expense.approved_many")
        .replace("{done}", &done.to_string())
        .replace("{taken}", &taken.to_string());
    set_flash(&session, "success", text);
    Ok(redirect("/claims"))
}

// ---------------------------------------------------------------- exports

#[derive(Template)]
#[template(path = "expenses/exports.html")]
struct ExportsPage {
    page: Page,
    waiting: (i64, i64),
    rows: Vec<Export>,
}

impl ExportsPage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
}

async fn exports(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (waiting, rows) = db(&state, move |c| {
        Ok((export::waiting(c, &a)?, export::exports(c, &a)?))
    })
    .await?;
    page::ok(&ExportsPage {
        page: Page::for_actor(&actor, "expense.page_exports"),
        waiting,
        rows,
    })
}

async fn create_export(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    match db(&state, move |c| export::create(c, &a)).await? {
        Some(_) => set_flash(&session, "success", actor.t("expense.exported")),
        None => set_flash(&session, "error", actor.t("expense.nothing_to_export")),
    }
    Ok(redirect("/claims/exports"))
}

async fn mark_paid(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    if db(&state, move |c| export::mark_paid(c, &a, &id)).await? {
        set_flash(&session, "success", actor.t("expense.marked_paid"));
    } else {
        set_flash(&session, "error", actor.t("expense.already_paid"));
    }
    Ok(redirect("/claims/exports"))
}

const HEADERS: [&str; 14] = [
    "expense.col_claim_id",
    "term.peer_mentor",
    "field.email",
    "term.local_association",
    "field.short_code",
    "expense.field_date",
    "expense.field_kind",
    "expense.field_purpose",
    "expense.field_from",
    "expense.field_to",
    "expense.field_km",
    "expense.amount",
    "expense.tax_free_part",
    "expense.taxable_part",
];

fn cells(l: &ExportLine) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(&l.claim_id),
        Cell::Text(&l.mentor),
        Cell::Text(&l.email),
        Cell::Text(&l.association),
        l.short_code.as_deref().map_or(Cell::Empty, Cell::Text),
        Cell::Date(l.spent_on),
        Cell::Text(&l.type_name),
        l.purpose.as_deref().map_or(Cell::Empty, Cell::Text),
        l.from_place.as_deref().map_or(Cell::Empty, Cell::Text),
        l.to_place.as_deref().map_or(Cell::Empty, Cell::Text),
        l.km_tenths
            .map_or(Cell::Empty, |k| Cell::Tenths(i64::from(k))),
        Cell::Money(l.amount_ore),
        Cell::Money(l.tax_free_ore),
        Cell::Money(l.taxable_ore),
    ]
}

fn attachment(name: String) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name)],
    }
}

async fn export_lines(
    actor: &Actor,
    state: &web::Data<AppState>,
    path: web::Path<String>,
    format: &'static str,
) -> AppResult<(Export, Vec<ExportLine>)> {
    let id = path_id(&path)?;
    let a = actor.clone();
    db(state, move |c| export::lines(c, &a, &id, format)).await
}

async fn export_csv(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (x, lines) = export_lines(&actor, &state, path, "csv").await?;
    let headers: Vec<&str> = HEADERS.iter().map(|h| actor.t(h)).collect();
    let mut sheet = CsvSheet::start(&headers);
    for l in &lines {
        sheet.row(&cells(l));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(attachment(format!(
            "utlegg-{}.csv",
            x.created_at.format("%Y-%m-%d")
        )))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(sheet.into_bytes()))
}

async fn export_xlsx(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (x, lines) = export_lines(&actor, &state, path, "xlsx").await?;
    let headers: Vec<String> = HEADERS.iter().map(|h| actor.t(h).to_string()).collect();
    let bytes = actix_web::web::block(move || {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut sheet = XlsxSheet::start(&headers);
        for l in &lines {
            sheet.row(&cells(l));
        }
        sheet.into_bytes()
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(attachment(format!(
            "utlegg-{}.xlsx",
            x.created_at.format("%Y-%m-%d")
        )))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
