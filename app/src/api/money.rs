//! Where the money follows the vouchers, in the back office: reconciling
//! supplier invoices, paying them in batches, and members' statements; and
//! the member's own statements.

use crate::error::AppError;
use crate::model::money::*;
#[cfg(feature = "ssr")]
use crate::server::auth::{Member, Staff};
use leptos::prelude::*;

/// The agency's invoices; `statut` is a stored status code or empty (all).
#[server(endpoint = "agency_invoices")]
pub async fn agency_invoices(agency: Option<String>, statut: Option<String>) -> Result<AgencyInvoiceList, AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve(|state, staff: Staff| async move {
        invoices::review::list(&state, &staff, agency.as_deref(), statut.as_deref()).await
    })
    .await
}

#[server(endpoint = "agency_invoice")]
pub async fn agency_invoice(id: String) -> Result<ReconcileView, AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve(|state, staff: Staff| async move {
        invoices::review::view(&state, &staff, invoices::review::invoice_id(&id)?).await
    })
    .await
}

/// Staff accept a flagged line anyway; the reason goes to the journal.
#[server(endpoint = "override_invoice_line")]
pub async fn override_invoice_line(id: String, line: String, reason: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let invoice = invoices::review::invoice_id(&id)?;
        invoices::review::override_line(&state, &staff, invoice, &line, &reason, chrono::Utc::now()).await?;
        Ok(format!("/agence/factures/{invoice}"))
    })
    .await
}

#[server(endpoint = "accept_invoice")]
pub async fn accept_invoice(id: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let invoice = invoices::review::invoice_id(&id)?;
        invoices::review::accept(&state, &staff, invoice, chrono::Utc::now()).await?;
        Ok(format!("/agence/factures/{invoice}"))
    })
    .await
}

/// Sends the invoice back to the supplier, « à corriger », with the reason.
#[server(endpoint = "send_back_invoice")]
pub async fn send_back_invoice(id: String, reason: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::invoices};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let invoice = invoices::review::invoice_id(&id)?;
        invoices::review::send_back(&state, &staff, invoice, &reason, chrono::Utc::now()).await?;
        Ok(format!("/agence/factures/{invoice}"))
    })
    .await
}

#[server(endpoint = "payment_batches")]
pub async fn payment_batches(agency: Option<String>) -> Result<PaymentsPage, AppError> {
    use crate::{api::context, server::services::payments};
    context::serve(|state, staff: Staff| async move { payments::page(&state, &staff, agency.as_deref()).await }).await
}

/// Groups the accepted invoices of the agency not yet in a batch: all of
/// them, or one supplier's (`supplier`, its id).
#[server(endpoint = "create_payment_batch")]
pub async fn create_payment_batch(agency: Option<String>, supplier: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, server::services::payments};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let id = payments::create(&state, &staff, agency.as_deref(), supplier.as_deref(), chrono::Utc::now()).await?;
        Ok(format!("/agence/paiements/{id}"))
    })
    .await
}

#[server(endpoint = "payment_batch")]
pub async fn payment_batch(id: String) -> Result<BatchDetail, AppError> {
    use crate::{api::context, server::services::payments};
    context::serve(|state, staff: Staff| async move {
        payments::detail(&state, &staff, payments::batch_id(&id)?, chrono::Utc::now()).await
    })
    .await
}

/// The transfers left on `paid_on`: invoices and vouchers become paid.
#[server(endpoint = "mark_batch_paid")]
pub async fn mark_batch_paid(id: String, paid_on: String, reference: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::payments};
    context::serve_and_redirect(|state, staff: Staff| async move {
        let batch = payments::batch_id(&id)?;
        payments::mark_paid(&state, &staff, batch, &paid_on, &reference, chrono::Utc::now()).await?;
        Ok(format!("/agence/paiements/{batch}"))
    })
    .await
}

#[server(endpoint = "agency_statements")]
pub async fn agency_statements(agency: Option<String>) -> Result<StatementsPage, AppError> {
    use crate::{api::context, server::services::statements};
    context::serve(|state, staff: Staff| async move {
        statements::page(&state, &staff, agency.as_deref(), chrono::Utc::now()).await
    })
    .await
}

/// One member's statement for a period, emailed when `send` is on.
#[server(endpoint = "issue_statement")]
pub async fn issue_statement(
    member: String,
    from: String,
    to: String,
    send: Option<String>,
) -> Result<StatementRow, AppError> {
    use crate::{api::context, server::services::statements};
    context::serve(|state, staff: Staff| async move {
        let send = send.is_some_and(|s| !s.is_empty() && s != "0");
        statements::issue_for_member(&state, &staff, &member, &from, &to, send, chrono::Utc::now()).await
    })
    .await
}

/// Statements for every member of the agency with a voucher used in the
/// month, made and emailed in the background; answers the run to follow.
#[server(endpoint = "start_statement_run")]
pub async fn start_statement_run(agency: Option<String>, month: String) -> Result<RunRow, AppError> {
    use crate::{api::context, server::services::statements};
    context::serve(|state, staff: Staff| async move {
        statements::start_run(&state, &staff, agency.as_deref(), &month, chrono::Utc::now()).await
    })
    .await
}

/// A run's progress, polled by the statements page.
#[server(endpoint = "statement_run")]
pub async fn statement_run(id: String) -> Result<RunRow, AppError> {
    use crate::{api::context, server::services::statements};
    context::serve(|state, staff: Staff| async move { statements::run(&state, &staff, &id).await }).await
}

/// The member's own statements, newest first.
#[server(endpoint = "my_statements")]
pub async fn my_statements() -> Result<Vec<StatementRow>, AppError> {
    use crate::{api::context, server::services::statements};
    context::serve(|state, member: Member| async move { statements::for_member(&state, member.id).await }).await
}
