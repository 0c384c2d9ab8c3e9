//! The test harness: the real app (routes, middleware, sessions, CSRF) on a fresh database per
//! test. SQLite: a copy of a template file migrated and seeded once per run. PostgreSQL (when
//! `TEST_DATABASE_URL` names a server): `CREATE DATABASE ... TEMPLATE` of a database migrated
//! and seeded once per run, dropped when the test ends.

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::test;
use actix_web::web::Data;
use diesel::connection::SimpleConnection;
use futures_util::future::LocalBoxFuture;

use likeperson::config::Config;
use likeperson::{build_app, db, mail, seed, AppState};

pub const PASSWORD: &str = "likeperson-demo";

fn demo_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| likeperson::auth::password::hash(PASSWORD))
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("likeperson-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The demo data is seeded relative to the day in Norway (an event "tomorrow", a claim that has
/// waited nine days), so a template is seeded again when that day changes: a run that crosses
/// midnight in Norway would otherwise give its later tests yesterday's "tomorrow".
fn seed_day() -> chrono::NaiveDate {
    likeperson::activities::service::today()
}

/// The template kept in `slot` if it was made today (see `seed_day`), else a new one from
/// `make(day, first)`, `first` when this run has made none yet.
fn per_day<T: Clone>(
    slot: &Mutex<Option<(chrono::NaiveDate, T)>>,
    make: impl FnOnce(chrono::NaiveDate, bool) -> T,
) -> T {
    let mut t = slot.lock().unwrap_or_else(|e| e.into_inner());
    let day = seed_day();
    if let Some((d, made)) = &*t {
        if *d == day {
            return made.clone();
        }
    }
    let made = make(day, t.is_none());
    *t = Some((day, made.clone()));
    made
}

/// Migrates a template database and seeds the demo data into it.
fn seed_template(conn: &mut db::DbConn) {
    db::migrate(conn).unwrap();
    seed::demo_with_hash(conn, demo_hash()).unwrap();
    let keys = test_keys(conn);
    seed::demo_encrypted(conn, &keys).unwrap();
}

fn sqlite_template() -> PathBuf {
    static T: Mutex<Option<(chrono::NaiveDate, PathBuf)>> = Mutex::new(None);
    per_day(&T, |day, _| {
        let path = scratch().join(format!("template-{day}.db"));
        let _ = std::fs::remove_file(&path);
        let mut conn = db::establish(path.to_str().unwrap()).unwrap();
        seed_template(&mut conn);
        // Fold the WAL into the main file so that a plain copy holds everything.
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .unwrap();
        path
    })
}

/// The master key of every test database (`MASTER_KEY`), so the seeded assignments open.
pub const TEST_MASTER_KEY: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub fn test_master_key() -> likeperson::assignments::keys::SecretText {
    likeperson::assignments::keys::SecretText::new(TEST_MASTER_KEY.to_string())
}

fn test_keys(conn: &mut db::DbConn) -> likeperson::assignments::keys::KeyStore {
    let mut c = Config::new(String::new(), scratch(), "127.0.0.1:8080".parse().unwrap());
    c.master_key = Some(test_master_key());
    likeperson::assignments::keys::open(&c, conn).unwrap().0
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The same server and options, another database: only the URL's path changes, so the
/// query (`?host=/var/run/postgresql&user=...`) and a socket directory written as the host
/// (`postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/postgres`) are kept.
fn with_db(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("TEST_DATABASE_URL must be a postgres:// URL");
    u.set_path(&format!("/{name}"));
    u.into()
}

// a module of its own: `test` up there is actix-web's async test attribute
mod url_tests {
    use super::with_db;

    #[test]
    fn with_db_replaces_only_the_database_of_any_postgres_url() {
        for (admin, expected) in [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/likeperson_t_1",
            ),
            (
                "postgres:///postgres?host=/var/run/postgresql&user=postgres",
                "postgres:///likeperson_t_1?host=/var/run/postgresql&user=postgres",
            ),
            (
                "postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/postgres",
                "postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/likeperson_t_1",
            ),
            (
                "postgresql://u:p%2Fw@db.example:6543/app?sslmode=disable",
                "postgresql://u:p%2Fw@db.example:6543/likeperson_t_1?sslmode=disable",
            ),
            (
                "postgres://localhost",
                "postgres://localhost/likeperson_t_1",
            ),
        ] {
            assert_eq!(with_db(admin, "likeperson_t_1"), expected, "{admin}");
        }
    }
}

/// The PostgreSQL template of this run and day (see `seed_day`). Templates left by earlier
/// runs whose process has ended are dropped when the first one is made.
fn pg_template() -> String {
    static T: Mutex<Option<(chrono::NaiveDate, String)>> = Mutex::new(None);
    per_day(&T, |day, first| {
        let admin = postgres_admin_url().unwrap();
        let mut a = db::establish(&admin).unwrap();
        if first {
            drop_stale_templates(&mut a);
        }
        let name = format!(
            "likeperson_tpl_{}_{}",
            std::process::id(),
            day.format("%Y%m%d")
        );
        a.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        a.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        seed_template(&mut db::establish(&with_db(&admin, &name)).unwrap());
        name
    })
}

/// Drops the templates (`likeperson_tpl_<pid>_…`) of test runs that have ended.
fn drop_stale_templates(admin: &mut db::DbConn) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'likeperson\\_tpl\\_%'",
    )
    .load(admin)
    .unwrap_or_default();
    for Name { datname } in names {
        let pid = datname.trim_start_matches("likeperson_tpl_");
        let pid = pid.split('_').next().unwrap_or("");
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"));
        }
    }
}

static PG_CREATE: Mutex<()> = Mutex::new(());

/// A fresh database: its URL, and what to remove afterwards.
pub enum Fresh {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Fresh {
    pub fn sqlite() -> (String, Fresh) {
        let path = scratch().join(format!("{}.db", uuid::Uuid::new_v4()));
        std::fs::copy(sqlite_template(), &path).unwrap();
        (path.to_string_lossy().into_owned(), Fresh::Sqlite(path))
    }
    pub fn postgres() -> Option<(String, Fresh)> {
        let admin = postgres_admin_url()?;
        let template = pg_template();
        let name = format!("likeperson_t_{}", uuid::Uuid::new_v4().simple());
        {
            let _guard = PG_CREATE.lock().unwrap_or_else(|e| e.into_inner());
            let mut a = db::establish(&admin).unwrap();
            a.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .unwrap();
        }
        Some((with_db(&admin, &name), Fresh::Postgres(name)))
    }
    /// An empty database with no migrations run (for the migration tests).
    pub fn empty_postgres() -> Option<(String, Fresh)> {
        let admin = postgres_admin_url()?;
        let name = format!("likeperson_e_{}", uuid::Uuid::new_v4().simple());
        db::establish(&admin)
            .unwrap()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Some((with_db(&admin, &name), Fresh::Postgres(name)))
    }
    pub fn empty_sqlite() -> (String, Fresh) {
        let path = scratch().join(format!("{}.db", uuid::Uuid::new_v4()));
        (path.to_string_lossy().into_owned(), Fresh::Sqlite(path))
    }
}

/// What a test leaves behind (its database and data folder), removed when the last client of
/// the app is dropped.
struct Cleanup {
    data_dir: PathBuf,
    fresh: Option<Fresh>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        match self {
            Fresh::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Fresh::Postgres(name) => {
                if let Some(admin) = postgres_admin_url() {
                    if let Ok(mut a) = db::establish(&admin) {
                        let _ = a
                            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                    }
                }
            }
        }
    }
}

/// What the app answers: a response, or an error raised by a middleware, which the server sends
/// as the error's own response.
type Answer = Result<ServiceResponse<BoxBody>, actix_web::Error>;
type Svc = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, Answer>>;

/// A response, read whole.
pub struct Resp {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
    /// The body as sent (for downloads).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// The value of the first `csrf_token` hidden field on the page.
    pub fn csrf(&self) -> String {
        let re = regex::Regex::new(r#"name="csrf_token" value="([^"]+)""#).unwrap();
        re.captures(&self.body)
            .map(|c| c[1].to_string())
            .expect("page has a csrf_token field")
    }
    /// Whether the page shows `text`. The random CSRF token values are left out, so that a
    /// check that a short text is absent (`!has("NHF")`) cannot fail on a token that happens to
    /// contain it (a 43-character base64url token holds a given three letters about once in
    /// 6,000 pages).
    pub fn has(&self, text: &str) -> bool {
        static TOKEN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let token =
            TOKEN.get_or_init(|| regex::Regex::new(r#"name="csrf_token" value="[^"]*""#).unwrap());
        token
            .replace_all(&self.body, r#"name="csrf_token" value="""#)
            .contains(text)
    }
}

/// The running app and a browser-like client with a cookie jar.
pub struct TestApp {
    svc: Svc,
    cookies: HashMap<String, String>,
    pub state: Data<AppState>,
    pub data_dir: PathBuf,
    cleanup: Rc<Cleanup>,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let (url, fresh) = Fresh::sqlite();
        TestApp::start(url, fresh).await
    }

    /// `None` when no PostgreSQL server is configured; with `REQUIRE_POSTGRES=1` (CI) a missing
    /// server fails the test instead.
    pub async fn postgres() -> Option<TestApp> {
        match Fresh::postgres() {
            Some((url, fresh)) => Some(TestApp::start(url, fresh).await),
            None => {
                assert!(
                    std::env::var("REQUIRE_POSTGRES").is_err(),
                    "REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
                );
                eprintln!("TEST_DATABASE_URL is not set: PostgreSQL variant skipped");
                None
            }
        }
    }

    pub async fn start(url: String, fresh: Fresh) -> TestApp {
        TestApp::start_tuned(url, fresh, |_| {}).await
    }

    /// The same database, served again by an app with a changed configuration.
    pub async fn reconfigured(mut self, tune: impl FnOnce(&mut Config)) -> TestApp {
        let url = self.state.config.database_url.clone();
        let fresh = Rc::get_mut(&mut self.cleanup)
            .and_then(|c| c.fresh.take())
            .expect("a database, and no other client of this app");
        TestApp::start_tuned(url, fresh, tune).await
    }

    pub async fn start_tuned(url: String, fresh: Fresh, tune: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = scratch().join(format!("data-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let mut config = Config::new(url, data_dir.clone(), "127.0.0.1:8080".parse().unwrap());
        config.secret_key = vec![7u8; 64];
        config.pool_size = 4;
        config.base_url = "http://localhost".into();
        config.master_key = Some(test_master_key());
        tune(&mut config);
        let cleanup = Rc::new(Cleanup {
            data_dir: data_dir.clone(),
            fresh: Some(fresh),
        });
        TestApp::serve(config, cleanup).await
    }

    /// Another instance of the app on the same database and data folder (its own pool, session
    /// store and label cache, as a second server behind a load balancer has), with this
    /// client's cookies: the same browser, answered by the other server.
    pub async fn another_instance(&self) -> TestApp {
        let mut app = TestApp::serve(self.state.config.clone(), self.cleanup.clone()).await;
        app.cookies = self.cookies.clone();
        app
    }

    async fn serve(config: Config, cleanup: Rc<Cleanup>) -> TestApp {
        let data_dir = cleanup.data_dir.clone();
        let pool = likeperson::prepare(&config).unwrap();
        let (keys, _) = likeperson::assignments::keys::open(&config, &mut pool.get().unwrap())
            .expect("the master keys open");
        let mailer = mail::Mailer::from_config(&config).unwrap();
        let state = Data::new(AppState {
            pool,
            files: likeperson::documents::storage::local(&config.storage_dir).unwrap(),
            config,
            mailer,
            keys,
            labels: Default::default(),
            nudge: Default::default(),
        });
        let app = Rc::new(test::init_service(build_app(state.clone())).await);
        let svc: Svc = Rc::new(move |req| {
            let app = app.clone();
            Box::pin(async move {
                test::try_call_service(&*app, req)
                    .await
                    .map(ServiceResponse::map_into_boxed_body)
            })
        });
        TestApp {
            svc,
            cookies: HashMap::new(),
            state,
            cleanup,
            data_dir,
        }
    }

    /// Another browser on the same running app (its own cookie jar), for concurrent requests.
    pub fn client(&self) -> TestApp {
        TestApp {
            svc: self.svc.clone(),
            cookies: HashMap::new(),
            state: self.state.clone(),
            data_dir: self.data_dir.clone(),
            cleanup: self.cleanup.clone(),
        }
    }

    pub fn conn(&self) -> db::PooledConn {
        self.state.pool.get().unwrap()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: test::TestRequest) -> Resp {
        let mut req = req.peer_addr("10.1.2.3:5555".parse().unwrap());
        if !self.cookies.is_empty() {
            req = req.insert_header(("Cookie", self.cookie_header()));
        }
        let res: actix_web::HttpResponse = match (self.svc)(req.to_request()).await {
            Ok(res) => res.into_parts().1,
            Err(e) => e.error_response(),
        };
        for c in res.cookies() {
            if c.max_age().is_some_and(|m| m.is_zero()) || c.value().is_empty() {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_string(), c.value().to_string());
            }
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = actix_web::body::to_bytes(res.into_body())
            .await
            .unwrap_or_else(|e| panic!("the body could not be read: {e}"));
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Sends the requests at once, with the session's cookies (the jar is not updated), and
    /// returns each one's status.
    pub async fn send_all(&self, reqs: Vec<test::TestRequest>) -> Vec<u16> {
        let cookie = self.cookie_header();
        let pending = reqs.into_iter().map(|r| {
            let mut r = r.peer_addr("10.1.2.3:5555".parse().unwrap());
            if !cookie.is_empty() {
                r = r.insert_header(("Cookie", cookie.clone()));
            }
            (self.svc)(r.to_request())
        });
        futures_util::future::join_all(pending)
            .await
            .iter()
            .map(|res| match res {
                Ok(r) => r.status().as_u16(),
                Err(e) => e.error_response().status().as_u16(),
            })
            .collect()
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }

    pub async fn htmx_get(&mut self, path: &str, target: &str) -> Resp {
        self.send(
            test::TestRequest::get()
                .uri(path)
                .insert_header(("HX-Request", "true"))
                .insert_header(("HX-Target", target)),
        )
        .await
    }

    /// Posts a form as-is (no token added).
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(test::TestRequest::post().uri(path).set_form(form.to_vec()))
            .await
    }

    /// Posts a form with the session's CSRF token, as the browser would from a page.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let token = self.token().await;
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("csrf_token", &token));
        self.send(test::TestRequest::post().uri(path).set_form(f))
            .await
    }

    pub async fn htmx_post(&mut self, path: &str) -> Resp {
        let token = self.token().await;
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header(("HX-Request", "true"))
                .insert_header(("X-CSRF-Token", token)),
        )
        .await
    }

    /// The CSRF token of the current session, read from a page as a browser would.
    pub async fn token(&mut self) -> String {
        let signed_in = self.get("/account/settings").await;
        if signed_in.status == 200 {
            return signed_in.csrf();
        }
        self.get("/login").await.csrf()
    }

    pub async fn login(&mut self, email: &str) -> Resp {
        self.login_with(email, PASSWORD).await
    }

    pub async fn login_with(&mut self, email: &str, password: &str) -> Resp {
        let token = self.get("/login").await.csrf();
        self.send(test::TestRequest::post().uri("/login").set_form([
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/"),
        ]))
        .await
    }

    /// Puts the cookie jar aside (a second device), leaving this client signed out.
    pub fn take_cookies(&mut self) -> HashMap<String, String> {
        std::mem::take(&mut self.cookies)
    }

    /// A copy of the cookie jar (the same session on another connection).
    pub fn jar(&self) -> HashMap<String, String> {
        self.cookies.clone()
    }

    pub fn set_cookies(&mut self, jar: HashMap<String, String>) {
        self.cookies = jar;
    }

    pub async fn logout(&mut self) {
        self.post("/logout", &[]).await;
        self.cookies.clear();
    }

    /// Ids of local associations of an organization (by short name), first by name.
    pub fn association_ids(&self, org_short: &str) -> Vec<String> {
        use diesel::prelude::*;
        use likeperson::schema::{local_associations as la, organizations as o};
        la::table
            .inner_join(o::table)
            .filter(o::short_name.eq(org_short))
            .order(la::name_key.asc())
            .select(la::id)
            .load(&mut *self.conn())
            .unwrap()
    }

    /// Delivers the mail outbox now (as the server's job does), into the mail folder.
    pub fn deliver_mail(&self) -> likeperson::notifications::outbox::Delivered {
        likeperson::notifications::outbox::deliver_due(
            &mut self.conn(),
            &self.state.mailer,
            &self.state.config.base_url,
            "test",
            likeperson::db::now(),
        )
        .unwrap()
    }

    /// The job environment of this app (its mailer and site address).
    pub fn jobs_env(&self) -> likeperson::jobs::Env {
        likeperson::jobs::Env::new(self.state.mailer.clone(), &self.state.config)
    }

    /// The texts of the e-mails sent to `to` (the outbox delivered first; the mail folder;
    /// quoted-printable undone).
    pub fn mails_to(&self, to: &str) -> Vec<String> {
        self.deliver_mail();
        let Ok(dir) = std::fs::read_dir(self.data_dir.join("mail")) else {
            return Vec::new();
        };
        dir.map(|entry| {
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .filter(|text| text.contains(&format!("To: {to}")))
        .collect()
    }

    /// The token of the set-password link mailed to `to`.
    pub fn mail_token(&self, to: &str) -> String {
        let re = regex::Regex::new(r"token=([A-Za-z0-9_\-]+)").unwrap();
        self.mails_to(to)
            .iter()
            .find_map(|text| re.captures(text).map(|c| c[1].to_string()))
            .unwrap_or_else(|| panic!("no set-password mail to {to}"))
    }

    /// What an invited person with no account does: chooses a password through the mailed link
    /// (on another browser), which accepts the invitation.
    pub async fn set_password_by_mail(&self, to: &str, password: &str) {
        let token = self.mail_token(to);
        let mut browser = self.client();
        let res = browser
            .post(
                "/password/reset",
                &[
                    ("token", &token),
                    ("password", password),
                    ("confirm", password),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{to} chooses a password");
    }

    /// How many audit entries of `action` there are.
    pub fn audit_count(&self, action: &str) -> i64 {
        use diesel::prelude::*;
        use likeperson::schema::audit_log;
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(&mut *self.conn())
            .unwrap()
    }

    pub fn user_id(&self, email: &str) -> String {
        use diesel::prelude::*;
        use likeperson::schema::users;
        users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(&mut *self.conn())
            .unwrap()
    }
}

/// Declares each test once per backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::common::TestApp::sqlite().await).await;
                }
                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = $crate::common::TestApp::postgres().await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}
