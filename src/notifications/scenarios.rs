//! The scenario registry: every kind of notification the app makes, each one entry here with
//! its labels (`ntf.<key>.name`, `.title`, optionally `.mail` for a mail that must not name a
//! contact), whether it is critical (always on, both channels), who may choose it, and for a
//! reminder the one query that finds what is due (`find`).
//!
//! A reminder scenario is one function from a pass (today, now) to the reminders due; the
//! engine (`reminders.rs`) keeps each one once by its key (user, scenario, subject, due date).
//! The learning scenarios (courses, waitlists, certifications, approval requirements) are
//! entries whose finder answers nothing until the learning domain exists: completing one is
//! writing its query here (see the doc comment on each) and calling `notify` where the event
//! happens.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use crate::access::Role;
use crate::db::DbConn;

/// One pass of the reminder engine: the day in Norway and the instant it runs at.
#[derive(Clone, Copy, Debug)]
pub struct Pass {
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

/// A reminder found due: to whom, about what, for which due date.
#[derive(Clone, Debug)]
pub struct Due {
    pub user_id: String,
    pub org_id: String,
    /// The context the reminder is opened in.
    pub role: Role,
    pub subject_kind: &'static str,
    pub subject_id: String,
    pub due_on: NaiveDate,
    pub link: String,
    pub params: serde_json::Value,
}

pub type Finder = fn(&mut DbConn, &Pass) -> QueryResult<Vec<Due>>;

/// How a scenario comes about.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Made where something happens (`notifications::notify` from the domain's service).
    Event,
    /// Found by the reminder engine on its schedule.
    Reminder(Finder),
    /// The coordinators' weekly digest (`digest.rs`).
    Digest,
}

pub struct Scenario {
    pub key: &'static str,
    /// Always delivered in the app and by e-mail; the settings page says why it cannot be
    /// turned off.
    pub critical: bool,
    /// The roles whose settings page offers it.
    pub audience: &'static [Role],
    pub kind: Kind,
}

const MENTOR: &[Role] = &[Role::PeerMentor];
const COORDINATOR: &[Role] = &[Role::Coordinator, Role::OrgAdmin];

/// Every scenario, in the order the settings page lists them.
pub static ALL: &[Scenario] = &[
    Scenario {
        key: "assignment.dispatched",
        critical: true,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "assignment.declined",
        critical: false,
        audience: COORDINATOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "claim.approved",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "claim.rejected",
        critical: true,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "claim.returned",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "event.changed",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "event.cancelled",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Learning (lead: call `notify` with this key where a waitlisted enrollment takes a freed
    // seat, subject_kind "course", link "/courses/{id}", params { "title": course title }).
    Scenario {
        key: "waitlist.seat_given",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Learning (lead: call `notify` where a certification is issued, subject_kind
    // "certification", link to it, params { "title": the certification's name }).
    Scenario {
        key: "certification.issued",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Learning: a course the person is enrolled in or waiting for changed its days or place,
    // or was cancelled (`learning::courses::edit`).
    Scenario {
        key: "course.changed",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "course.cancelled",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Learning: a group program the mentor takes part in changed its days or place, or was
    // cancelled (`learning::programs::service`).
    Scenario {
        key: "program.changed",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "program.cancelled",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Learning: a coordinator's message to everyone enrolled in a course (its own mail).
    Scenario {
        key: "course.message",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    // Engagement: `engagement::badges::service::on_awarded`.
    Scenario {
        key: "badge.awarded",
        critical: false,
        audience: MENTOR,
        kind: Kind::Event,
    },
    Scenario {
        key: "reminder.contact_inactive",
        critical: false,
        audience: MENTOR,
        kind: Kind::Reminder(super::reminders::contact_inactive),
    },
    Scenario {
        key: "reminder.event_tomorrow",
        critical: false,
        audience: MENTOR,
        kind: Kind::Reminder(super::reminders::event_tomorrow),
    },
    Scenario {
        key: "reminder.course_tomorrow",
        critical: false,
        audience: MENTOR,
        kind: Kind::Reminder(super::reminders::course_tomorrow),
    },
    Scenario {
        key: "reminder.certification_expiring",
        critical: false,
        audience: MENTOR,
        kind: Kind::Reminder(super::reminders::certification_expiring),
    },
    Scenario {
        key: "reminder.requirement_expiring",
        critical: false,
        audience: MENTOR,
        kind: Kind::Reminder(super::reminders::requirement_expiring),
    },
    Scenario {
        key: "reminder.claim_pending",
        critical: false,
        audience: COORDINATOR,
        kind: Kind::Reminder(super::reminders::claim_pending),
    },
    Scenario {
        key: "digest.weekly",
        critical: false,
        audience: COORDINATOR,
        kind: Kind::Digest,
    },
];

pub fn find(key: &str) -> Option<&'static Scenario> {
    ALL.iter().find(|s| s.key == key)
}

impl Scenario {
    pub fn name_key(&self) -> String {
        format!("ntf.{}.name", self.key)
    }
    pub fn title_key(&self) -> String {
        format!("ntf.{}.title", self.key)
    }
    /// The mail's own wording where the in-app title names a person the mail should not.
    pub fn mail_key(&self) -> String {
        let k = format!("ntf.{}.mail", self.key);
        if crate::labels::is_known(&k) {
            k
        } else {
            self.title_key()
        }
    }
}

/// Fills `{name}` placeholders of a label with the notice's parameters (text only).
pub fn fill(text: &str, params: &serde_json::Value) -> String {
    let mut out = text.to_string();
    if let Some(map) = params.as_object() {
        for (k, v) in map {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{k}}}"), &value);
        }
    }
    out
}
