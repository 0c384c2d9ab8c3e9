//! The Bufdir report's exports, CSV and XLSX through the one export writer (`web::export`) and
//! PDF through `web::pdf`, all three from the same `Figures` (a draft's computed now, a final or
//! submitted version's snapshot).

use super::compute::{Block, Figures, Line};
use crate::activities::model::CATEGORIES;
use crate::labels::Labels;
use crate::web::export::{Cell, CsvSheet, XlsxSheet};

/// One exported value.
pub enum V {
    T(String),
    N(i64),
}

impl V {
    fn cell(&self) -> Cell<'_> {
        match self {
            V::T(s) => Cell::Text(s),
            V::N(n) => Cell::Int(*n),
        }
    }
    fn text(&self) -> String {
        match self {
            V::T(s) => s.clone(),
            V::N(n) => n.to_string(),
        }
    }
}

const HEADERS: [&str; 9] = [
    "term.local_association",
    "report.col_category",
    "report.col_activities",
    "report.col_participants",
    "report.col_people",
    "report.col_mentors",
    "report.col_minutes",
    "report.col_events",
    "report.col_event_participants",
];

pub fn headers(l: &Labels) -> Vec<String> {
    HEADERS.iter().map(|k| l.get(k).to_string()).collect()
}

fn line(name: &str, category: &str, x: &Line, events: Option<(i64, i64)>) -> Vec<V> {
    let (e, p) = events.map_or((V::T(String::new()), V::T(String::new())), |(e, p)| {
        (V::N(e), V::N(p))
    });
    vec![
        V::T(name.to_string()),
        V::T(category.to_string()),
        V::N(x.activities),
        V::N(x.participants),
        V::N(x.people),
        V::N(x.mentors),
        V::N(x.minutes),
        e,
        p,
    ]
}

fn block(out: &mut Vec<Vec<V>>, l: &Labels, name: &str, b: &Block) {
    for (i, c) in CATEGORIES.iter().enumerate() {
        if let Some(x) = b.categories.get(i) {
            out.push(line(
                name,
                l.get(&format!("activity.category_{c}")),
                x,
                None,
            ));
        }
    }
    out.push(line(
        name,
        l.get("report.category_all"),
        &b.all,
        Some((b.events, b.event_participants)),
    ));
}

/// Every association's lines, then the total's (a mentor in two associations once).
pub fn rows(f: &Figures, l: &Labels) -> Vec<Vec<V>> {
    let mut out = Vec::new();
    for a in &f.associations {
        block(&mut out, l, &a.name, &a.figures);
    }
    block(&mut out, l, l.get("report.total"), &f.total);
    out
}

pub fn csv(f: &Figures, l: &Labels) -> actix_web::web::Bytes {
    let headers = headers(l);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut sheet = CsvSheet::start(&refs);
    for r in rows(f, l) {
        let cells: Vec<Cell> = r.iter().map(V::cell).collect();
        sheet.row(&cells);
    }
    sheet.into_bytes()
}

pub fn xlsx(f: &Figures, l: &Labels) -> anyhow::Result<Vec<u8>> {
    let headers = headers(l);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut sheet = XlsxSheet::start(&refs);
    for r in rows(f, l) {
        let cells: Vec<Cell> = r.iter().map(V::cell).collect();
        sheet.row(&cells);
    }
    sheet.into_bytes()
}

/// The printable report: organization, period, status, totals, the table per association,
/// the roster and what did not count.
pub fn pdf(f: &Figures, l: &Labels, status: &str, version: i32) -> anyhow::Result<Vec<u8>> {
    let title = format!("{} {}", l.get("report.bufdir_title"), f.year);
    let mut doc = crate::web::pdf::Pdf::new(title)
        .language(if l.lang.code() == "en" { "en" } else { "nb" })
        .paragraph(format!(
            "{}: {}. {}: {} – {}. {}: {} ({} {}).",
            l.get("report.organization"),
            f.organization,
            l.get("report.period"),
            f.from.format("%d.%m.%Y"),
            f.to.format("%d.%m.%Y"),
            l.get("report.status"),
            l.get(&format!("report.status_{status}")),
            l.get("report.version"),
            version,
        ))
        .heading(l.get("report.total"));
    let t = &f.total;
    let mut totals = Vec::new();
    for (i, c) in CATEGORIES.iter().enumerate() {
        if let Some(x) = t.categories.get(i) {
            totals.push(vec![
                l.get(&format!("activity.category_{c}")).to_string(),
                x.activities.to_string(),
                x.participants.to_string(),
                x.people.to_string(),
                x.mentors.to_string(),
                x.hours(),
            ]);
        }
    }
    totals.push(vec![
        l.get("report.category_all").to_string(),
        t.all.activities.to_string(),
        t.all.participants.to_string(),
        t.all.people.to_string(),
        t.all.mentors.to_string(),
        t.all.hours(),
    ]);
    doc = doc
        .table(
            [
                "report.col_category",
                "report.col_activities",
                "report.col_participants",
                "report.col_people",
                "report.col_mentors",
                "report.col_hours",
            ]
            .iter()
            .map(|k| l.get(k).to_string())
            .collect(),
            totals,
        )
        .paragraph(format!(
            "{}: {}. {}: {}.",
            l.get("report.col_events"),
            t.events,
            l.get("report.col_event_participants"),
            t.event_participants
        ))
        .heading(l.get("report.per_association"));
    let table: Vec<Vec<String>> = rows(f, l)
        .iter()
        .map(|r| r.iter().map(V::text).collect())
        .collect();
    doc = doc.table(headers(l), table).heading(l.get("report.roster"));
    let roster = f
        .roster
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.associations.join(", "),
                r.activities.to_string(),
            ]
        })
        .collect();
    doc = doc
        .table(
            vec![
                l.get("term.peer_mentor").to_string(),
                l.get("term.local_association").to_string(),
                l.get("report.col_activities").to_string(),
            ],
            roster,
        )
        .heading(l.get("report.not_counted"));
    let not_counted = f
        .not_counted
        .iter()
        .map(|n| vec![l.get(&n.reason).to_string(), n.activities.to_string()])
        .collect();
    doc = doc.table(
        vec![
            l.get("report.col_reason").to_string(),
            l.get("report.col_activities").to_string(),
        ],
        not_counted,
    );
    Ok(doc.render()?)
}
