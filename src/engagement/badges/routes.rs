//! Badge pages: the administrators' definitions and the mentor's earned and next badges
//! (a page, and a fragment the start page loads).

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::service::{self, BadgeForm, Earned, Next, ICONS, TRIGGERS};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::engagement::model::Badge;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/badges", web::get().to(list))
        .route("/badges", web::post().to(create))
        .route("/badges/new", web::get().to(new_badge))
        .route("/badges/mine", web::get().to(mine))
        .route("/badges/{id}/edit", web::get().to(edit))
        .route("/badges/{id}", web::post().to(update))
        .route("/badges/{id}/picture", web::get().to(picture))
        .route("/badges/{id}/picture", web::post().to(upload_picture));
}

/// How a badge is shown: its picture, else its icon.
pub fn image_src(b: &Badge) -> String {
    if b.image_key.is_some() {
        format!("/badges/{}/picture", b.id)
    } else {
        service::icon_url(&b.icon)
    }
}

#[derive(Template)]
#[template(path = "engagement/badges.html")]
struct ListPage {
    page: Page,
    rows: Vec<(Badge, i64)>,
}

impl ListPage {
    fn src(&self, b: &Badge) -> String {
        image_src(b)
    }
    fn trigger(&self, b: &Badge) -> String {
        trigger_text(&self.page, b)
    }
}

fn trigger_text(page: &Page, b: &Badge) -> String {
    let label = page.t(service::trigger_label(&b.trigger_kind));
    if TRIGGERS.iter().any(|t| t.0 == b.trigger_kind && t.2) {
        format!("{label}: {}", b.threshold)
    } else {
        label.to_string()
    }
}

async fn list(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let rows = db(&state, move |c| service::admin_list(c, &a)).await?;
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "engage.page_badges"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "engagement/badges_mine.html", blocks = ["summary"])]
struct MinePage {
    page: Page,
    earned: Vec<Earned>,
    next: Vec<Next>,
    /// The level of the list headings: 2 on the page, 3 inside the start page's section.
    level: u8,
}

impl MinePage {
    fn src(&self, b: &Badge) -> String {
        image_src(b)
    }
    fn trigger(&self, b: &Badge) -> String {
        trigger_text(&self.page, b)
    }
    fn when(&self, e: &Earned) -> String {
        crate::web::fmt::date(e.award.awarded_at)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MineQuery {
    fragment: String,
}

async fn mine(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<MineQuery>,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (earned, next) = db(&state, move |c| service::mine(c, &a)).await?;
    let fragment = !q.fragment.is_empty();
    let tpl = MinePage {
        page: Page::for_actor(&actor, "engage.page_my_badges"),
        earned,
        next,
        level: if fragment { 3 } else { 2 },
    };
    if fragment {
        return page::ok(&tpl.as_summary());
    }
    page::ok(&tpl)
}

async fn picture(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let b = db(&state, move |c| service::badge(c, &a, &id)).await?;
    match (b.image_key, b.image_type) {
        (Some(k), Some(t)) => crate::engagement::picture::send(&state, &k, &t).await,
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "engagement/badge_form.html")]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: BadgeForm,
    errors: FieldErrors,
    picture: Option<String>,
    picture_errors: FieldErrors,
    max_mb: usize,
}

impl FormPage {
    fn icons(&self) -> Vec<(&'static str, &'static str, String)> {
        ICONS
            .iter()
            .map(|(k, l)| (*k, *l, service::icon_url(k)))
            .collect()
    }
    fn triggers(&self) -> &'static [(&'static str, &'static str, bool)] {
        TRIGGERS
    }
    fn file_error(&self, key: &str) -> String {
        self.page.t(key).replace("{mb}", &self.max_mb.to_string())
    }
}

fn form_page(
    actor: &Actor,
    max_mb: usize,
    id: Option<String>,
    form: BadgeForm,
    errors: FieldErrors,
    picture: Option<String>,
    picture_errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let failed = !errors.is_empty() || !picture_errors.is_empty();
    let title = if id.is_some() {
        "engage.page_badge_edit"
    } else {
        "engage.page_badge_new"
    };
    page::form(
        &FormPage {
            page: Page::for_actor(actor, title),
            id,
            form,
            errors,
            picture,
            picture_errors,
            max_mb,
        },
        failed,
    )
}

fn mb(state: &AppState) -> usize {
    state.config.max_upload_bytes / (1024 * 1024)
}

async fn new_badge(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = BadgeForm {
        icon: "star".into(),
        threshold: "10".into(),
        is_active: Some("on".into()),
        ..Default::default()
    };
    form_page(
        &actor,
        mb(&state),
        None,
        form,
        FieldErrors::new(),
        None,
        FieldErrors::new(),
    )
}

async fn edit(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let b = db(&state, move |c| service::admin_badge(c, &a, &i)).await?;
    let picture = b.image_key.is_some().then(|| image_src(&b));
    form_page(
        &actor,
        mb(&state),
        Some(id),
        BadgeForm::from(&b),
        FieldErrors::new(),
        picture,
        FieldErrors::new(),
    )
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: BadgeForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save(c, &a, i.as_deref(), &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/badges"))
        }
        Err(errors) => form_page(
            &actor,
            mb(&state),
            id,
            form,
            errors,
            None,
            FieldErrors::new(),
        ),
    }
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<BadgeForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    save(actor, session, state, None, form.into_inner()).await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<BadgeForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save(actor, session, state, Some(id), form.into_inner()).await
}

async fn upload_picture(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let b = db(&state, move |c| service::admin_badge(c, &a, &i)).await?;
    let (a, i) = (actor.clone(), id.clone());
    let done = crate::engagement::picture::upload(
        &state,
        form,
        b.organization_id.clone(),
        move |c, stored| service::set_picture(c, &a, &i, &stored.storage_key, &stored.content_type),
    )
    .await?;
    match done {
        Ok(()) => {
            set_flash(&session, "success", actor.t("engage.picture_saved"));
            Ok(redirect(&format!("/badges/{id}/edit")))
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.add("file", key);
            let picture = b.image_key.is_some().then(|| image_src(&b));
            form_page(
                &actor,
                mb(&state),
                Some(id),
                BadgeForm::from(&b),
                FieldErrors::new(),
                picture,
                errors,
            )
        }
    }
}
