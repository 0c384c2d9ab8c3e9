use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::learning::courses::model::span_text;
use crate::schema::{mentor_program_sessions, mentor_programs, workshop_participants};

/// The kinds of program.
pub const KINDS: [&str; 2] = ["group_mentoring", "career_workshop"];

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = mentor_programs)]
pub struct Program {
    pub id: String,
    pub organization_id: String,
    /// The association that arranges it; `None`: the whole organization's.
    pub local_association_id: Option<String>,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    /// planned or cancelled.
    pub status: String,
    /// The first day's start.
    pub starts_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One day of a program.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = mentor_program_sessions)]
pub struct Session {
    pub id: String,
    pub program_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl Session {
    pub fn when(&self) -> String {
        span_text(self.starts_at, self.ends_at)
    }
    pub fn started(&self) -> bool {
        self.starts_at <= crate::db::now()
    }
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = workshop_participants)]
pub struct Participant {
    pub id: String,
    pub program_id: String,
    pub user_id: Option<String>,
    pub contact_id: Option<String>,
    pub added_by: Option<String>,
    pub added_at: NaiveDateTime,
}

/// A program as a list or page shows it.
#[derive(Clone, Debug)]
pub struct ProgramRow {
    pub p: Program,
    /// The arranging association's name; empty for the whole organization.
    pub association: String,
    pub sessions: Vec<Session>,
    pub participants: i64,
}

impl ProgramRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.p.starts_at)
    }
    pub fn kind_key(&self) -> String {
        format!("program.kind_{}", self.p.kind)
    }
    pub fn place(&self) -> &str {
        self.p.place.as_deref().unwrap_or("")
    }
    pub fn online(&self) -> &str {
        self.p.online_url.as_deref().unwrap_or("")
    }
    pub fn cancelled(&self) -> bool {
        self.p.status == "cancelled"
    }
    pub fn started(&self) -> bool {
        self.p.starts_at <= crate::db::now()
    }
    /// A coordinator may still edit or cancel it: planned and not started.
    pub fn editable(&self) -> bool {
        !self.cancelled() && !self.started()
    }
}

/// One participant on a program's page: a mentor or an invited member, with the days they
/// were present.
#[derive(Clone, Debug)]
pub struct ParticipantRow {
    pub id: String,
    pub name: String,
    /// A mentor (user) rather than an invited member (contact).
    pub mentor: bool,
    pub present: i64,
    /// Present on every day of the program.
    pub completed: bool,
}

impl ParticipantRow {
    pub fn kind_key(&self) -> &'static str {
        if self.mentor {
            "program.participant_mentor"
        } else {
            "program.participant_member"
        }
    }
}
