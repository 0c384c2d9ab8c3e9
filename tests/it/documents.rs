//! Documents attached to activities, with real files: photos lose their EXIF and are shrunk,
//! PNGs and PDFs are kept, wrong types and oversized files are refused with nothing saved, and
//! only those who may see the activity may fetch its documents.

use std::path::Path;

use actix_web::test::TestRequest;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::common::{Resp, TestApp};
use crate::on_both_backends;
use likeperson::documents::model::Document;
use likeperson::schema::{activities as act, audit_log, documents as doc, organizations as o};

on_both_backends!(
    a_photo_is_turned_shrunk_and_stripped_of_exif,
    png_and_pdf_are_kept_and_shown_to_those_who_see_the_activity,
    wrong_types_and_oversized_files_are_refused_and_nothing_is_saved,
    others_get_404_and_never_see_the_documents,
    deleting_removes_the_row_and_the_file,
    a_multipart_post_without_token_is_forbidden,
    cancelled_and_full_activities_take_no_more_documents,
);

const BOUNDARY: &str = "----likeperson-test-7MA4YWxkTrZu0gW";

/// A multipart body of the given parts, in order: `(name, file name, content)`.
pub(crate) fn multipart_parts(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (name, file_name, data) in parts {
        let head = match file_name {
            Some(f) => format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        b.extend_from_slice(head.as_bytes());
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// Posts a multipart body as-is (no token added).
pub(crate) async fn post_parts(
    app: &mut TestApp,
    uri: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Resp {
    app.send(
        TestRequest::post()
            .uri(uri)
            .insert_header((
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ))
            .set_payload(multipart_parts(parts)),
    )
    .await
}

async fn post_multipart(app: &mut TestApp, uri: &str, file_name: &str, data: &[u8]) -> Resp {
    post_parts(app, uri, &[("file", Some(file_name), data)]).await
}

/// Uploads as the form on the activity page does: the CSRF token is the first part of the
/// body, before the file (never in the URL).
pub(crate) async fn upload(
    app: &mut TestApp,
    activity: &str,
    file_name: &str,
    data: &[u8],
) -> Resp {
    let token = app.token().await;
    let uri = format!("/activities/{activity}/documents");
    post_parts(
        app,
        &uri,
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some(file_name), data),
        ],
    )
    .await
}

/// The newest activity of a mentor (this year in the demo data, so still open for changes).
pub(crate) fn newest_activity(app: &TestApp, email: &str) -> String {
    let user = app.user_id(email);
    act::table
        .filter(act::mentor_id.eq(user))
        .filter(act::status.eq("registered"))
        .order(act::occurred_on.desc())
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap()
}

pub(crate) fn documents_of(app: &TestApp, activity: &str) -> Vec<Document> {
    doc::table
        .filter(doc::activity_id.eq(activity))
        .order(doc::created_at.asc())
        .select(Document::as_select())
        .load(&mut *app.conn())
        .unwrap()
}

/// Every file in the test's storage folder.
pub(crate) fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.config.storage_dir, &mut out);
    out.sort();
    out
}

fn audit_count(app: &TestApp, action: &str) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn ifd_entry(tag: u16, kind: u16, count: u32, value: [u8; 4]) -> Vec<u8> {
    let mut e = Vec::new();
    e.extend(tag.to_le_bytes());
    e.extend(kind.to_le_bytes());
    e.extend(count.to_le_bytes());
    e.extend(value);
    e
}

/// A 2400 × 1600 JPEG carrying an EXIF APP1 segment: orientation "rotate 90°" and a GPS
/// position (latitude reference "N").
fn photo_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2400, 1600, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 256) as u8])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(ifd_entry(0x0112, 3, 1, [6, 0, 0, 0]));
    tiff.extend(ifd_entry(0x8825, 4, 1, 38u32.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), 38, "the GPS directory follows the first one");
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(ifd_entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn small_png() -> Vec<u8> {
    let img =
        image::RgbaImage::from_fn(300, 200, |x, _| image::Rgba([0, (x % 256) as u8, 90, 255]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

fn has_marker(bytes: &[u8], marker: &[u8]) -> bool {
    bytes.windows(marker.len()).any(|w| w == marker)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn a_photo_is_turned_shrunk_and_stripped_of_exif(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let photo = photo_with_gps();
    assert!(photo.len() < 10 * 1024 * 1024 && has_marker(&photo, b"Exif\0\0"));
    let res = upload(&mut app, &activity, "IMG_0042.JPG", &photo).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/activities/{activity}#documents"));
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(page.has("Dokumentet er lagt ved."));
    assert!(page.has(">IMG_0042.jpg</a>"), "the name is shown");
    assert!(page.has("<td data-label=\"Type\">JPEG</td>"));
    let docs = documents_of(&app, &activity);
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d.content_type, "image/jpeg");
    assert!(d
        .storage_key
        .starts_with(&format!("{}/", d.organization_id)));
    assert!(
        !d.storage_key.contains("IMG"),
        "the key is never the user's name"
    );
    let on_disk = std::fs::read(app.state.config.storage_dir.join(&d.storage_key)).unwrap();
    assert_eq!(stored_files(&app).len(), 1);
    let res = app
        .get(&format!("/activities/{activity}/documents/{}", d.id))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), "image/jpeg");
    assert_eq!(res.header("cache-control"), "private, no-store");
    assert_eq!(res.header("x-content-type-options"), "nosniff");
    let cd = res.header("content-disposition");
    assert!(cd.starts_with("attachment"), "{cd}");
    assert!(cd.contains("IMG_0042.jpg"), "{cd}");
    assert_eq!(res.bytes, on_disk);
    assert!(!has_marker(&res.bytes, b"Exif"), "no EXIF left");
    assert_eq!(d.sha256, sha256(&res.bytes));
    assert_eq!(d.size_bytes, res.bytes.len() as i64);
    let img = image::load_from_memory(&res.bytes).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (1333, 2000),
        "turned upright (EXIF orientation) and shrunk to 2000 px"
    );
    assert_eq!(audit_count(&app, "document.uploaded"), 1);
}

async fn png_and_pdf_are_kept_and_shown_to_those_who_see_the_activity(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let png = small_png();
    assert_eq!(
        upload(&mut app, &activity, "skjerm.png", &png).await.status,
        303
    );
    let res = upload(&mut app, &activity, "Invitasjon til møte æøå.pdf", PDF).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let docs = documents_of(&app, &activity);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].content_type, "image/png");
    assert_eq!(docs[0].file_name, "skjerm.png");
    let pdf = &docs[1];
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.file_name, "Invitasjon til møte æøå.pdf");
    assert_eq!(pdf.sha256, sha256(PDF), "a PDF is stored as it came");
    assert_eq!(pdf.size_bytes, PDF.len() as i64);
    let url = format!("/activities/{activity}/documents/{}", pdf.id);
    let res = app.get(&url).await;
    assert_eq!(res.bytes, PDF);
    assert_eq!(res.header("content-type"), "application/pdf");
    assert!(
        res.header("content-disposition")
            .contains("filename*=UTF-8''Invitasjon%20til%20m%C3%B8te%20%C3%A6%C3%B8%C3%A5.pdf"),
        "{}",
        res.header("content-disposition")
    );
    let png_res = app
        .get(&format!("/activities/{activity}/documents/{}", docs[0].id))
        .await;
    let img = image::load_from_memory(&png_res.bytes).unwrap();
    assert_eq!((img.width(), img.height()), (300, 200));
    assert_eq!(
        image::guess_format(&png_res.bytes).unwrap(),
        image::ImageFormat::Png
    );
    // The coordinator of the association may see, add and remove; the organization
    // administrator only sees and downloads.
    for (email, may_change) in [
        ("coordinator@nhf.example", true),
        ("admin@nhf.example", false),
    ] {
        app.logout().await;
        app.login(email).await;
        let page = app.get(&format!("/activities/{activity}")).await;
        assert!(
            page.has("Invitasjon til møte æøå.pdf"),
            "{email} sees the list"
        );
        assert_eq!(page.has("enctype=\"multipart/form-data\""), may_change);
        assert_eq!(page.has("/delete\""), may_change);
        assert_eq!(app.get(&url).await.bytes, PDF, "{email} downloads");
    }
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(
        !page.has("accept=\""),
        "no upload form for the administrator"
    );
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(page.has("accept=\"image/jpeg,image/png,application/pdf\""));
    assert!(
        page.has(&format!("action=\"/activities/{activity}/documents\">")),
        "the token is not in the URL"
    );
}

async fn wrong_types_and_oversized_files_are_refused_and_nothing_is_saved(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let files_before = stored_files(&app);
    let mut too_large = PDF.to_vec();
    too_large.resize(app.state.config.max_upload_bytes + 1, b' ');
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "x.pdf",
            b"just some text, not a PDF".to_vec(),
            "Filtypen kan ikke legges ved",
        ),
        (
            "setup.exe",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(),
            "Filtypen kan ikke legges ved",
        ),
        (
            "IMG_0001.HEIC",
            heic,
            "HEIC-bilder fra iPhone kan ikke legges ved",
        ),
        (
            "broken.jpg",
            b"\xff\xd8\xff\xe0\0\x10JFIF\0 cut short".to_vec(),
            "Bildet kunne ikke leses",
        ),
        (
            "stor.pdf",
            too_large,
            "Filen er for stor. Den kan være høyst 10 MB.",
        ),
        ("tom.pdf", Vec::new(), "Velg en fil å laste opp."),
    ];
    for (name, data, message) in cases {
        let res = upload(&mut app, &activity, name, &data).await;
        assert_eq!(res.status, 422, "{name} is refused");
        assert!(res.has(message), "{name}: the message says why");
        assert!(
            res.has("<a href=\"#f-file\">"),
            "{name}: the summary links the field"
        );
        assert!(res.has("aria-describedby=\"f-file-hint f-file-error\""));
        assert!(res.has("id=\"error-summary\""));
    }
    assert!(documents_of(&app, &activity).is_empty(), "no row");
    assert_eq!(stored_files(&app), files_before, "no file");
    assert_eq!(audit_count(&app, "document.uploaded"), 0);
}

async fn others_get_404_and_never_see_the_documents(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    assert_eq!(
        upload(&mut app, &activity, "hemmelig.pdf", PDF)
            .await
            .status,
        303
    );
    let d = documents_of(&app, &activity).remove(0);
    let url = format!("/activities/{activity}/documents/{}", d.id);
    // The same document under another activity of the same mentor: not found.
    let other_activity: String = act::table
        .filter(act::mentor_id.eq(app.user_id("mentor@nhf.example")))
        .filter(act::id.ne(&activity))
        .select(act::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        app.get(&format!("/activities/{other_activity}/documents/{}", d.id))
            .await
            .status,
        404
    );
    let nhf: String = o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap();
    for who in [
        "coordinator-as-mentor",
        "admin@blindeforbundet.example",
        "global@likeperson.example",
    ] {
        app.logout().await;
        if who == "coordinator-as-mentor" {
            // Another peer mentor of the same organization.
            app.login("coordinator@nhf.example").await;
            let res = app
                .post("/context", &[("context", &format!("{nhf}:peer_mentor"))])
                .await;
            assert_eq!(res.status, 303);
        } else {
            app.login(who).await;
        }
        assert_eq!(app.get(&url).await.status, 404, "{who}: download");
        let page = app.get(&format!("/activities/{activity}")).await;
        assert_eq!(page.status, 404, "{who}: the activity");
        assert!(!page.has("hemmelig"), "{who}: the name never shows");
        let res = upload(&mut app, &activity, "inntrenger.pdf", PDF).await;
        assert_eq!(res.status, 404, "{who}: upload");
        let res = app.post(&format!("{url}/delete"), &[]).await;
        assert_eq!(res.status, 404, "{who}: delete");
        if who != "global@likeperson.example" {
            let list = app.get("/activities").await;
            assert!(!list.has("hemmelig"), "{who}: absent from the list");
        }
    }
    assert_eq!(
        documents_of(&app, &activity).len(),
        1,
        "nothing added or removed"
    );
    assert_eq!(stored_files(&app).len(), 1);
}

async fn deleting_removes_the_row_and_the_file(mut app: TestApp) {
    app.login("coordinator@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    assert_eq!(
        upload(&mut app, &activity, "plan.pdf", PDF).await.status,
        303
    );
    let d = documents_of(&app, &activity).remove(0);
    assert_eq!(d.uploaded_by, app.user_id("coordinator@nhf.example"));
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(page.has("Vil du slette dokumentet?"), "deleting asks first");
    let path = app.state.config.storage_dir.join(&d.storage_key);
    assert!(path.exists());
    let res = app
        .post(
            &format!("/activities/{activity}/documents/{}/delete", d.id),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), format!("/activities/{activity}#documents"));
    assert!(app.get(res.location()).await.has("Dokumentet er slettet."));
    assert!(documents_of(&app, &activity).is_empty());
    assert!(!path.exists(), "the file is gone");
    assert_eq!(audit_count(&app, "document.deleted"), 1);
    let res = app
        .get(&format!("/activities/{activity}/documents/{}", d.id))
        .await;
    assert_eq!(res.status, 404);
}

async fn a_multipart_post_without_token_is_forbidden(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let res = post_multipart(
        &mut app,
        &format!("/activities/{activity}/documents"),
        "a.pdf",
        PDF,
    )
    .await;
    assert_eq!(res.status, 403);
    let res = post_parts(
        &mut app,
        &format!("/activities/{activity}/documents"),
        &[("csrf_token", None, b"wrong"), ("file", Some("a.pdf"), PDF)],
    )
    .await;
    assert_eq!(res.status, 403);
    assert!(documents_of(&app, &activity).is_empty());
    assert!(stored_files(&app).is_empty());
}

async fn cancelled_and_full_activities_take_no_more_documents(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    for i in 0..10 {
        let res = upload(&mut app, &activity, &format!("side-{i}.pdf"), PDF).await;
        assert_eq!(res.status, 303);
    }
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(page.has("Aktiviteten har 10 dokumenter, som er det meste."));
    assert!(!page.has("enctype=\"multipart/form-data\""));
    let res = upload(&mut app, &activity, "side-11.pdf", PDF).await;
    assert_eq!(res.status, 422);
    assert!(res.has("Aktiviteten har allerede 10 dokumenter"));
    assert_eq!(documents_of(&app, &activity).len(), 10);
    assert_eq!(stored_files(&app).len(), 10);
    let res = app
        .post(&format!("/activities/{activity}/cancel"), &[])
        .await;
    assert_eq!(res.status, 303);
    let page = app.get(&format!("/activities/{activity}")).await;
    assert!(page.has("side-3.pdf"), "the documents stay readable");
    assert!(!page.has("/delete\""), "but cannot be removed");
    let d = documents_of(&app, &activity).remove(0);
    let res = app
        .post(
            &format!("/activities/{activity}/documents/{}/delete", d.id),
            &[],
        )
        .await;
    assert_eq!(res.status, 404);
    let res = upload(&mut app, &activity, "sent.pdf", PDF).await;
    assert_eq!(res.status, 404, "no uploads to a cancelled activity");
    assert_eq!(stored_files(&app).len(), 10);
}
