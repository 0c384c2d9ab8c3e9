//! Charts drawn on the server as SVG, without chart JavaScript: bars with a `<title>` and a
//! `<desc>` naming every value (read by screen readers through `role="img"`), and the same
//! figures as a table beside it (`templates/reports/chart.html`).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::activities::model::CATEGORIES;
use crate::db::{Counts, DbConn};
use crate::schema::{activities as act, activity_types as at};

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

/// The drawing's width in SVG units; the CSS scales it to the column (at most 36rem), so a
/// label of `FONT` units reads at about 10–11 px on a 390 px phone and 17 px on a desktop.
const W: f64 = 400.0;
const FONT: f64 = 12.0;
/// Room for the value axis' number at the left of column charts.
const LEFT: f64 = 30.0;

/// The width a text takes at `FONT` (an average letter is a little over half the font size);
/// an estimate that errs on the wide side, so labels that might touch are laid out apart.
fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * FONT * 0.6
}

/// `s` broken at spaces into lines of at most `width`; a word longer than that is a line of
/// its own.
fn wrap(s: &str, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        match lines.last_mut() {
            Some(l) if text_w(&format!("{l} {word}")) <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// How the labels of a column chart are set so that none overlaps another.
#[derive(Debug, PartialEq)]
enum Ticks {
    /// Each label in one row under its column.
    Flat,
    /// Turned 45°, every `step`-th one (the table has them all).
    Turned { step: usize },
}

impl Chart {
    /// The chart as an inline SVG element (text escaped here). Short labels (months) go under
    /// columns; labels too long for their column turn (many bars) or the chart is drawn as
    /// rows, each bar under its label (a few bars, e.g. the Bufdir categories), so no label
    /// ever overlaps another, at any width.
    pub fn svg(&self) -> String {
        let n = self.bars.len().max(1);
        let slot = (W - LEFT) / n as f64;
        let longest = self
            .bars
            .iter()
            .map(|b| text_w(&b.label))
            .fold(0.0, f64::max);
        if longest <= slot * 0.9 {
            self.columns(Ticks::Flat)
        } else if n <= 8 {
            self.rows()
        } else {
            // Turned labels need a line's height each along the axis.
            let step = ((FONT * 1.3) / slot).ceil().max(1.0) as usize;
            self.columns(Ticks::Turned { step })
        }
    }

    /// The opening tag, title and description; `pad` units of room left of x = 0.
    fn open(&self, h: f64, pad: f64) -> String {
        let desc: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{}: {}", b.label, b.value))
            .collect();
        format!(
            r#"<svg class="chart" viewBox="{x:.0} 0 {w:.0} {h:.0}" font-size="{FONT}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
            x = -pad,
            w = W + pad,
            id = esc(&self.id),
            title = esc(&self.title),
            desc = esc(&desc.join("; ")),
        )
    }

    fn max(&self) -> f64 {
        self.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64
    }

    /// Vertical bars, labels under the axis.
    fn columns(&self, labels: Ticks) -> String {
        let (top, plot_h) = (16.0, 160.0);
        let n = self.bars.len().max(1) as f64;
        let slot = (W - LEFT) / n;
        let bar_w = (slot * 0.7).max(2.0);
        let longest = self
            .bars
            .iter()
            .map(|b| text_w(&b.label))
            .fold(0.0, f64::max);
        let bottom = match labels {
            Ticks::Flat => FONT * 2.0,
            // The turned text's height, sin 45° of its length, and a line.
            Ticks::Turned { .. } => longest * 0.71 + FONT * 2.0,
        };
        let axis_y = top + plot_h;
        let h = axis_y + bottom;
        let max = self.max();
        // A turned label reaches left of its column by its width × cos 45°.
        let pad = match labels {
            Ticks::Flat => 0.0,
            Ticks::Turned { .. } => (longest * 0.71 - LEFT - slot / 2.0).max(0.0),
        };
        let mut out = self.open(h, pad);
        out.push_str(&format!(
            r#"<line x1="{LEFT}" y1="{axis_y}" x2="{W}" y2="{axis_y}" class="chart-axis"/>"#
        ));
        out.push_str(&format!(
            r#"<text x="{x}" y="{y}" class="chart-tick" text-anchor="end">{max}</text>"#,
            x = LEFT - 4.0,
            y = top + 4.0,
            max = max as i64
        ));
        for (i, b) in self.bars.iter().enumerate() {
            let bh = (b.value as f64 / max) * plot_h;
            let x = LEFT + i as f64 * slot + (slot - bar_w) / 2.0;
            let y = axis_y - bh;
            let cx = x + bar_w / 2.0;
            out.push_str(&format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{bh:.1}" class="chart-bar"/>"#
            ));
            if b.value > 0 && text_w(&b.value.to_string()) <= slot {
                out.push_str(&format!(
                    r#"<text x="{cx:.1}" y="{ty:.1}" class="chart-value" text-anchor="middle">{v}</text>"#,
                    ty = y - 3.0,
                    v = b.value
                ));
            }
            match labels {
                Ticks::Flat => out.push_str(&format!(
                    r#"<text x="{cx:.1}" y="{ly:.1}" class="chart-label" text-anchor="middle">{l}</text>"#,
                    ly = axis_y + FONT + 4.0,
                    l = esc(&b.label)
                )),
                Ticks::Turned { step } if i % step == 0 => {
                    let ly = axis_y + FONT * 0.8;
                    out.push_str(&format!(
                        r#"<text x="{cx:.1}" y="{ly:.1}" class="chart-label" text-anchor="end" transform="rotate(-45 {cx:.1} {ly:.1})">{l}</text>"#,
                        l = esc(&b.label)
                    ));
                }
                Ticks::Turned { .. } => {}
            }
        }
        out.push_str("</svg>");
        out
    }

    /// Horizontal bars, each under its label (wrapped to the width), the value after the bar.
    fn rows(&self) -> String {
        let max = self.max();
        let value_room = text_w(&(max as i64).to_string()) + 8.0;
        let plot_w = W - value_room;
        let bar_h = 14.0;
        let mut y = 4.0;
        let mut body = String::new();
        for b in &self.bars {
            for line in wrap(&b.label, W) {
                y += FONT * 1.2;
                body.push_str(&format!(
                    r#"<text x="0" y="{y:.1}" class="chart-label">{l}</text>"#,
                    l = esc(&line)
                ));
            }
            y += 4.0;
            let bw = (b.value as f64 / max) * plot_w;
            body.push_str(&format!(
                r#"<rect x="0" y="{y:.1}" width="{bw:.1}" height="{bar_h}" class="chart-bar"/>"#
            ));
            body.push_str(&format!(
                r#"<text x="{vx:.1}" y="{vy:.1}" class="chart-value">{v}</text>"#,
                vx = bw + 4.0,
                vy = y + bar_h - 3.0,
                v = b.value
            ));
            y += bar_h + 10.0;
        }
        let mut out = self.open(y, 0.0);
        out.push_str(&body);
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
    let idx = push_per_month(&mut counts, org, associations, year);
    let got = counts.run(conn)?;
    Ok(idx.into_iter().map(|i| got.get(i)).collect())
}

/// The twelve counts of `per_month` as parts of a page's `Counts` (no statement of their own);
/// their indexes in month order.
pub fn push_per_month(
    counts: &mut Counts,
    org: &str,
    associations: Option<&[String]>,
    year: i32,
) -> Vec<usize> {
    months(year)
        .into_iter()
        .map(|(from, to)| {
            let q = act::table
                .filter(act::organization_id.eq(org.to_string()))
                .filter(act::status.eq("registered"))
                .filter(act::occurred_on.ge(from))
                .filter(act::occurred_on.le(to));
            match associations {
                Some(ids) => counts.push(
                    q.filter(act::local_association_id.eq_any(ids.to_vec()))
                        .count(),
                ),
                None => counts.push(q.count()),
            }
        })
        .collect()
}

/// Counting activities of `year` per Bufdir category (in the order of `CATEGORIES`) as parts
/// of a page's `Counts`: each a range of `idx_activities_bufdir_report` over the types of that
/// category (a subselect of the organization's types).
pub fn push_per_category(
    counts: &mut Counts,
    org: &str,
    associations: Option<&[String]>,
    year: i32,
) -> Vec<usize> {
    let (from, to) = crate::reports::bufdir::compute::year_range(year);
    CATEGORIES
        .iter()
        .map(|c| {
            let types = at::table
                .filter(at::organization_id.eq(org.to_string()))
                .filter(at::bufdir_category.eq(c.to_string()))
                .select(at::id);
            let q = act::table
                .filter(act::organization_id.eq(org.to_string()))
                .filter(act::bufdir_counts.eq(true))
                .filter(act::occurred_on.ge(from))
                .filter(act::occurred_on.le(to))
                .filter(act::activity_type_id.eq_any(types));
            match associations {
                Some(ids) => counts.push(
                    q.filter(act::local_association_id.eq_any(ids.to_vec()))
                        .count(),
                ),
                None => counts.push(q.count()),
            }
        })
        .collect()
}

/// Activities per month of a year as a chart (`counts` in month order), month names short.
pub fn months_chart(id: &str, l: &crate::labels::Labels, year: i32, counts: &[i64]) -> Chart {
    let en = l.lang.code() == "en";
    Chart {
        id: id.into(),
        title: format!("{} {year}", l.get("report.chart_per_month")),
        label_header: l.get("report.col_month").into(),
        value_header: l.get("report.col_activities").into(),
        bars: counts
            .iter()
            .enumerate()
            .map(|(m, value)| Bar {
                label: month_label(m, en).into(),
                value: *value,
            })
            .collect(),
    }
}

/// Counting activities by Bufdir category as a chart (`counts` in the order of `CATEGORIES`).
pub fn categories_chart(id: &str, l: &crate::labels::Labels, year: i32, counts: &[i64]) -> Chart {
    Chart {
        id: id.into(),
        title: format!("{} {year}", l.get("report.chart_by_category")),
        label_header: l.get("report.col_category").into(),
        value_header: l.get("report.col_activities").into(),
        bars: CATEGORIES
            .iter()
            .enumerate()
            .map(|(i, c)| Bar {
                label: l.get(&format!("activity.category_{c}")).to_string(),
                value: counts.get(i).copied().unwrap_or(0),
            })
            .collect(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(labels: &[&str]) -> Chart {
        Chart {
            id: "c".into(),
            title: "T".into(),
            label_header: "L".into(),
            value_header: "V".into(),
            bars: labels
                .iter()
                .enumerate()
                .map(|(i, l)| Bar {
                    label: l.to_string(),
                    value: i as i64 * 7,
                })
                .collect(),
        }
    }

    #[test]
    fn short_month_labels_sit_flat_under_their_columns() {
        let months: Vec<&str> = (0..12).map(|m| month_label(m, false)).collect();
        let svg = chart(&months).svg();
        assert!(!svg.contains("rotate("));
        assert_eq!(svg.matches("class=\"chart-label\"").count(), 12);
        assert!(svg.contains("<title id=\"c-t\">T</title>"));
    }

    #[test]
    fn long_labels_of_a_few_bars_become_rows_and_wrap() {
        let svg = chart(&[
            "Oppsøkende samtale",
            "Samtale- og aktivitetsgruppe med et ekstra langt navn som må brytes",
            "Likepersonsopplæring",
        ])
        .svg();
        assert!(!svg.contains("rotate("));
        // Every label line fits the width.
        for line in wrap(
            "Samtale- og aktivitetsgruppe med et ekstra langt navn som må brytes",
            W,
        ) {
            assert!(text_w(&line) <= W, "{line}");
        }
        assert!(
            svg.matches("class=\"chart-label\"").count() > 3,
            "the long one wrapped"
        );
    }

    #[test]
    fn long_labels_of_many_bars_turn_and_thin_out() {
        let labels: Vec<String> = (0..36)
            .map(|m| format!("{} 2026", month_label(m % 12, false)))
            .collect();
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let svg = chart(&refs).svg();
        assert!(svg.contains("rotate(-45"));
        let shown = svg.matches("class=\"chart-label\"").count();
        assert!((12..36).contains(&shown), "{shown}");
        // The desc names every value.
        assert!(svg.contains("des 2026: 245"));
    }
}
