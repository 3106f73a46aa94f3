//! The sponsors' shop (`migrations/*/0011_shop.sql`): each agency's prices,
//! visitors' carts, and orders with their lines, distribution points and
//! purchase order.

use crate::domain::order::{OrderNumber, OrderStatus, PaymentMethod};
use crate::domain::pricing::{CartLine, PriceList, Product, QuoteLine, Rate, VatCategory};
use crate::domain::{ChorusRequirement, Money, ParisTime, Timestamp};
use crate::model::shop::{DistributionPoint, OrderRow, PostalAddress};
use sqlx::{AnyConnection, AnyPool, FromRow};

// ---- Prices -------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
struct SettingsRecord {
    face_values: String,
    booklet_size: i64,
    fee_rate: i64,
    accompaniment: Money,
    delivery: Money,
    vat_rate: i64,
    iban: Option<String>,
}

/// The agency's prices and IBAN; the defaults (and no IBAN) until staff
/// set them. A row that does not read is an error naming the agency.
pub async fn settings(conn: &mut AnyConnection, agency_id: i64) -> Result<(PriceList, Option<String>), sqlx::Error> {
    let row: Option<SettingsRecord> = sqlx::query_as(
        "SELECT face_values, booklet_size, fee_rate, accompaniment, delivery, vat_rate, iban
           FROM shop_settings WHERE agency_id = $1",
    )
    .bind(agency_id)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok((PriceList::default(), None)) };
    let broken = || sqlx::Error::Decode(format!("shop_settings row {agency_id}: unreadable prices").into());
    let face_values = row
        .face_values
        .split(',')
        .map(|c| c.trim().parse::<i64>().ok().filter(|c| *c > 0).map(Money::from_cents))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(broken)?;
    let rate = |r: i64| u32::try_from(r).ok().map(Rate::from_basis_points).ok_or_else(broken);
    let prices = PriceList {
        face_values,
        booklet_size: u32::try_from(row.booklet_size).map_err(|_| broken())?,
        fee_rate: rate(row.fee_rate)?,
        accompaniment: row.accompaniment,
        delivery: row.delivery,
        vat_rate: rate(row.vat_rate)?,
    };
    Ok((prices, row.iban))
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    agency_id: i64,
    prices: &PriceList,
    iban: Option<&str>,
    at: Timestamp,
    by: &str,
) -> Result<(), sqlx::Error> {
    let faces: Vec<String> = prices.face_values.iter().map(|m| m.cents().to_string()).collect();
    sqlx::query(
        "INSERT INTO shop_settings
            (agency_id, face_values, booklet_size, fee_rate, accompaniment, delivery, vat_rate, iban, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (agency_id) DO UPDATE SET face_values = excluded.face_values,
            booklet_size = excluded.booklet_size, fee_rate = excluded.fee_rate,
            accompaniment = excluded.accompaniment, delivery = excluded.delivery,
            vat_rate = excluded.vat_rate, iban = excluded.iban,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(agency_id)
    .bind(faces.join(","))
    .bind(i64::from(prices.booklet_size))
    .bind(i64::from(prices.fee_rate.basis_points()))
    .bind(prices.accompaniment)
    .bind(prices.delivery)
    .bind(i64::from(prices.vat_rate.basis_points()))
    .bind(iban)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- Carts --------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct CartRecord {
    pub id: i64,
    pub account_id: Option<i64>,
}

pub async fn find_cart(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<CartRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, account_id FROM carts WHERE token_hash = $1").bind(token_hash).fetch_optional(conn).await
}

/// The account's latest cart, but `except`.
pub async fn account_cart(
    conn: &mut AnyConnection,
    account_id: i64,
    except: Option<i64>,
) -> Result<Option<CartRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, account_id FROM carts WHERE account_id = $1 AND id <> $2 ORDER BY updated_at DESC, id DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(except.unwrap_or(0))
    .fetch_optional(conn)
    .await
}

pub async fn insert_cart(
    conn: &mut AnyConnection,
    token_hash: &str,
    account_id: Option<i64>,
    at: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO carts (token_hash, account_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(at)
    .fetch_one(conn)
    .await
}

pub async fn attach_cart(
    conn: &mut AnyConnection,
    cart_id: i64,
    account_id: i64,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE carts SET account_id = $2, updated_at = $3 WHERE id = $1")
        .bind(cart_id)
        .bind(account_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct CartLineRecord {
    product: String,
    face_value: i64,
    quantity: i64,
}

pub async fn cart_lines(conn: &mut AnyConnection, cart_id: i64) -> Result<Vec<CartLine>, sqlx::Error> {
    let rows: Vec<CartLineRecord> = sqlx::query_as(
        "SELECT product, face_value, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY product, face_value",
    )
    .bind(cart_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let product = Product::from_stored(&r.product, r.face_value);
            match (product, u32::try_from(r.quantity)) {
                (Some(product), Ok(quantity)) => Ok(CartLine { product, quantity }),
                _ => Err(sqlx::Error::Decode(format!("cart_lines of cart {cart_id}: unreadable {}", r.product).into())),
            }
        })
        .collect()
}

/// Sets a line's quantity (0 takes the line out).
pub async fn set_line(
    conn: &mut AnyConnection,
    cart_id: i64,
    product: Product,
    quantity: u32,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let (kind, face_value) = product.stored();
    if quantity == 0 {
        sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND product = $2 AND face_value = $3")
            .bind(cart_id)
            .bind(kind)
            .bind(face_value)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO cart_lines (cart_id, product, face_value, quantity) VALUES ($1, $2, $3, $4)
             ON CONFLICT (cart_id, product, face_value) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind(cart_id)
        .bind(kind)
        .bind(face_value)
        .bind(i64::from(quantity))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE carts SET updated_at = $2 WHERE id = $1").bind(cart_id).bind(at).execute(conn).await?;
    Ok(())
}

pub async fn empty_cart(conn: &mut AnyConnection, cart_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1").bind(cart_id).execute(conn).await?;
    Ok(())
}

pub async fn delete_cart(conn: &mut AnyConnection, cart_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1").bind(cart_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM carts WHERE id = $1").bind(cart_id).execute(conn).await?;
    Ok(())
}

// ---- Sponsors' contacts ---------------------------------------------------

/// A sponsor's manager as they gave themselves: name, email, phone.
pub async fn contact(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT name, email, phone FROM sponsor_contacts WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(conn)
        .await
}

pub async fn save_contact(
    conn: &mut AnyConnection,
    account_id: i64,
    name: &str,
    email: &str,
    phone: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sponsor_contacts (account_id, name, email, phone) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone",
    )
    .bind(account_id)
    .bind(name)
    .bind(email)
    .bind(phone)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- Orders ---------------------------------------------------------------

/// The next order number of `year`, in the order's transaction: a
/// rolled-back checkout gives it back.
pub async fn next_sequence(conn: &mut AnyConnection, year: i32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO order_series (year, last_sequence) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_sequence = order_series.last_sequence + 1
         RETURNING last_sequence",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await
}

/// What a checkout writes.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub agency_id: i64,
    pub number: OrderNumber,
    pub structure_id: i64,
    pub account_id: i64,
    pub status: OrderStatus,
    pub payment: PaymentMethod,
    pub prices: &'a PriceList,
    pub discount_code: Option<(i64, &'a str)>,
    pub quote: &'a crate::domain::pricing::Quote,
    pub contact: (&'a str, &'a str, &'a str),
    pub billing: &'a PostalAddress,
    pub delivery: &'a PostalAddress,
    pub points: &'a [DistributionPoint],
    pub at: Timestamp,
}

pub async fn insert_order(conn: &mut AnyConnection, o: &NewOrder<'_>) -> Result<i64, sqlx::Error> {
    let prices = serde_json::to_string(o.prices).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let q = o.quote;
    let confirmed_at = (o.status == OrderStatus::Confirmed).then_some(o.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (agency_id, year, sequence, structure_id, account_id, status, payment, prices,
            discount_code_id, discount_code, passes_value, fees_and_services, discount, vat_rate, vat,
            total_excl_vat, total_incl_vat, contact_name, contact_email, contact_phone,
            billing_name, billing_address, billing_postcode, billing_city,
            delivery_name, delivery_address, delivery_postcode, delivery_city, created_at, confirmed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
         RETURNING id",
    )
    .bind(o.agency_id)
    .bind(i64::from(o.number.year))
    .bind(o.number.sequence)
    .bind(o.structure_id)
    .bind(o.account_id)
    .bind(o.status)
    .bind(o.payment)
    .bind(prices)
    .bind(o.discount_code.map(|(id, _)| id))
    .bind(o.discount_code.map(|(_, code)| code))
    .bind(q.passes_value)
    .bind(q.fees_and_services)
    .bind(q.discount)
    .bind(i64::from(q.vat_rate.basis_points()))
    .bind(q.vat)
    .bind(q.total_excl_vat)
    .bind(q.total_incl_vat)
    .bind(o.contact.0)
    .bind(o.contact.1)
    .bind(o.contact.2)
    .bind(&o.billing.name)
    .bind(&o.billing.street)
    .bind(&o.billing.postcode)
    .bind(&o.billing.city)
    .bind(&o.delivery.name)
    .bind(&o.delivery.street)
    .bind(&o.delivery.postcode)
    .bind(&o.delivery.city)
    .bind(o.at)
    .bind(confirmed_at)
    .fetch_one(&mut *conn)
    .await?;
    for (position, line) in q.lines.iter().enumerate() {
        let (kind, face_value) = line.product.map(Product::stored).map_or((None, 0), |(k, f)| (Some(k), f));
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, product, face_value, label, quantity, unit_price, net, category)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(kind)
        .bind(face_value)
        .bind(&line.label)
        .bind(i64::from(line.quantity))
        .bind(line.unit_price)
        .bind(line.net)
        .bind(line.category.code())
        .execute(&mut *conn)
        .await?;
    }
    for (position, point) in o.points.iter().enumerate() {
        sqlx::query(
            "INSERT INTO order_distribution_points (order_id, position, name, address, email) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&point.name)
        .bind(&point.address)
        .bind(&point.email)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// An order as stored, with its structure's name and requirement.
#[derive(Debug, Clone, FromRow)]
pub struct OrderRecord {
    pub id: i64,
    pub agency_id: i64,
    pub year: i64,
    pub sequence: i64,
    pub structure_id: i64,
    pub structure_label: String,
    pub structure_siret: Option<String>,
    pub chorus: ChorusRequirement,
    pub account_id: i64,
    pub ordered_by: String,
    pub status: OrderStatus,
    pub payment: PaymentMethod,
    pub discount_code: Option<String>,
    pub passes_value: Money,
    pub fees_and_services: Money,
    pub discount: Money,
    pub vat_rate: i64,
    pub vat: Money,
    pub total_excl_vat: Money,
    pub total_incl_vat: Money,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub billing_name: String,
    pub billing_address: String,
    pub billing_postcode: String,
    pub billing_city: String,
    pub delivery_name: String,
    pub delivery_address: String,
    pub delivery_postcode: String,
    pub delivery_city: String,
    pub po_label: Option<String>,
    pub po_siret: Option<String>,
    pub po_service_code: Option<String>,
    pub po_engagement: Option<String>,
    pub po_given_at: Option<ParisTime>,
    pub po_file_name: Option<String>,
    pub created_at: ParisTime,
    pub confirmed_at: Option<ParisTime>,
}

impl OrderRecord {
    /// The order's quote as it was placed, with its `lines`.
    pub fn quote(&self, lines: Vec<QuoteLine>) -> Result<crate::domain::pricing::Quote, sqlx::Error> {
        let vat_rate = u32::try_from(self.vat_rate).map(Rate::from_basis_points).map_err(|_| {
            sqlx::Error::Decode(format!("orders row {}: not a rate: {}", self.id, self.vat_rate).into())
        })?;
        Ok(crate::domain::pricing::Quote {
            lines,
            passes_value: self.passes_value,
            fees_and_services: self.fees_and_services,
            discount: self.discount,
            vat_rate,
            vat: self.vat,
            total_excl_vat: self.total_excl_vat,
            total_incl_vat: self.total_incl_vat,
        })
    }

    pub fn number(&self) -> OrderNumber {
        OrderNumber { year: i32::try_from(self.year).unwrap_or_default(), sequence: self.sequence }
    }
}

const SELECT_ORDER: &str = "SELECT o.id, o.agency_id, o.year, o.sequence, o.structure_id,
        s.label AS structure_label, s.siret AS structure_siret, s.chorus, o.account_id,
        a.login AS ordered_by, o.status, o.payment, o.discount_code, o.passes_value, o.fees_and_services,
        o.discount, o.vat_rate, o.vat, o.total_excl_vat, o.total_incl_vat, o.contact_name, o.contact_email,
        o.contact_phone, o.billing_name, o.billing_address, o.billing_postcode, o.billing_city,
        o.delivery_name, o.delivery_address, o.delivery_postcode, o.delivery_city, o.po_label, o.po_siret,
        o.po_service_code, o.po_engagement, o.po_given_at,
        (SELECT f.file_name FROM order_files f WHERE f.order_id = o.id) AS po_file_name,
        o.created_at, o.confirmed_at
   FROM orders o
   JOIN structures s ON s.id = o.structure_id
   JOIN accounts a ON a.id = o.account_id";

pub async fn find_order(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderRecord>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_ORDER} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(super::in_row("orders", id))
}

/// An order read in a write transaction, its row locked until commit (on
/// PostgreSQL; SQLite's writer is one at a time already): two staff
/// issuing its invoices at once are served one after the other.
pub async fn find_order_for_update(
    tx: &mut crate::server::db::WriteTx,
    id: i64,
) -> Result<Option<OrderRecord>, sqlx::Error> {
    let lock = tx.row_lock("o");
    sqlx::query_as(&format!("{SELECT_ORDER} WHERE o.id = $1{lock}"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await
        .map_err(super::in_row("orders", id))
}

#[derive(FromRow)]
struct LineRecord {
    product: Option<String>,
    face_value: i64,
    label: String,
    quantity: i64,
    unit_price: Money,
    net: Money,
    category: String,
}

pub async fn order_lines(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<QuoteLine>, sqlx::Error> {
    let rows: Vec<LineRecord> = sqlx::query_as(
        "SELECT product, face_value, label, quantity, unit_price, net, category
           FROM order_lines WHERE order_id = $1 ORDER BY position",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    let broken = || sqlx::Error::Decode(format!("order_lines of order {order_id}: unreadable line").into());
    rows.into_iter()
        .map(|r| {
            let product = match &r.product {
                Some(kind) => Some(Product::from_stored(kind, r.face_value).ok_or_else(broken)?),
                None => None,
            };
            let category = match r.category.as_str() {
                "O" => VatCategory::OutOfScope,
                "S" => VatCategory::Standard,
                _ => return Err(broken()),
            };
            Ok(QuoteLine {
                product,
                label: r.label,
                quantity: u32::try_from(r.quantity).map_err(|_| broken())?,
                unit_price: r.unit_price,
                net: r.net,
                category,
            })
        })
        .collect()
}

pub async fn distribution_points(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Vec<DistributionPoint>, sqlx::Error> {
    sqlx::query_as("SELECT name, address, email FROM order_distribution_points WHERE order_id = $1 ORDER BY position")
        .bind(order_id)
        .fetch_all(conn)
        .await
}

#[derive(FromRow)]
struct OrderRowRecord {
    id: i64,
    year: i64,
    sequence: i64,
    structure_label: String,
    status: OrderStatus,
    payment: PaymentMethod,
    total_incl_vat: Money,
    created_at: ParisTime,
}

impl From<OrderRowRecord> for OrderRow {
    fn from(r: OrderRowRecord) -> OrderRow {
        OrderRow {
            id: r.id,
            number: OrderNumber { year: i32::try_from(r.year).unwrap_or_default(), sequence: r.sequence },
            structure_label: r.structure_label,
            status: r.status,
            payment: r.payment,
            total_incl_vat: r.total_incl_vat,
            created_at: r.created_at,
            late: None,
        }
    }
}

const SELECT_ROW: &str = "SELECT o.id, o.year, o.sequence, s.label AS structure_label, o.status, o.payment,
        o.total_incl_vat, o.created_at
   FROM orders o JOIN structures s ON s.id = o.structure_id";

/// The orders of every structure the account is an approved manager of,
/// newest first.
pub async fn orders_of_manager(pool: &AnyPool, account_id: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
    let rows: Vec<OrderRowRecord> = sqlx::query_as(&format!(
        "{SELECT_ROW}
          WHERE o.structure_id IN (SELECT structure_id FROM structure_managers
                                    WHERE account_id = $1 AND state = 'approved')
          ORDER BY o.id DESC"
    ))
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(OrderRow::from).collect())
}

/// An agency's orders (every agency's with None), of one status or all,
/// newest first.
pub async fn orders_of_agency(
    pool: &AnyPool,
    agency_id: Option<i64>,
    status: Option<OrderStatus>,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    let (scope, agency) = super::agency_scope("o.agency_id", agency_id);
    let rows: Vec<OrderRowRecord> = sqlx::query_as(&format!(
        "{SELECT_ROW} WHERE {scope} AND ($2 = '' OR o.status = $2) ORDER BY o.id DESC LIMIT 500"
    ))
    .bind(agency)
    .bind(status.map_or("", OrderStatus::code))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(OrderRow::from).collect())
}

/// The purchase order's references as checked.
pub struct GivenPurchaseOrder<'a> {
    pub label: &'a str,
    pub siret: &'a str,
    pub service_code: Option<&'a str>,
    pub engagement: Option<&'a str>,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub at: Timestamp,
    pub by: &'a str,
}

/// Records the purchase order and confirms the order, if it still waits
/// for it: false when another request did first.
pub async fn give_purchase_order(
    conn: &mut AnyConnection,
    order_id: i64,
    p: &GivenPurchaseOrder<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET po_label = $2, po_siret = $3, po_service_code = $4, po_engagement = $5,
                po_given_at = $6, po_given_by = $7, status = 'confirmed', confirmed_at = $6
          WHERE id = $1 AND status = 'awaiting_purchase_order'",
    )
    .bind(order_id)
    .bind(p.label)
    .bind(p.siret)
    .bind(p.service_code)
    .bind(p.engagement)
    .bind(p.at)
    .bind(p.by)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO order_files (order_id, file_name, sha256, size_bytes, content, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(order_id)
    .bind(p.file_name)
    .bind(p.sha256)
    .bind(i64::try_from(p.content.len()).unwrap_or(i64::MAX))
    .bind(p.content)
    .bind(p.at)
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn purchase_order_file(pool: &AnyPool, order_id: i64) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT file_name, content FROM order_files WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(pool)
        .await
}

/// Moves the open orders of a deactivated structure to the one taking it
/// over: their ids.
pub async fn transfer_open_orders(conn: &mut AnyConnection, from: i64, to: i64) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM orders WHERE structure_id = $1 AND status <> 'cancelled' ORDER BY id")
            .bind(from)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("UPDATE orders SET structure_id = $2 WHERE structure_id = $1 AND status <> 'cancelled'")
        .bind(from)
        .bind(to)
        .execute(conn)
        .await?;
    Ok(ids)
}
