//! Who is asking: passwords, the database-backed session store, sign-in and its rate limits,
//! password reset, and the `Actor` every handler receives.

pub mod actor;
pub mod model;
pub mod password;
pub mod ratelimit;
pub mod routes;
pub mod service;
pub mod session_store;

/// The four levels of access. A user holds roles per organization (and association).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    PeerMentor,
    Coordinator,
    OrgAdmin,
    GlobalAdmin,
}

impl Role {
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
        }
    }
    /// Roles held within one local association (the others span an organization or everything).
    pub fn needs_association(self) -> bool {
        matches!(self, Role::PeerMentor | Role::Coordinator)
    }
}
