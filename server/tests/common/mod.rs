//! A real `bons` server on 127.0.0.1:0 over a fresh SQLite file, loaded with
//! the demo data, and clients that talk to it the way a browser does.

#![allow(dead_code)]

use app::server::{AppState, db::Db};
use reqwest::{Client, StatusCode, header, redirect::Policy};
use server::config::Config;
use std::{path::PathBuf, sync::LazyLock};
use tokio::{net::TcpListener, runtime::Runtime, sync::oneshot, task::JoinHandle};

/// The servers of all tests in a binary run on one multi-thread runtime, as
/// in production; each test drives its server from its own runtime, the way a
/// separate client would. (A server spread over the short-lived runtimes of
/// several tests could see a task parked on a runtime that has ended.)
static SERVER_RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bons-test-server")
        .enable_all()
        .build()
        .expect("server runtime")
});

pub const PAID_UP: &str = "44000123B";
pub const UNPAID: &str = "44000124B";
pub const PASSWORD: &str = "castors";

pub struct TestApp {
    pub base: String,
    /// The database this server runs on, for `bons` commands and twins.
    pub database_url: String,
    /// Set when the test runs on PostgreSQL: the database to drop at the end.
    postgres: Option<PostgresDatabase>,
    pub db: Db,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// The demo app, and its paid-up member logged in: how most tests begin.
    pub async fn spawn_with_member() -> (TestApp, Browser) {
        let app = TestApp::spawn().await;
        let member = app.logged_in(PAID_UP).await;
        (app, member)
    }

    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after letting the test adjust its configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        init_logging();
        let dir = tempfile::tempdir().expect("temp dir");
        let postgres = PostgresDatabase::create_if_asked().await;
        let mut config = test_config(dir.path().to_owned(), postgres.as_ref());
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let (state, listener, base) = SERVER_RUNTIME
            .spawn(async move {
                let started = start_state(&config).await;
                app::server::demo::load(&started.0.db).await.expect("demo data");
                started
            })
            .await
            .expect("server start");
        Self::run(dir, postgres, database_url, state, listener, base).serving().await
    }

    /// A second server on the same database, as a second process behind a
    /// load balancer would be.
    pub async fn twin_with(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_on(dir, None, self.database_url.clone(), adjust).await
    }

    /// A server on an existing database (`database_url`), its files in `dir`.
    async fn start_on(
        dir: tempfile::TempDir,
        postgres: Option<PostgresDatabase>,
        database_url: String,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = test_config(dir.path().to_owned(), postgres.as_ref());
        config.database_url = database_url;
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let (state, listener, base) =
            SERVER_RUNTIME.spawn(async move { start_state(&config).await }).await.expect("server start");
        Self::run(dir, postgres, database_url, state, listener, base).serving().await
    }

    fn run(
        dir: tempfile::TempDir,
        postgres: Option<PostgresDatabase>,
        database_url: String,
        state: AppState,
        listener: TcpListener,
        base: String,
    ) -> TestApp {
        let (tx, rx) = oneshot::channel::<()>();
        let server = SERVER_RUNTIME.spawn(server::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp {
            base,
            database_url,
            postgres,
            db: state.db.clone(),
            state,
            dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Returns once the server answers, its start-up work done (overdue
    /// vouchers recorded expired): what a test does next is not raced by it.
    async fn serving(self) -> TestApp {
        let health = format!("{}/healthz", self.base);
        for _ in 0..600 {
            if reqwest::get(&health).await.is_ok_and(|r| r.status().is_success()) {
                return self;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the test server did not answer {health} within 30 s");
    }

    /// Stops this server and starts a new one on the same database file, as
    /// after a deploy or a reboot.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        self.stop().await;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        let postgres = self.postgres.take();
        Self::start_on(dir, postgres, self.database_url.clone(), adjust).await
    }

    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ended cleanly");
        }
        self.db.close().await;
    }

    pub fn browser(&self) -> Browser {
        Browser { client: client(), base: self.base.clone() }
    }

    /// A browser at another network address: behind the trusted reverse
    /// proxy (`trust_proxy`), every request says it comes from `address`.
    pub fn browser_from(&self, address: &str) -> Browser {
        let mut headers = header::HeaderMap::new();
        headers.insert("x-forwarded-for", header::HeaderValue::from_str(address).expect("an address"));
        let client = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("client");
        Browser { client, base: self.base.clone() }
    }

    pub async fn logged_in(&self, member: &str) -> Browser {
        let browser = self.browser();
        let res = browser.login(member, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::FOUND, "login of {member} should redirect");
        let session = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("bons_session=") && !v.starts_with("bons_session=;"));
        assert!(session, "login of {member} should open a session: {:?}", res.headers().get(header::LOCATION));
        browser
    }

    /// Creates a staff account (`agency` for the demo agency, or `admin`)
    /// or, with `agency_code`, staff of another agency created on the way.
    pub async fn create_staff(&self, login: &str, role: &str, agency_code: Option<&str>) -> i64 {
        let agency: Option<i64> = match (role, agency_code) {
            ("admin", _) => None,
            (_, None) => Some(self.count("SELECT id FROM agencies WHERE code = 'NA'").await),
            (_, Some(code)) => Some(
                sqlx::query_scalar(
                    "INSERT INTO agencies (name, code, centre_code) VALUES ($1, $2, '443')
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id",
                )
                .bind(format!("Agence {code}"))
                .bind(code)
                .fetch_one(self.db.pool())
                .await
                .expect("other agency"),
            ),
        };
        sqlx::query_scalar(
            "INSERT INTO accounts (login, password_hash, role, agency_id, active, created_at)
             VALUES ($1, $2, $3, $4, 1, '2026-01-01T00:00:00.000000Z') RETURNING id",
        )
        .bind(login)
        .bind(app::server::auth::hash_password(PASSWORD))
        .bind(role)
        .bind(agency)
        .fetch_one(self.db.pool())
        .await
        .expect("staff account")
    }

    /// Runs the `bons` command line on this test's database.
    pub fn bons(&self, args: &[&str]) -> std::process::Output {
        self.bons_logging(args, "warn")
    }

    /// The same, with the log filter `rust_log` (`info` is the default).
    pub fn bons_logging(&self, args: &[&str], rust_log: &str) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_bons"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("BONS_SECRET", "5e".repeat(32))
            .env("BONS_MAIL_DIR", self.dir.path().join("mail"))
            .env("RUST_LOG", rust_log)
            .output()
            .expect("run bons")
    }

    /// The id of a demo supplier, by name.
    pub async fn supplier_id(&self, name: &str) -> String {
        let id: i64 = sqlx::query_scalar("SELECT id FROM suppliers WHERE name = $1")
            .bind(name)
            .fetch_one(self.db.pool())
            .await
            .expect("demo supplier");
        id.to_string()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.db.pool()).await.expect(sql)
    }

    /// Runs one statement with one parameter (`$1`): how a test puts a row
    /// in a state the screens would take long to reach.
    pub async fn update_row<'q, K>(&self, sql: &'q str, key: K) -> sqlx::any::AnyQueryResult
    where
        K: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
    {
        sqlx::query(sql).bind(key).execute(self.db.pool()).await.expect(sql)
    }

    /// A 1-EMIS voucher `member` requested at the supplier named
    /// `supplier` (through the server function, as the hydrated app does).
    pub async fn voucher_for(&self, member: &Browser, supplier: &str, amount: &str) -> i64 {
        member.request_voucher_json(&self.supplier_id(supplier).await, amount).await
    }

    /// A row changed by hand with two parameters (`$1`, `$2`).
    pub async fn update_row_with<'q, A, B>(&self, sql: &'q str, first: A, second: B) -> sqlx::any::AnyQueryResult
    where
        A: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
        B: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
    {
        sqlx::query(sql).bind(first).bind(second).execute(self.db.pool()).await.expect(sql)
    }

    /// One value read from the database with one parameter (`$1`).
    pub async fn value_of<'q, K, T>(&self, sql: &'q str, key: K) -> T
    where
        K: 'q + sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
        (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
        T: Send + Unpin,
    {
        sqlx::query_scalar(sql).bind(key).fetch_one(self.db.pool()).await.expect(sql)
    }

    /// A supplier's login as the services see it, without going through HTTP.
    /// A sponsor's manager (`mairie`, `ccas`, `fondation`) as the services take them.
    pub async fn sponsor(&self, login: &str) -> app::server::auth::Sponsor {
        let (account_id, agency_id): (i64, i64) =
            sqlx::query_as("SELECT id, agency_id FROM accounts WHERE login = $1 AND role = 'sponsor'")
                .bind(login)
                .fetch_one(self.db.pool())
                .await
                .expect("sponsor login");
        app::server::auth::Sponsor { account_id, login: login.to_owned(), agency_id }
    }

    /// The emails the file transport wrote, as raw messages, in name order.
    pub fn mails(&self) -> Vec<String> {
        mails(&self.dir.path().join("mail"))
    }

    pub async fn supplier_user(&self, login: &str) -> app::server::auth::SupplierUser {
        let (account_id, supplier_id, supplier_name, agency_id): (i64, i64, String, i64) = sqlx::query_as(
            "SELECT a.id, s.id, s.name, s.agency_id FROM accounts a JOIN suppliers s ON s.id = a.supplier_id
              WHERE a.login = $1",
        )
        .bind(login)
        .fetch_one(self.db.pool())
        .await
        .expect("supplier login");
        app::server::auth::SupplierUser { account_id, login: login.to_owned(), supplier_id, supplier_name, agency_id }
    }

    /// Status, number and validation time of a voucher, read from the database.
    pub async fn voucher_row(&self, id: i64) -> (i64, Option<String>, Option<String>) {
        sqlx::query_as("SELECT status, number, validated_at FROM vouchers WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await
            .expect("voucher row")
    }
}

/// `BONS_TEST_LOG=debug` shows the server's log in failing tests' output.
/// The pool's waits reach `/metrics` as in the binary; with
/// `BONS_TEST_LOG=<filter>`, the log too.
fn init_logging() {
    use tracing_subscriber::layer::{Layer, SubscriberExt};
    use tracing_subscriber::util::SubscriberInitExt;
    let lines = std::env::var("BONS_TEST_LOG").ok().map(|filter| {
        tracing_subscriber::fmt::layer().with_test_writer().with_filter(tracing_subscriber::EnvFilter::new(filter))
    });
    let _ = tracing_subscriber::registry().with(lines).with(server::logging::pool_waits()).try_init();
}

/// With `BONS_TEST_DATABASE_URL=postgres://user@host:port`, each test gets a
/// database of its own on that server, dropped when the test ends; without
/// it, each test gets a fresh SQLite file.
pub struct PostgresDatabase {
    server: String,
    name: String,
}

impl PostgresDatabase {
    pub async fn create_if_asked() -> Option<PostgresDatabase> {
        let server = std::env::var("BONS_TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))?;
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("bons_test_{}", hex::encode(rand::random::<[u8; 8]>()));
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{server}/postgres"))
            .await
            .expect("PostgreSQL for the tests (BONS_TEST_DATABASE_URL)");
        sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .expect("create database");
        Some(PostgresDatabase { server, name })
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (format!("{}/postgres", self.server), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on itself.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await?;
                sqlx::Executor::execute(&mut admin, format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn test_config(dir: PathBuf, postgres: Option<&PostgresDatabase>) -> Config {
    Config {
        database_url: postgres
            .map(PostgresDatabase::url)
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("bons.db").display())),
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_root: dir.join("site").display().to_string(),
        public_url: None,
        secret: Some("5e".repeat(32)),
        secret_file: dir.join("secret.key"),
        session_days: 30,
        smtp_url: None,
        mail_dir: dir.join("mail"),
        mail_from: "Castors de l'Ouest <releves@castors.invalid>".into(),
        trust_proxy: false,
        metrics_token: None,
        lease_seconds: 60,
    }
}

async fn start_state(config: &Config) -> (AppState, TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = config.clone();
    config.public_url.get_or_insert_with(|| base.clone());
    let state = server::state_from_config(&config).await.expect("state");
    (state, listener, base)
}

/// No answer within a minute fails the test instead of stalling the suite.
fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

/// A browser without the WASM: it follows links, posts forms with
/// `Accept: text/html` and a `Referer`, and keeps its cookies.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Browser {
    pub async fn login(&self, number: &str, password: &str) -> reqwest::Response {
        self.submit_raw("/connexion", "/api/login", &[("number", number), ("password", password)]).await
    }

    /// Loads a page.
    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .expect("GET");
        page(res).await
    }

    /// Posts a form from the page at `from` and follows the redirect, as a
    /// browser does; returns the page it lands on and where that was.
    pub async fn submit(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let res = self.submit_raw(from, action, fields).await;
        assert_eq!(res.status(), StatusCode::FOUND, "a form post answers with a redirect");
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("Location").to_owned();
        let path = location.strip_prefix(&self.base).unwrap_or(&location).to_owned();
        let mut landed = self.get(&path).await;
        landed.location = Some(path);
        landed
    }

    pub async fn submit_raw(&self, from: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_from(from, action, "text/html,application/xhtml+xml").form(fields).send().await.expect("POST")
    }

    /// A POST to `action` sent from the page at `from` (its Referer), by a
    /// client that accepts `accept`; the body is the caller's.
    pub fn post_from(&self, from: &str, action: &str, accept: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{action}", self.base))
            .header(header::ACCEPT, accept)
            .header(header::REFERER, format!("{}{from}", self.base))
    }

    /// DEMANDE DE BONS CASTORS WEB → VALIDER through the form; the new voucher's id.
    pub async fn request_voucher(&self, supplier_id: &str, amount: &str) -> i64 {
        let page = self
            .submit("/bons/nouveau", "/api/request_voucher", &[("supplier_id", supplier_id), ("amount", amount)])
            .await;
        let location = page.location.clone().unwrap_or_default();
        let id = location.strip_prefix("/bons/nouveau?emis=").unwrap_or_else(|| {
            panic!("the request should land on the issued voucher, not {location}: {:?}", page.error())
        });
        id.parse().expect("voucher id")
    }

    /// OK on "Attention cette opération est irréversible": lands on the code screen.
    pub async fn use_voucher(&self, id: i64) -> Page {
        self.submit(&format!("/bons/{id}/utiliser"), "/api/use_voucher", &[("id", &id.to_string())]).await
    }

    /// The same request as the hydrated app makes it; the new voucher's id.
    pub async fn request_voucher_json(&self, supplier_id: &str, amount: &str) -> i64 {
        let (status, json) = self.call("request_voucher", &[("supplier_id", supplier_id), ("amount", amount)]).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json.as_i64().expect("the new voucher's id")
    }

    /// Calls a server function as the hydrated app does: form in, JSON out.
    pub async fn call(&self, name: &str, fields: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
        let res = self
            .client
            .post(format!("{}/api/{name}", self.base))
            .header(header::ACCEPT, "application/json")
            .form(fields)
            .send()
            .await
            .expect("server function call");
        let status = res.status();
        let body = res.text().await.expect("body");
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)))
    }
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Page { status, location, body: res.text().await.expect("body") }
}

impl Page {
    /// The text of the first element whose opening tag contains `marker`,
    /// e.g. `class="secret-code"`; HTML entities for & and ' are decoded.
    pub fn text_of(&self, marker: &str) -> Option<String> {
        let start = self.body.find(marker)?;
        let open_end = start + self.body[start..].find('>')? + 1;
        let close = open_end + self.body[open_end..].find('<')?;
        Some(self.body[open_end..close].replace("&amp;", "&").replace("&#x27;", "'").replace("&#39;", "'"))
    }

    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text) || self.body.replace("&#x27;", "'").replace("&amp;", "&").contains(text)
    }

    /// The user-facing error message on the page, if any.
    pub fn error(&self) -> Option<String> {
        self.text_of("notice-error")
    }
}

/// The text of every page of a PDF, as a reader extracts it.
pub fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text of the PDF")
}

/// The messages the file transport wrote in `dir`: raw, in name order.
pub fn mails(dir: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| std::fs::read_to_string(e.path()).expect("eml"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// A used voucher of the paid-up member at "Matériaux de l'Ouest": (id, number, code).
pub async fn used_voucher(app: &TestApp, phone: &Browser, amount: &str) -> (i64, String, String) {
    used_voucher_at(app, phone, "Matériaux de l'Ouest", amount).await
}

/// A voucher requested and used by `phone`'s member at `supplier`: (id, number, code).
pub async fn used_voucher_at(app: &TestApp, phone: &Browser, supplier: &str, amount: &str) -> (i64, String, String) {
    let supplier = app.supplier_id(supplier).await;
    let id = phone.request_voucher_json(&supplier, amount).await;
    let (status, card) = phone.call("use_voucher", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    let receipt = &card["receipt"];
    (id, receipt["number"].as_str().unwrap().to_owned(), receipt["code"].as_str().unwrap().to_owned())
}

/// Today in Paris, `2026-11-23`, as a form's date field sends it.
pub fn today() -> String {
    app::server::clock::iso_day(app::server::clock::paris_date(chrono::Utc::now()))
}

/// A code that is not `code`, same length.
pub fn wrong(code: &str) -> String {
    code.chars().map(|c| if c == '9' { '0' } else { char::from(c as u8 + 1) }).collect()
}

/// The French sentence a person reads for a JSON error answer.
pub fn message(json: &serde_json::Value) -> String {
    serde_json::from_value::<app::error::AppError>(json.clone())
        .map(|e| e.to_string())
        .unwrap_or_else(|_| json.to_string())
}

/// `W2026.NA.442.00000001` → 1, checking the format on the way.
pub fn sequence_of(number: &str) -> u32 {
    let parsed: app::domain::VoucherNumber = number.parse().expect("a well-formed voucher number");
    assert_eq!(parsed.to_string(), number, "numbers are printed in their canonical form");
    assert_eq!((parsed.agency_code(), parsed.centre_code()), ("NA", "442"));
    parsed.sequence()
}

/// Graceful shutdown step by step, for tests that act between the signal and
/// the end of the serve loop.
impl TestApp {
    /// The address the server listens on, for raw TCP clients.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.base.trim_start_matches("http://").parse().expect("the server's address")
    }

    /// Sends the shutdown signal without waiting: requests in flight go on.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits until the serve loop has returned, and gives what it returned.
    pub async fn wait_stopped(&mut self) -> std::io::Result<()> {
        self.server.take().expect("a server that was started").await.expect("server task")
    }
}

/// The agency back office's helpers.
pub mod agency;
/// The sponsors' orders' helpers.
pub mod shop;
/// The supplier space's helpers.
pub mod supplier;

// Emails with links, as the file transport writes them.

/// The messages sent to `to`, quoted-printable undone.
pub fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().into_iter().map(|m| unquoted(&m)).filter(|m| m.contains(&format!("To: {to}"))).collect()
}

/// A raw message with its quoted-printable body decoded (soft line breaks
/// and `=XX` bytes).
pub fn unquoted(raw: &str) -> String {
    let raw = raw.replace("=\r\n", "");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'=' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page's own content, without the per-response nonce of its scripts.
pub fn main_of(page: &Page) -> &str {
    let start = page.body.find("<main").expect("a main element");
    let end = page.body.find("</main>").expect("its end");
    &page.body[start..end]
}

/// Waits until `n` messages with a link went to `to` (the link is mailed
/// after the answer, by a task of its own); returns the one whose link is
/// not in `seen` (messages are files named at random, not in order).
pub async fn nth_mail(app: &TestApp, to: &str, n: usize, seen: &[&str]) -> String {
    for _ in 0..200 {
        let with_link: Vec<String> = mails_to(app, to).into_iter().filter(|m| m.contains("/reinitialiser/")).collect();
        if with_link.len() >= n {
            return with_link.into_iter().find(|m| !seen.contains(&link_in(m).as_str())).expect("a new link");
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no message {n} to {to}: {:?}", mails_to(app, to));
}

/// The path of the link in a message.
pub fn link_in(mail: &str) -> String {
    let start = mail.find("/reinitialiser/").expect("a link");
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect()
}

/// The activation code of a letter staff print for `login` (its PDF's text).
pub async fn activation_letter(staff: &Browser, from: &str, login: &str) -> String {
    let res = staff
        .post_from(from, &format!("/agence/comptes/{login}/lettre"), "application/pdf")
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::OK, "the letter");
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let text = pdf_text(&res.bytes().await.expect("PDF"));
    let after = text.split("Code d'activation : ").nth(1).unwrap_or_else(|| panic!("a code in {text}"));
    after.chars().take(14).collect()
}

/// `/activer` with a letter's code: the path of the page where the password
/// is chosen.
pub async fn activate(browser: &Browser, login: &str, code: &str) -> String {
    let res = browser.submit_raw("/activer", "/api/activate_account", &[("identifiant", login), ("code", code)]).await;
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let path = location.strip_prefix(&browser.base).unwrap_or(&location).to_owned();
    assert!(path.starts_with("/reinitialiser/"), "activation landed on {path}");
    path
}

/// Chooses `password` on the page at `link` (from an email or a code).
pub async fn choose_password(browser: &Browser, link: &str, password: &str) -> Page {
    let token = link.trim_start_matches("/reinitialiser/");
    let fields = [("token", token), ("new", password), ("confirm", password)];
    browser.submit(link, "/api/choose_password", &fields).await
}

/// A log writer keeping every line in memory, for the tests that read the
/// process's log.
pub struct LogSink(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
