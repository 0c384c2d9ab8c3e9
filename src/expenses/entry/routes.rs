//! The mentor's expense pages: the overview (open lines to bundle into a claim, claims, the
//! year's totals), the line form with the live mileage amount (htmx), a line with its receipts,
//! and the receipts' upload (the documents pipeline), download and removal.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, Choices, ExpenseForm, Line, Preview};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::expenses::claims::service as claims;
use crate::expenses::honorarium::service::{self as honorarium, MentorYear};
use crate::expenses::model::{Reimbursement, MAX_RECEIPTS};
use crate::expenses::money::{self, Split};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/expenses", web::get().to(overview))
        .route("/expenses", web::post().to(create))
        .route("/expenses/new", web::get().to(new_form))
        .route("/expenses/preview", web::get().to(preview))
        .route("/expenses/{id}", web::get().to(show))
        .route("/expenses/{id}", web::post().to(update))
        .route("/expenses/{id}/edit", web::get().to(edit_form))
        .route("/expenses/{id}/delete", web::post().to(delete))
        .route("/expenses/{id}/receipts", web::post().to(upload))
        .route("/expenses/{id}/receipts/{rid}", web::get().to(download))
        .route(
            "/expenses/{id}/receipts/{rid}/delete",
            web::post().to(delete_receipt),
        );
}

// ---------------------------------------------------------------- overview

#[derive(Template)]
#[template(path = "expenses/overview.html")]
struct Overview {
    page: Page,
    open: Vec<Line>,
    claims: Vec<Reimbursement>,
    year: MentorYear,
    errors: FieldErrors,
}

impl Overview {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
    fn km(&self, l: &Line) -> String {
        l.e.km_tenths
            .map(|k| money::km(i64::from(k), self.page.lang))
            .unwrap_or_default()
    }
}

pub(crate) async fn overview_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor])?;
    let a = actor.clone();
    let (open, claims, year) = db(state, move |c| {
        let open = service::open_lines(c, &a)?;
        let claims = claims::mine(c, &a)?;
        let year = honorarium::own_year(c, &a)?;
        Ok((open, claims, year))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &Overview {
            page: Page::for_actor(actor, "expense.page_mine"),
            open,
            claims,
            year,
            errors,
        },
        failed,
    )
}

async fn overview(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    overview_page(&actor, &state, FieldErrors::new()).await
}

// ---------------------------------------------------------------- the form

#[derive(Template)]
#[template(path = "expenses/form.html", blocks = ["amount_preview"])]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: ExpenseForm,
    choices: Choices,
    errors: FieldErrors,
    preview: Option<Split>,
    no_rate: Option<i32>,
}

impl FormPage {
    fn kind(&self) -> &str {
        self.choices.kind_of(&self.form.expense_type_id)
    }
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
    /// A message with the form's year in it ("no mileage rate for 2027").
    fn msg(&self, key: &str) -> String {
        self.page.t(key).replace("{year}", &self.form.year())
    }
    fn action(&self) -> String {
        match &self.id {
            Some(i) => format!("/expenses/{i}"),
            None => "/expenses".into(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    #[serde(rename = "type")]
    expense_type: String,
    activity: String,
}

async fn form_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: ExpenseForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (a, act, f) = (actor.clone(), form.activity.clone(), form.clone());
    let (choices, pv) = db(state, move |c| {
        let choices = service::choices(c, &a, &act)?;
        let pv = if choices.kind_of(&f.expense_type_id) == "mileage" {
            Some(service::preview(c, &a, &f)?)
        } else {
            None
        };
        Ok((choices, pv))
    })
    .await?;
    let mut form = form;
    if form.association.is_empty() && errors.is_empty() {
        // A new line is credited to the mentor's first association unless they choose another.
        if let Some((first, _)) = choices.associations.first() {
            form.association = first.clone();
        }
    }
    let (preview, no_rate) = match pv {
        Some(Preview::Amount(s)) => (Some(s), None),
        Some(Preview::NoRate(y)) => (None, Some(y)),
        _ => (None, None),
    };
    let title = if id.is_some() {
        "expense.page_edit"
    } else {
        "expense.page_new"
    };
    let failed = !errors.is_empty();
    page::form(
        &FormPage {
            page: Page::for_actor(actor, title),
            id,
            form,
            choices,
            errors,
            preview,
            no_rate,
        },
        failed,
    )
}

async fn new_form(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::PeerMentor])?;
    let q = q.into_inner();
    let mut form = ExpenseForm {
        expense_type_id: q.expense_type,
        activity: q.activity,
        spent_on: crate::activities::service::today().to_string(),
        ..Default::default()
    };
    if !form.activity.is_empty() {
        let (a, act) = (actor.clone(), form.activity.clone());
        let choices = db(&state, move |c| service::choices(c, &a, &act)).await?;
        // Only an activity of a type that may carry expenses.
        let Some((_, date, _)) = choices.activity else {
            return Err(crate::web::AppError::NotFound);
        };
        form.spent_on = date.to_string();
    }
    form_page(&actor, &state, None, form, FieldErrors::new()).await
}

async fn edit_form(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let (e, editable) = db(&state, move |c| service::own(c, &a, &i)).await?;
    if !editable {
        return Err(crate::web::AppError::NotFound);
    }
    let form = ExpenseForm::from(&e, actor.labels.lang.code());
    form_page(&actor, &state, Some(id), form, FieldErrors::new()).await
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: ExpenseForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save(c, &a, i.as_deref(), &f)).await? {
        Ok(saved) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/expenses/{saved}")))
        }
        Err(errors) => form_page(&actor, &state, id, form, errors).await,
    }
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<ExpenseForm>,
) -> AppResult<HttpResponse> {
    save(actor, session, state, None, form.into_inner()).await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<ExpenseForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save(actor, session, state, Some(id), form.into_inner()).await
}

/// The live amount of a mileage form: the `amount_preview` block alone.
async fn preview(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ExpenseForm>,
) -> AppResult<HttpResponse> {
    let form = q.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    let (choices, pv) = db(&state, move |c| {
        let choices = service::choices(c, &a, "")?;
        Ok((choices, service::preview(c, &a, &f)?))
    })
    .await?;
    let (preview, no_rate) = match pv {
        Preview::Amount(s) => (Some(s), None),
        Preview::NoRate(y) => (None, Some(y)),
        Preview::Incomplete => (None, None),
    };
    let tpl = FormPage {
        page: Page::for_actor(&actor, "expense.page_new"),
        id: None,
        form,
        choices,
        errors: FieldErrors::new(),
        preview,
        no_rate,
    };
    let res = page::ok(&tpl.as_amount_preview());
    res
}

// ---------------------------------------------------------------- one line and its receipts

#[derive(Template)]
#[template(path = "expenses/show.html")]
struct ShowPage {
    page: Page,
    l: Line,
    editable: bool,
    /// The reader's own line (a peer mentor's), with the way back to their expenses.
    mine: bool,
    errors: FieldErrors,
    max_mb: usize,
}

impl ShowPage {
    fn kr(&self, ore: &i64) -> String {
        money::kr(*ore, self.page.lang)
    }
    fn km(&self) -> String {
        self.l
            .e
            .km_tenths
            .map(|k| money::km(i64::from(k), self.page.lang))
            .unwrap_or_default()
    }
    fn full(&self) -> bool {
        self.l.receipts.len() as i64 >= MAX_RECEIPTS
    }
    fn msg(&self, key: &str) -> String {
        self.page
            .t(key)
            .replace("{mb}", &self.max_mb.to_string())
            .replace("{count}", &MAX_RECEIPTS.to_string())
    }
}

async fn show_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (l, editable) = db(state, move |c| {
        let l = service::line(c, &a, &id)?;
        let editable = a.role() == Role::PeerMentor && service::own(c, &a, &id)?.1;
        Ok((l, editable))
    })
    .await?;
    let failed = !errors.is_empty();
    page::form(
        &ShowPage {
            page: Page::for_actor(actor, "expense.page_show"),
            mine: actor.role() == Role::PeerMentor,
            l,
            editable,
            errors,
            max_mb: state.config.max_upload_bytes / (1024 * 1024),
        },
        failed,
    )
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    show_page(&actor, &state, id, FieldErrors::new()).await
}

async fn delete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let keys = db(&state, move |c| service::delete(c, &a, &id)).await?;
    for k in keys {
        if let Err(e) = crate::documents::storage::delete(&state.files, &k).await {
            log::warn!("receipt file {k} not removed: {e}");
        }
    }
    set_flash(&session, "success", actor.t("expense.deleted"));
    Ok(redirect("/expenses"))
}

async fn upload(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let org = db(&state, move |c| service::check_receipt(c, &a, &i)).await?;
    let (a, i) = (actor.clone(), id.clone());
    let recorded = crate::documents::routes::receive(&state, form, org, move |c, stored| {
        service::add_receipt(c, &a, &i, stored)
    })
    .await?;
    match recorded {
        Ok(_) => {
            set_flash(&session, "success", actor.t("expense.receipt_added"));
            Ok(redirect(&format!("/expenses/{id}#receipts")))
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.add("file", key);
            show_page(&actor, &state, id, errors).await
        }
    }
}

async fn download(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, rid) = path.into_inner();
    let (id, rid) = (path_id(&id)?, path_id(&rid)?);
    let r = db(&state, move |c| service::receipt(c, &actor, &id, &rid)).await?;
    crate::documents::routes::send_file(
        &state,
        &r.storage_key,
        &r.content_type,
        &r.file_name,
        r.size_bytes,
    )
    .await
}

async fn delete_receipt(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, rid) = path.into_inner();
    let (id, rid) = (path_id(&id)?, path_id(&rid)?);
    let (a, i) = (actor.clone(), id.clone());
    let r = db(&state, move |c| service::delete_receipt(c, &a, &i, &rid)).await?;
    if let Err(e) = crate::documents::storage::delete(&state.files, &r.storage_key).await {
        log::warn!(
            "receipt {} removed, its file {} not: {e}",
            r.id,
            r.storage_key
        );
    }
    set_flash(&session, "success", actor.t("expense.receipt_deleted"));
    Ok(redirect(&format!("/expenses/{id}#receipts")))
}
