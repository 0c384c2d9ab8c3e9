//! Reports: the Bufdir grant report (`bufdir`: figures by SQL aggregates, versions with frozen
//! snapshots, drill-down, exports), the team report of some associations and a period (`team`),
//! charts drawn as accessible SVG on the server (`charts`), and the mentors' annual summary
//! (`wrapped`).

pub mod bufdir;
pub mod charts;
mod labels;
pub mod model;
pub mod routes;
pub mod runs;
pub mod team;
pub mod wrapped;

pub use labels::LABELS;

/// Minutes as hours with one decimal and a decimal comma ("12,5").
pub fn hours(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    format!("{},{}", tenths / 10, tenths % 10)
}
