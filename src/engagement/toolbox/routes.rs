//! Pages of the toolbox: the mentor's phone view (categories, search, favourites, a card) and
//! the administrators' list (edit, reorder with the keyboard, picture, remove).

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::service::{self, CardForm, CardView, Filter};
use crate::access::{Actor, Role};
use crate::auth::actor::set_flash;
use crate::engagement::markdown;
use crate::engagement::model::Card;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::{db, is_htmx, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/toolbox", web::get().to(list))
        .route("/toolbox", web::post().to(create))
        .route("/toolbox/manage", web::get().to(manage))
        .route("/toolbox/new", web::get().to(new_card))
        .route("/toolbox/{id}", web::get().to(show))
        .route("/toolbox/{id}", web::post().to(update))
        .route("/toolbox/{id}/edit", web::get().to(edit))
        .route("/toolbox/{id}/favourite", web::post().to(favourite))
        .route("/toolbox/{id}/move", web::post().to(move_card))
        .route("/toolbox/{id}/delete", web::post().to(delete))
        .route("/toolbox/{id}/picture", web::get().to(picture))
        .route("/toolbox/{id}/picture", web::post().to(upload_picture));
}

#[derive(Template)]
#[template(path = "engagement/toolbox.html", blocks = ["results"])]
struct ListPage {
    page: Page,
    filter: Filter,
    categories: Vec<String>,
    cards: Vec<CardView>,
    announce: bool,
    kind: &'static str,
    message: String,
}

impl ListPage {
    fn category_href(&self, c: &str) -> String {
        format!("/toolbox?category={}", crate::web::urlencode(c))
    }
    fn excerpt(&self, body: &str) -> String {
        let plain: String = body
            .chars()
            .filter(|c| !matches!(c, '#' | '*' | '_' | '[' | ']' | '>' | '`'))
            .collect();
        let plain = crate::web::forms::fold_whitespace(&plain);
        if plain.chars().count() > 140 {
            format!("{}…", plain.chars().take(140).collect::<String>())
        } else {
            plain
        }
    }
    fn count_text(&self) -> String {
        format!("{} {}", self.cards.len(), self.page.t("engage.cards_found"))
    }
}

async fn list(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<Filter>,
) -> AppResult<HttpResponse> {
    let filter = q.into_inner();
    let (a, f) = (actor.clone(), filter.clone());
    let (categories, cards) = db(&state, move |c| {
        Ok((service::categories(c, &a)?, service::list(c, &a, &f)?))
    })
    .await?;
    let mut tpl = ListPage {
        page: Page::for_actor(&actor, "engage.page_toolbox"),
        filter,
        categories,
        cards,
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if is_htmx(&req) {
        tpl.announce = true;
        tpl.message = tpl.count_text();
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}

#[derive(Template)]
#[template(path = "engagement/toolbox_card.html", blocks = ["favourite"])]
struct CardPage {
    page: Page,
    view: CardView,
    body_html: String,
    announce: bool,
    kind: &'static str,
    message: String,
}

impl CardPage {
    fn category_href(&self) -> String {
        format!(
            "/toolbox?category={}",
            crate::web::urlencode(&self.view.card.category)
        )
    }
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let view = db(&state, move |c| service::card(c, &a, &id)).await?;
    let body_html = markdown::render(&view.card.body);
    let mut p = Page::for_actor(&actor, "engage.page_toolbox");
    p.title = view.card.title.clone();
    page::ok(&CardPage {
        page: p,
        view,
        body_html,
        announce: false,
        kind: "sr",
        message: String::new(),
    })
}

async fn favourite(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let view = db(&state, move |c| {
        service::toggle_favourite(c, &a, &i)?;
        service::card(c, &a, &i)
    })
    .await?;
    if !is_htmx(&req) {
        return Ok(redirect(&format!("/toolbox/{id}")));
    }
    let message = actor
        .t(if view.favourite {
            "engage.favourite_added"
        } else {
            "engage.favourite_removed"
        })
        .to_string();
    let tpl = CardPage {
        page: Page::for_actor(&actor, "engage.page_toolbox"),
        view,
        body_html: String::new(),
        announce: true,
        kind: "sr",
        message,
    };
    let answer = page::ok(&tpl.as_favourite());
    answer
}

async fn picture(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let card = db(&state, move |c| service::card(c, &a, &id)).await?.card;
    match (card.image_key, card.image_type) {
        (Some(k), Some(t)) => crate::engagement::picture::send(&state, &k, &t).await,
        _ => Err(AppError::NotFound),
    }
}

// ------------------------------------------------------------------ administrators

#[derive(Template)]
#[template(path = "engagement/toolbox_manage.html", blocks = ["list"])]
struct ManagePage {
    page: Page,
    cards: Vec<Card>,
    /// After a move: the card and the button that keeps the focus.
    focus: Option<(String, String)>,
    announce: bool,
    kind: &'static str,
    message: String,
}

impl ManagePage {
    fn focused(&self, id: &str, dir: &str) -> bool {
        self.focus
            .as_ref()
            .is_some_and(|(i, d)| i == id && d == dir)
    }
}

async fn manage(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let cards = db(&state, move |c| service::admin_list(c, &a)).await?;
    page::ok(&ManagePage {
        page: Page::for_actor(&actor, "engage.page_toolbox_manage"),
        cards,
        focus: None,
        announce: false,
        kind: "sr",
        message: String::new(),
    })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    dir: String,
}

async fn move_card(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<MoveForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let dir = match form.into_inner().dir.as_str() {
        "up" => "up",
        "down" => "down",
        _ => return Err(AppError::NotFound),
    };
    let (a, i) = (actor.clone(), id.clone());
    let (moved, cards) = db(&state, move |c| {
        let moved = service::move_card(c, &a, &i, dir == "up")?;
        Ok((moved, service::admin_list(c, &a)?))
    })
    .await?;
    if !is_htmx(&req) {
        return Ok(redirect(&format!("/toolbox/manage#card-{id}")));
    }
    let position = cards.iter().position(|c| c.id == id).map_or(0, |p| p + 1);
    let message = if moved {
        format!("{} {position}.", actor.t("engage.moved_to"))
    } else {
        actor.t("engage.not_moved").to_string()
    };
    page::ok(
        &ManagePage {
            page: Page::for_actor(&actor, "engage.page_toolbox_manage"),
            cards,
            focus: Some((id, dir.to_string())),
            announce: true,
            kind: "sr",
            message,
        }
        .as_list(),
    )
}

#[derive(Template)]
#[template(path = "engagement/toolbox_form.html")]
struct FormPage {
    page: Page,
    id: Option<String>,
    form: CardForm,
    errors: FieldErrors,
    has_picture: bool,
    picture_errors: FieldErrors,
    preview: String,
    max_mb: usize,
}

impl FormPage {
    fn file_error(&self, key: &str) -> String {
        self.page.t(key).replace("{mb}", &self.max_mb.to_string())
    }
}

fn form_page(
    actor: &Actor,
    max_mb: usize,
    id: Option<String>,
    form: CardForm,
    errors: FieldErrors,
    has_picture: bool,
    picture_errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let failed = !errors.is_empty() || !picture_errors.is_empty();
    let title = if id.is_some() {
        "engage.page_card_edit"
    } else {
        "engage.page_card_new"
    };
    let preview = markdown::render(&form.body);
    page::form(
        &FormPage {
            page: Page::for_actor(actor, title),
            id,
            form,
            errors,
            has_picture,
            picture_errors,
            preview,
            max_mb,
        },
        failed,
    )
}

async fn new_card(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    form_page(
        &actor,
        state.config.max_upload_bytes / (1024 * 1024),
        None,
        CardForm::default(),
        FieldErrors::new(),
        false,
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
    let card = db(&state, move |c| service::admin_card(c, &a, &i)).await?;
    form_page(
        &actor,
        state.config.max_upload_bytes / (1024 * 1024),
        Some(id),
        CardForm::from(&card),
        FieldErrors::new(),
        card.image_key.is_some(),
        FieldErrors::new(),
    )
}

async fn save(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: CardForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save(c, &a, i.as_deref(), &f)).await? {
        Ok(saved) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/toolbox/{saved}/edit")))
        }
        Err(errors) => {
            let has_picture = match &id {
                Some(i) => {
                    let (a, i) = (actor.clone(), i.clone());
                    db(&state, move |c| service::admin_card(c, &a, &i))
                        .await?
                        .image_key
                        .is_some()
                }
                None => false,
            };
            form_page(
                &actor,
                state.config.max_upload_bytes / (1024 * 1024),
                id,
                form,
                errors,
                has_picture,
                FieldErrors::new(),
            )
        }
    }
}

async fn create(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<CardForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    save(actor, session, state, None, form.into_inner()).await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<CardForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save(actor, session, state, Some(id), form.into_inner()).await
}

async fn delete(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let old = db(&state, move |c| service::delete(c, &a, &id)).await?;
    if let Some(k) = old {
        if let Err(e) = crate::documents::storage::delete(&state.files, &k).await {
            log::warn!("picture {k} of a removed card not removed: {e}");
        }
    }
    set_flash(&session, "success", actor.t("engage.card_deleted"));
    Ok(redirect("/toolbox/manage"))
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
    let card = db(&state, move |c| service::admin_card(c, &a, &i)).await?;
    let (a, i) = (actor.clone(), id.clone());
    let done = crate::engagement::picture::upload(
        &state,
        form,
        card.organization_id.clone(),
        move |c, stored| service::set_picture(c, &a, &i, &stored.storage_key, &stored.content_type),
    )
    .await?;
    match done {
        Ok(()) => {
            set_flash(&session, "success", actor.t("engage.picture_saved"));
            Ok(redirect(&format!("/toolbox/{id}/edit")))
        }
        Err(key) => {
            let mut errors = FieldErrors::new();
            errors.add("file", key);
            form_page(
                &actor,
                state.config.max_upload_bytes / (1024 * 1024),
                Some(id),
                CardForm::from(&card),
                FieldErrors::new(),
                card.image_key.is_some(),
                errors,
            )
        }
    }
}
