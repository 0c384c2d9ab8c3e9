//! Who is asking and what they may see: the `Role`s, the `Context`s (organization × role) a user
//! holds, the `Actor` every handler receives, with the settings, labels and flash message a page
//! needs. It sits below `web`, `auth` and the domains and imports none of them: `auth::actor`
//! loads an `Actor` from the session and the database, `web::page` renders one.

use std::sync::Arc;

pub mod model;

pub use model::Setting;

use crate::labels::Labels;

/// The session key that holds the signed-in user's id (written by `auth`, read by the layers
/// below it without importing it).
pub const SESSION_UID: &str = "uid";

/// A user's chosen language code, if they have saved settings (the 404 page speaks it).
pub fn language_of(
    conn: &mut crate::db::DbConn,
    user_id: &str,
) -> diesel::QueryResult<Option<String>> {
    use crate::schema::settings;
    use diesel::prelude::*;
    settings::table
        .find(user_id)
        .select(settings::language)
        .first(conn)
        .optional()
}

/// What a check on the actor answers when the record or page is outside their scope; `web`
/// turns it into a 404, exactly like a record that does not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfScope;

/// The four levels of access. A user holds roles per organization (and association).
/// `Account` is no role at all: a signed-in account without a current grant, which sees its
/// own account pages and answers its invitations, and nothing else (no `require` lists it, and
/// it has no organization). It is never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Account,
    PeerMentor,
    Coordinator,
    OrgAdmin,
    GlobalAdmin,
}

impl Role {
    /// The roles a grant can hold (not `Account`).
    pub const ALL: [Role; 4] = [
        Role::PeerMentor,
        Role::Coordinator,
        Role::OrgAdmin,
        Role::GlobalAdmin,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::PeerMentor => "peer_mentor",
            Role::Coordinator => "coordinator",
            Role::OrgAdmin => "org_admin",
            Role::GlobalAdmin => "global_admin",
            Role::Account => "account",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Role::PeerMentor => "term.peer_mentor",
            Role::Coordinator => "term.coordinator",
            Role::OrgAdmin => "term.org_admin",
            Role::GlobalAdmin => "term.global_admin",
            Role::Account => "term.no_role",
        }
    }
    /// Roles held within one local association (the others span an organization or everything).
    pub fn needs_association(self) -> bool {
        matches!(self, Role::PeerMentor | Role::Coordinator)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// "success" or "error"
    pub kind: String,
    pub text: String,
}

/// One organization × role the user can act in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub org_id: Option<String>,
    pub org_name: String,
    pub role: Role,
}

impl Context {
    /// The context of an account without a current grant (see `Role::Account`).
    pub fn account() -> Context {
        Context {
            org_id: None,
            org_name: String::new(),
            role: Role::Account,
        }
    }
    pub fn key(&self) -> String {
        match &self.org_id {
            Some(o) => format!("{o}:{}", self.role.key()),
            None if self.role == Role::Account => "account".to_string(),
            None => "global".to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub contexts: Vec<Context>,
    pub active: Context,
    /// The local associations of the active context's grants (coordinators and peer mentors).
    pub associations: Vec<String>,
    pub settings: Setting,
    pub labels: Arc<Labels>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// Unread notifications, read with the session.
    pub unread: i64,
    pub path: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn role(&self) -> Role {
        self.active.role
    }
    pub fn org_id(&self) -> Option<&str> {
        self.active.org_id.as_deref()
    }
    /// The active organization, or out of scope (404) for a context without one (global admin).
    pub fn org(&self) -> Result<&str, OutOfScope> {
        self.org_id().ok_or(OutOfScope)
    }
    /// Allows the listed roles; any other is out of scope and answers 404, as if the page did
    /// not exist.
    pub fn require(&self, roles: &[Role]) -> Result<(), OutOfScope> {
        if roles.contains(&self.active.role) {
            Ok(())
        } else {
            Err(OutOfScope)
        }
    }
    /// Whether the active context sees every association of its organization.
    pub fn sees_whole_org(&self) -> bool {
        matches!(self.active.role, Role::OrgAdmin | Role::GlobalAdmin)
    }
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.labels.get(key)
    }
    pub fn describe_context(&self, c: &Context) -> String {
        if c.org_id.is_none() {
            return self.t(c.role.label_key()).to_string();
        }
        format!("{} – {}", self.t(c.role.label_key()), c.org_name)
    }
    pub fn context_label(&self) -> String {
        self.describe_context(&self.active)
    }
}
