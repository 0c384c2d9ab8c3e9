//! Reading an uploaded sheet into rows of text: CSV (semicolon, comma or TAB, UTF-8 with or
//! without a BOM, or Windows-1252 as older spreadsheets save it) or XLSX (calamine), told apart
//! by content, never by name.
//!
//! An XLSX file is a zip archive, so before calamine opens it every entry is decompressed
//! here through a reader that stops at the limit (`MAX_ENTRY_BYTES`, `MAX_TOTAL_BYTES`): a
//! decompression bomb, or an entry whose header lies about its size, is refused after at most
//! that many bytes. The cells are then read one at a time (calamine's cell reader), never as
//! a dense range, so a sheet with one cell at A1 and one at XFD1048576 costs two cells, and
//! rows beyond `MAX_ROWS` or columns beyond `MAX_COLS` stop the reading.

use std::io::{Cursor, Read};

/// Most data rows a file may hold.
pub const MAX_ROWS: usize = 10_000;
/// Most columns read (the rest are ignored).
pub const MAX_COLS: usize = 30;
/// Most characters kept of a cell.
pub const MAX_CELL: usize = 1_000;
/// Largest decompressed entry of an XLSX file, and all of them together.
pub const MAX_ENTRY_BYTES: u64 = 40 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: u64 = 80 * 1024 * 1024;
/// Most entries in an XLSX archive.
pub const MAX_ENTRIES: usize = 500;

/// A sheet: its header row and its data rows, each padded to the header's width.
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads a CSV or XLSX file. `Err`: the label key of the message for the user.
pub fn read(bytes: &[u8]) -> Result<Table, &'static str> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    if table.headers.iter().all(|h| h.is_empty()) {
        return Err("import.err_empty");
    }
    Ok(table)
}

fn clean_cell(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .take(MAX_CELL)
        .collect();
    let s = s.trim();
    // A cell our own export neutralized ('=…, '+47…) comes back as it was typed.
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => s.to_string(),
    }
}

fn text_of(bytes: &[u8]) -> Result<String, &'static str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err("import.err_type");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        // Windows-1252 (what older Norwegian spreadsheets save): Latin-1 for the letters
        // that matter here (æ ø å Æ Ø Å and the accented ones).
        Err(_) => Ok(bytes.iter().map(|&b| b as char).collect()),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, &'static str> {
    let text = text_of(bytes)?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| "import.err_malformed")?;
        let cells: Vec<String> = record.iter().take(MAX_COLS).map(clean_cell).collect();
        if i == 0 {
            table.headers = cells;
            continue;
        }
        push_row(&mut table, cells)?;
    }
    Ok(table)
}

fn push_row(table: &mut Table, mut cells: Vec<String>) -> Result<(), &'static str> {
    if cells.iter().all(|c| c.is_empty()) {
        // Blank lines are skipped but keep their place (line numbers stay those of the file).
        table.rows.push(Vec::new());
    } else {
        cells.resize(table.headers.len().max(cells.len()), String::new());
        table.rows.push(cells);
    }
    if table.rows.len() > MAX_ROWS {
        return Err("import.err_too_many_rows");
    }
    Ok(())
}

/// Decompresses every entry with a hard stop, so that what calamine reads next is known to be
/// within bounds whatever the headers claim.
fn check_archive(bytes: &[u8]) -> Result<(), &'static str> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "import.err_malformed")?;
    if zip.len() > MAX_ENTRIES {
        return Err("import.err_bomb");
    }
    let mut total = 0u64;
    let mut sink = [0u8; 16 * 1024];
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| "import.err_malformed")?;
        if entry.size() > MAX_ENTRY_BYTES {
            return Err("import.err_bomb");
        }
        let mut limited = entry.take(MAX_ENTRY_BYTES + 1);
        let mut n = 0u64;
        loop {
            match limited.read(&mut sink) {
                Ok(0) => break,
                Ok(k) => n += k as u64,
                Err(_) => return Err("import.err_malformed"),
            }
        }
        total += n;
        if n > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES {
            return Err("import.err_bomb");
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, &'static str> {
    use calamine::{DataRef, Reader, Xlsx};
    check_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| "import.err_malformed")?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err("import.err_empty");
    };
    let mut cells = book
        .worksheet_cells_reader(&name)
        .map_err(|_| "import.err_malformed")?;
    // Rows by index, each a sparse list of (column, text).
    let mut grid: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| "import.err_malformed")? {
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize, col as usize);
        if col >= MAX_COLS {
            continue;
        }
        if row > MAX_ROWS {
            return Err("import.err_too_many_rows");
        }
        let text = match cell.get_value() {
            DataRef::Int(n) => n.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => s.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::DateTime(d) => d.as_f64().to_string(),
            DataRef::Error(_) | DataRef::Empty => String::new(),
        };
        if grid.len() <= row {
            grid.resize(row + 1, Vec::new());
        }
        let r = &mut grid[row];
        if r.len() <= col {
            r.resize(col + 1, String::new());
        }
        r[col] = clean_cell(&text);
    }
    let mut rows = grid.into_iter();
    let mut table = Table {
        headers: rows.next().unwrap_or_default(),
        rows: Vec::new(),
    };
    for r in rows {
        push_row(&mut table, r)?;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_a_bom_and_windows_letters() {
        let t = read(b"\xef\xbb\xbfnavn;e-post\nKari;kari@x.example\n\n").unwrap();
        assert_eq!(t.headers, vec!["navn", "e-post"]);
        assert_eq!(t.rows[0], vec!["Kari", "kari@x.example"]);
        let t = read(b"name,email\nP\xe5l,pal@x.example\n").unwrap();
        assert_eq!(t.rows[0][0], "Pål");
    }

    #[test]
    fn binary_and_broken_files_are_refused() {
        assert_eq!(read(b"\0\x01\x02").unwrap_err(), "import.err_type");
        assert_eq!(
            read(b"PK\x03\x04garbage").unwrap_err(),
            "import.err_malformed"
        );
    }

    #[test]
    fn an_xlsx_file_is_read_cell_by_cell() {
        let mut x = crate::web::export::XlsxSheet::start(&["navn", "fødselsår"]);
        x.row(&[
            crate::web::export::Cell::Text("Åse"),
            crate::web::export::Cell::Int(1970),
        ]);
        let t = read(&x.into_bytes().unwrap()).unwrap();
        assert_eq!(t.headers, vec!["navn", "fødselsår"]);
        assert_eq!(t.rows[0], vec!["Åse", "1970"]);
    }

    #[test]
    fn a_zip_bomb_is_refused_before_calamine_reads_it() {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file(
                "xl/worksheets/sheet1.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..(MAX_ENTRY_BYTES / (1024 * 1024) + 2) {
                w.write_all(&zeros).unwrap();
            }
            w.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 1024 * 1024, "small on disk: {}", bytes.len());
        assert_eq!(read(&bytes).unwrap_err(), "import.err_bomb");
    }
}
