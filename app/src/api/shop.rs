//! The sponsors' shop (seed 001): the public catalogue and cart, the
//! checkout (log in or open an account, then order), the orders' pages for
//! the structure's managers and the agency's staff, and the agency's
//! prices. The purchase order's upload and the PDFs are plain routes
//! (`server/src/http/shop_files.rs`).

#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::model::shop::*;
#[cfg(feature = "ssr")]
use crate::server::{
    auth::{Sponsor, Staff},
    guards::{StructureCaller, Visitor},
    services::shop::cart::Shopper,
};
use leptos::prelude::*;

/// Who is shopping, from the request: its cart cookie, its account.
#[cfg(feature = "ssr")]
fn shopper(visitor: &Visitor) -> Result<Shopper, AppError> {
    Ok(Shopper::new(&crate::api::context::parts()?, visitor.account.as_ref().map(|a| a.account_id)))
}

/// `/boutique`, for anyone.
#[server(endpoint = "shop_catalogue")]
pub async fn shop_catalogue() -> Result<Catalogue, AppError> {
    use crate::{api::context, server::services::shop};
    context::serve(|state, visitor: Visitor| async move { shop::catalogue(&state, &shopper(&visitor)?).await }).await
}

/// « Ajouter au panier », then `/panier`, which offers to go on shopping
/// or to check out.
#[server(endpoint = "add_to_cart")]
pub async fn add_to_cart(product: String, quantity: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::cart};
    context::serve_and_redirect(|state, visitor: Visitor| async move {
        let token = cart::add(&state, &shopper(&visitor)?, &product, &quantity, chrono::Utc::now()).await?;
        if let Some(token) = token {
            expect_context::<leptos_axum::ResponseOptions>()
                .append_header(axum::http::header::SET_COOKIE, cart::cookie(&state, &token)?);
        }
        Ok(format!("/panier?ajout={}", product.trim()))
    })
    .await
}

#[server(endpoint = "shop_cart")]
pub async fn shop_cart() -> Result<CartView, AppError> {
    use crate::{api::context, server::services::shop::cart};
    context::serve(|state, visitor: Visitor| async move { cart::view(&state, &shopper(&visitor)?).await }).await
}

/// A line's new quantity; 0 takes it out (« Retirer »).
#[server(endpoint = "set_cart_quantity")]
pub async fn set_cart_quantity(product: String, quantity: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::cart};
    context::serve_and_redirect(|state, visitor: Visitor| async move {
        cart::set_quantity(&state, &shopper(&visitor)?, &product, &quantity, chrono::Utc::now()).await?;
        Ok("/panier".to_owned())
    })
    .await
}

/// `/caisse?structure=&code=`: the cart priced for the structure chosen,
/// with the discount code typed (« Appliquer »).
#[server(endpoint = "checkout")]
pub async fn checkout(structure: Option<String>, code: Option<String>) -> Result<CheckoutView, AppError> {
    use crate::{api::context, server::services::shop::checkout};
    context::serve(|state, visitor: Visitor| async move {
        let shopper = shopper(&visitor)?;
        checkout::view(
            &state,
            &shopper,
            visitor.account.as_ref(),
            structure.as_deref(),
            code.as_deref(),
            chrono::Utc::now(),
        )
        .await
    })
    .await
}

/// « Créer mon compte » at checkout: the account and its structure, then
/// the visitor is logged in with their cart and back at the checkout.
#[server(endpoint = "open_sponsor_account")]
pub async fn open_sponsor_account(
    email: String,
    password: String,
    confirm: String,
    name: String,
    phone: String,
    kind: Option<String>,
    siret: Option<String>,
    label: Option<String>,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::server::{
        auth,
        services::shop::{cart, checkout},
    };
    context::serve_and_redirect(|state, visitor: Visitor| async move {
        if visitor.account.is_some() {
            return Err(AppError::Conflict(
                "Vous êtes déjà connecté : déconnectez-vous pour ouvrir un autre compte.".into(),
            )
            .into());
        }
        let signup = checkout::Signup {
            email,
            password,
            confirm,
            name,
            phone,
            kind: kind.unwrap_or_default(),
            siret: siret.unwrap_or_default(),
            label: label.unwrap_or_default(),
        };
        let account = checkout::open_account(&state, &signup, &visitor.address, chrono::Utc::now()).await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.append_header(
            axum::http::header::SET_COOKIE,
            auth::open_session(&state, account, &context::parts()?).await?,
        );
        cart::join_at_login(&state, shopper(&visitor)?.token.as_deref(), account).await?;
        Ok("/caisse?compte=ouvert".to_owned())
    })
    .await
}

/// « Valider la commande »: to the order's confirmation page.
#[server(endpoint = "place_order")]
pub async fn place_order(
    structure: String,
    payment: Option<String>,
    code: Option<String>,
    billing_name: Option<String>,
    billing_street: String,
    billing_postcode: String,
    billing_city: String,
    delivery_name: Option<String>,
    delivery_street: String,
    delivery_postcode: String,
    delivery_city: String,
    points: Option<String>,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::checkout};
    context::serve_and_redirect(|state, sponsor: Sponsor| async move {
        let shopper = Shopper::new(&context::parts()?, Some(sponsor.account_id));
        let form = checkout::OrderForm {
            structure,
            payment: payment.unwrap_or_default(),
            code: code.unwrap_or_default(),
            billing: PostalAddress {
                name: billing_name.unwrap_or_default(),
                street: billing_street,
                postcode: billing_postcode,
                city: billing_city,
            },
            delivery: PostalAddress {
                name: delivery_name.unwrap_or_default(),
                street: delivery_street,
                postcode: delivery_postcode,
                city: delivery_city,
            },
            points: points.unwrap_or_default(),
        };
        let id = checkout::place(&state, &sponsor, &shopper, &form, chrono::Utc::now()).await?;
        Ok(format!("/commanditaire/commandes/{id}"))
    })
    .await
}

/// An order's page, for its structure's managers and its agency's staff.
#[server(endpoint = "shop_order")]
pub async fn shop_order(id: String) -> Result<OrderView, AppError> {
    use crate::{api::context, server::services::shop::orders};
    context::serve(|state, caller: StructureCaller| async move { orders::view(&state, &caller, &id).await }).await
}

/// An order's page in the back office: staff of its agency only.
#[server(endpoint = "agency_order")]
pub async fn agency_order(id: String) -> Result<OrderView, AppError> {
    use crate::{api::context, server::services::shop::orders};
    context::serve(|state, staff: Staff| async move { orders::view(&state, &StructureCaller::Staff(staff), &id).await })
        .await
}

/// « Mes commandes ».
#[server(endpoint = "my_orders")]
pub async fn my_orders() -> Result<Vec<OrderRow>, AppError> {
    use crate::{api::context, server::services::shop::orders};
    context::serve(|state, sponsor: Sponsor| async move { orders::mine(&state, &sponsor).await }).await
}

/// `/agence/commandes?statut=`: the agency's orders.
#[server(endpoint = "agency_orders")]
pub async fn agency_orders(agency: Option<String>, statut: Option<String>) -> Result<AgencyOrderList, AppError> {
    use crate::{api::context, server::services::shop::orders};
    context::serve(|state, staff: Staff| async move {
        orders::agency_list(&state, &staff, agency.as_deref(), statut.as_deref()).await
    })
    .await
}

#[server(endpoint = "shop_settings")]
pub async fn shop_settings(agency: Option<String>) -> Result<ShopSettingsView, AppError> {
    use crate::{api::context, server::services::shop::settings};
    context::serve(|state, staff: Staff| async move { settings::page(&state, &staff, agency.as_deref()).await }).await
}

#[server(endpoint = "save_shop_settings")]
pub async fn save_shop_settings(
    agency: Option<String>,
    face_values: String,
    booklet_size: String,
    fee_rate: String,
    accompaniment: String,
    delivery: String,
    vat_rate: String,
    iban: Option<String>,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::settings};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let form = settings::SettingsForm {
            face_values,
            booklet_size,
            fee_rate,
            accompaniment,
            delivery,
            vat_rate,
            iban: iban.unwrap_or_default(),
        };
        settings::save(&state, &staff, agency.as_deref(), &form, chrono::Utc::now()).await?;
        let back = agency.map(|a| format!("?agence={a}&enregistre=1")).unwrap_or_else(|| "?enregistre=1".into());
        Ok(format!("/agence/boutique{back}"))
    })
    .await
}

/// The cooperative as the agency's invoices name it (`/agence/boutique`).
#[server(endpoint = "seller_identity")]
pub async fn seller_identity(agency: Option<String>) -> Result<SellerView, AppError> {
    use crate::{api::context, server::services::shop::invoices};
    context::serve(|state, staff: Staff| async move { invoices::seller(&state, &staff, agency.as_deref()).await }).await
}

#[server(endpoint = "save_seller_identity")]
pub async fn save_seller_identity(
    agency: Option<String>,
    name: String,
    siret: String,
    vat_number: String,
    street: String,
    postcode: String,
    city: String,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let form = invoices::SellerForm { name, siret, vat_number, street, postcode, city };
        invoices::save_seller(&state, &staff, agency.as_deref(), &form, chrono::Utc::now()).await?;
        let back = agency.map(|a| format!("?agence={a}&emetteur=1")).unwrap_or_else(|| "?emetteur=1".into());
        Ok(format!("/agence/boutique{back}"))
    })
    .await
}

/// « Émettre les factures » on the agency's order page: the passes'
/// invoice and the fees and services' (first instalment).
#[server(endpoint = "issue_sponsor_invoices")]
pub async fn issue_sponsor_invoices(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        invoices::issue(&state, &staff, &order, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{}?factures=1", order.trim()))
    })
    .await
}

/// An invoice's next state on Chorus Pro, as staff see it there.
#[server(endpoint = "record_chorus_state")]
pub async fn record_chorus_state(
    invoice: String,
    state: String,
    reference: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::invoices};
    context::serve_and_redirect(|app, staff: Staff| async move {
        let form =
            invoices::ChorusForm { state, reference: reference.unwrap_or_default(), note: note.unwrap_or_default() };
        let order = invoices::record_chorus(&app, &staff, &invoice, &form, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{order}?chorus={}", invoice.trim()))
    })
    .await
}

/// A rejected invoice corrected: a credit note and a new invoice.
#[server(endpoint = "correct_sponsor_invoice")]
pub async fn correct_sponsor_invoice(invoice: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let order = invoices::correct(&state, &staff, &invoice, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{order}?avoir={}", invoice.trim()))
    })
    .await
}

/// « PRODUIRE LES PASS »: the order's passes numbered, not yet active.
#[server(endpoint = "produce_passes")]
pub async fn produce_passes(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::passes};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = passes::produce(&state, &staff, &order, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{id}?pass=produits"))
    })
    .await
}

/// The mandate (a public payer's, by its manager or staff) or the transfer
/// received (staff), which activation waits for.
#[server(endpoint = "record_counterpart")]
pub async fn record_counterpart(order: String, reference: String, day: String, amount: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::passes};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let form = passes::ReceivedForm { reference, day, amount };
        let id = passes::record_received(&state, &caller, &order, &form, chrono::Utc::now()).await?;
        Ok(format!("{}?pass=recu", order_page(&caller, id)))
    })
    .await
}

/// « ACTIVER LES PASS »: all of the order's passes become spendable.
#[server(endpoint = "activate_passes")]
pub async fn activate_passes(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::passes};
    context::serve_and_redirect(|state, staff: Staff| async move {
        passes::activate(&state, &staff, &order, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{}?pass=actives", order.trim()))
    })
    .await
}

/// « BLOQUER » (a lost or stolen booklet) or « DÉBLOQUER » the order's
/// passes from `first` to `last` (`action`: `bloquer` or `debloquer`).
#[server(endpoint = "block_passes")]
pub async fn block_passes(
    order: String,
    first: String,
    last: String,
    reason: String,
    action: String,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::passes};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let block = match action.as_str() {
            "bloquer" => true,
            "debloquer" => false,
            _ => return Err(AppError::Invalid("Choisissez de bloquer ou de débloquer ces pass.".into()).into()),
        };
        passes::block_range(&state, &staff, &order, (&first, &last), &reason, block, chrono::Utc::now()).await?;
        let done = if block { "bloques" } else { "debloques" };
        Ok(format!("/agence/commandes/{}?pass={done}", order.trim()))
    })
    .await
}

/// « ANNULER LA COMMANDE », before its passes are activated.
#[server(endpoint = "cancel_order")]
pub async fn cancel_order(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::passes};
    context::serve_and_redirect(|state, staff: Staff| async move {
        passes::cancel(&state, &staff, &order, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{}?pass=annulee", order.trim()))
    })
    .await
}

/// The order's page for the caller: the agency's or the sponsor's.
#[cfg(feature = "ssr")]
fn order_page(caller: &crate::server::guards::StructureCaller, id: i64) -> String {
    match caller {
        StructureCaller::Staff(_) => format!("/agence/commandes/{id}"),
        StructureCaller::Sponsor(_) => format!("/commanditaire/commandes/{id}"),
    }
}

/// A message in the order's thread (« cadrage »), by its sponsor or staff.
#[server(endpoint = "post_order_message")]
pub async fn post_order_message(order: String, body: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let id = way::post_message(&state, &caller, &order, &body, chrono::Utc::now()).await?;
        Ok(format!("{}?etape=message#fil", order_page(&caller, id)))
    })
    .await
}

/// « CADRAGE FAIT »: staff close the order's scoping.
#[server(endpoint = "mark_order_scoped")]
pub async fn mark_order_scoped(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let id = way::mark_scoped(&state, &caller, &order, chrono::Utc::now()).await?;
        Ok(format!("{}?etape=cadrage", order_page(&caller, id)))
    })
    .await
}

/// The sponsor's check of the invoices (`decision`: `conformes` or
/// `renvoyer`, with a comment).
#[server(endpoint = "check_order_invoices")]
pub async fn check_order_invoices(order: String, decision: String, comment: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let conform = match decision.as_str() {
            "conformes" => true,
            "renvoyer" => false,
            _ => return Err(AppError::Invalid("Dites si les factures sont conformes.".into()).into()),
        };
        let comment = comment.unwrap_or_default();
        let id = way::check_invoices(&state, &caller, &order, conform, &comment, chrono::Utc::now()).await?;
        let done = if conform { "factures-conformes" } else { "factures-renvoyees" };
        Ok(format!("{}?etape={done}", order_page(&caller, id)))
    })
    .await
}

/// « ÉDITER LE BAT »: staff make the order's next proof.
#[server(endpoint = "make_order_proof")]
pub async fn make_order_proof(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        way::make_proof(&state, &caller, &order, chrono::Utc::now()).await?;
        Ok(format!("/agence/commandes/{}?etape=bat", order.trim()))
    })
    .await
}

/// The sponsor validates the waiting proof (`decision`: `valider`) or
/// refuses it (`refuser`, with a comment).
#[server(endpoint = "decide_order_proof")]
pub async fn decide_order_proof(
    order: String,
    proof: String,
    decision: String,
    comment: Option<String>,
) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let accept = match decision.as_str() {
            "valider" => true,
            "refuser" => false,
            _ => return Err(AppError::Invalid("Dites si vous validez le BAT.".into()).into()),
        };
        let comment = comment.unwrap_or_default();
        let id = way::decide_proof(&state, &caller, &order, &proof, accept, &comment, chrono::Utc::now()).await?;
        let done = if accept { "bat-valide" } else { "bat-refuse" };
        Ok(format!("{}?etape={done}", order_page(&caller, id)))
    })
    .await
}

/// « ENVOYER L'AVIS D'EXPÉDITION »: staff ship the booklets.
#[server(endpoint = "ship_order")]
pub async fn ship_order(order: String, reference: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let reference = reference.unwrap_or_default();
        let id = way::ship(&state, &caller, &order, &reference, chrono::Utc::now()).await?;
        Ok(format!("{}?etape=expedie", order_page(&caller, id)))
    })
    .await
}

/// « CONFIRMER LA LIVRAISON »: the sponsor, or staff for them.
#[server(endpoint = "confirm_order_delivery")]
pub async fn confirm_order_delivery(order: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::shop::way};
    context::serve_and_redirect(|state, caller: StructureCaller| async move {
        let id = way::confirm_delivery(&state, &caller, &order, chrono::Utc::now()).await?;
        Ok(format!("{}?etape=livre", order_page(&caller, id)))
    })
    .await
}
