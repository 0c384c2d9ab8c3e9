//! What the layout needs on every page: title, labels, the menu for the actor's role, the
//! context switcher, the CSRF token, a status message, accessibility preferences and asset URLs.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;

use super::assets;
use crate::access::{Actor, Flash, Role};
use crate::labels::{Labels, Lang};

#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

#[derive(Clone, Debug)]
pub struct ContextOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub title: String,
    pub labels: Arc<Labels>,
    pub lang: &'static str,
    pub csrf: String,
    pub user_name: Option<String>,
    /// The signed-in user's unread notifications (read with the session, no statement of its
    /// own).
    pub unread: Option<i64>,
    pub context_label: String,
    pub nav: Vec<NavItem>,
    pub contexts: Vec<ContextOption>,
    pub flash: Option<Flash>,
    pub body_class: String,
    /// `data-org` on `<html>`: the active organization's colour theme (static/css/org-themes.css),
    /// empty for the Designsystemet default.
    pub org_theme: &'static str,
    /// Designsystemet (vendored, `@layer ds`): its theme tokens and components, loaded before ours.
    pub ds_theme_url: String,
    pub ds_css_url: String,
    pub org_css_url: String,
    pub css_url: String,
    pub htmx_url: String,
    pub js_url: String,
    pub icon_url: String,
}

impl Page {
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.labels.get(key)
    }

    /// `{"X-CSRF-Token": "..."}` for `hx-headers` on `<body>`.
    pub fn hx_headers(&self) -> String {
        serde_json::json!({ super::csrf::HEADER: self.csrf }).to_string()
    }

    fn base(title: String, labels: Arc<Labels>, csrf: String) -> Page {
        Page {
            title,
            lang: labels.lang.code(),
            labels,
            csrf,
            user_name: None,
            unread: None,
            context_label: String::new(),
            nav: Vec::new(),
            contexts: Vec::new(),
            flash: None,
            body_class: String::new(),
            org_theme: "",
            ds_theme_url: assets::url("css/ds-theme.css"),
            ds_css_url: assets::url("css/designsystemet.css"),
            org_css_url: assets::url("css/org-themes.css"),
            css_url: assets::url("css/app.css"),
            htmx_url: assets::url("js/htmx.min.js"),
            js_url: assets::url("js/app.js"),
            icon_url: assets::url("favicon.svg"),
        }
    }

    /// A page for someone not signed in (sign-in, password reset).
    pub fn anonymous(title_key: &str, lang: Lang, csrf: String) -> Page {
        let labels = Arc::new(Labels::new(lang, HashMap::new()));
        let title = labels.get(title_key).to_string();
        Page::base(title, labels, csrf)
    }

    /// A page for the signed-in actor, with the menu of the active role.
    pub fn for_actor(actor: &Actor, title_key: &str) -> Page {
        let mut page = Page::base(String::new(), actor.labels.clone(), actor.csrf.clone());
        page.title = page.t(title_key).to_string();
        page.user_name = Some(actor.name.clone());
        page.unread = Some(actor.unread);
        page.flash = actor.flash.clone();
        page.context_label = actor.context_label();
        page.org_theme = org_theme(&actor.active.org_name);
        let s = &actor.settings;
        let classes: Vec<&str> = [
            (s.larger_text, "larger-text"),
            (s.high_contrast, "high-contrast"),
            (s.reduced_motion, "reduced-motion"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .collect();
        page.body_class = classes.join(" ");
        page.contexts = actor
            .contexts
            .iter()
            .map(|c| ContextOption {
                value: c.key(),
                label: actor.describe_context(c),
                selected: c.key() == actor.active.key(),
            })
            .collect();
        let role = actor.active.role;
        let mut items: Vec<(&'static str, &'static str)> = vec![("/", "nav.home")];
        if role == Role::Account {
            // No role: the account's own pages and its invitations, nothing else.
            items = vec![("/account/invitations", "page.invitations")];
        }
        match role {
            Role::PeerMentor => items.extend([
                ("/activities", "nav.my_activities"),
                ("/contacts", "nav.contacts"),
                ("/events", "nav.events"),
                ("/courses", "nav.courses"),
                ("/certifications", "nav.certifications"),
                ("/requirements/mine", "nav.my_requirements"),
                ("/expenses", "nav.expenses"),
                ("/toolbox", "nav.toolbox"),
                ("/badges/mine", "nav.my_badges"),
                ("/recruit", "nav.recruit"),
            ]),
            Role::Coordinator | Role::OrgAdmin => items.extend([
                ("/activities", "nav.activities"),
                ("/mentors", "nav.mentors"),
                ("/contacts", "nav.contacts"),
                ("/events", "nav.events"),
                ("/courses", "nav.courses"),
                ("/programs", "nav.programs"),
                ("/certifications", "nav.certifications"),
                ("/requirements/mentors", "nav.mentor_requirements"),
                ("/claims", "nav.claims"),
            ]),
            Role::GlobalAdmin | Role::Account => {}
        }
        if matches!(role, Role::Coordinator | Role::OrgAdmin) {
            items.push(("/associations", "nav.associations"));
            items.push(("/recruit/totals", "nav.recruit_totals"));
            items.push(("/reports", "nav.reports"));
        }
        if role == Role::Coordinator {
            items.push(("/toolbox", "nav.toolbox"));
        }
        if matches!(role, Role::PeerMentor | Role::Coordinator) {
            items.push(("/resources", "nav.resources"));
        }
        if role == Role::OrgAdmin {
            items.extend([
                ("/regions", "nav.regions"),
                ("/activity-types", "nav.activity_types"),
                ("/expense-types", "nav.expense_types"),
                ("/users", "nav.users"),
                ("/import", "nav.import"),
                ("/badges", "nav.badges"),
                ("/requirement-settings", "nav.requirements"),
                ("/toolbox/manage", "nav.toolbox"),
                ("/resources", "nav.resources"),
                ("/organization-settings", "nav.org_settings"),
                ("/labels", "nav.labels"),
                ("/notifications/admin", "ntf.admin_page"),
                ("/audit", "nav.audit"),
            ]);
        }
        if role == Role::GlobalAdmin {
            items.extend([
                ("/organizations", "nav.organizations"),
                ("/notifications/admin", "ntf.admin_page"),
                ("/audit", "nav.audit"),
            ]);
        }
        items.extend([
            ("/account/settings", "nav.settings"),
            ("/account/sessions", "nav.sessions"),
        ]);
        page.nav = items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: page.t(key).to_string(),
                current: if href == "/" {
                    actor.path == "/"
                } else {
                    actor.path.starts_with(href)
                },
            })
            .collect();
        page
    }
}

/// The colour theme of an organization, by its name; unknown organizations (and the global
/// admin context) keep Designsystemet's default accent.
fn org_theme(org_name: &str) -> &'static str {
    // The active context names the organization by its short name (or its full name, in
    // contexts built before short names were set); both lead to the same theme.
    const THEMES: [(&str, &str, &str); 4] = [
        ("NHF", "Norges Handikapforbund", "nhf"),
        ("Blindeforbundet", "Norges Blindeforbund", "blindeforbundet"),
        ("HLF", "Hørselshemmedes Landsforbund", "hlf"),
        (
            "Barnekreftforeningen",
            "Barnekreftforeningen",
            "barnekreftforeningen",
        ),
    ];
    THEMES
        .iter()
        .find(|(short, name, _)| short.eq_ignore_ascii_case(org_name) || *name == org_name)
        .map_or("", |(_, _, theme)| theme)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: Page,
    heading: &'a str,
    text: &'a str,
    /// On a server error: the id a user can quote (also in the log and `X-Request-Id`).
    request_id: Option<String>,
}

/// A plain, self-contained error page (no menu), bilingual because it can be shown before
/// the user's language is known.
pub fn error_page(status: StatusCode, heading: &str, text: &str) -> HttpResponse {
    render_error(
        Page::anonymous("app.name", Lang::Nb, String::new()),
        status,
        heading,
        text,
    )
}

/// An error page in the language of `labels` (the user's, with their organization's terms);
/// `heading` and `text` are label keys.
pub fn error_page_in(
    labels: Arc<Labels>,
    status: StatusCode,
    heading: &str,
    text: &str,
) -> HttpResponse {
    let page = Page::base(labels.get("app.name").to_string(), labels, String::new());
    let (heading, text) = (page.t(heading).to_string(), page.t(text).to_string());
    render_error(page, status, &heading, &text)
}

fn render_error(page: Page, status: StatusCode, heading: &str, text: &str) -> HttpResponse {
    let body = ErrorTemplate {
        page,
        heading,
        text,
        request_id: status
            .is_server_error()
            .then(super::security::request_id)
            .flatten(),
    }
    .render()
    .unwrap_or_else(|_| heading.to_string());
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// Renders a template into an HTML response with the given status.
pub fn html<T: Template>(status: StatusCode, t: &T) -> super::AppResult<HttpResponse> {
    let body = t.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Vary", "HX-Request"))
        .body(body))
}

pub fn ok<T: Template>(t: &T) -> super::AppResult<HttpResponse> {
    html(StatusCode::OK, t)
}

/// A form page: 200, or 422 when the submitted form had errors (it is shown again with them).
pub fn form<T: Template>(t: &T, failed: bool) -> super::AppResult<HttpResponse> {
    html(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        t,
    )
}

pub fn unprocessable<T: Template>(t: &T) -> super::AppResult<HttpResponse> {
    html(StatusCode::UNPROCESSABLE_ENTITY, t)
}
