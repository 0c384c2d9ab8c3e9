//! A small PDF writer for print layouts (reports, certificates): a title, headings, paragraphs,
//! tables that wrap onto new pages (the header row repeated) and a vector QR code, on A4 pages
//! with page numbers. Built on `krilla` (a maintained high-level PDF crate: font embedding and
//! subsetting, text shaping); text is set in DejaVu Sans, embedded from `static/fonts` (with its
//! licence there), so Norwegian letters (æ ø å) and most of Latin, Greek and Cyrillic print.
//!
//! ```ignore
//! let bytes = Pdf::new("Bufdir-rapport 2026")
//!     .paragraph("Organisasjon: Likeperson Norge")
//!     .heading("Per lokallag")
//!     .table(vec!["Lag".into(), "Aktiviteter".into()], rows)
//!     .qr("https://example.org/verify/abc", Some("Kontroller"))
//!     .render()?;
//! ```

use std::borrow::Cow;

use krilla::color::{luma, rgb};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/fonts/"]
struct Fonts;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN;
const TITLE_SIZE: f32 = 20.0;
const HEADING_SIZE: f32 = 14.0;
const TEXT_SIZE: f32 = 10.5;
const TABLE_SIZE: f32 = 9.0;
const CELL_PAD: f32 = 4.0;
const LEADING: f32 = 1.35;

/// Why a PDF could not be made (a font missing from the binary or a krilla error); callers map
/// it to a 500, it never depends on user input.
#[derive(Debug)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pdf: {}", self.0)
    }
}

impl std::error::Error for PdfError {}

enum Block {
    Heading(String),
    Paragraph(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Qr {
        data: String,
        caption: Option<String>,
    },
}

/// A document being described; `render` lays it out.
pub struct Pdf {
    title: String,
    language: String,
    blocks: Vec<Block>,
}

impl Pdf {
    pub fn new(title: impl Into<String>) -> Self {
        Pdf {
            title: title.into(),
            language: "nb".into(),
            blocks: Vec::new(),
        }
    }

    /// The document language for PDF readers (`nb` unless set, `en` for English).
    pub fn language(mut self, lang: &str) -> Self {
        self.language = lang.to_string();
        self
    }

    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// A table: a header row (bold, shaded, repeated on each page) and rows. Cells wrap; a row
    /// that does not fit moves to the next page whole.
    pub fn table(mut self, header: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        self.blocks.push(Block::Table { header, rows });
        self
    }

    /// A QR code of `data` drawn as vector squares, with an optional caption under it.
    pub fn qr(mut self, data: impl Into<String>, caption: Option<&str>) -> Self {
        self.blocks.push(Block::Qr {
            data: data.into(),
            caption: caption.map(str::to_string),
        });
        self
    }

    pub fn render(self) -> Result<Vec<u8>, PdfError> {
        let regular = FontFace::load("DejaVuSans.ttf")?;
        let bold = FontFace::load("DejaVuSans-Bold.ttf")?;
        let mut doc = Document::new();
        doc.set_metadata(
            Metadata::new()
                .title(self.title.clone())
                .language(self.language.clone())
                .creator("Likeperson".into()),
        );
        let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
        let mut lay = Layout {
            y: MARGIN,
            pages: &mut pages,
            regular: &regular,
            bold: &bold,
        };
        lay.text_block(&self.title, true, TITLE_SIZE, 8.0);
        for block in &self.blocks {
            match block {
                Block::Heading(t) => {
                    lay.space(6.0);
                    lay.keep(HEADING_SIZE * LEADING * 3.0);
                    lay.text_block(t, true, HEADING_SIZE, 4.0);
                }
                Block::Paragraph(t) => lay.text_block(t, false, TEXT_SIZE, 6.0),
                Block::Table { header, rows } => lay.table(header, rows),
                Block::Qr { data, caption } => lay.qr(data, caption.as_deref())?,
            }
        }
        let total = pages.len();
        for (n, ops) in pages.iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
                .ok_or_else(|| PdfError("page size".into()))?;
            let mut page = doc.start_page_with(settings);
            let mut surface = page.surface();
            for op in ops {
                op.draw(&mut surface, &regular, &bold);
            }
            let footer = format!("{} · {}/{}", self.title, n + 1, total);
            let w = regular.width(&footer, 8.0);
            draw_text(
                &mut surface,
                &regular,
                8.0,
                PAGE_W - MARGIN - w,
                PAGE_H - MARGIN / 2.0,
                &footer,
                GREY,
            );
            surface.finish();
            page.finish();
        }
        doc.finish().map_err(|e| PdfError(format!("{e:?}")))
    }
}

struct FontFace {
    font: Font,
    data: Cow<'static, [u8]>,
}

impl FontFace {
    fn load(name: &str) -> Result<Self, PdfError> {
        let file = Fonts::get(name).ok_or_else(|| PdfError(format!("font {name} missing")))?;
        let data = file.data;
        let font = Font::new(data.to_vec().into(), 0)
            .ok_or_else(|| PdfError(format!("font {name} unreadable")))?;
        Ok(FontFace { font, data })
    }

    /// The advance width of `text` at `size` points (no kerning: a slight overestimate, which
    /// is the safe side for wrapping).
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(face) = ttf_parser::Face::parse(&self.data, 0) else {
            return text.chars().count() as f32 * size * 0.6;
        };
        let upem = f32::from(face.units_per_em());
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(u32::from(face.units_per_em() / 2), u32::from)
            })
            .sum();
        units as f32 / upem * size
    }
}

const BLACK: u8 = 0;
const GREY: u8 = 90;

/// One drawing operation on a page, recorded during layout and replayed per page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rect {
        rect: (f32, f32, f32, f32),
        fill: Option<(u8, u8, u8)>,
        stroke: bool,
    },
    Squares {
        squares: Vec<(f32, f32)>,
        side: f32,
    },
}

impl Op {
    fn draw(&self, s: &mut Surface<'_>, regular: &FontFace, bold: &FontFace) {
        match self {
            Op::Text {
                x,
                y,
                size,
                bold: b,
                text,
            } => {
                let face = if *b { bold } else { regular };
                draw_text(s, face, *size, *x, *y, text, BLACK);
            }
            Op::Rect {
                rect: (x, y, w, h),
                fill,
                stroke,
            } => {
                let Some(r) = Rect::from_xywh(*x, *y, *w, *h) else {
                    return;
                };
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                let Some(path) = pb.finish() else { return };
                s.set_fill(fill.map(|(r, g, b)| Fill {
                    paint: rgb::Color::new(r, g, b).into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                s.set_stroke(stroke.then(|| Stroke {
                    paint: luma::Color::new(160).into(),
                    width: 0.5,
                    ..Default::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
            Op::Squares { squares, side } => {
                let mut pb = PathBuilder::new();
                for (x, y) in squares {
                    if let Some(r) = Rect::from_xywh(*x, *y, *side, *side) {
                        pb.push_rect(r);
                    }
                }
                let Some(path) = pb.finish() else { return };
                s.set_fill(Some(Fill::default()));
                s.set_stroke(None);
                s.draw_path(&path);
            }
        }
    }
}

fn draw_text(
    s: &mut Surface<'_>,
    face: &FontFace,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
    grey: u8,
) {
    s.set_fill(Some(Fill {
        paint: luma::Color::new(grey).into(),
        ..Default::default()
    }));
    s.set_stroke(None);
    s.draw_text(
        Point::from_xy(x, y),
        face.font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

struct Layout<'a> {
    /// The top of the free space on the current page.
    y: f32,
    pages: &'a mut Vec<Vec<Op>>,
    regular: &'a FontFace,
    bold: &'a FontFace,
}

impl Layout<'_> {
    fn face(&self, bold: bool) -> &FontFace {
        if bold {
            self.bold
        } else {
            self.regular
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn keep(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// Breaks `text` into lines no wider than `width` (by words; a word wider than a line is
    /// cut by characters). Explicit newlines are kept.
    fn wrap(&self, text: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
        let face = self.face(bold);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if face.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if face.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    fn text_block(&mut self, text: &str, bold: bool, size: f32, after: f32) {
        let line_h = size * LEADING;
        for line in self.wrap(text, bold, size, CONTENT_W) {
            self.keep(line_h);
            self.push(Op::Text {
                x: MARGIN,
                y: self.y + size,
                size,
                bold,
                text: line,
            });
            self.y += line_h;
        }
        self.y += after;
    }

    /// Column widths: each column's natural width (its widest cell, capped), scaled to fit.
    fn columns(&self, header: &[String], rows: &[Vec<String>]) -> Vec<f32> {
        let n = header.len().max(1);
        let mut natural = vec![24.0_f32; n];
        for (i, h) in header.iter().enumerate() {
            natural[i] = natural[i].max(self.bold.width(h, TABLE_SIZE) + 2.0 * CELL_PAD);
        }
        for row in rows.iter().take(500) {
            for (i, cell) in row.iter().enumerate().take(n) {
                let w = self.regular.width(cell, TABLE_SIZE) + 2.0 * CELL_PAD;
                natural[i] = natural[i].max(w.min(CONTENT_W * 0.5));
            }
        }
        let sum: f32 = natural.iter().sum();
        let scale = if sum > CONTENT_W {
            CONTENT_W / sum
        } else {
            1.0
        };
        natural.iter().map(|w| w * scale).collect()
    }

    fn row(&mut self, cells: &[String], widths: &[f32], bold: bool) {
        let line_h = TABLE_SIZE * LEADING;
        let wrapped: Vec<Vec<String>> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cell = cells.get(i).map_or("", String::as_str);
                self.wrap(cell, bold, TABLE_SIZE, w - 2.0 * CELL_PAD)
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f32 * line_h + 2.0 * CELL_PAD;
        let mut x = MARGIN;
        for (i, w) in widths.iter().enumerate() {
            self.push(Op::Rect {
                rect: (x, self.y, *w, h),
                fill: bold.then_some((230, 233, 238)),
                stroke: true,
            });
            for (l, text) in wrapped[i].iter().enumerate() {
                self.push(Op::Text {
                    x: x + CELL_PAD,
                    y: self.y + CELL_PAD + TABLE_SIZE + l as f32 * line_h,
                    size: TABLE_SIZE,
                    bold,
                    text: text.clone(),
                });
            }
            x += w;
        }
        self.y += h;
    }

    fn row_height(&self, cells: &[String], widths: &[f32], bold: bool) -> f32 {
        let lines = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let cell = cells.get(i).map_or("", String::as_str);
                self.wrap(cell, bold, TABLE_SIZE, w - 2.0 * CELL_PAD).len()
            })
            .max()
            .unwrap_or(1)
            .max(1);
        lines as f32 * TABLE_SIZE * LEADING + 2.0 * CELL_PAD
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let widths = self.columns(header, rows);
        let header_h = self.row_height(header, &widths, true);
        let first_h = rows
            .first()
            .map_or(0.0, |r| self.row_height(r, &widths, false));
        self.keep(header_h + first_h);
        self.row(header, &widths, true);
        for r in rows {
            let h = self.row_height(r, &widths, false);
            if self.y + h > BOTTOM {
                self.new_page();
                self.row(header, &widths, true);
            }
            self.row(r, &widths, false);
        }
        self.y += 8.0;
    }

    fn qr(&mut self, data: &str, caption: Option<&str>) -> Result<(), PdfError> {
        let code = qrcode::QrCode::new(data.as_bytes()).map_err(|e| PdfError(e.to_string()))?;
        let modules = code.width();
        let quiet = 4;
        let side = 120.0 / (modules + 2 * quiet) as f32;
        let size = side * (modules + 2 * quiet) as f32;
        let caption_h = if caption.is_some() {
            TEXT_SIZE * LEADING
        } else {
            0.0
        };
        self.keep(size + caption_h);
        let colors = code.to_colors();
        let top = self.y;
        let squares = colors
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == qrcode::Color::Dark)
            .map(|(i, _)| {
                let (col, row) = (i % modules, i / modules);
                (
                    MARGIN + (col + quiet) as f32 * side,
                    top + (row + quiet) as f32 * side,
                )
            })
            .collect();
        self.push(Op::Squares { squares, side });
        self.y += size;
        if let Some(c) = caption {
            self.text_block(c, false, TEXT_SIZE, 6.0);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Pdf;

    #[test]
    fn writes_a_multi_page_pdf_with_norwegian_text() {
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| {
                vec![
                    format!("Lokallag Ålesund og Bærum nr. {i}"),
                    format!("{}", i * 3),
                    "En lang tekst som må brytes over flere linjer i cellen fordi den er lang"
                        .to_string(),
                ]
            })
            .collect();
        let bytes = Pdf::new("Bufdir-rapport 2026 – Æøå")
            .paragraph("Organisasjon: Likeperson Norge. Periode 1.1.–31.12.2026.")
            .heading("Per lokallag")
            .table(
                vec!["Lag".into(), "Deltakere".into(), "Merknad".into()],
                rows,
            )
            .qr("https://example.org/verify/abc", Some("Kontroller beviset"))
            .render()
            .expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        // 120 wrapped rows cannot fit on one A4 page: the table went on to more pages.
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert!(pages >= 3, "pages: {pages}");
        // The font is embedded (a subset of DejaVu Sans), so Norwegian letters print.
        assert!(text.contains("DejaVuSans"));
        assert!(bytes.len() > 5_000);
    }

    #[test]
    fn an_empty_table_and_a_long_word_do_not_panic() {
        let bytes = Pdf::new("x")
            .table(vec!["A".into()], vec![])
            .paragraph("a".repeat(400))
            .render()
            .expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
    }
}
