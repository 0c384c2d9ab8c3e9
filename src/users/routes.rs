//! Pages: users of the organization (list, invite, roles) and my settings.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{GrantView, InvitationView, Setting, User};
use super::service::{self, GrantForm, InviteForm, Revoked, SettingsForm, UserForm};
use crate::access::Actor;
use crate::access::Role;
use crate::auth::actor::set_flash;
use crate::web::extract;
use crate::web::forms::FieldErrors;
use crate::web::page::{self, Page};
use crate::web::pagination::PageOf;
use crate::web::{db, path_id, redirect, AppResult};
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(list))
        .route("/users/invite", web::get().to(invite_form))
        .route("/users/invite", web::post().to(invite))
        .route("/users/{id}", web::get().to(show))
        .route("/users/{id}/roles", web::post().to(assign))
        .route("/users/{id}/roles/{grant}/revoke", web::post().to(revoke))
        .route("/users/{id}/edit", web::get().to(edit_form))
        .route("/users/{id}", web::post().to(update))
        .route("/users/{id}/deactivate", web::post().to(deactivate))
        .route("/users/{id}/reactivate", web::post().to(reactivate))
        .route(
            "/users/invitations/{id}/cancel",
            web::post().to(cancel_invitation),
        )
        .route("/users/{id}/sessions/end", web::post().to(end_sessions))
        .route("/account/invitations", web::get().to(my_invitations))
        .route(
            "/account/invitations/{id}/accept",
            web::post().to(accept_invitation),
        )
        .route(
            "/account/invitations/{id}/decline",
            web::post().to(decline_invitation),
        )
        .route("/account/settings", web::get().to(settings_page))
        .route("/account/settings", web::post().to(save_settings));
}

/// The roles an organization administrator can give, with their label keys.
pub fn grantable_roles() -> Vec<(&'static str, &'static str)> {
    [Role::PeerMentor, Role::Coordinator, Role::OrgAdmin]
        .iter()
        .map(|r| (r.key(), r.label_key()))
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    page: Page,
    q: String,
    base: String,
    list: PageOf<User>,
    invitations: Vec<InvitationView>,
}

async fn list(
    actor: Actor,
    state: web::Data<AppState>,
    q: extract::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let (a, text, p) = (actor.clone(), q.q.clone(), q.page);
    let (list, invitations) = db(&state, move |c| {
        Ok((
            service::list(c, &a, &text, p)?,
            service::pending_in_org(c, &a)?,
        ))
    })
    .await?;
    let base = format!("/users?q={}&", crate::web::urlencode(&q.q));
    page::ok(&ListPage {
        page: Page::for_actor(&actor, "page.users"),
        q: q.q.clone(),
        base,
        list,
        invitations,
    })
}

#[derive(Template)]
#[template(path = "users/invite.html")]
struct InvitePage {
    page: Page,
    form: InviteForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, &'static str)>,
    associations: Vec<(String, String)>,
}

async fn render_invite(
    actor: &Actor,
    state: &web::Data<AppState>,
    form: InviteForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let org = actor.org()?.to_string();
    let associations = db(state, move |c| {
        Ok(crate::orgs::service::association_choices(c, &org)?)
    })
    .await?;
    let failed = !errors.is_empty();
    let tpl = InvitePage {
        page: Page::for_actor(actor, "page.user_invite"),
        form,
        errors,
        roles: grantable_roles(),
        associations,
    };
    page::form(&tpl, failed)
}

async fn invite_form(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = InviteForm {
        role: "peer_mentor".into(),
        ..Default::default()
    };
    render_invite(&actor, &state, form, FieldErrors::new()).await
}

/// The invitation e-mail, queued in the outbox: a set-password link for a new account, a link
/// to the invitations page for an existing one (sign in, then accept or decline).
pub(crate) fn invitation_mail(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    invited: &service::Invited,
    org_id: Option<&str>,
) -> diesel::QueryResult<()> {
    let (link, text) = match &invited.token {
        Some(token) => (
            format!("/password/reset?token={token}"),
            actor.t("text.invite_mail_body"),
        ),
        None => (
            "/account/invitations".to_string(),
            actor.t("text.invitation_mail_body"),
        ),
    };
    crate::notifications::outbox::account(
        conn,
        &actor.labels,
        org_id,
        "account.invitation",
        &invited.email,
        &invited.name,
        actor.t("text.invite_mail_subject"),
        &[invited.organization.clone(), text.to_string()],
        &link,
    )?;
    Ok(())
}

async fn invite(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<InviteForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let form = form.into_inner();
    let (a, f) = (actor.clone(), form.clone());
    let outcome = db(&state, move |c| {
        let r = service::invite(c, &a, &f)?;
        if let Ok(invited) = &r {
            invitation_mail(c, &a, invited, a.org_id())?;
        }
        Ok(r.map(|_| ()))
    })
    .await?;
    state.nudge.poke();
    match outcome {
        // The same answer whether or not the address already had an account.
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.invite_sent"));
            Ok(redirect("/users"))
        }
        Err(errors) => render_invite(&actor, &state, form, errors).await,
    }
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    page: Page,
    user: User,
    can_end_sessions: bool,
    grants: Vec<GrantView>,
    form: GrantForm,
    errors: FieldErrors,
    roles: Vec<(&'static str, &'static str)>,
    associations: Vec<(String, String)>,
}

async fn render_show(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: GrantForm,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let (user, can_end_sessions, grants, associations) = db(state, move |c| {
        let user = service::member(c, &a, &id)?;
        let can_end_sessions = service::may_end_sessions(c, &id)?;
        let grants = service::grants_in_org(c, &a, &id)?;
        let associations = crate::orgs::service::association_choices(c, a.org()?)?;
        Ok((user, can_end_sessions, grants, associations))
    })
    .await?;
    let mut page = Page::for_actor(actor, "term.user");
    page.title = user.name.clone();
    let failed = !errors.is_empty();
    let tpl = ShowPage {
        page,
        user,
        can_end_sessions,
        grants,
        form,
        errors,
        roles: grantable_roles(),
        associations,
    };
    page::form(&tpl, failed)
}

async fn show(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_show(&actor, &state, id, GrantForm::default(), FieldErrors::new()).await
}

async fn assign(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<GrantForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    match db(&state, move |c| service::assign(c, &a, &i, &f)).await? {
        Ok(()) => {
            set_flash(&session, "success", actor.t("text.role_assigned"));
            Ok(redirect(&format!("/users/{id}")))
        }
        Err(errors) => render_show(&actor, &state, id, form, errors).await,
    }
}

async fn end_sessions(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    db(&state, move |c| service::end_sessions(c, &a, &i)).await?;
    set_flash(&session, "success", actor.t("text.user_signed_out"));
    Ok(redirect(&format!("/users/{id}")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "users/revoke_confirm.html")]
struct RevokeConfirmPage {
    page: Page,
    user_id: String,
    grant_id: String,
}

async fn revoke(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: extract::Form<RevokeForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let (raw_user, raw_grant) = path.into_inner();
    let user = path_id(&raw_user)?;
    let grant = path_id(&raw_grant)?;
    let confirmed = form.confirm.is_some();
    let (a, u, g) = (actor.clone(), user.clone(), grant.clone());
    match db(&state, move |c| service::revoke(c, &a, &u, &g, confirmed)).await? {
        Revoked::Done { still_member } => {
            set_flash(&session, "success", actor.t("text.role_revoked"));
            if !still_member {
                Ok(redirect("/users"))
            } else if user == actor.user_id {
                // No longer an administrator: the start page, in whatever role is left.
                Ok(redirect("/"))
            } else {
                Ok(redirect(&format!("/users/{user}")))
            }
        }
        Revoked::LastAdmin => {
            set_flash(&session, "error", actor.t("err.last_admin"));
            Ok(redirect(&format!("/users/{user}")))
        }
        Revoked::Confirm => page::ok(&RevokeConfirmPage {
            page: Page::for_actor(&actor, "page.revoke_own_admin"),
            user_id: user,
            grant_id: grant,
        }),
    }
}

#[derive(Template)]
#[template(path = "users/edit.html")]
struct EditPage {
    page: Page,
    user: User,
    form: UserForm,
    errors: FieldErrors,
}

async fn render_edit(
    actor: &Actor,
    state: &web::Data<AppState>,
    id: String,
    form: Option<UserForm>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let a = actor.clone();
    let user = db(state, move |c| {
        let user = service::member(c, &a, &id)?;
        if !service::may_end_sessions(c, &id)? {
            return Err(crate::web::AppError::NotFound);
        }
        Ok(user)
    })
    .await?;
    let form = form.unwrap_or_else(|| UserForm {
        name: user.name.clone(),
        email: user.email.clone(),
    });
    let failed = !errors.is_empty();
    page::form(
        &EditPage {
            page: Page::for_actor(actor, "page.user_edit"),
            user,
            form,
            errors,
        },
        failed,
    )
}

async fn edit_form(
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    render_edit(&actor, &state, id, None, FieldErrors::new()).await
}

async fn update(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: extract::Form<UserForm>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let form = form.into_inner();
    let (a, f, i) = (actor.clone(), form.clone(), id.clone());
    let outcome = db(&state, move |c| {
        let r = service::update(c, &a, &i, &f)?;
        if let Ok(service::Edited {
            email_change: Some((to, token)),
        }) = &r
        {
            crate::notifications::outbox::account(
                c,
                &a.labels,
                a.org_id(),
                "account.email_confirm",
                to,
                "",
                a.t("text.email_confirm_mail_subject"),
                &[a.t("text.email_confirm_mail_body").to_string()],
                &format!("/email/confirm?token={token}"),
            )?;
        }
        Ok(r.map(|e| e.email_change.is_some()))
    })
    .await?;
    state.nudge.poke();
    match outcome {
        Ok(email_change) => {
            let key = if email_change {
                "text.user_saved_email_pending"
            } else {
                "text.saved"
            };
            set_flash(&session, "success", actor.t(key));
            Ok(redirect(&format!("/users/{id}")))
        }
        Err(errors) => render_edit(&actor, &state, id, Some(form), errors).await,
    }
}

async fn deactivate(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(actor, session, state, path, false).await
}

async fn reactivate(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    set_active(actor, session, state, path, true).await
}

/// Deactivates or reactivates a member; the outcome is the flash message on their page.
async fn set_active(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    active: bool,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let (a, i) = (actor.clone(), id.clone());
    let outcome = db(&state, move |c| {
        if active {
            service::reactivate(c, &a, &i)
        } else {
            service::deactivate(c, &a, &i)
        }
    })
    .await?;
    match outcome {
        Ok(()) if active => set_flash(&session, "success", actor.t("text.user_reactivated")),
        Ok(()) => set_flash(&session, "success", actor.t("text.user_deactivated")),
        Err(key) => set_flash(&session, "error", actor.t(key)),
    }
    Ok(redirect(&format!("/users/{id}")))
}

/// An organization administrator cancels an invitation that still waits for an answer.
async fn cancel_invitation(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    actor.require(&[Role::OrgAdmin])?;
    let id = path_id(&path)?;
    let a = actor.clone();
    db(&state, move |c| service::cancel(c, &a, &id)).await?;
    set_flash(&session, "success", actor.t("text.invitation_cancelled"));
    Ok(redirect("/users"))
}

#[derive(Template)]
#[template(path = "users/settings.html")]
struct SettingsPage {
    page: Page,
    s: Setting,
}

async fn settings_page(actor: Actor) -> AppResult<HttpResponse> {
    page::ok(&SettingsPage {
        page: Page::for_actor(&actor, "page.settings"),
        s: actor.settings.clone(),
    })
}

async fn save_settings(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    form: extract::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    let (a, f) = (actor.clone(), form.into_inner());
    let lang = crate::labels::Lang::parse(&f.language);
    db(&state, move |c| service::save_settings(c, &a, &f)).await?;
    // The message in the language just chosen.
    let text = crate::labels::Labels::new(lang, Default::default())
        .get("text.saved")
        .to_string();
    set_flash(&session, "success", text);
    Ok(redirect("/account/settings"))
}

#[derive(Template)]
#[template(path = "users/invitations.html")]
struct InvitationsPage {
    page: Page,
    invitations: Vec<InvitationView>,
    /// Signed in without a role: the page says what the account can do here.
    no_role: bool,
}

/// The signed-in user's invitations that wait for an answer.
async fn my_invitations(actor: Actor, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let uid = actor.user_id.clone();
    let invitations = db(&state, move |c| service::pending_for(c, &uid)).await?;
    page::ok(&InvitationsPage {
        page: Page::for_actor(&actor, "page.invitations"),
        invitations,
        no_role: actor.role() == Role::Account,
    })
}

async fn answer_invitation(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
    accept: bool,
) -> AppResult<HttpResponse> {
    let id = path_id(&path)?;
    let a = actor.clone();
    match db(&state, move |c| service::answer(c, &a, &id, accept)).await? {
        Ok(()) if accept => set_flash(&session, "success", actor.t("text.invitation_accepted")),
        Ok(()) => set_flash(&session, "success", actor.t("text.invitation_declined")),
        Err(key) => set_flash(&session, "error", actor.t(key)),
    }
    Ok(redirect("/account/invitations"))
}

async fn accept_invitation(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    answer_invitation(actor, session, state, path, true).await
}

async fn decline_invitation(
    actor: Actor,
    session: Session,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    answer_invitation(actor, session, state, path, false).await
}
