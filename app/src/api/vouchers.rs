//! The member's vouchers: request, list, open, use, validate; and the public
//! check behind the QR code.

use crate::error::AppError;
use crate::model::vouchers::*;
#[cfg(feature = "ssr")]
use crate::server::auth::{Member, Staff};
#[cfg(feature = "ssr")]
use crate::server::guards::{Anyone, Visitor};
use leptos::prelude::*;

#[server(endpoint = "request_choices")]
pub async fn request_choices() -> Result<RequestForm, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move { vouchers::request_choices(&state, &member).await }).await
}

/// DEMANDE DE BONS CASTORS WEB → VALIDER. Inputs are strings on purpose: a
/// form can send anything, and every bad value deserves a French sentence.
#[server(endpoint = "request_voucher")]
pub async fn request_voucher(supplier_id: String, amount: String) -> Result<i64, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move {
        let id = vouchers::request_voucher(&state, &member, &supplier_id, &amount, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/bons/nouveau?emis={id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "my_vouchers")]
pub async fn my_vouchers() -> Result<Vec<VoucherRow>, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move {
        vouchers::list_for_member(&state, &member, chrono::Utc::now()).await
    })
    .await
}

#[server(endpoint = "open_voucher")]
pub async fn open_voucher(id: String) -> Result<VoucherCard, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move {
        vouchers::card(&state, &member, parse_id(&id)?, chrono::Utc::now()).await
    })
    .await
}

/// UTILISER CE BON → OK. Irreversible and idempotent: asking again returns
/// the same number and code. The answer is the used voucher's card (without
/// its QR code), from which the app shows the code screen.
#[server(endpoint = "use_voucher")]
pub async fn use_voucher(id: String) -> Result<VoucherCard, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move {
        let id = parse_id(&id)?;
        let card = vouchers::use_voucher(&state, &member, id, chrono::Utc::now()).await?;
        context::shown_next(&format!("/bons/{id}/code"));
        Ok(card)
    })
    .await
}

/// VALIDER LE BON: the member confirms in front of the supplier. The answer
/// is the card the app shows next, QR code included.
#[server(endpoint = "validate_voucher")]
pub async fn validate_voucher(id: String) -> Result<VoucherCard, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, member: Member| async move {
        let id = parse_id(&id)?;
        let now = chrono::Utc::now();
        vouchers::validate_voucher(&state, &member, id, now).await?;
        context::shown_next(&format!("/bons/{id}"));
        vouchers::card(&state, &member, id, now).await
    })
    .await
}

/// ANNULER CE BON: the member gives up an issued voucher.
#[server(endpoint = "cancel_voucher")]
pub async fn cancel_voucher(id: String, confirm: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve_and_redirect(|state, member: Member| async move {
        let id = parse_id(&id)?;
        if confirm.is_none() {
            return Err(AppError::Invalid("Cochez la case pour confirmer l'annulation du bon.".into()).into());
        }
        vouchers::cancel_voucher(&state, &member, id, chrono::Utc::now()).await?;
        Ok(format!("/bons/{id}"))
    })
    .await
}

/// Is this number + secret code genuine? Open to anyone (a supplier at the
/// counter, the agency); attempts are budgeted per address and per account.
/// On success the answer is the voucher, and a form post lands on its
/// check page.
#[server(endpoint = "check_code")]
pub async fn check_code(number: String, code: String) -> Result<CheckedVoucher, AppError> {
    use crate::api::context;
    use crate::server::audit::Actor;
    use crate::server::services::vouchers::{self, Checker};
    context::serve(|state, Visitor { address, account }| async move {
        // A supplier's staff checking here count as that supplier (only
        // the voucher's own supplier's wrong codes may lock it).
        let (actor, supplier_id) = match account {
            Some(a) => (Actor::account(a.account_id, &a.login, a.role), a.supplier_id),
            None => (Actor::visitor(&address), None),
        };
        let checker = Checker::new(actor, supplier_id, &address);
        let checked = vouchers::check_code(&state, &checker, &number, &code, chrono::Utc::now()).await?;
        let number = checked.number.to_string();
        // Signed now, with the current key: any key still held checks it.
        let (signature, proof) = (state.keys.current().sign_check_link(&number), state.keys.sign_code_checked(&number));
        leptos_axum::redirect(&format!("/verifier/{}?s={signature}&c={proof}", checked.number));
        Ok(checked)
    })
    .await
}

/// Agency staff unlock a voucher locked after too many wrong codes.
#[server(endpoint = "unlock_voucher")]
pub async fn unlock_voucher(id: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, staff: Staff| async move {
        vouchers::unlock_voucher(&state, &staff, parse_id(&id)?, chrono::Utc::now()).await
    })
    .await
}

/// Agency staff unlock a pass locked after too many wrong codes, from its
/// order's page (`order`), which then says so.
#[server(endpoint = "unlock_pass")]
pub async fn unlock_pass(number: String, order: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, server::services::passes};
    context::serve_and_redirect(|state, staff: Staff| async move {
        passes::unlock(&state, &staff, &number, chrono::Utc::now()).await?;
        Ok(match order.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(order) => format!("/agence/commandes/{order}?pass=debloque"),
            None => "/agence/commandes".to_owned(),
        })
    })
    .await
}

/// The public check page behind a pass's QR code: no login, no code.
#[server(endpoint = "check_pass")]
pub async fn check_pass(number: String, signature: String) -> Result<crate::model::passes::CheckedPass, AppError> {
    use crate::{api::context, server::services::passes};
    context::serve(
        |state, _: Anyone| async move { passes::check(&state, &number, &signature, chrono::Utc::now()).await },
    )
    .await
}

/// The public check page behind the QR code: no login, no secret code.
#[server(endpoint = "check_voucher")]
pub async fn check_voucher(
    number: String,
    signature: String,
    code_proof: Option<String>,
) -> Result<CheckedVoucher, AppError> {
    use crate::{api::context, server::services::vouchers};
    context::serve(|state, _: Anyone| async move {
        vouchers::check(&state, &number, &signature, code_proof.as_deref()).await
    })
    .await
}

/// Voucher ids come from URLs and forms; anything that is not one is simply
/// a voucher we do not know.
#[cfg(feature = "ssr")]
fn parse_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::VoucherNotFound)
}
