use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use crate::access::model::Setting;
use crate::access::Role;
use crate::schema::{invitations, user_organization_roles, users};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `search_key(name)`: lower-cased in Rust (æ, ø, å too), for search. Set it with the name.
    pub name_key: String,
    pub deactivated_at: Option<NaiveDateTime>,
    /// A new address waiting for its owner to confirm it through the mailed link.
    pub pending_email: Option<String>,
}

impl User {
    pub fn new(email: &str, name: &str, password_hash: Option<String>) -> User {
        let t = crate::db::now();
        User {
            id: crate::db::new_id(),
            email: email.trim().to_lowercase(),
            name: name.trim().to_string(),
            name_key: crate::web::forms::search_key(name),
            phone: None,
            password_hash,
            is_active: true,
            last_login_at: None,
            created_at: t,
            updated_at: t,
            deactivated_at: None,
            pending_email: None,
        }
    }
    pub fn last_login(&self) -> String {
        self.last_login_at
            .map(crate::web::fmt::datetime)
            .unwrap_or_else(|| "–".into())
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = user_organization_roles)]
pub struct RoleGrant {
    pub id: String,
    pub user_id: String,
    pub organization_id: Option<String>,
    pub role_id: String,
    pub local_association_id: Option<String>,
    pub granted_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
}

impl RoleGrant {
    pub fn new(
        user_id: &str,
        org: Option<&str>,
        role: Role,
        association: Option<&str>,
        by: Option<&str>,
    ) -> RoleGrant {
        RoleGrant {
            id: crate::db::new_id(),
            user_id: user_id.to_string(),
            organization_id: org.map(str::to_string),
            role_id: role.key().to_string(),
            local_association_id: association.map(str::to_string),
            granted_by: by.map(str::to_string),
            created_at: crate::db::now(),
            revoked_at: None,
            revoked_by: None,
        }
    }
    pub fn role(&self) -> Role {
        Role::parse(&self.role_id).unwrap_or(Role::PeerMentor)
    }
}

/// A role grant with the names a page shows.
#[derive(Clone, Debug)]
pub struct GrantView {
    pub grant: RoleGrant,
    pub organization_name: Option<String>,
    pub association_name: Option<String>,
}

impl GrantView {
    pub fn role_label_key(&self) -> &'static str {
        self.grant.role().label_key()
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub email: String,
    pub role_id: String,
    pub local_association_id: Option<String>,
    pub invited_by: String,
    pub new_account: bool,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
}

impl Invitation {
    pub fn role(&self) -> Role {
        Role::parse(&self.role_id).unwrap_or(Role::PeerMentor)
    }
    pub fn role_label_key(&self) -> &'static str {
        self.role().label_key()
    }
    pub fn sent(&self) -> String {
        crate::web::fmt::datetime(self.created_at)
    }
}

/// An invitation with the names a page shows.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub invitation: Invitation,
    pub organization_name: String,
    pub association_name: Option<String>,
}

/// An organization's administrator as the global administrator sees them.
#[derive(Clone, Debug)]
pub struct OrgAdminView {
    pub grant_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub is_active: bool,
}
