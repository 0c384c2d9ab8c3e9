//! Checking and preparing an uploaded file: its type is decided by its content (never by its
//! name or the browser's claim); images are decoded with limits, turned upright, shrunk and
//! re-encoded, which leaves EXIF (GPS position, camera) behind; PDFs are kept as they are.
//! Against decompression bombs: the decoded size (pixels × bytes a pixel) is checked from the
//! header before decoding, the decoder runs with `image::Limits`, and at most `DECODERS`
//! pictures are decoded at once.

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

/// Most pixels a picture may have (48-megapixel phone cameras fit).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Most bytes a decoded picture may take: its dimensions times the bytes a pixel of its colour
/// type takes (a 48 MP JPEG, 3 bytes a pixel, fits; a 16-bit RGBA PNG, 8 bytes a pixel, only up
/// to 20 MP). Checked before decoding starts.
pub const MAX_DECODED_BYTES: u64 = 160 * 1024 * 1024;
/// Longest side of a picture, in pixels.
pub const MAX_DECODED_SIDE: u32 = 12_000;
/// Pictures decoded at the same time; more uploads wait their turn. With `MAX_DECODED_BYTES`
/// this bounds the memory that uploads can take (docs/ARCHITECTURE.md has the measurement).
pub const DECODERS: usize = 2;

static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODERS);

/// `prepare` on the blocking pool; a picture first waits for one of the `DECODERS` turns.
pub async fn prepare_in_turn(
    bytes: Vec<u8>,
    file_name: String,
) -> crate::web::AppResult<Result<Prepared, &'static str>> {
    let _turn = match sniff(&bytes) {
        Kind::Jpeg | Kind::Png => Some(DECODING.acquire().await.map_err(anyhow::Error::from)?),
        _ => None,
    };
    Ok(actix_web::web::block(move || prepare(&bytes, &file_name)).await?)
}

/// The decoder's own limits: the side, and what it may allocate besides the picture.
fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_DECODED_SIDE);
    l.max_image_height = Some(MAX_DECODED_SIDE);
    l.max_alloc = Some(MAX_DECODED_BYTES);
    l
}

/// A decoder with the limits applied, for a picture whose decoded size (known from its header)
/// is within bounds. Everything that reads the picture, its EXIF orientation included, goes
/// through this one decoder.
fn limited_decoder(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<impl ImageDecoder + '_, &'static str> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    let decoded = pixels.saturating_mul(u64::from(decoder.color_type().bytes_per_pixel()));
    // `DynamicImage::from_decoder` allocates `total_bytes` without asking the limits.
    if pixels > MAX_PIXELS
        || decoded > MAX_DECODED_BYTES
        || decoder.total_bytes() > MAX_DECODED_BYTES
    {
        return Err("document.err_image_too_big");
    }
    Ok(decoder)
}

/// Decodes within the limits, shrinks to `MAX_SIDE`, applies the EXIF orientation and encodes
/// afresh in the same format: no metadata is carried over.
fn reencode(bytes: &[u8], format: ImageFormat) -> Result<Vec<u8>, &'static str> {
    let mut decoder = limited_decoder(bytes, format)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    // Shrunk before it is turned (the box is square, so the result is the same): turning copies
    // the picture, and a small copy is cheap. Far larger pictures are averaged down in one pass
    // (`thumbnail`, no intermediate buffer); near the size, a filter gives the sharper result.
    let longest = img.width().max(img.height());
    if longest >= 2 * MAX_SIDE {
        img = img.thumbnail(MAX_SIDE, MAX_SIDE);
    } else if longest > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, FilterType::CatmullRom);
    }
    if let Some(o) = orientation {
        img.apply_orientation(o);
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

    /// A PNG header with the given size, bit depth and colour type, and no pixels.
    fn png_header(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (
                *b"IHDR",
                [
                    &w.to_be_bytes()[..],
                    &h.to_be_bytes(),
                    &[depth, color, 0, 0, 0],
                ]
                .concat(),
            ),
            (*b"IDAT", vec![0x78, 0x9c]),
        ] {
            png.extend((data.len() as u32).to_be_bytes());
            png.extend(kind);
            png.extend(&data);
            let mut crc = flate2::Crc::new();
            crc.update(&kind);
            crc.update(&data);
            png.extend(crc.sum().to_be_bytes());
        }
        png
    }

    #[test]
    fn the_decoded_size_is_bounded_by_pixels_and_bytes_per_pixel() {
        // 36 MP is few enough pixels, but at 16-bit RGBA (8 bytes a pixel) 288 MB decoded.
        let deep = png_header(6000, 6000, 16, 6);
        assert_eq!(
            prepare(&deep, "a.png").unwrap_err(),
            "document.err_image_too_big"
        );
        // 56 MP of 8-bit grey is 56 MB, but too many pixels to turn and shrink.
        let wide = png_header(8000, 7000, 8, 0);
        assert_eq!(
            prepare(&wide, "a.png").unwrap_err(),
            "document.err_image_too_big"
        );
        // The probe's bomb: 11,900 × 11,900 at 16-bit RGBA.
        let bomb = png_header(11_900, 11_900, 16, 6);
        assert_eq!(
            prepare(&bomb, "a.png").unwrap_err(),
            "document.err_image_too_big"
        );
        // Within bounds, the header is accepted and the missing pixels are what fails.
        let fine = png_header(4000, 3000, 8, 2);
        assert_eq!(prepare(&fine, "a.png").unwrap_err(), "document.err_image");
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
