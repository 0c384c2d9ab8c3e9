use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::annual_summaries;

/// A mentor's year in one organization, in figures, computed by the `reports.wrapped` job.
#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug, Default, PartialEq)]
#[diesel(table_name = annual_summaries)]
pub struct AnnualSummary {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub year: i32,
    /// Registered activities with the mentor that year (dates in Norway).
    pub activities: i32,
    /// Their minutes added up.
    pub minutes: i32,
    /// Different people (contacts) among them.
    pub contacts: i32,
    /// Events of the organization attended (marked present) that year.
    pub events: i32,
    /// Courses of the organization completed (attended) that started that year.
    pub courses: i32,
    /// Badges awarded that year.
    pub badges: i32,
    /// The month (1–12) with the most activities, the earliest of a tie; none without any.
    pub busiest_month: Option<i32>,
    pub busiest_month_activities: i32,
    pub previous_activities: i32,
    pub previous_minutes: i32,
    pub previous_contacts: i32,
    pub computed_at: NaiveDateTime,
}

impl AnnualSummary {
    /// Anything to show (a mentor registered late in a year may have a row of zeros).
    pub fn has_figures(&self) -> bool {
        self.activities + self.events + self.courses + self.badges > 0
    }

    /// The figures as they compare, for tests and the job's idempotence: everything but the id
    /// and the time of computing.
    pub fn figures(&self) -> [i32; 12] {
        [
            self.year,
            self.activities,
            self.minutes,
            self.contacts,
            self.events,
            self.courses,
            self.badges,
            self.busiest_month.unwrap_or(0),
            self.busiest_month_activities,
            self.previous_activities,
            self.previous_minutes,
            self.previous_contacts,
        ]
    }
}
