//! Charts drawn on the server as SVG, without chart JavaScript: bars with a `<title>` and a
//! `<desc>` naming every value (read by screen readers through `role="img"`), and the same
//! figures as a table beside it (`templates/reports/chart.html`).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{Counts, DbConn};
use crate::schema::activities as act;

pub struct Bar {
    pub label: String,
    pub value: i64,
}

pub struct Chart {
    /// Unique on the page (the SVG's title and description are referenced by id).
    pub id: String,
    pub title: String,
    pub label_header: String,
    pub value_header: String,
    pub bars: Vec<Bar>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Chart {
    /// The chart as an inline SVG element (text escaped here).
    pub fn svg(&self) -> String {
        let (w, h, top, bottom, left) = (600.0_f64, 240.0_f64, 16.0, 40.0, 36.0);
        let n = self.bars.len().max(1) as f64;
        let max = self.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
        let plot_h = h - top - bottom;
        let slot = (w - left) / n;
        let bar_w = (slot * 0.7).max(2.0);
        let desc: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{}: {}", b.label, b.value))
            .collect();
        let mut out = format!(
            r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
            id = esc(&self.id),
            title = esc(&self.title),
            desc = esc(&desc.join("; ")),
        );
        out.push_str(&format!(
            r#"<line x1="{left}" y1="{y}" x2="{w}" y2="{y}" class="chart-axis"/>"#,
            y = h - bottom
        ));
        out.push_str(&format!(
            r#"<text x="{x}" y="{y}" class="chart-tick" text-anchor="end">{max}</text>"#,
            x = left - 4.0,
            y = top + 4.0,
            max = max as i64
        ));
        for (i, b) in self.bars.iter().enumerate() {
            let bh = (b.value as f64 / max) * plot_h;
            let x = left + i as f64 * slot + (slot - bar_w) / 2.0;
            let y = h - bottom - bh;
            out.push_str(&format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{bh:.1}" class="chart-bar"/>"#
            ));
            if b.value > 0 {
                out.push_str(&format!(
                    r#"<text x="{cx:.1}" y="{ty:.1}" class="chart-value" text-anchor="middle">{v}</text>"#,
                    cx = x + bar_w / 2.0,
                    ty = y - 3.0,
                    v = b.value
                ));
            }
            out.push_str(&format!(
                r#"<text x="{cx:.1}" y="{ly:.1}" class="chart-label" text-anchor="middle">{l}</text>"#,
                cx = x + bar_w / 2.0,
                ly = h - bottom + 16.0,
                l = esc(&b.label)
            ));
        }
        out.push_str("</svg>");
        out
    }
}

/// The first and last day of each month of `year`.
pub fn months(year: i32) -> Vec<(NaiveDate, NaiveDate)> {
    (1..=12)
        .filter_map(|m| {
            let from = NaiveDate::from_ymd_opt(year, m, 1)?;
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1)?
            };
            Some((from, next.pred_opt()?))
        })
        .collect()
}

/// Registered activities of the organization (or the associations) per month of `year`:
/// twelve counts of index ranges in one statement.
pub fn per_month(
    conn: &mut DbConn,
    org: &str,
    associations: Option<&[String]>,
    year: i32,
) -> QueryResult<Vec<i64>> {
    let mut counts = Counts::default();
    let mut idx = Vec::new();
    for (from, to) in months(year) {
        let mut q = act::table
            .filter(act::organization_id.eq(org.to_string()))
            .filter(act::status.eq("registered"))
            .filter(act::occurred_on.ge(from))
            .filter(act::occurred_on.le(to))
            .into_boxed();
        if let Some(ids) = associations {
            q = q.filter(act::local_association_id.eq_any(ids.to_vec()));
        }
        idx.push(counts.push(q.count()));
    }
    let got = counts.run(conn)?;
    Ok(idx.into_iter().map(|i| got.get(i)).collect())
}

/// Short month names for the chart's labels.
pub fn month_label(m: usize, en: bool) -> &'static str {
    const NB: [&str; 12] = [
        "jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if en {
        EN.get(m).copied().unwrap_or("")
    } else {
        NB.get(m).copied().unwrap_or("")
    }
}
