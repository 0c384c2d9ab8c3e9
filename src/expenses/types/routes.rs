//! Organization administrator pages: expense types, mileage rates, claim settings.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, RateForm, SettingsForm, TypeForm};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::expenses::model::{ExpenseType, MileageRate, KINDS};
use crate::expenses::money;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/expense-types", web::get().to(types))
        .route("/expense-types", web::post().to(create_type))
        .route("/expense-types/new", web::get().to(new_type))
        .route("/expense-types/{id}/edit", web::get().to(edit_type))
        .route("/expense-types/{id}", web::post().to(update_type))
        .route("/mileage-rates", web::get().to(rates))
        .route("/mileage-rates", web::post().to(save_rate))
        .route("/expense-settings", web::get().to(settings))
        .route("/expense-settings", web::post().to(save_settings));
}

#[derive(Template)]
#[template(path = "expenses/types.html")]
struct TypesPage {
    page: Page,
    rows: Vec<ExpenseType>,
}

impl TypesPage {
    fn amount(&self, o: &Option<i64>) -> String {
        o.map(|o| money::kr(o, self.page.lang)).unwrap_or_default()
    }
}

async fn types(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::admin_types(c, &a)).await?;
    page::ok(&TypesPage {
        page: Page::for_actor(&actor, "expense.page_types"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "expenses/type_form.html")]
struct TypeFormPage {
    page: Page,
    id: Option<String>,
    form: TypeForm,
    errors: FieldErrors,
    kinds: &'static [&'static str],
    others: Vec<ExpenseType>,
}

impl TypeFormPage {
    fn kind_key(&self, k: &str) -> String {
        format!("expense.kind_{k}")
    }
}

async fn type_form(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: TypeForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let (a, i) = (actor.clone(), id.clone());
    let others = db(state, move |c| {
        Ok(service::admin_types(c, &a)?
            .into_iter()
            .filter(|t| Some(&t.id) != i.as_ref())
            .collect::<Vec<_>>())
    })
    .await?;
    let title = if id.is_some() {
        "expense.page_type_edit"
    } else {
        "expense.page_type_new"
    };
    let failed = !errors.is_empty();
    page::form(
        &TypeFormPage {
            page: Page::for_actor(actor, title),
            id,
            form,
            errors,
            kinds: &KINDS,
            others,
        },
        failed,
    )
}

async fn new_type(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = TypeForm {
        kind: "other".into(),
        receipt_above: "0,00".into(),
        ..Default::default()
    };
    type_form(&actor, &state, None, form, FieldErrors::new()).await
}

async fn edit_type(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let form = db(&state, move |c| {
        let org = a.org()?;
        let t = service::expense_type(c, org, &i)?;
        let pairs = service::exclusions(c, org)?;
        Ok(TypeForm::from(&t, service::excluded_by(&pairs, &t.id)))
    })
    .await?;
    type_form(&actor, &state, Some(id), form, FieldErrors::new()).await
}

async fn save_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: TypeForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save_type(c, &a, i.as_deref(), &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/expense-types"))
        }
        Err(errors) => type_form(&actor, &state, id, form, errors).await,
    }
}

fn type_form_of(pairs: Vec<(String, String)>) -> AppResult<TypeForm> {
    let (form, excludes) = crate::expenses::split_list::<TypeForm>(pairs, "excludes")?;
    Ok(TypeForm { excludes, ..form })
}

async fn create_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = type_form_of(form.into_inner())?;
    save_type(actor, session, state, None, form).await
}

async fn update_type(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = type_form_of(form.into_inner())?;
    save_type(actor, session, state, Some(id), form).await
}

// ---------------------------------------------------------------- rates

#[derive(Template)]
#[template(path = "expenses/rates.html")]
struct RatesPage {
    page: Page,
    rows: Vec<MileageRate>,
    form: RateForm,
    errors: FieldErrors,
}

impl RatesPage {
    fn kr(&self, o: &i32) -> String {
        money::kr(i64::from(*o), self.page.lang)
    }
}

async fn rates_page(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: RateForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(state, move |c| service::admin_rates(c, &a)).await?;
    let failed = !errors.is_empty();
    page::form(
        &RatesPage {
            page: Page::for_actor(actor, "expense.page_rates"),
            rows,
            form,
            errors,
        },
        failed,
    )
}

async fn rates(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let form = RateForm {
        tax_free: "3,50".into(),
        passenger: "1,00".into(),
        forest_road: "1,00".into(),
        trailer: "1,00".into(),
        ..Default::default()
    };
    rates_page(&actor, &state, form, FieldErrors::new()).await
}

async fn save_rate(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<RateForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::save_rate(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/mileage-rates"))
        }
        Err(errors) => rates_page(&actor, &state, form, errors).await,
    }
}

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "expenses/settings.html")]
struct SettingsPage {
    page: Page,
    form: SettingsForm,
    errors: FieldErrors,
}

async fn settings(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let s = db(&state, move |c| service::admin_settings(c, &a)).await?;
    page::ok(&SettingsPage {
        page: Page::for_actor(&actor, "expense.page_settings"),
        form: SettingsForm::from(&s),
        errors: FieldErrors::new(),
    })
}

async fn save_settings(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::save_settings(c, &a, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/expense-settings"))
        }
        Err(errors) => page::form(
            &SettingsPage {
                page: Page::for_actor(&actor, "expense.page_settings"),
                form,
                errors,
            },
            true,
        ),
    }
}
