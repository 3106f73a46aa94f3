//! A member's phone as the hydrated app drives the server: a cookie jar, a
//! login, and server functions called with a form body and
//! `Accept: application/json`. Redirects are not followed: a server function
//! answers with its JSON result whatever its status.

use crate::Result;
use reqwest::{StatusCode, header, redirect::Policy};
use serde_json::Value;
use std::time::Duration;

/// A server function's answer; `json` holds the body as a string when it is not JSON.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
}

impl Answer {
    pub fn is_ok(&self) -> bool {
        self.status.is_success() || self.status.is_redirection()
    }
}

/// The receipt of a used voucher's card, as `use_voucher` answers it and
/// `open_voucher` shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Receipt {
    pub number: String,
    pub code: String,
}

impl Receipt {
    /// The card's `"receipt": {"number": …, "code": …, …}`
    pub fn from_json(json: &Value) -> Option<Receipt> {
        Some(Receipt { number: json["number"].as_str()?.to_owned(), code: json["code"].as_str()?.to_owned() })
    }
}

impl std::fmt::Display for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} code {}", self.number, self.code)
    }
}

/// One phone: its own cookies, hence its own session. The server's address
/// is given to each call, so one phone outlives restarts on new ports
/// (cookies are per host, not per port).
#[derive(Clone)]
pub struct Phone {
    http: reqwest::Client,
}

impl Phone {
    pub fn new() -> Result<Phone> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Phone { http })
    }

    /// Logs in and checks that the session cookie was set.
    pub async fn login(&self, base: &str, number: &str, password: &str) -> Result<()> {
        let res = post_login(&self.http, base, number, password).await?;
        let status = res.status();
        let session_set = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|c| c.starts_with("bons_session=")));
        let body = res.text().await.unwrap_or_default();
        if !(status.is_success() || status.is_redirection()) || !session_set {
            return Err(format!("login of {number} failed: {status} {body}").into());
        }
        Ok(())
    }

    /// POSTs `fields` to `/api/<name>`. An error means no complete answer
    /// arrived (connection refused or cut, timeout); an answer with an error
    /// status is an `Ok`.
    pub async fn call(&self, base: &str, name: &str, fields: &[(&str, &str)]) -> reqwest::Result<Answer> {
        let res = self
            .http
            .post(format!("{base}/api/{name}"))
            .header(header::ACCEPT, "application/json")
            .form(fields)
            .send()
            .await?;
        let status = res.status();
        let body = res.text().await?;
        let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
        Ok(Answer { status, json })
    }

    /// The active suppliers' ids and the largest voucher, in cents.
    pub async fn request_choices(&self, base: &str) -> Result<(Vec<i64>, i64)> {
        let answer = self.call(base, "request_choices", &[]).await?;
        let suppliers: Vec<i64> = answer.json["suppliers"]
            .as_array()
            .map(|list| list.iter().filter_map(|s| s["id"].as_i64()).collect())
            .unwrap_or_default();
        match (answer.is_ok(), suppliers.is_empty(), answer.json["max_voucher"].as_i64()) {
            (true, false, Some(max)) => Ok((suppliers, max)),
            _ => Err(format!("request_choices: {} {}", answer.status, answer.json).into()),
        }
    }
}

/// Logs in once and returns the session cookie (`bons_session=…`), for
/// clients that share one session instead of each keeping a cookie jar:
/// the load generators of the benchmark, whose argon2 logins would
/// otherwise cost more than what they measure.
pub async fn session_cookie(base: &str, number: &str, password: &str) -> Result<String> {
    let http = reqwest::Client::builder().redirect(Policy::none()).timeout(Duration::from_secs(30)).build()?;
    let res = post_login(&http, base, number, password).await?;
    let status = res.status();
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.split(';').next().filter(|pair| pair.starts_with("bons_session=")))
        .map(str::to_owned)
        .ok_or_else(|| format!("login of {number} failed: {status}").into())
}

/// The login form posted as the page's script posts it (JSON answer).
async fn post_login(
    http: &reqwest::Client,
    base: &str,
    number: &str,
    password: &str,
) -> reqwest::Result<reqwest::Response> {
    http.post(format!("{base}/api/login"))
        .header(header::ACCEPT, "application/json")
        .form(&[("number", number), ("password", password)])
        .send()
        .await
}
