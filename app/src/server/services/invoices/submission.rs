//! Invoices a supplier types in the form or sends from the till: reading
//! the typed lines and the supplier's own view (sending and correcting are
//! `invoices::submit_invoice` and `invoices::correct_invoice`).

use crate::domain::invoice::{parse_invoice_lines, typed_line};
use crate::server::error::ServerError;
use crate::server::services::invoices::{self, InvoiceInput};
use crate::{error::AppError, model::supplier::SupplierInvoiceView, server::AppState};

/// An invoice typed in the form: the lines box is read by the same function
/// as the form's live preview; any mistake is named with its line.
pub fn typed_invoice(number: String, date: String, amount: String, lines: &str) -> Result<InvoiceInput, ServerError> {
    let typed = parse_invoice_lines(lines);
    if !typed.errors.is_empty() {
        return Err(AppError::Invalid(invoices::some_errors(typed.errors)).into());
    }
    Ok(InvoiceInput { number, date, amount, lines: typed.lines })
}

/// Invoice ids come from URLs and forms; anything else is an invoice we do not know.
pub fn parse_invoice_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::NotFound("Facture".into()))
}

/// An invoice's page: its detail, and its lines as the correction form shows them.
#[tracing::instrument(skip_all, fields(supplier = supplier_id, invoice = %id))]
pub async fn invoice(state: &AppState, supplier_id: i64, id: &str) -> Result<SupplierInvoiceView, ServerError> {
    let detail = invoices::invoice_for_supplier(state, supplier_id, parse_invoice_id(id)?).await?;
    let lines_text =
        detail.lines.iter().map(|l| typed_line(&l.voucher_number, "", l.amount)).collect::<Vec<_>>().join("\n");
    Ok(SupplierInvoiceView { detail, lines_text })
}
