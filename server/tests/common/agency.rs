//! Helpers for the agency back office's tests: staff at their desk, the
//! forms they post, the CSV file they send.

use super::{Browser, Page, TestApp};
use reqwest::{StatusCode, header};

pub const NANTES_STAFF: &str = "agence.nantes";
pub const ADMIN: &str = "admin";
/// Staff of another agency (code RE), created by `rennes_staff`.
pub const RENNES_STAFF: &str = "agence.rennes";

/// Staff of the Rennes agency, logged in.
pub async fn rennes_staff(app: &TestApp) -> Browser {
    app.create_staff(RENNES_STAFF, "agency", Some("RE")).await;
    app.logged_in(RENNES_STAFF).await
}

/// A valid SIRET (Luhn) ending the 13 digits of `head`.
pub fn siret(head: &str) -> String {
    assert_eq!(head.len(), 13);
    (0..10)
        .map(|key| format!("{head}{key}"))
        .find(|s| app::domain::Siret::parse(s).is_ok())
        .expect("one key in ten completes a SIRET")
}

impl Browser {
    /// Posts the new member form; lands on the member's page.
    pub async fn create_member(&self, number: &str, name: &str, email: &str, fee: &str) -> Page {
        self.submit(
            "/agence/adherents/nouveau",
            "/api/create_member",
            &[("number", number), ("name", name), ("email", email), ("fee_paid_until", fee)],
        )
        .await
    }

    /// Sends a CSV file through the import form (as a browser does, without
    /// the WASM); the raw answer.
    pub async fn upload_members(&self, file_name: &str, bytes: Vec<u8>, agency: Option<&str>) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()).mime_str("text/csv").unwrap(),
        );
        if let Some(agency) = agency {
            form = form.text("agency", agency.to_owned());
        }
        let from = self.post_from("/agence/adherents/import", "/agence/adherents/import/envoi", "text/html");
        from.multipart(form).send().await.expect("upload")
    }

    /// Sends a file and follows the redirect to the report; (report's path, page).
    pub async fn import_members(&self, file_name: &str, content: &str) -> (String, Page) {
        let res = self.upload_members(file_name, content.as_bytes().to_vec(), None).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "an upload answers with a redirect");
        let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
        let page = self.get(&location).await;
        (location, page)
    }
}

/// The rows of a report: (line, member number, outcome code, detail).
pub fn report_lines(page: &Page) -> Vec<(i64, String, String, String)> {
    let mut rows = Vec::new();
    let mut rest = page.body.as_str();
    while let Some(at) = rest.find("data-line=\"") {
        rest = &rest[at + "data-line=\"".len()..];
        let line: i64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let outcome_at = rest.find("data-outcome=\"").unwrap() + "data-outcome=\"".len();
        let outcome = rest[outcome_at..outcome_at + rest[outcome_at..].find('"').unwrap()].to_owned();
        let cells: Vec<String> = rest
            .split("<td")
            .skip(1)
            .take(4)
            .map(|cell| {
                let start = cell.find('>').unwrap() + 1;
                let end = cell.find("</td>").unwrap();
                decode(&cell[start..end])
            })
            .collect();
        rows.push((line, cells[1].clone(), outcome, cells[3].clone()));
    }
    rows
}

fn decode(html: &str) -> String {
    // Leptos may leave hydration markers between text pieces.
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&#x27;", "'").replace("&#39;", "'").replace("&quot;", "\"")
}
