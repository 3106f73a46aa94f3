//! The sponsors' shop (seed 001): the public catalogue, the visitor's
//! cart, the checkout that opens an account and places an order, and the
//! order's purchase order, summary and emails.
//!
//! Prices are the agency's (`shop_settings`, the defaults until staff set
//! them). The catalogue shows the shop's agency's (the cooperative's first
//! agency); an order is priced by the agency of the structure it is for,
//! and keeps the prices and rates of its day.

pub mod booklets;
pub mod cart;
pub mod checkout;
pub mod invoices;
pub mod orders;
pub mod passes;
pub mod settings;
pub mod way;
pub mod year_end;

use crate::domain::Money;
use crate::domain::pricing::{PriceList, Product, VatCategory};
use crate::error::AppError;
use crate::model::shop::{Catalogue, CatalogueItem};
use crate::server::AppState;
use crate::server::error::ServerError;
use crate::server::store::shop as store;
use sqlx::AnyConnection;

/// The agency whose shop the public pages show: the cooperative's first.
pub(crate) async fn shop_agency(conn: &mut AnyConnection) -> Result<i64, ServerError> {
    let first = crate::server::store::agencies::first_id(conn).await?;
    Ok(first.ok_or_else(|| AppError::Conflict("La boutique n'est pas encore ouverte.".into()))?)
}

/// The prices the public pages show: the shop's agency's.
pub(crate) async fn shop_prices(conn: &mut AnyConnection) -> Result<PriceList, ServerError> {
    let agency = shop_agency(&mut *conn).await?;
    Ok(store::settings(conn, agency).await?.0)
}

/// What a product is, in a sentence, for the catalogue.
fn description(prices: &PriceList, product: Product) -> String {
    match product {
        Product::Booklet { face_value } => format!(
            "{} Pass Castors prépayés de {face_value}, à remettre aux personnes que vous aidez : \
             ils les dépensent chez les fournisseurs partenaires. Valeur faciale hors champ de la TVA ; \
             frais contributifs amont de {} HT en sus.",
            prices.booklet_size, prices.fee_rate
        ),
        Product::Accompaniment => {
            "Accompagnement technique de vos bénéficiaires par la coopérative, payable en trois échéances.".to_owned()
        }
        Product::Delivery => "Livraison des carnets à l'adresse de votre choix.".to_owned(),
    }
}

/// `/boutique`: everything on sale, prices excl. and incl. VAT.
#[tracing::instrument(skip_all)]
pub async fn catalogue(state: &AppState, shopper: &cart::Shopper) -> Result<Catalogue, ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    let prices = shop_prices(&mut conn).await?;
    let items = prices
        .catalogue()
        .into_iter()
        .filter_map(|product| {
            let unit = prices.unit_price(product)?;
            let vat = match category(product) {
                VatCategory::OutOfScope => None,
                VatCategory::Standard => Some(prices.vat_rate.of(unit)),
            };
            Some(CatalogueItem {
                key: product.key(),
                label: prices.label(product),
                description: description(&prices, product),
                unit_excl_vat: unit,
                unit_incl_vat: Money::from_cents(unit.cents() + vat.map_or(0, Money::cents)),
                vat,
            })
        })
        .collect();
    let in_cart = cart::count(&mut conn, shopper).await?;
    Ok(Catalogue {
        items,
        booklet_size: prices.booklet_size,
        fee_rate: prices.fee_rate,
        vat_rate: prices.vat_rate,
        in_cart,
    })
}

fn category(product: Product) -> VatCategory {
    match product {
        Product::Booklet { .. } => VatCategory::OutOfScope,
        Product::Accompaniment | Product::Delivery => VatCategory::Standard,
    }
}
