//! The visitor's cart: found by a cookie holding a random token (the
//! database keeps its SHA-256), kept in the database, joined to the
//! account when its visitor logs in. A cart joined to an account is that
//! account's only: after a logout, the next visitor of the browser starts
//! an empty one.

use super::{shop_prices, store};
use crate::domain::pricing::{self, CartLine, MAX_QUANTITY, PriceList, Product, QuoteError};
use crate::domain::{Money, Timestamp};
use crate::error::AppError;
use crate::model::shop::{CartLineView, CartView};
use crate::server::codes::sha256_hex;
use crate::server::error::ServerError;
use crate::server::store::shop::CartRecord;
use crate::server::{AppState, auth};
use axum::http::{HeaderValue, request::Parts};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

pub const CART_COOKIE: &str = "bons_panier";
/// A cart left alone this long is forgotten by the browser.
const CART_DAYS: i64 = 30;

/// Who is shopping: the cart cookie's token and the account logged in.
#[derive(Debug, Clone, Default)]
pub struct Shopper {
    pub token: Option<String>,
    pub account_id: Option<i64>,
}

impl Shopper {
    pub fn new(parts: &Parts, account_id: Option<i64>) -> Shopper {
        let token = auth::cookie_value(&parts.headers, CART_COOKIE).filter(|t| t.len() == 64);
        Shopper { token, account_id }
    }
}

/// The cookie that keeps a new cart's token.
pub fn cookie(state: &AppState, token: &str) -> Result<HeaderValue, AppError> {
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{CART_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        CART_DAYS * 24 * 3600
    ))
    .map_err(|_| AppError::Internal)
}

/// The shopper's cart: the cookie's, unless it belongs to another account;
/// else the account's latest.
pub(crate) async fn find(conn: &mut AnyConnection, shopper: &Shopper) -> Result<Option<CartRecord>, sqlx::Error> {
    if let Some(token) = &shopper.token
        && let Some(cart) = store::find_cart(conn, &sha256_hex(token.as_bytes())).await?
        && (cart.account_id.is_none() || cart.account_id == shopper.account_id)
    {
        return Ok(Some(cart));
    }
    match shopper.account_id {
        Some(account) => store::account_cart(conn, account, None).await,
        None => Ok(None),
    }
}

/// The shopper's cart's lines (none without a cart).
pub(crate) async fn lines(conn: &mut AnyConnection, shopper: &Shopper) -> Result<Vec<CartLine>, sqlx::Error> {
    match find(conn, shopper).await? {
        Some(cart) => store::cart_lines(conn, cart.id).await,
        None => Ok(Vec::new()),
    }
}

/// How many products the shopper's cart holds.
pub(crate) async fn count(conn: &mut AnyConnection, shopper: &Shopper) -> Result<u32, ServerError> {
    Ok(lines(conn, shopper).await?.iter().map(|l| l.quantity).sum())
}

fn product(key: &str) -> Result<Product, AppError> {
    Product::from_key(key).ok_or_else(|| AppError::Invalid("Ce produit n'est pas au catalogue.".into()))
}

/// A quantity as typed: 0 to `MAX_QUANTITY` (`allow_zero`: 0 takes the line out).
fn quantity(typed: &str, allow_zero: bool) -> Result<u32, AppError> {
    let low = u32::from(!allow_zero);
    typed
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|q| (low..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| AppError::field("quantity", format!("Indiquez une quantité entre {low} et {MAX_QUANTITY}.")))
}

/// Adds `typed` of a product to the shopper's cart, opening one if needed:
/// the new cart's token, for its cookie.
#[tracing::instrument(skip_all, fields(product = key))]
pub async fn add(
    state: &AppState,
    shopper: &Shopper,
    key: &str,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, ServerError> {
    let product = product(key)?;
    let added = quantity(typed, false)?;
    let mut tx = state.db.begin_write().await?;
    let prices = shop_prices(tx.conn()).await?;
    if prices.unit_price(product).is_none() {
        return Err(AppError::Invalid("Ce produit n'est plus proposé.".into()).into());
    }
    let stamp = Timestamp::new(now);
    let (cart, token) = match find(tx.conn(), shopper).await? {
        Some(cart) => (cart.id, None),
        None => {
            let token = hex::encode(rand::random::<[u8; 32]>());
            let id = store::insert_cart(tx.conn(), &sha256_hex(token.as_bytes()), shopper.account_id, stamp).await?;
            (id, Some(token))
        }
    };
    let lines = store::cart_lines(tx.conn(), cart).await?;
    let already = lines.iter().find(|l| l.product == product).map_or(0, |l| l.quantity);
    if already + added > MAX_QUANTITY {
        let why = format!("Votre panier en compte déjà {already} : {MAX_QUANTITY} au plus par commande.");
        return Err(AppError::field("quantity", why).into());
    }
    store::set_line(tx.conn(), cart, product, already + added, stamp).await?;
    tx.commit().await?;
    Ok(token)
}

/// Changes a line's quantity; 0 takes it out.
#[tracing::instrument(skip_all, fields(product = key))]
pub async fn set_quantity(
    state: &AppState,
    shopper: &Shopper,
    key: &str,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let product = product(key)?;
    let quantity = quantity(typed, true)?;
    let mut tx = state.db.begin_write().await?;
    let cart = find(tx.conn(), shopper).await?.ok_or_else(|| AppError::Conflict("Votre panier est vide.".into()))?;
    store::set_line(tx.conn(), cart.id, product, quantity, Timestamp::new(now)).await?;
    tx.commit().await?;
    Ok(())
}

/// The lines as `prices` sell them, and the quote (none when empty, or
/// when a line is no longer on sale: `problem` says which).
pub(crate) fn priced(prices: &PriceList, lines: &[CartLine], discount: Option<pricing::Discount>) -> CartView {
    let views = lines
        .iter()
        .map(|l| {
            let unit = prices.unit_price(l.product).unwrap_or_default();
            CartLineView {
                key: l.product.key(),
                label: prices.label(l.product),
                quantity: l.quantity,
                unit_price: unit,
                net: Money::from_cents(unit.cents() * i64::from(l.quantity)),
            }
        })
        .collect();
    let (quote, problem) = match pricing::quote(prices, lines, discount) {
        Ok(quote) => (Some(quote), None),
        Err(QuoteError::Empty) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    };
    CartView { lines: views, quote, problem }
}

/// `/panier`: the shopper's cart at the shop's prices.
#[tracing::instrument(skip_all)]
pub async fn view(state: &AppState, shopper: &Shopper) -> Result<CartView, ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    let prices = shop_prices(&mut conn).await?;
    Ok(priced(&prices, &lines(&mut conn, shopper).await?, None))
}

/// At login: the browser's cart becomes the account's, with what the
/// account had left in an earlier cart added to it (quantities summed,
/// up to the most one order takes).
pub async fn join_at_login(state: &AppState, token: Option<&str>, account_id: i64) -> Result<(), ServerError> {
    let Some(token) = token else { return Ok(()) };
    let mut tx = state.db.begin_write().await?;
    let Some(cart) = store::find_cart(tx.conn(), &sha256_hex(token.as_bytes())).await? else { return Ok(()) };
    if cart.account_id.is_some_and(|a| a != account_id) {
        return Ok(());
    }
    let now = Timestamp::new(Utc::now());
    store::attach_cart(tx.conn(), cart.id, account_id, now).await?;
    if let Some(earlier) = store::account_cart(tx.conn(), account_id, Some(cart.id)).await? {
        let mut lines = store::cart_lines(tx.conn(), cart.id).await?;
        for old in store::cart_lines(tx.conn(), earlier.id).await? {
            match lines.iter_mut().find(|l| l.product == old.product) {
                Some(line) => line.quantity = (line.quantity + old.quantity).min(MAX_QUANTITY),
                None => lines.push(old),
            }
        }
        for line in &lines {
            store::set_line(tx.conn(), cart.id, line.product, line.quantity, now).await?;
        }
        store::delete_cart(tx.conn(), earlier.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_typed() {
        assert_eq!(quantity(" 3 ", false), Ok(3));
        assert_eq!(quantity("0", true), Ok(0));
        for bad in ["0", "", "-1", "1001", "deux", "2.5"] {
            assert!(quantity(bad, false).is_err(), "{bad:?}");
        }
    }
}
