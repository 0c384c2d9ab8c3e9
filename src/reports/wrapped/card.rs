//! The shareable picture of a mentor's year: an SVG drawn on the server (1080 × 1350, the
//! portrait size social media take), with a `<title>` and a `<desc>` that say every figure, so
//! the same file reads out loud. Only the mentor's own figures and badge names; no contact.
//! PNG would need a rasterizer (resvg) that is not among the crates, so the card is SVG only.

use super::model::AnnualSummary;
use super::service::Shown;
use crate::labels::Labels;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Hours with one decimal and the language's decimal mark.
pub fn hours(minutes: i32, labels: &Labels) -> String {
    let h = crate::reports::hours(i64::from(minutes));
    if labels.lang.code() == "en" {
        h.replace(',', ".")
    } else {
        h
    }
}

pub fn month_name(labels: &Labels, month: i32) -> &str {
    match month {
        1 => labels.get("wrapped.month_1"),
        2 => labels.get("wrapped.month_2"),
        3 => labels.get("wrapped.month_3"),
        4 => labels.get("wrapped.month_4"),
        5 => labels.get("wrapped.month_5"),
        6 => labels.get("wrapped.month_6"),
        7 => labels.get("wrapped.month_7"),
        8 => labels.get("wrapped.month_8"),
        9 => labels.get("wrapped.month_9"),
        10 => labels.get("wrapped.month_10"),
        11 => labels.get("wrapped.month_11"),
        _ => labels.get("wrapped.month_12"),
    }
}

/// A change from the year before as words: "+3 more than the year before".
pub fn change(now: i32, before: i32, labels: &Labels) -> String {
    let d = now - before;
    match d {
        0 => labels.get("wrapped.same").to_string(),
        d if d > 0 => format!("+{d} {}", labels.get("wrapped.more")),
        d => format!("{} {}", d.abs(), labels.get("wrapped.fewer")),
    }
}

/// The figures of the card: (big number, what it counts), in the order drawn.
pub fn tiles(s: &AnnualSummary, labels: &Labels) -> Vec<(String, String)> {
    let mut out = vec![
        (
            hours(s.minutes, labels),
            labels.get("wrapped.hours").to_string(),
        ),
        (
            s.activities.to_string(),
            labels.get("wrapped.activities").to_string(),
        ),
        (
            s.contacts.to_string(),
            labels.get("wrapped.contacts").to_string(),
        ),
    ];
    if s.events > 0 {
        out.push((
            s.events.to_string(),
            labels.get("wrapped.events").to_string(),
        ));
    }
    if s.courses > 0 {
        out.push((
            s.courses.to_string(),
            labels.get("wrapped.courses").to_string(),
        ));
    }
    out
}

/// The card as an SVG document.
pub fn svg(shown: &Shown, labels: &Labels, org_name: &str) -> String {
    let (w, h) = (1080, 1350);
    let title = format!("{} {}", labels.get("wrapped.card_title"), shown.year);
    let empty = AnnualSummary::default();
    let s = shown.summary.as_ref().unwrap_or(&empty);
    let tiles = tiles(s, labels);
    let mut desc: Vec<String> = tiles
        .iter()
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    let busiest = s.busiest_month.map(|m| {
        format!(
            "{}: {} ({} {})",
            labels.get("wrapped.busiest"),
            month_name(labels, m),
            s.busiest_month_activities,
            labels.get("wrapped.busiest_count")
        )
    });
    if let Some(b) = &busiest {
        desc.push(b.clone());
    }
    let badges: Vec<&str> = shown.badges.iter().map(|e| e.badge.name.as_str()).collect();
    if !badges.is_empty() {
        desc.push(format!(
            "{}: {}",
            labels.get("wrapped.badges"),
            badges.join(", ")
        ));
    }
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="card-t card-d" lang="{lang}"><title id="card-t">{t}</title><desc id="card-d">{d}</desc><defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1e2a78"/><stop offset="1" stop-color="#5b1a72"/></linearGradient></defs><rect width="{w}" height="{h}" fill="url(#bg)"/><g font-family="'Inter', 'Segoe UI', Roboto, Arial, sans-serif" fill="#ffffff">"##,
        lang = labels.lang.code(),
        t = esc(&title),
        d = esc(&desc.join(". ")),
    );
    out.push_str(&format!(
        r##"<text x="80" y="150" font-size="44" font-weight="600" fill="#ffd66b">{}</text><text x="80" y="250" font-size="88" font-weight="800">{}</text>"##,
        esc(labels.get("wrapped.card_title")),
        shown.year
    ));
    // Two tiles a row.
    let mut y = 330;
    for (i, (n, what)) in tiles.iter().enumerate() {
        let x = if i % 2 == 0 { 80 } else { 560 };
        out.push_str(&format!(
            r##"<rect x="{x}" y="{y}" width="440" height="210" rx="28" fill="#ffffff" fill-opacity="0.12"/><text x="{tx}" y="{ny}" font-size="96" font-weight="800">{n}</text><text x="{tx}" y="{wy}" font-size="32">{what}</text>"##,
            tx = x + 36,
            ny = y + 120,
            wy = y + 172,
            n = esc(n),
            what = esc(what),
        ));
        if i % 2 == 1 {
            y += 240;
        }
    }
    if tiles.len() % 2 == 1 {
        y += 240;
    }
    if let Some(m) = s.busiest_month {
        out.push_str(&format!(
            r##"<text x="80" y="{y1}" font-size="36" fill="#ffd66b">{label}</text><text x="80" y="{y2}" font-size="64" font-weight="800">{month}</text>"##,
            y1 = y + 50,
            y2 = y + 125,
            label = esc(labels.get("wrapped.busiest")),
            month = esc(month_name(labels, m)),
        ));
        y += 170;
    }
    if !badges.is_empty() {
        out.push_str(&format!(
            r##"<text x="80" y="{y1}" font-size="36" fill="#ffd66b">{label}</text>"##,
            y1 = y + 50,
            label = esc(labels.get("wrapped.badges")),
        ));
        let mut line = String::new();
        let mut ly = y + 110;
        for name in &badges {
            let next = if line.is_empty() {
                name.to_string()
            } else {
                format!("{line} · {name}")
            };
            if next.chars().count() > 34 && !line.is_empty() {
                if ly > h - 120 {
                    break;
                }
                out.push_str(&format!(
                    r##"<text x="80" y="{ly}" font-size="44" font-weight="700">{}</text>"##,
                    esc(&line)
                ));
                ly += 60;
                line = name.to_string();
            } else {
                line = next;
            }
        }
        if !line.is_empty() && ly <= h - 120 {
            out.push_str(&format!(
                r##"<text x="80" y="{ly}" font-size="44" font-weight="700">{}</text>"##,
                esc(&line)
            ));
        }
    }
    out.push_str(&format!(
        r##"<text x="80" y="{fy}" font-size="32" fill-opacity="0.85">{org}</text></g></svg>"##,
        fy = h - 60,
        org = esc(org_name),
    ));
    out
}
