//! Attendance per day, one mechanism for courses (`enrollment::attendance`) and group programs
//! (`programs::attendance`): a day's register lists its people, each marked present or absent
//! or everyone at once (exceptions already marked stay), never before the day starts, every
//! marking audit-logged. The pages are one htmx list (`templates/learning/day.html`).

pub mod routes;
pub mod service;

pub use service::{AttendanceRow, Marked, Register};
