//! The supplier's space: the counter check, delivered vouchers, invoices
//! and the till's API keys. Every function here answers only a logged-in
//! supplier whose supplier is still a partner.

use crate::error::AppError;
use crate::model::{invoices::InvoiceSummary, passes::SpentPass, supplier::*};
#[cfg(feature = "ssr")]
use crate::server::{auth::SupplierUser, guards::Anyone};
use leptos::prelude::*;

#[server(endpoint = "supplier_home")]
pub async fn supplier_home() -> Result<SupplierOverview, AppError> {
    use crate::{api::context, server::services::suppliers};
    context::serve(|state, user: SupplierUser| async move { suppliers::home(&state, &user, chrono::Utc::now()).await })
        .await
}

/// Is a supplier's staff logged in? The public check page uses it to send
/// them to their own check, which says more.
#[server(endpoint = "supplier_session")]
pub async fn supplier_session() -> Result<bool, AppError> {
    use crate::api::context;
    context::serve(|state, _: Anyone| async move {
        Ok(crate::server::auth::require_supplier(&state, &context::parts()?).await.is_ok())
    })
    .await
}

/// Vérifier un bon: number + secret code from the delivery slip. The
/// attempt is charged to the supplier's address and account, exactly as
/// the public check. A form post lands on the answer, proven by a signed
/// link so the answer page charges nothing.
#[server(endpoint = "supplier_check")]
pub async fn supplier_check(number: String, code: String) -> Result<CounterCheck, AppError> {
    use crate::{api::context, server::services::vouchers::counter};
    context::serve(|state, user: SupplierUser| async move {
        let checker = counter::checker(&user, &context::address(&state)?);
        let checked =
            counter::counter_check(&state, &checker, user.supplier_id, &number, &code, chrono::Utc::now()).await?;
        let proof = state.keys.sign_code_checked(&checked.number.to_string());
        leptos_axum::redirect(&format!("/fournisseur/verifier?numero={}&c={proof}", checked.number));
        Ok(checked)
    })
    .await
}

/// The answer page of a check: the voucher as it is now, if the link
/// carries the proof that its code was typed right; nothing otherwise.
#[server(endpoint = "supplier_checked")]
pub async fn supplier_checked(number: String, proof: Option<String>) -> Result<Option<CounterCheck>, AppError> {
    use crate::{api::context, server::services::vouchers::counter};
    context::serve(|state, user: SupplierUser| async move {
        match proof.filter(|p| !p.is_empty()) {
            Some(proof) => counter::checked_by_proof(&state, user.supplier_id, &number, &proof).await,
            None => Ok(None),
        }
    })
    .await
}

/// Encaisser un pass: number + secret code printed on the pass. Charged
/// like a counter check; a form post lands on the receipt, proven by a
/// signed link so showing it again charges nothing.
#[server(endpoint = "supplier_spend_pass")]
pub async fn supplier_spend_pass(number: String, code: String) -> Result<SpentPass, AppError> {
    use crate::{api::context, server::services::passes};
    context::serve(|state, user: SupplierUser| async move {
        let spender = passes::Spender::staff(&user, &context::address(&state)?);
        let spent = passes::spend(&state, &spender, &number, &code, chrono::Utc::now()).await?;
        let proof = state.keys.sign_code_checked(&spent.number.to_string());
        leptos_axum::redirect(&format!("/fournisseur/pass?numero={}&c={proof}", spent.number));
        Ok(spent)
    })
    .await
}

/// The receipt page of a spent pass, if the link carries the proof that its
/// code was typed right and this supplier spent it; nothing otherwise.
#[server(endpoint = "supplier_spent_pass")]
pub async fn supplier_spent_pass(number: String, proof: Option<String>) -> Result<Option<SpentPass>, AppError> {
    use crate::{api::context, server::services::passes};
    context::serve(|state, user: SupplierUser| async move {
        match proof.filter(|p| !p.is_empty()) {
            Some(proof) => passes::spent_by_proof(&state, user.supplier_id, &number, &proof).await,
            None => Ok(None),
        }
    })
    .await
}

/// Bons livrés: `du`/`au` are Paris days of use (empty: no bound), or
/// `du` = `SINCE_LAST_MONTH`.
#[server(endpoint = "supplier_vouchers")]
pub async fn supplier_vouchers(
    du: Option<String>,
    au: Option<String>,
    statut: Option<String>,
) -> Result<DeliveredList, AppError> {
    use crate::{api::context, server::services::vouchers::delivered};
    context::serve(|state, user: SupplierUser| async move {
        let now = chrono::Utc::now();
        let filter = delivered::DeliveredFilter::from_form(du.as_deref(), au.as_deref(), statut.as_deref(), now)?;
        delivered::delivered(&state, user.supplier_id, &filter).await
    })
    .await
}

#[server(endpoint = "supplier_invoices")]
pub async fn supplier_invoices() -> Result<Vec<InvoiceSummary>, AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve(
        |state, user: SupplierUser| async move { invoices::list_for_supplier(&state, user.supplier_id).await },
    )
    .await
}

#[server(endpoint = "supplier_invoice")]
pub async fn supplier_invoice(id: String) -> Result<SupplierInvoiceView, AppError> {
    use crate::{api::context, server::services::invoices::submission};
    context::serve(|state, user: SupplierUser| async move { submission::invoice(&state, user.supplier_id, &id).await })
        .await
}

/// Nouvelle facture → ENVOYER. `lines` is the lines box, one voucher per
/// line ("numéro ; code ; montant"), read by the same function as the
/// form's preview.
#[server(endpoint = "supplier_submit_invoice")]
pub async fn supplier_submit_invoice(
    number: String,
    date: String,
    amount: String,
    lines: String,
) -> Result<i64, AppError> {
    use crate::api::context;
    use crate::server::services::invoices::{Submitter, submission};
    context::serve(|state, user: SupplierUser| async move {
        let input = submission::typed_invoice(number, date, amount, &lines)?;
        let by = Submitter::user(&user).at(&context::address(&state)?);
        let id = submission::submit_invoice(&state, &by, &input, chrono::Utc::now()).await?;
        leptos_axum::redirect(&format!("/fournisseur/factures/{id}?envoyee=1"));
        Ok(id)
    })
    .await
}

/// An invoice the agency sent back « à corriger », sent again.
#[server(endpoint = "supplier_correct_invoice")]
pub async fn supplier_correct_invoice(
    id: String,
    number: String,
    date: String,
    amount: String,
    lines: String,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::server::services::invoices::{Submitter, submission};
    context::serve_and_redirect(|state, user: SupplierUser| async move {
        let id = submission::parse_invoice_id(&id)?;
        let input = submission::typed_invoice(number, date, amount, &lines)?;
        let by = Submitter::user(&user).at(&context::address(&state)?);
        submission::correct_invoice(&state, &by, id, &input, chrono::Utc::now()).await?;
        Ok(format!("/fournisseur/factures/{id}?corrigee=1"))
    })
    .await
}

/// « Retirer la facture »: an invoice sent back « à corriger » that the
/// supplier will not correct; its vouchers are free for another invoice.
#[server(endpoint = "supplier_withdraw_invoice")]
pub async fn supplier_withdraw_invoice(id: String, confirm: Option<String>) -> Result<(), AppError> {
    use crate::api::context;
    use crate::server::services::invoices::{Submitter, submission, withdraw_invoice};
    context::serve_and_redirect(|state, user: SupplierUser| async move {
        let id = submission::parse_invoice_id(&id)?;
        if confirm.is_none() {
            return Err(AppError::Invalid(
                "Cochez la case pour confirmer : la facture sera retirée, ses bons pourront figurer sur une autre facture."
                    .into(),
            )
            .into());
        }
        let by = Submitter::user(&user).at(&context::address(&state)?);
        let number = withdraw_invoice(&state, &by, id, chrono::Utc::now()).await?;
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("retiree", &number).finish();
        Ok(format!("/fournisseur/factures?{query}"))
    })
    .await
}

/// Caisse (API): the supplier's keys, and the key just created if this
/// browser created one a moment ago (it is shown once, then forgotten).
#[server(endpoint = "supplier_api_keys")]
pub async fn supplier_api_keys() -> Result<ApiKeys, AppError> {
    use crate::{api::context, server::services::accounts::api_keys};
    context::serve(|state, user: SupplierUser| async move {
        let fresh = api_keys::take_fresh_key(&context::parts()?);
        let page = api_keys::page(&state, &user, fresh.as_deref(), chrono::Utc::now()).await?;
        if fresh.is_some() {
            let forget = api_keys::fresh_key_cookie(&state, None)?;
            expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, forget);
        }
        Ok(page)
    })
    .await
}

/// Creates a key for the supplier's till. The key travels to the keys page
/// in a short-lived cookie of this browser's, never in a URL, and is stored
/// only as its SHA-256.
#[server(endpoint = "supplier_create_api_key")]
pub async fn supplier_create_api_key(label: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::api_keys};
    context::serve_and_redirect(|state, user: SupplierUser| async move {
        let created = api_keys::create_for_user(&state, &user, &label, chrono::Utc::now()).await?;
        let cookie = api_keys::fresh_key_cookie(&state, Some(&created.key))?;
        expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, cookie);
        Ok(format!("/fournisseur/cles?creee={}", created.id))
    })
    .await
}

#[server(endpoint = "supplier_revoke_api_key")]
pub async fn supplier_revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::api_keys};
    context::serve_and_redirect(|state, user: SupplierUser| async move {
        api_keys::revoke(&state, &user, &id, chrono::Utc::now()).await?;
        Ok("/fournisseur/cles".into())
    })
    .await
}
