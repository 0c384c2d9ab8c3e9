use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{course_days, courses};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = courses)]
pub struct Course {
    pub id: String,
    pub organization_id: String,
    /// Unused since the audience moved to `course_associations` (always NULL).
    pub local_association_id: Option<String>,
    pub title: String,
    pub description: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub capacity: i32,
    pub seats_taken: i32,
    pub enrollment_deadline: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub certification_name: Option<String>,
    pub validity_months: Option<i32>,
    pub bufdir_training: bool,
    pub status: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub cancel_reason: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = course_days)]
pub struct CourseDay {
    pub id: String,
    pub course_id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// A day's start and end as shown: "d.m.yyyy hh:mm–hh:mm" in Norway's time.
pub fn span_text(start: NaiveDateTime, end: NaiveDateTime) -> String {
    format!(
        "{}–{}",
        crate::web::fmt::datetime(start),
        end.and_utc()
            .with_timezone(&chrono_tz::Europe::Oslo)
            .format("%H:%M")
    )
}

impl CourseDay {
    pub fn when(&self) -> String {
        span_text(self.starts_at, self.ends_at)
    }
    pub fn started(&self) -> bool {
        self.starts_at <= crate::db::now()
    }
}

/// A course as a list or page shows it, with the viewer's own enrollment.
#[derive(Clone, Debug)]
pub struct CourseRow {
    pub c: Course,
    /// The associations it is for (id, name), by name; empty for the whole organization.
    pub audience: Vec<(String, String)>,
    pub days: Vec<CourseDay>,
    /// The viewer's enrollment status, if they ever enrolled.
    pub my_status: Option<String>,
    /// The viewer's place on the waitlist (1 = next), when waitlisted.
    pub my_position: Option<i64>,
    pub waitlisted: i64,
}

impl CourseRow {
    pub fn when(&self) -> String {
        crate::web::fmt::datetime(self.c.starts_at)
    }
    pub fn deadline(&self) -> String {
        crate::web::fmt::datetime(self.c.enrollment_deadline)
    }
    pub fn place(&self) -> &str {
        self.c.place.as_deref().unwrap_or("")
    }
    pub fn online(&self) -> &str {
        self.c.online_url.as_deref().unwrap_or("")
    }
    pub fn started(&self) -> bool {
        self.c.starts_at <= crate::db::now()
    }
    pub fn deadline_passed(&self) -> bool {
        self.c.enrollment_deadline <= crate::db::now()
    }
    pub fn full(&self) -> bool {
        self.c.seats_taken >= self.c.capacity
    }
    pub fn seats_text(&self) -> String {
        format!("{} / {}", self.c.seats_taken, self.c.capacity)
    }
    pub fn is(&self, status: &str) -> bool {
        self.my_status.as_deref() == Some(status)
    }
    /// Enrolled or waiting: the mentor may withdraw before the start.
    pub fn holding(&self) -> bool {
        self.is("registered") || self.is("waitlisted")
    }
    pub fn may_enroll(&self) -> bool {
        self.c.status == "open" && !self.deadline_passed() && !self.started() && !self.holding()
    }
    pub fn may_withdraw(&self) -> bool {
        self.holding() && !self.started() && !self.cancelled()
    }
    /// The associations' names, or empty for the whole organization.
    pub fn audience_text(&self) -> String {
        self.audience
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn cancelled(&self) -> bool {
        self.c.status == "cancelled"
    }
    /// A coordinator may still edit or cancel it: open and not started.
    pub fn editable(&self) -> bool {
        self.c.status == "open" && !self.started()
    }
    pub fn cancel_reason(&self) -> &str {
        self.c.cancel_reason.as_deref().unwrap_or("")
    }
    pub fn my_status_key(&self) -> String {
        format!(
            "course.status_{}",
            self.my_status.as_deref().unwrap_or("none")
        )
    }
    pub fn certification(&self) -> String {
        match (&self.c.certification_name, self.c.validity_months) {
            (Some(n), Some(m)) => format!("{n} ({m})"),
            (Some(n), None) => n.clone(),
            _ => String::new(),
        }
    }
}
