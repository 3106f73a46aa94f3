//! An invoice's PDF: kept while the agency has not accepted the invoice,
//! read by its supplier and the agency.

use crate::server::audit::{Actor, Entity};
use crate::server::auth::{Staff, SupplierUser};
use crate::server::error::ServerError;
use crate::server::services::journal;
use crate::server::store::{self, invoices::NewFile};
use crate::server::{AppState, codes::sha256_hex, pdf};
use crate::{domain::InvoiceStatus, error::AppError};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The largest invoice PDF we keep.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// Keeps the invoice's PDF (replacing an earlier one) while the agency has
/// not accepted the invoice. The file must really be a PDF.
#[tracing::instrument(skip_all, fields(supplier = user.supplier_id, invoice = id))]
pub async fn attach_pdf(
    state: &AppState,
    user: &SupplierUser,
    id: i64,
    file_name: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    if content.is_empty() {
        return Err(AppError::Invalid("Choisissez le fichier PDF de la facture.".into()).into());
    }
    if content.len() > MAX_PDF_BYTES {
        return Err(AppError::Invalid("Le fichier dépasse 10 Mo : envoyez un PDF plus léger.".into()).into());
    }
    // Reading a file of up to 10 MB is work for a blocking thread.
    let bytes = content.to_vec();
    let readable = tokio::task::spawn_blocking(move || pdf::is_readable_pdf(&bytes)).await.unwrap_or(false);
    if !readable {
        return Err(AppError::Invalid("Ce fichier n'est pas un PDF : envoyez la facture au format PDF.".into()).into());
    }
    let file_name = pdf_file_name(file_name);
    let mut tx = state.db.begin_write().await?;
    let invoice = store::invoices::find_for_update(&mut tx, id)
        .await?
        .filter(|i| i.summary.supplier_id == user.supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let status = invoice.summary.status;
    if matches!(status, InvoiceStatus::Accepted | InvoiceStatus::Paid) {
        return Err(AppError::Conflict(format!(
            "Cette facture est {} : son PDF ne peut plus être remplacé.",
            status.label()
        ))
        .into());
    }
    let sha256 = sha256_hex(content);
    let file = NewFile { invoice_id: id, file_name: &file_name, sha256: &sha256, content, uploaded_at: now.into() };
    store::invoices::put_pdf(tx.conn(), &file).await?;
    let before = json!({ "pdf": invoice.summary.has_pdf });
    let after = json!({ "pdf": true, "file_name": file_name, "sha256": sha256, "size_bytes": content.len() });
    journal(&mut tx, &Actor::supplier(user), Entity::Invoice, id, "attach_pdf", before, after, now).await?;
    tx.commit().await?;
    tracing::info!(invoice = id, bytes = content.len(), "invoice PDF stored");
    Ok(())
}

/// The name the browser gave the file, reduced to something safe to show
/// and to put in a download header.
fn pdf_file_name(given: &str) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .take(100)
        .collect::<String>()
        .trim()
        .to_owned();
    if cleaned.is_empty() { "facture.pdf".into() } else { cleaned }
}

/// Who may download an invoice's PDF: the supplier who sent it, and agency
/// staff covering its agency (an administrator covers every agency).
pub enum PdfReader {
    Supplier(SupplierUser),
    Staff(Staff),
}

/// The PDF of an invoice: its download name and bytes. An invoice the
/// reader may not see is as unknown as a missing one.
#[tracing::instrument(skip_all, fields(invoice = %id))]
pub async fn invoice_pdf(state: &AppState, reader: &PdfReader, id: &str) -> Result<(String, Vec<u8>), ServerError> {
    let id = super::submission::parse_invoice_id(id)?;
    let invoice = store::invoices::find(state.db.pool(), id)
        .await?
        .filter(|i| match reader {
            PdfReader::Supplier(user) => i.summary.supplier_id == user.supplier_id,
            PdfReader::Staff(staff) => staff.covers(i.agency_id),
        })
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let (_, content) = store::invoices::pdf(state.db.pool(), id)
        .await?
        .ok_or_else(|| AppError::NotFound("Le PDF de cette facture est".into()))?;
    let safe: String = invoice
        .summary
        .number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    Ok((format!("facture-{safe}.pdf"), content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(pdf_file_name("C:\\factures\\F-001.pdf"), "F-001.pdf");
        assert_eq!(pdf_file_name("../../etc/\"x\";.pdf"), "x.pdf");
        assert_eq!(pdf_file_name(" \n"), "facture.pdf");
    }
}
