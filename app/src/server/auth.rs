//! Passwords (argon2id), sessions stored in the database, the session cookie,
//! and "who is asking" for server functions.

use super::{AppState, budgets, codes::sha256_hex, error::ServerError, store::accounts};
use crate::domain::{Day, Role, Timestamp};
use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header, request::Parts};
use chrono::{DateTime, Duration, Utc};
use std::net::SocketAddr;
use std::sync::LazyLock;

pub const SESSION_COOKIE: &str = "bons_session";
/// Remembers that this browser logged in to an account before (OWASP's
/// "device cookie"): its right password always gets in, whatever strangers
/// try elsewhere.
pub const DEVICE_COOKIE: &str = "bons_appareil";
/// Chromium keeps a cookie 400 days at most.
const DEVICE_DAYS: i64 = 400;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2id accepts any password").to_string()
}

/// Verifying against this when the login is unknown keeps the answer's timing
/// the same whether or not the account exists.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not a real password"));

/// Argon2's verification compares the hashes in constant time.
pub(crate) fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Whether a stored hash was made otherwise than `hash_password` makes
/// them today (another algorithm, lighter or other costs): it is made again
/// at the next successful login, the only moment the password is known.
pub(crate) fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return true };
    let current = argon2::Params::default();
    parsed.algorithm != argon2::Algorithm::Argon2id.ident()
        || argon2::Params::try_from(&parsed).map_or(true, |p| {
            (p.m_cost(), p.t_cost(), p.p_cost()) != (current.m_cost(), current.t_cost(), current.p_cost())
        })
}

/// A device that logged in to an account before, as its device cookie says
/// (`<account>.<nonce>.<signature>`, signed with the server's key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    pub account_id: i64,
    /// The device's own random name: the subject of its attempt budget.
    pub nonce: String,
}

impl KnownDevice {
    /// The device cookie of this request, when there is one and its
    /// signature holds.
    pub fn from_request(state: &AppState, parts: &Parts) -> Option<KnownDevice> {
        let value = cookie_value(&parts.headers, DEVICE_COOKIE)?;
        let mut fields = value.splitn(3, '.');
        let (account, nonce, signature) = (fields.next()?, fields.next()?, fields.next()?);
        let account_id: i64 = account.parse().ok()?;
        let nonce_ok = nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        (nonce_ok && state.keys.verify_device(account_id, nonce, signature))
            .then(|| KnownDevice { account_id, nonce: nonce.to_owned() })
    }
}

/// Checks a login and password; returns the account and its role on success.
///
/// Failures are charged to budgets (`budgets`) before the password is
/// checked, and refunded on success; a spent budget refuses the attempt
/// whatever the password. Which budgets depends on the device:
/// - a device that logged in to this account before (its cookie, `device`)
///   is charged alone, so strangers' attempts never keep the person out of
///   a phone or computer they already use;
/// - any other device is charged per address, per (login, address) and per
///   login (all addresses together): a stranger guessing from one address
///   spends their own budget, and only a guessing attack spread over many
///   addresses holds off new devices, for an hour.
///
/// A known device whose own budget is spent is treated as any other. The
/// hash is computed off the async threads: it takes tens of milliseconds on
/// purpose.
pub async fn check_password(
    state: &AppState,
    login: &str,
    password: String,
    address: &str,
    device: Option<&KnownDevice>,
    now: DateTime<Utc>,
) -> Result<(i64, Role), ServerError> {
    let record = accounts::find_login(state.db.pool(), login).await?;
    let device = device.filter(|d| record.as_ref().is_some_and(|r| r.id == d.account_id));

    let mut tx = state.db.begin_write().await?;
    let mut charged = Vec::new();
    if let Some(device) = device {
        charged.push((budgets::LOGIN_PER_DEVICE, device.nonce.clone()));
        if !budgets::charge(&mut tx, budgets::LOGIN_PER_DEVICE, &device.nonce, now).await? {
            charged.clear();
        }
    }
    if charged.is_empty() {
        let untrusted = [
            (budgets::LOGIN_PER_ADDRESS, address.to_owned()),
            (budgets::LOGIN_PER_LOGIN_AND_ADDRESS, budgets::login_and_address(login, address)),
            (budgets::LOGIN_PER_LOGIN, login.to_owned()),
        ];
        let mut refusal = None;
        for (budget, subject) in &untrusted {
            let allowed = budgets::charge(&mut tx, *budget, subject, now).await?;
            if !allowed && refusal.is_none() {
                refusal = Some(if *budget == budgets::LOGIN_PER_LOGIN {
                    AppError::AccountThrottled
                } else {
                    AppError::TooManyAttempts
                });
            }
        }
        if let Some(refusal) = refusal {
            tx.commit().await?;
            tracing::warn!(%address, "login refused: attempt budget spent");
            crate::server::meters::login_refused("budget");
            return Err(refusal.into());
        }
        charged.extend(untrusted);
    }
    tx.commit().await?;

    let (stored, account) = match &record {
        Some(r) if r.active => (r.password_hash.clone(), Some((r.id, r.role))),
        _ => (DUMMY_HASH.clone(), None),
    };
    let (matches, upgraded) = tokio::task::spawn_blocking(move || {
        let matches = password_matches(&password, &stored);
        (matches, (matches && needs_rehash(&stored)).then(|| hash_password(&password)))
    })
    .await
    .map_err(|_| AppError::Internal)?;
    match account {
        Some(account) if matches => {
            let mut tx = state.db.begin_write().await?;
            budgets::refund_all(&mut tx, &charged).await?;
            if let Some(hash) = upgraded {
                accounts::set_password_hash(tx.conn(), account.0, &hash).await?;
                tracing::info!(account = account.0, "password hash made again with today's parameters");
            }
            tx.commit().await?;
            Ok(account)
        }
        _ => {
            crate::server::meters::login_refused("credentials");
            Err(AppError::BadCredentials.into())
        }
    }
}

/// The device cookie to send after a successful login: this device is now
/// known to `account_id` (it keeps its name if it was known already). It
/// only ever reaches the login function, and says nothing but the account's
/// id.
pub fn device_cookie(state: &AppState, account_id: i64, known: Option<&KnownDevice>) -> Result<HeaderValue, AppError> {
    let nonce = known
        .filter(|d| d.account_id == account_id)
        .map(|d| d.nonce.clone())
        .unwrap_or_else(|| hex::encode(rand::random::<[u8; 16]>()));
    let signature = state.keys.sign_device(account_id, &nonce);
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={account_id}.{nonce}.{signature}; Path=/api/login; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        DEVICE_DAYS * 24 * 3600
    ))
    .map_err(|_| AppError::Internal)
}

/// Opens a session for the request in `parts` (its device and address are
/// kept for « Mon compte ») and returns the cookie to send.
pub async fn open_session(state: &AppState, account_id: i64, parts: &Parts) -> Result<HeaderValue, ServerError> {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let now = Utc::now();
    let expires = now + Duration::days(i64::from(state.settings.session_days));
    // Logins are rare enough that sweeping expired sessions here costs nothing.
    accounts::delete_expired_sessions(state.db.pool(), Timestamp::new(now)).await?;
    let token_hash = sha256_hex(token.as_bytes());
    let agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let device = crate::domain::device::summary(agent);
    let address = client_address(state, parts);
    let opened = accounts::Opened { device: &device, address: &address };
    let (now, expires) = (Timestamp::new(now), Timestamp::new(expires));
    accounts::insert_session(state.db.pool(), &token_hash, account_id, now, expires, &opened).await?;
    let max_age = i64::from(state.settings.session_days) * 24 * 3600;
    Ok(cookie(state, &token, max_age)?)
}

pub async fn close_session(state: &AppState, parts: &Parts) -> Result<HeaderValue, ServerError> {
    if let Some(token) = session_token(parts) {
        accounts::delete_session(state.db.pool(), &sha256_hex(token.as_bytes())).await?;
    }
    Ok(cookie(state, "", 0)?)
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, AppError> {
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|_| AppError::Internal)
}

/// The stored form of this request's session token (its SHA-256), if any.
pub fn session_hash(parts: &Parts) -> Option<String> {
    session_token(parts).map(|token| sha256_hex(token.as_bytes()))
}

fn session_token(parts: &Parts) -> Option<String> {
    cookie_value(&parts.headers, SESSION_COOKIE)
}

/// The value of the request's cookie `name`, unless it is missing or empty.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// The logged-in member making this request.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    /// The account the member logged in with: the journal's "who".
    pub account_id: i64,
    pub login: String,
    pub agency_id: i64,
    pub number: String,
    pub name: String,
    pub fee_paid_until: Option<Day>,
}

/// Whoever is logged in on this request, if anyone.
pub async fn current_account(state: &AppState, parts: &Parts) -> Result<Option<accounts::SessionRecord>, ServerError> {
    let Some(token) = session_token(parts) else {
        return Ok(None);
    };
    let now = Utc::now();
    let token_hash = sha256_hex(token.as_bytes());
    let found = accounts::find_session(state.db.pool(), &token_hash, Timestamp::new(now)).await?;
    // « Dernière activité », to five minutes: written after the answer,
    // never in its way.
    let stale = |seen: &Option<Timestamp>| seen.is_none_or(|at| at.utc() + Duration::minutes(SEEN_EVERY_MINUTES) < now);
    if found.as_ref().is_some_and(|s| stale(&s.last_seen_at)) {
        let pool = state.db.pool().clone();
        tokio::spawn(async move {
            if let Err(e) = accounts::touch_session(&pool, &token_hash, Timestamp::new(now)).await {
                tracing::warn!(error = %e, "session's last activity not noted");
            }
        });
    }
    Ok(found)
}

/// How often a session's last activity is noted.
const SEEN_EVERY_MINUTES: i64 = 5;

/// Who is asking, from the session cookie; an error when nobody is logged in
/// or the account is not a member's.
pub async fn require_member(state: &AppState, parts: &Parts) -> Result<Member, AppError> {
    let session = current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
    let member_id = match (session.role, session.member_id) {
        (Role::Member, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    session.member.active(member_id).map(|m| member(session.account_id, m)).ok_or(AppError::NotLoggedIn)
}

/// A logged-in member of agency staff, or an administrator.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account_id: i64,
    pub login: String,
    /// `Agency` or `Admin`.
    pub role: Role,
    /// The agency a staff member works for; None for an administrator.
    pub agency_id: Option<i64>,
}

impl Staff {
    /// Staff see their own agency's things; an administrator sees all.
    pub fn covers(&self, agency_id: i64) -> bool {
        self.is_admin() || self.agency_id == Some(agency_id)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The agency whose things a list shows: staff always see their own; an
    /// administrator sees the one asked for, or every agency (None).
    pub fn scope(&self, asked: Option<i64>) -> Option<i64> {
        if self.is_admin() { asked } else { self.agency_id }
    }

    /// The agency a new thing (member, supplier…) belongs to: the staff
    /// member's own; an administrator must say which.
    pub fn agency_for_new(&self, asked: Option<i64>) -> Result<i64, AppError> {
        match (self.is_admin(), self.agency_id, asked) {
            (false, Some(own), _) => Ok(own),
            (true, _, Some(asked)) => Ok(asked),
            _ => Err(AppError::Invalid("Choisissez l'agence.".into())),
        }
    }
}

/// Someone logged in for a partner supplier: counter staff, the office.
/// Several logins may work for the same supplier.
#[derive(Debug, Clone)]
pub struct SupplierUser {
    pub account_id: i64,
    pub login: String,
    pub supplier_id: i64,
    pub supplier_name: String,
    /// The agency the supplier works with.
    pub agency_id: i64,
}

/// Who is asking, when only a supplier's staff may: their supplier must
/// still be a partner (an inactive supplier's logins see nothing).
pub async fn require_supplier(state: &AppState, parts: &Parts) -> Result<SupplierUser, AppError> {
    let session = current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
    let supplier_id = match (session.role, session.supplier_id) {
        (Role::Supplier, Some(id)) => id,
        _ => return Err(AppError::SupplierOnly),
    };
    let supplier =
        super::store::suppliers::find_by_id(state.db.pool(), supplier_id).await.map_err(ServerError::from)?;
    match supplier {
        Some(s) if s.active => Ok(SupplierUser {
            account_id: session.account_id,
            login: session.login,
            supplier_id,
            supplier_name: s.name,
            agency_id: s.agency_id,
        }),
        _ => Err(AppError::SupplierInactive),
    }
}

pub async fn require_staff(state: &AppState, parts: &Parts) -> Result<Staff, AppError> {
    let session = current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
    match (session.role, session.agency_id) {
        (Role::Admin, _) | (Role::Agency, Some(_)) => Ok(Staff {
            account_id: session.account_id,
            login: session.login,
            role: session.role,
            agency_id: session.agency_id,
        }),
        _ => Err(AppError::StaffOnly),
    }
}

/// A sponsor's manager (gestionnaire): acts on the structures they manage.
#[derive(Debug, Clone)]
pub struct Sponsor {
    pub account_id: i64,
    pub login: String,
    /// The agency the sponsor deals with: structures they activate are its.
    pub agency_id: i64,
}

pub async fn require_sponsor(state: &AppState, parts: &Parts) -> Result<Sponsor, AppError> {
    let session = current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
    match (session.role, session.agency_id) {
        (Role::Sponsor, Some(agency_id)) => {
            Ok(Sponsor { account_id: session.account_id, login: session.login, agency_id })
        }
        _ => Err(AppError::SponsorOnly),
    }
}

/// The network address a request came from: the TCP peer, or, behind a
/// reverse proxy we were told to trust, the last address it appended to
/// `X-Forwarded-For` (earlier entries are whatever the client claimed).
pub fn client_address(state: &AppState, parts: &Parts) -> String {
    if state.settings.trust_proxy {
        let mut forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(address) = forwarded.next_back() {
            return address.to_owned();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip().to_string())
        .unwrap_or_else(|| "inconnue".into())
}

/// The active member behind a member number, as if they had logged in: for
/// the command line and for tests that drive the services directly.
pub async fn member_by_number(state: &AppState, number: &str) -> Result<Option<Member>, ServerError> {
    let Some(account) = accounts::find_login(state.db.pool(), number).await? else {
        return Ok(None);
    };
    match account.member_id {
        Some(member_id) if account.active => member_of_account(state, account.id, member_id).await,
        _ => Ok(None),
    }
}

async fn member_of_account(state: &AppState, account_id: i64, member_id: i64) -> Result<Option<Member>, ServerError> {
    let m = accounts::find_member(state.db.pool(), member_id).await?;
    Ok(m.filter(|m| m.active).map(|m| member(account_id, m)))
}

fn member(account_id: i64, m: accounts::MemberRecord) -> Member {
    Member {
        id: m.id,
        account_id,
        login: m.number.clone(),
        agency_id: m.agency_id,
        number: m.number,
        name: m.name,
        fee_paid_until: m.fee_paid_until,
    }
}
