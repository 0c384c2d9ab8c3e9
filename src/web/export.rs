//! The one writer for spreadsheet exports: CSV (`CsvSheet`) and XLSX (`XlsxSheet`, through
//! rust_xlsxwriter), both taking the same `Cell`s, text through `neutralize`. The format Norwegian spreadsheets open directly: UTF-8 with a
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
    /// An amount in øre, written in kroner with two decimals ("1234,50" in CSV, the Norwegian
    /// decimal comma beside the semicolons; a number formatted `0.00` in XLSX).
    Money(i64),
    /// Tenths (a distance in tenths of a km), written with one decimal.
    Tenths(i64),
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
            Cell::Money(o) => Cow::Owned(format!(
                "{}{},{:02}",
                if *o < 0 { "-" } else { "" },
                o.unsigned_abs() / 100,
                o.unsigned_abs() % 100
            )),
            Cell::Tenths(t) => Cow::Owned(format!(
                "{}{},{}",
                if *t < 0 { "-" } else { "" },
                t.unsigned_abs() / 10,
                t.unsigned_abs() % 10
            )),
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

/// An XLSX workbook of one sheet, written in memory: the header row in bold, then rows of the
/// same `Cell`s as `CsvSheet`. Text goes through `neutralize` and is written as a string
/// (never a formula); numbers, amounts and dates are written as numbers and dates.
pub struct XlsxSheet {
    book: rust_xlsxwriter::Workbook,
    row: u32,
    bold: rust_xlsxwriter::Format,
    money: rust_xlsxwriter::Format,
    tenths: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
}

impl XlsxSheet {
    pub fn start(headers: &[&str]) -> XlsxSheet {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        book.add_worksheet();
        let mut sheet = XlsxSheet {
            book,
            row: 0,
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format("0.00"),
            tenths: Format::new().set_num_format("0.0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        };
        let cells: Vec<Cell> = headers.iter().map(|h| Cell::Text(h)).collect();
        sheet.write(&cells, true);
        sheet
    }

    pub fn row(&mut self, cells: &[Cell]) {
        self.write(cells, false);
    }

    fn write(&mut self, cells: &[Cell], header: bool) {
        use chrono::Datelike;
        let row = self.row;
        self.row += 1;
        let Ok(ws) = self.book.worksheet_from_index(0) else {
            return;
        };
        for (col, cell) in cells.iter().enumerate() {
            let col = col as u16;
            let written = match cell {
                Cell::Text(s) if header => ws
                    .write_string_with_format(row, col, neutralize(s).as_ref(), &self.bold)
                    .map(|_| ()),
                Cell::Text(s) => ws
                    .write_string(row, col, neutralize(s).as_ref())
                    .map(|_| ()),
                Cell::Int(n) => ws.write_number(row, col, *n as f64).map(|_| ()),
                Cell::Money(o) => ws
                    .write_number_with_format(row, col, *o as f64 / 100.0, &self.money)
                    .map(|_| ()),
                Cell::Tenths(t) => ws
                    .write_number_with_format(row, col, *t as f64 / 10.0, &self.tenths)
                    .map(|_| ()),
                Cell::Date(d) => rust_xlsxwriter::ExcelDateTime::from_ymd(
                    d.year() as u16,
                    d.month() as u8,
                    d.day() as u8,
                )
                .and_then(|x| {
                    ws.write_date_with_format(row, col, &x, &self.date)
                        .map(|_| ())
                }),
                Cell::Empty => Ok(()),
            };
            if let Err(e) = written {
                log::error!("xlsx cell not written: {e}");
            }
        }
    }

    pub fn into_bytes(mut self) -> anyhow::Result<Vec<u8>> {
        Ok(self.book.save_to_buffer()?)
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

    #[test]
    fn amounts_and_tenths_are_numbers_with_decimals() {
        let mut s = CsvSheet::more(0);
        s.row(&[Cell::Money(123_450), Cell::Money(-5), Cell::Tenths(125)]);
        let text = String::from_utf8(s.into_bytes().to_vec()).unwrap();
        assert_eq!(text, "\"1234,50\";\"-0,05\";\"12,5\"\n");
    }

    #[test]
    fn an_xlsx_sheet_is_a_zip_with_text_never_a_formula() {
        let mut x = XlsxSheet::start(&["Navn", "Beløp"]);
        x.row(&[Cell::Text("=1+1"), Cell::Money(12_345)]);
        x.row(&[
            Cell::Date(chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            Cell::Tenths(3),
        ]);
        let bytes = x.into_bytes().unwrap();
        assert!(bytes.starts_with(b"PK"), "a zip file");
    }
}
