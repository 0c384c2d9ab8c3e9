//! Page numbers for lists: `?page=N`, a fixed page size, and the links a template needs.

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
}
