//! Checking and preparing an uploaded file: its type is decided by its content (never by its
//! name or the browser's claim); images are decoded with limits, turned upright, shrunk and
//! re-encoded, which leaves EXIF (GPS position, camera) behind; PDFs are kept as they are.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Images are shrunk to at most this many pixels on their longest side.
pub const MAX_SIDE: u32 = 2000;
pub const JPEG_QUALITY: u8 = 85;
/// Longest file name kept, in characters.
pub const MAX_NAME: usize = 120;

/// What the content turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
    /// HEIC/HEIF (iPhone photos): recognised only to explain what to do instead.
    Heic,
    Other,
}

/// Recognises the file by its first bytes.
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"%PDF-") {
        return Kind::Pdf;
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [
            b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1",
            b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Kind::Heic;
        }
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Kind::Jpeg,
        Ok(ImageFormat::Png) => Kind::Png,
        _ => Kind::Other,
    }
}

/// A file ready to store.
#[derive(Debug)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
    pub sha256: String,
}

/// Checks and prepares an upload. `Err` carries the label key of the message for the user.
pub fn prepare(bytes: &[u8], file_name: &str) -> Result<Prepared, &'static str> {
    let (bytes, content_type, ext) = match sniff(bytes) {
        Kind::Pdf => (bytes.to_vec(), "application/pdf", "pdf"),
        Kind::Jpeg => (reencode(bytes, ImageFormat::Jpeg)?, "image/jpeg", "jpg"),
        Kind::Png => (reencode(bytes, ImageFormat::Png)?, "image/png", "png"),
        Kind::Heic => return Err("document.err_heic"),
        Kind::Other => return Err("document.err_type"),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Prepared {
        file_name: display_name(file_name, ext),
        bytes,
        content_type,
        sha256,
    })
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(12_000);
    l.max_image_height = Some(12_000);
    l.max_alloc = Some(300 * 1024 * 1024);
    l
}

/// Decodes with limits (against decompression bombs), applies the EXIF orientation, shrinks to
/// `MAX_SIDE` and encodes afresh in the same format: no metadata is carried over.
fn reencode(bytes: &[u8], format: ImageFormat) -> Result<Vec<u8>, &'static str> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, FilterType::CatmullRom);
    }
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(|_| "document.err_image")?;
        }
        _ => {
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .map_err(|_| "document.err_image")?;
        }
    }
    Ok(out)
}

fn image_error(e: image::ImageError) -> &'static str {
    match e {
        image::ImageError::Limits(_) => "document.err_image_too_big",
        _ => "document.err_image",
    }
}

/// The name shown and offered on download: the last part of what the browser sent, without
/// control characters, at most `MAX_NAME` characters, ending in the extension of what is stored.
pub fn display_name(raw: &str, ext: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = crate::web::forms::fold_whitespace(&cleaned);
    let cleaned = cleaned.trim_start_matches('.');
    // A known extension that does not match what is stored is replaced; anything else is kept.
    const KNOWN: [&str; 11] = [
        "pdf", "jpg", "jpeg", "png", "heic", "heif", "gif", "webp", "tif", "tiff", "bmp",
    ];
    let (stem, old_ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && KNOWN.contains(&e.to_ascii_lowercase().as_str()) => {
            (s, e.to_ascii_lowercase())
        }
        _ => (cleaned, String::new()),
    };
    let same = old_ext == ext || (ext == "jpg" && old_ext == "jpeg");
    let stem = if stem.is_empty() { "dokument" } else { stem };
    let ext = if same { old_ext.as_str() } else { ext };
    let room = MAX_NAME - ext.len() - 1;
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ext}", stem.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_end_in_the_stored_type() {
        assert_eq!(
            display_name("C:\\Users\\Ola\\Bilde 1.JPG", "jpg"),
            "Bilde 1.jpg"
        );
        assert_eq!(display_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(display_name("invitasjon.jpeg", "jpg"), "invitasjon.jpeg");
        assert_eq!(display_name("skjerm.png", "jpg"), "skjerm.jpg");
        assert_eq!(display_name("referat.v2", "pdf"), "referat.v2.pdf");
        assert_eq!(display_name("", "pdf"), "dokument.pdf");
        assert_eq!(display_name(".hidden", "pdf"), "hidden.pdf");
        assert_eq!(display_name("Møte\n\"æøå\".pdf", "pdf"), "Møteæøå.pdf");
        assert_eq!(
            display_name(&"a".repeat(500), "pdf").chars().count(),
            MAX_NAME
        );
    }

    #[test]
    fn types_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.4\n"), Kind::Pdf);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Kind::Heic);
        assert_eq!(sniff(b"MZ\x90\0"), Kind::Other);
        assert_eq!(sniff(b"hello"), Kind::Other);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Kind::Png);
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Kind::Jpeg);
    }

    #[test]
    fn a_picture_with_too_many_pixels_is_refused_before_decoding() {
        let mut jpeg = Vec::new();
        DynamicImage::new_rgb8(16, 16)
            .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        // SOF0: marker, length (2), precision (1), height (2), width (2).
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        assert_eq!(
            prepare(&jpeg, "bomb.jpg").unwrap_err(),
            "document.err_image_too_big"
        );
    }
}
