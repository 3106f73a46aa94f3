//! Helpers of the supplier space's tests: a second supplier login, API keys
//! and a till that calls `/api/v1`, a small PDF, uploads and downloads.

use super::{Browser, PASSWORD, Page, TestApp, today};
use reqwest::{Client, StatusCode, header, multipart};
use serde_json::Value;

/// Staff of "Bois & Charpente 44", the other demo supplier (created here).
pub const OTHER_SUPPLIER_LOGIN: &str = "bois";

/// A one-page PDF showing `text`, from the app's own PDF writer: the server
/// reads an uploaded PDF's structure before keeping it.
pub fn pdf(text: &str) -> Vec<u8> {
    let mut page = app::server::pdf::Page::default();
    page.text(app::server::pdf::MARGIN, app::server::pdf::TOP, 12.0, text);
    app::server::pdf::render(text, &[page])
}

impl TestApp {
    /// Logs in the other demo supplier's staff, creating the login the first time.
    pub async fn other_supplier(&self) -> Browser {
        let exists = self.count(&format!("SELECT COUNT(*) FROM accounts WHERE login = '{OTHER_SUPPLIER_LOGIN}'")).await;
        if exists == 0 {
            let supplier = self.supplier_id("Bois & Charpente 44").await;
            sqlx::query(
                "INSERT INTO accounts (login, password_hash, role, supplier_id, active, created_at)
                 VALUES ($1, $2, 'supplier', $3, 1, '2026-01-01T00:00:00.000000Z')",
            )
            .bind(OTHER_SUPPLIER_LOGIN)
            .bind(app::server::auth::hash_password(PASSWORD))
            .bind(supplier.parse::<i64>().unwrap())
            .execute(self.db.pool())
            .await
            .expect("other supplier login");
        }
        self.logged_in(OTHER_SUPPLIER_LOGIN).await
    }

    /// A key for the supplier of `login`, as `bons api-key create` makes it.
    pub async fn api_key(&self, login: &str, label: &str) -> String {
        app::server::services::accounts::api_keys::create_for_login(&self.state, login, label, chrono::Utc::now())
            .await
            .expect("api key")
            .key
    }

    /// A till of the supplier of `login`, with a key of its own.
    pub async fn till(&self, login: &str) -> Till {
        Till::new(self, self.api_key(login, "Caisse de test").await)
    }
}

/// A supplier's till: JSON over HTTP with its key, no cookies.
pub struct Till {
    pub client: Client,
    pub base: String,
    pub key: String,
}

impl Till {
    pub fn new(app: &TestApp, key: String) -> Till {
        let client = Client::builder().timeout(std::time::Duration::from_secs(60)).build().expect("client");
        Till { client, base: app.base.clone(), key }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.key).send().await.expect("GET");
        answer(res).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .expect("POST");
        answer(res).await
    }

    /// A voucher check: (status, answer).
    pub async fn check(&self, number: &str, code: &str) -> (StatusCode, Value) {
        self.post("/api/v1/vouchers/check", &serde_json::json!({ "number": number, "code": code })).await
    }
}

async fn answer(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let body = res.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

/// The `error` of a JSON refusal.
pub fn error_of(json: &Value) -> String {
    json["error"].as_str().map(str::to_owned).unwrap_or_else(|| json.to_string())
}

impl Browser {
    /// Sends an invoice dated today with the supplier's invoice form;
    /// `lines` as typed in its text area (`number;code;amount`).
    pub async fn send_invoice(&self, number: &str, amount: &str, lines: &str) -> (StatusCode, Value) {
        self.call(
            "supplier_submit_invoice",
            &[("number", number), ("date", &today()), ("amount", amount), ("lines", lines)],
        )
        .await
    }

    /// Uploads an invoice's PDF with the invoice page's form; `html` says
    /// whether it is a browser (answered with a redirect) or a script.
    pub async fn upload_pdf(&self, invoice: i64, name: &str, bytes: Vec<u8>, html: bool) -> reqwest::Response {
        let part = multipart::Part::bytes(bytes).file_name(name.to_owned()).mime_str("application/pdf").unwrap();
        let accept = if html { "text/html,application/xhtml+xml" } else { "application/json" };
        let page = format!("/fournisseur/factures/{invoice}");
        let post = self.post_from(&page, &format!("{page}/pdf"), accept);
        post.multipart(multipart::Form::new().part("pdf", part)).send().await.expect("upload")
    }

    /// A GET of a download: status, content type and bytes.
    pub async fn download(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.expect("download");
        let status = res.status();
        let kind = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (status, kind, res.bytes().await.expect("bytes").to_vec())
    }
}

impl Page {
    /// Does the page show `text`? Leptos separates a text's pieces with
    /// `<!>` markers for hydration; a person does not see them.
    pub fn shows(&self, text: &str) -> bool {
        self.body.replace("<!>", "").replace("&#x27;", "'").replace("&#39;", "'").replace("&amp;", "&").contains(text)
    }
}
