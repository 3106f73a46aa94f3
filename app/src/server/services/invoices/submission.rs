//! Invoices a supplier types in the form or sends from the till: reading
//! the typed lines, sending, correcting, and the supplier's own view.

use crate::domain::invoice::{parse_invoice_lines, typed_line};
use crate::domain::{InvoiceLineInput, VoucherNumber};
use crate::server::error::ServerError;
use crate::server::services::invoices::{self, InvoiceInput, Submitter};
use crate::{error::AppError, model::supplier::SupplierInvoiceView, server::AppState};
use chrono::{DateTime, Utc};

/// An invoice typed in the form: the lines box is read by the same function
/// as the form's live preview; any mistake is named with its line.
pub fn typed_invoice(number: String, date: String, amount: String, lines: &str) -> Result<InvoiceInput, ServerError> {
    let typed = parse_invoice_lines(lines);
    if !typed.errors.is_empty() {
        return Err(AppError::field("lines", invoices::some_errors(typed.errors)).into());
    }
    Ok(InvoiceInput { number, date, amount, lines: typed.lines })
}

/// The same voucher twice on one invoice is refused before anything is
/// written: it would be paid once, and the second line would only be
/// flagged for the agency to sort out.
fn refuse_repeated_vouchers(lines: &[InvoiceLineInput]) -> Result<(), AppError> {
    let mut seen: Vec<(String, usize)> = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Ok(number) = line.voucher_number.parse::<VoucherNumber>() else {
            continue; // named by the line check, with its line
        };
        let number = number.to_string();
        match seen.iter().find(|(n, _)| *n == number) {
            Some((_, first)) => errors.push(format!("Ligne {} : le bon {number} figure déjà ligne {first}.", i + 1)),
            None => seen.push((number, i + 1)),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::field("lines", invoices::some_errors(errors))) }
}

/// Sends an invoice (from the form or the till): one transaction, all or nothing.
#[tracing::instrument(skip_all)]
pub async fn submit_invoice(
    state: &AppState,
    by: &Submitter,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    refuse_repeated_vouchers(&input.lines)?;
    invoices::submit_invoice(state, by, input, now).await
}

/// Resends an invoice sent back « à corriger ».
#[tracing::instrument(skip_all, fields(invoice = id))]
pub async fn correct_invoice(
    state: &AppState,
    by: &Submitter,
    id: i64,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    refuse_repeated_vouchers(&input.lines)?;
    invoices::correct_invoice(state, by, id, input, now).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_voucher_twice_is_refused_with_both_lines() {
        let line = |n: &str| InvoiceLineInput { voucher_number: n.into(), code: "1234".into(), amount: "1".into() };
        let lines = [line("W2026.NA.442.00000001"), line("x"), line(" w2026.na.442.00000001 ")];
        match refuse_repeated_vouchers(&lines) {
            Err(AppError::InvalidField(field, m)) => {
                assert_eq!(
                    (field.as_str(), m.as_str()),
                    ("lines", "Ligne 3 : le bon W2026.NA.442.00000001 figure déjà ligne 1.")
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
