//! The team report as CSV and XLSX, both through the one export writer (`web::export`) from
//! the same rows: one table, a section per block (by mentor, by type, by month, the total,
//! claims, expense lines), amounts in kroner with two decimals from integer øre.

use super::model::{ActivityLine, MoneyLine, TeamReport};
use crate::labels::Labels;
use crate::web::export::{Cell, CsvSheet, XlsxSheet};

const HEADERS: [&str; 7] = [
    "report.team_col_section",
    "report.team_col_name",
    "report.col_activities",
    "report.col_minutes",
    "report.team_col_contacts",
    "report.team_col_count",
    "report.team_col_amount",
];

/// One exported row: section, name, then activities, minutes, contacts (activity rows) or
/// count and øre (money rows).
pub struct Row {
    pub section: String,
    pub name: String,
    pub activity: Option<(i64, i64, i64)>,
    pub money: Option<(i64, i64)>,
}

impl Row {
    fn cells(&self) -> Vec<Cell<'_>> {
        let mut c = vec![Cell::Text(&self.section), Cell::Text(&self.name)];
        match self.activity {
            Some((a, m, k)) => c.extend([Cell::Int(a), Cell::Int(m), Cell::Int(k)]),
            None => c.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
        }
        match self.money {
            Some((n, ore)) => c.extend([Cell::Int(n), Cell::Money(ore)]),
            None => c.extend([Cell::Empty, Cell::Empty]),
        }
        c
    }
}

fn activity(section: &str, name: &str, l: &ActivityLine) -> Row {
    Row {
        section: section.into(),
        name: name.into(),
        activity: Some((l.activities, l.minutes, l.contacts)),
        money: None,
    }
}

fn money(section: &str, l: &Labels, m: &MoneyLine) -> Row {
    Row {
        section: section.into(),
        name: l.get(&m.status_key()).into(),
        activity: None,
        money: Some((m.count, m.ore)),
    }
}

pub fn headers(l: &Labels) -> Vec<String> {
    HEADERS.iter().map(|k| l.get(k).to_string()).collect()
}

pub fn rows(r: &TeamReport, l: &Labels) -> Vec<Row> {
    let mut out = Vec::new();
    let s = l.get("report.team_by_mentor");
    out.extend(r.by_mentor.iter().map(|x| activity(s, &x.name, x)));
    let s = l.get("report.team_by_type");
    out.extend(r.by_type.iter().map(|x| activity(s, &x.name, x)));
    let s = l.get("report.team_by_month");
    out.extend(r.by_month.iter().map(|x| activity(s, &x.key, x)));
    out.push(activity(
        l.get("report.total"),
        l.get("report.col_activities"),
        &r.total,
    ));
    let s = l.get("report.team_claims");
    out.extend(r.claims.iter().map(|m| money(s, l, m)));
    let t = r.claims_total();
    out.push(Row {
        section: s.into(),
        name: l.get("report.total").into(),
        activity: None,
        money: Some((t.count, t.ore)),
    });
    let s = l.get("report.team_expenses");
    out.extend(r.expenses.iter().map(|m| money(s, l, m)));
    let t = r.expenses_total();
    out.push(Row {
        section: s.into(),
        name: l.get("report.total").into(),
        activity: None,
        money: Some((t.count, t.ore)),
    });
    out
}

pub fn csv(r: &TeamReport, l: &Labels) -> actix_web::web::Bytes {
    let headers = headers(l);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut sheet = CsvSheet::start(&refs);
    for row in rows(r, l) {
        sheet.row(&row.cells());
    }
    sheet.into_bytes()
}

pub fn xlsx(r: &TeamReport, l: &Labels) -> anyhow::Result<Vec<u8>> {
    let headers = headers(l);
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut sheet = XlsxSheet::start(&refs);
    for row in rows(r, l) {
        sheet.row(&row.cells());
    }
    sheet.into_bytes()
}
