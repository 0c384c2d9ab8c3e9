//! The one writer for spreadsheet exports (CSV today; an XLSX writer would take the same
//! `Cell`s through `neutralize`). The format Norwegian spreadsheets open directly: UTF-8 with a
//! BOM, semicolons, every cell in double quotes.
//!
//! Formula injection (OWASP, "CSV Injection"): a text cell that starts with `=`, `+`, `-`, `@`,
//! TAB or CR would be run by a spreadsheet, so it gets a leading `'`, which spreadsheets read as
//! "text". Every cell is quoted, so a spreadsheet that splits on commas instead of semicolons
//! cannot start a new cell in the middle of one (`Oslo,=1+1`). Only text is neutralized: numbers
//! and dates that we hold as numbers and dates are written as they are (`Cell::Int`,
//! `Cell::Date`), so a negative number stays a number; a number typed as text by a user is text.

use std::borrow::Cow;

use actix_web::web::Bytes;

/// One cell of a row.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// Text from users, the database or the label catalogue: neutralized.
    Text(&'a str),
    /// A number we hold as a number: written as it is.
    Int(i64),
    /// A date, written as `YYYY-MM-DD`.
    Date(chrono::NaiveDate),
    Empty,
}

impl From<Option<i32>> for Cell<'_> {
    fn from(n: Option<i32>) -> Self {
        n.map_or(Cell::Empty, |n| Cell::Int(n.into()))
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(s)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(s: &'a String) -> Self {
        Cell::Text(s)
    }
}

/// `text` as a spreadsheet will show it and never run it.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

impl Cell<'_> {
    fn render(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => neutralize(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

/// A piece of a CSV file: the first piece starts with the BOM and the header row, the next ones
/// (a streamed export written a page at a time) hold rows only.
pub struct CsvSheet {
    w: csv::Writer<Vec<u8>>,
}

impl CsvSheet {
    fn writer(buf: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(b';')
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(buf)
    }

    /// The start of a file: the BOM and the header row.
    pub fn start(headers: &[&str]) -> CsvSheet {
        let mut sheet = CsvSheet {
            w: CsvSheet::writer("\u{feff}".as_bytes().to_vec()),
        };
        let cells: Vec<Cell> = headers.iter().map(|h| Cell::Text(h)).collect();
        sheet.row(&cells);
        sheet
    }

    /// A later piece of the same file.
    pub fn more(capacity: usize) -> CsvSheet {
        CsvSheet {
            w: CsvSheet::writer(Vec::with_capacity(capacity)),
        }
    }

    pub fn row(&mut self, cells: &[Cell]) {
        // Writing into memory fails only when out of memory.
        if let Err(e) = self
            .w
            .write_record(cells.iter().map(|c| c.render().into_owned()))
        {
            log::error!("export row not written: {e}");
        }
    }

    pub fn into_bytes(self) -> Bytes {
        match self.w.into_inner() {
            Ok(buf) => Bytes::from(buf),
            Err(e) => {
                log::error!("export piece not written: {e}");
                Bytes::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        let mut s = CsvSheet::start(&["Navn", "=Antall"]);
        s.row(&[
            Cell::Text("=HYPERLINK(\"https://evil.example\")"),
            Cell::Int(-3),
        ]);
        s.row(&[Cell::Text("+47 912 34 567"), Cell::Text("Oslo,=1+1")]);
        s.row(&[Cell::Text("@SUM(A1)"), Cell::Text("\tx")]);
        s.row(&[Cell::Text("-"), Cell::Empty]);
        s.row(&[
            Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
            Cell::from(Some(45)),
        ]);
        let mut more = CsvSheet::more(0);
        more.row(&[Cell::Text("\rcr"), Cell::Text("Åse")]);
        let text = String::from_utf8([s.into_bytes(), more.into_bytes()].concat()).unwrap();
        assert_eq!(
            text,
            "\u{feff}\"Navn\";\"'=Antall\"\n\
             \"'=HYPERLINK(\"\"https://evil.example\"\")\";\"-3\"\n\
             \"'+47 912 34 567\";\"Oslo,=1+1\"\n\
             \"'@SUM(A1)\";\"'\tx\"\n\
             \"'-\";\"\"\n\
             \"2025-03-01\";\"45\"\n\
             \"'\rcr\";\"Åse\"\n"
        );
    }
}
