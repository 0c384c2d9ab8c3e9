//! Pages for organizations (global admin), regions, local associations and terminology.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::labels::{self, LabelsView};
use super::model::*;
use super::service::{self, AssociationFilter, AssociationForm, OrganizationForm, RegionForm};
use crate::access::Actor;
use crate::access::Role;
use crate::auth::actor::set_flash;
use crate::labels::Lang;
use crate::users::model::{InvitationView, OrgAdminView};
use crate::users::service::{self as users, AdminInviteForm, Revoked};
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, is_htmx, path_id, redirect, AppError, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::get().to(organizations))
        .route("/organizations", web::post().to(create_organization))
        .route("/organizations/new", web::get().to(new_organization))
        .route("/organizations/{id}/edit", web::get().to(edit_organization))
        .route("/organizations/{id}", web::get().to(show_organization))
        .route("/organizations/{id}", web::post().to(update_organization))
        .route("/organizations/{id}/admins", web::post().to(invite_admin))
        .route(
            "/organizations/{id}/admins/{grant}/revoke",
            web::post().to(revoke_admin),
        )
        .route(
            "/organizations/{id}/admins/{user}/reactivate",
            web::post().to(reactivate_admin),
        )
        .route(
            "/organizations/{id}/invitations/{invitation}/cancel",
            web::post().to(cancel_admin_invitation),
        )
        .route("/regions", web::get().to(regions))
        .route("/regions", web::post().to(create_region))
        .route("/regions/{id}/edit", web::get().to(edit_region))
        .route("/regions/{id}", web::post().to(update_region))
        .route("/associations", web::get().to(associations))
        .route("/associations", web::post().to(create_association))
        .route("/associations/new", web::get().to(new_association))
        .route("/associations/{id}", web::get().to(show_association))
        .route("/associations/{id}", web::post().to(update_association))
        .route("/associations/{id}/edit", web::get().to(edit_association))
        .route(
            "/associations/{id}/deactivate",
            web::post().to(deactivate_association),
        )
        .route(
            "/associations/{id}/reactivate",
            web::post().to(reactivate_association),
        )
        .route("/labels", web::get().to(label_page))
        .route("/labels", web::post().to(save_labels));
}

// ---------------------------------------------------------------- organizations

#[derive(Template)]
#[template(path = "orgs/organizations.html")]
struct OrganizationsPage {
    page: Page,
    rows: Vec<Organization>,
}

async fn organizations(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let rows = db(&state, |c| Ok(service::organizations(c)?)).await?;
    page::ok(&OrganizationsPage {
        page: Page::for_actor(&actor, "page.organizations"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "orgs/organization_form.html")]
struct OrganizationFormPage {
    page: Page,
    id: Option<String>,
    form: OrganizationForm,
    errors: FieldErrors,
}

async fn new_organization(actor: Actor) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let form = OrganizationForm {
        default_locale: "nb".into(),
        ..Default::default()
    };
    page::ok(&OrganizationFormPage {
        page: Page::for_actor(&actor, "page.organization_new"),
        id: None,
        form,
        errors: FieldErrors::new(),
    })
}

async fn edit_organization(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let id = path_id(&path)?;
    let id2 = id.clone();
    let org = db(&state, move |c| Ok(service::organization(c, &id2)?))
        .await?
        .ok_or(AppError::NotFound)?;
    page::ok(&OrganizationFormPage {
        page: Page::for_actor(&actor, "page.organization_edit"),
        id: Some(id),
        form: OrganizationForm::from(&org),
        errors: FieldErrors::new(),
    })
}

async fn save_org(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    id: Option<String>,
    form: OrganizationForm,
) -> AppResult<HttpResponse> {
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| {
        service::save_organization(c, &a, i.as_deref(), &f)
    })
    .await?
    {
        // A new organization's page asks for its first administrator.
        Ok(saved) if id.is_none() => {
            set_flash(&session, "success", actor.t("text.created"));
            Ok(redirect(&format!("/organizations/{saved}#invite-admin")))
        }
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/organizations"))
        }
        Err(errors) => {
            let title = if id.is_some() {
                "page.organization_edit"
            } else {
                "page.organization_new"
            };
            page::unprocessable(&OrganizationFormPage {
                page: Page::for_actor(&actor, title),
                id,
                form,
                errors,
            })
        }
    }
}

async fn create_organization(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<OrganizationForm>,
) -> AppResult<HttpResponse> {
    save_org(actor, session, state, None, form.into_inner()).await
}

async fn update_organization(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<OrganizationForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    save_org(actor, session, state, Some(id), form.into_inner()).await
}

#[derive(Template)]
#[template(path = "orgs/organization.html")]
struct OrganizationPage {
    page: Page,
    org: Organization,
    admins: Vec<OrgAdminView>,
    pending: Vec<InvitationView>,
    form: AdminInviteForm,
    errors: FieldErrors,
}

impl OrganizationPage {
    /// Whether the organization has no active administrator yet (or none left).
    fn needs_admin(&self) -> bool {
        !self.admins.iter().any(|a| a.is_active)
    }
}

async fn render_organization(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: AdminInviteForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (org, admins, pending) = db(state, move |c| {
        let org = service::organization(c, &id)?.ok_or(AppError::NotFound)?;
        let admins = users::org_admins(c, &a, &id)?;
        let pending = users::pending_admin_invitations(c, &a, &id)?;
        Ok((org, admins, pending))
    })
    .await?;
    let mut page = Page::for_actor(actor, "page.organizations");
    page.title = org.name.clone();
    let failed = !errors.is_empty();
    page::form(
        &OrganizationPage {
            page,
            org,
            admins,
            pending,
            form,
            errors,
        },
        failed,
    )
}

async fn show_organization(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let id = path_id(&path)?;
    render_organization(
        &actor,
        &state,
        id,
        AdminInviteForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// The global administrator invites an organization administrator (the invitee accepts it).
async fn invite_admin(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<AdminInviteForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    let outcome = db(&state, move |c| {
        let r = users::invite_org_admin(c, &a, &i, &f)?;
        if let Ok(invited) = &r {
            crate::users::routes::invitation_mail(c, &a, invited, Some(&i))?;
        }
        Ok(r.map(|_| ()))
    })
    .await?;
    state.nudge.poke();
    match outcome {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.invite_sent"));
            Ok(redirect(&format!("/organizations/{id}")))
        }
        Err(errors) => render_organization(&actor, &state, id, form, errors).await,
    }
}

/// The global administrator revokes an organization administrator's grant; the last active
/// administrator stays (invite the successor first, revoke once they have accepted).
async fn revoke_admin(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let (raw_org, raw_grant) = path.into_inner();
    let id = path_id(&raw_org)?;
    let grant = path_id(&raw_grant)?;
    let (a, i) = (actor.clone(), id.clone());
    match db(&state, move |c| users::revoke_org_admin(c, &a, &i, &grant)).await? {
        Revoked::LastAdmin => set_flash(&session, "error", actor.t("err.last_admin")),
        _ => set_flash(&session, "success", actor.t("text.role_revoked")),
    }
    Ok(redirect(&format!("/organizations/{id}")))
}

/// The global administrator reactivates a deactivated administrator of the organization.
async fn reactivate_admin(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let (raw_org, raw_user) = path.into_inner();
    let id = path_id(&raw_org)?;
    let user = path_id(&raw_user)?;
    let (a, i) = (actor.clone(), id.clone());
    match db(&state, move |c| {
        users::reactivate_org_admin(c, &a, &i, &user)
    })
    .await?
    {
        Ok(()) => set_flash(&session, "success", actor.t("text.user_reactivated")),
        Err(key) => set_flash(&session, "error", actor.t(key)),
    }
    Ok(redirect(&format!("/organizations/{id}")))
}

/// The global administrator cancels an administrator invitation that still waits.
async fn cancel_admin_invitation(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::GlobalAdmin])?;
    let (raw_org, raw_invitation) = path.into_inner();
    let id = path_id(&raw_org)?;
    let invitation = path_id(&raw_invitation)?;
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| {
        users::cancel_admin_invitation(c, &a, &i, &invitation)
    })
    .await?;
    set_flash(&session, "success", actor.t("text.invitation_cancelled"));
    Ok(redirect(&format!("/organizations/{id}")))
}

// ---------------------------------------------------------------- regions

#[derive(Template)]
#[template(path = "orgs/regions.html")]
struct RegionsPage {
    page: Page,
    rows: Vec<RegionRow>,
    form: RegionForm,
    errors: FieldErrors,
}

async fn regions(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let a = actor.clone();
    let rows = db(&state, move |c| service::regions(c, &a)).await?;
    page::ok(&RegionsPage {
        page: Page::for_actor(&actor, "page.regions"),
        rows,
        form: RegionForm::default(),
        errors: FieldErrors::new(),
    })
}

async fn create_region(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<RegionForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    let result = db(&state, move |c| {
        let r = service::save_region(c, &a, None, &f)?;
        let rows = if r.is_err() {
            service::regions(c, &a)?
        } else {
            Vec::new()
        };
        Ok((r, rows))
    })
    .await?;
    match result {
        (Ok(_), _) => {
            set_flash(&session, "success", actor.t("text.created"));
            Ok(redirect("/regions"))
        }
        (Err(errors), rows) => page::unprocessable(&RegionsPage {
            page: Page::for_actor(&actor, "page.regions"),
            rows,
            form,
            errors,
        }),
    }
}

#[derive(Template)]
#[template(path = "orgs/region_form.html")]
struct RegionFormPage {
    page: Page,
    id: String,
    form: RegionForm,
    errors: FieldErrors,
}

async fn edit_region(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let r = db(&state, move |c| service::region(c, &a, &i)).await?;
    let form = RegionForm {
        name: r.name,
        code: r.code.unwrap_or_default(),
        is_active: r.is_active.then(|| "on".into()),
    };
    page::ok(&RegionFormPage {
        page: Page::for_actor(&actor, "page.region_edit"),
        id,
        form,
        errors: FieldErrors::new(),
    })
}

async fn update_region(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<RegionForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::save_region(c, &a, Some(&i), &f)).await? {
        Ok(_) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect("/regions"))
        }
        Err(errors) => page::unprocessable(&RegionFormPage {
            page: Page::for_actor(&actor, "page.region_edit"),
            id,
            form,
            errors,
        }),
    }
}

// ---------------------------------------------------------------- local associations

#[derive(Template)]
#[template(path = "orgs/associations.html", blocks = ["results"])]
struct AssociationsPage {
    page: Page,
    filter: AssociationFilter,
    list: PageOf<AssociationRow>,
    regions: Vec<(String, String)>,
    can_edit: bool,
    announce: bool,
    kind: &'static str,
    message: String,
}

async fn associations(
    req: HttpRequest,
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<AssociationFilter>,
) -> AppResult<HttpResponse> {
    let filter = q.into_inner();
    let (a, f) = (actor.clone(), filter.clone());
    let (list, regions) = db(&state, move |c| {
        let list = service::associations(c, &a, &f)?;
        let regions = service::region_choices(c, a.org()?)?;
        Ok((list, regions))
    })
    .await?;
    let can_edit = actor.role() == Role::OrgAdmin;
    let mut tpl = AssociationsPage {
        page: Page::for_actor(&actor, "page.associations"),
        filter,
        list,
        regions,
        can_edit,
        announce: false,
        kind: "sr",
        message: String::new(),
    };
    if is_htmx(&req)
        && req
            .headers()
            .get("HX-Target")
            .is_some_and(|t| t == "results")
    {
        // Announce the new count through the live region, outside the swapped results.
        tpl.announce = true;
        tpl.message = tpl
            .list
            .summary(&tpl.page.labels, "text.count_associations");
        return page::ok(&tpl.as_results());
    }
    page::ok(&tpl)
}

#[derive(Template)]
#[template(path = "orgs/association.html")]
struct AssociationPage {
    page: Page,
    row: AssociationRow,
    overview: AssociationOverview,
    metadata: Vec<(String, String)>,
    can_edit: bool,
}

/// The association's metadata as "key: value" lines, never as JSON: a key the catalogue
/// knows (`bufdir_code`) in words, others as written; nested values flattened.
fn metadata_lines(actor: &Actor, raw: Option<&str>) -> Vec<(String, String)> {
    fn flat(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join(", "),
            serde_json::Value::Object(m) => m
                .iter()
                .map(|(k, v)| format!("{k}: {}", flat(v)))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }
    let Some(serde_json::Value::Object(m)) = raw.and_then(|r| serde_json::from_str(r).ok()) else {
        return Vec::new();
    };
    m.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let key = format!("audit.key.{k}");
            let label = if crate::labels::is_known(&key) {
                actor.t(&key).to_string()
            } else {
                k.replace('_', " ")
            };
            (label, flat(v))
        })
        .collect()
}

async fn show_association(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    let (row, overview) = db(&state, move |c| {
        Ok((
            service::association(c, &a, &id)?,
            service::association_overview(c, &a, &id)?,
        ))
    })
    .await?;
    let mut page = Page::for_actor(&actor, "term.local_association");
    page.title = row.a.name.clone();
    let metadata = metadata_lines(&actor, row.a.metadata.as_deref());
    page::ok(&AssociationPage {
        page,
        row,
        overview,
        metadata,
        can_edit: actor.role() == Role::OrgAdmin,
    })
}

#[derive(Template)]
#[template(path = "orgs/association_form.html")]
struct AssociationFormPage {
    page: Page,
    id: Option<String>,
    form: AssociationForm,
    errors: FieldErrors,
    regions: Vec<(String, String)>,
}

async fn association_form(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: Option<String>,
    form: AssociationForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = actor.org()?.to_string();
    let regions = db(state, move |c| Ok(service::region_choices(c, &org)?)).await?;
    let title = if id.is_some() {
        "page.association_edit"
    } else {
        "page.association_new"
    };
    let failed = !errors.is_empty();
    let tpl = AssociationFormPage {
        page: Page::for_actor(actor, title),
        id,
        form,
        regions,
        errors,
    };
    page::form(&tpl, failed)
}

async fn new_association(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    association_form(
        &actor,
        &state,
        None,
        AssociationForm::default(),
        FieldErrors::new(),
    )
    .await
}

async fn edit_association(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let row = db(&state, move |c| service::association(c, &a, &i)).await?;
    association_form(
        &actor,
        &state,
        Some(id),
        AssociationForm::from(&row.a),
        FieldErrors::new(),
    )
    .await
}

async fn create_association(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<AssociationForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    match db(&state, move |c| service::create_association(c, &a, &f)).await? {
        Ok(id) => {
            set_flash(&session, "success", actor.t("text.created"));
            Ok(redirect(&format!("/associations/{id}")))
        }
        Err(errors) => association_form(&actor, &state, None, form, errors).await,
    }
}

async fn update_association(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<AssociationForm>,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::update_association(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.saved"));
            Ok(redirect(&format!("/associations/{id}")))
        }
        Err(errors) => association_form(&actor, &state, Some(id), form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "orgs/association_row_swap.html")]
struct AssociationRowSwap {
    page: Page,
    row: AssociationRow,
    can_edit: bool,
    kind: &'static str,
    message: String,
}

async fn set_active(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    raw: String,
    active: bool,
) -> AppResult<HttpResponse> {
    let id = path_id(&raw)?;
    let a = actor.clone();
    let row = db(&state, move |c| {
        service::set_association_active(c, &a, &id, active)
    })
    .await?;
    let message = format!(
        "{} {}",
        row.a.name,
        actor.t(if active {
            "text.reactivated"
        } else {
            "text.deactivated"
        })
    );
    if is_htmx(&req) {
        return page::ok(&AssociationRowSwap {
            page: Page::for_actor(&actor, "page.associations"),
            row,
            can_edit: true,
            kind: "success",
            message,
        });
    }
    set_flash(&session, "success", message);
    Ok(redirect(&format!("/associations/{}", row.a.id)))
}

async fn deactivate_association(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(req, actor, session, state, path.into_inner(), false).await
}

async fn reactivate_association(
    req: HttpRequest,
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(req, actor, session, state, path.into_inner(), true).await
}

// ---------------------------------------------------------------- terminology

#[derive(Deserialize, Default)]
#[serde(default)]
struct LabelQuery {
    locale: String,
    q: String,
    show: String,
}

#[derive(Template)]
#[template(path = "orgs/labels.html")]
struct LabelsPage {
    page: Page,
    locale: &'static str,
    q: String,
    all: bool,
    view: LabelsView,
}

async fn label_page(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<LabelQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let lang = Lang::parse(&q.locale);
    let all = q.show == "all";
    let (a, text) = (actor.clone(), q.q.clone());
    let view = db(&state, move |c| labels::rows(c, &a, lang, &text, all)).await?;
    page::ok(&LabelsPage {
        page: Page::for_actor(&actor, "page.labels"),
        locale: lang.code(),
        q: q.q.clone(),
        all,
        view,
    })
}

async fn save_labels(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let mut submitted: HashMap<String, String> = HashMap::new();
    let mut locale = String::new();
    let mut q = String::new();
    let mut show = String::new();
    for (k, v) in form.into_inner() {
        match k.as_str() {
            "locale" => locale = v,
            "q" => q = v,
            "show" => show = v,
            "csrf_token" => {}
            _ => {
                if let Some(key) = k.strip_prefix("label:") {
                    submitted.insert(key.to_string(), v);
                }
            }
        }
    }
    let lang = Lang::parse(&locale);
    let a = actor.clone();
    db(&state, move |c| labels::save(c, &a, lang, &submitted)).await?;
    set_flash(&session, "success", actor.t("text.saved"));
    Ok(redirect(&format!(
        "/labels?locale={}&show={}&q={}",
        lang.code(),
        crate::web::urlencode(&show),
        crate::web::urlencode(&q)
    )))
}
