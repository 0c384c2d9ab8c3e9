//! Page numbers for lists: `?page=N`, a fixed page size, and the links a template needs.

use crate::labels::Labels;

/// The line above a list: "Viser 1–20 av 35 likepersoner" (`what` names the rows, or is
/// empty), and in words when there is nothing to show, never "0–0 av 0".
pub fn summary(labels: &Labels, total: i64, first: i64, last: i64, what: &str) -> String {
    if total <= 0 {
        return labels.get("text.no_results").to_string();
    }
    let what = if what.is_empty() {
        ""
    } else {
        labels.get(what)
    };
    format!(
        "{} {first}–{last} {} {total} {what}",
        labels.get("text.showing"),
        labels.get("text.of")
    )
    .trim_end()
    .to_string()
}

#[derive(Clone, Debug)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    pub fn new(page: Option<i64>, per_page: i64) -> Paging {
        Paging {
            page: page.unwrap_or(1).clamp(1, 100_000),
            per_page,
        }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
    /// This page's rows, with the total they are a page of.
    pub fn page_of<T>(&self, rows: Vec<T>, total: i64) -> PageOf<T> {
        PageOf {
            rows,
            total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// One page of rows with what the pagination nav needs.
#[derive(Clone, Debug)]
pub struct PageOf<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> PageOf<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    pub fn prev(&self) -> i64 {
        self.page - 1
    }
    pub fn next(&self) -> i64 {
        self.page + 1
    }
    pub fn first_index(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            (self.page - 1) * self.per_page + 1
        }
    }
    pub fn last_index(&self) -> i64 {
        ((self.page - 1) * self.per_page + self.rows.len() as i64).max(0)
    }
    /// See `summary`.
    pub fn summary(&self, labels: &Labels, what: &str) -> String {
        summary(
            labels,
            self.total,
            self.first_index(),
            self.last_index(),
            what,
        )
    }
}
