//! The print-ready PDF of an order's passes: A4 sheets of eight passes,
//! each framed by dashed cutting lines, carrying what a supplier and a
//! beneficiary need: the face value, the number, the secret code, the
//! validity, the sponsor, and the QR code of its check page. Staff print
//! it once the passes are produced; the codes are recomputed here from
//! the server secret, never stored.

// Page geometry is in points (floats by nature); amounts arrive as text.
#![allow(clippy::float_arithmetic)]

use super::store as shop_store;
use crate::domain::order::OrderStatus;
use crate::domain::pass::PassNumber;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::auth::Staff;
use crate::server::codes::QrMatrix;
use crate::server::error::ServerError;
use crate::server::pdf::{self, PAGE_SIZE, Page};
use crate::server::services::passes::check_url;
use crate::server::store::passes as store;

const COLUMNS: usize = 2;
const ROWS: usize = 4;
const SHEET_MARGIN: f32 = 24.0;
/// Under the last row: the page's number.
const FOOT: f32 = 44.0;
const QR_SIDE: f32 = 92.0;

/// The file's name and bytes.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn print_pdf(state: &AppState, staff: &Staff, id: &str) -> Result<(String, Vec<u8>), ServerError> {
    let order_id: i64 = id.trim().parse().map_err(|_| AppError::NotFound("Commande".into()))?;
    let mut conn = state.db.pool().acquire().await?;
    let order = shop_store::find_order(&mut conn, order_id)
        .await?
        .filter(|o| staff.covers(o.agency_id))
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    if order.status == OrderStatus::Cancelled {
        return Err(AppError::Conflict("Cette commande est annulée : ses pass ne s'impriment pas.".into()).into());
    }
    let (agency_code, centre_code) = store::agency_codes(&mut conn, order.agency_id).await?;
    drop(conn);
    let passes = store::of_order(state.db.pool(), order.id).await?;
    if passes.is_empty() {
        return Err(AppError::Conflict("Les pass de cette commande ne sont pas encore produits.".into()).into());
    }
    let sponsor = pdf::clip(&order.structure_label, 64);
    let mut pages = Vec::with_capacity(passes.len().div_ceil(COLUMNS * ROWS));
    for sheet in passes.chunks(COLUMNS * ROWS) {
        let mut page = Page::default();
        for (slot, pass) in sheet.iter().enumerate() {
            let number = u32::try_from(pass.sequence)
                .ok()
                .zip(i32::try_from(pass.year).ok())
                .and_then(|(seq, year)| PassNumber::new(year, &agency_code, &centre_code, seq).ok())
                .ok_or(AppError::Internal)?;
            let code = state.keys.pass_code(&number.to_string(), pass.face_value.cents());
            let qr = QrMatrix::new(&check_url(state, &number)).ok_or(AppError::Internal)?;
            let printed = Printed {
                number: number.to_string(),
                code: code.reveal().to_owned(),
                value: pass.face_value.to_string(),
                valid_until: pass.valid_until.to_string(),
                sponsor: &sponsor,
                qr: &qr,
            };
            draw(&mut page, slot, &printed);
        }
        pages.push(page);
    }
    let title = format!("Pass Castors — commande {}", order.number());
    Ok((format!("pass-{}.pdf", order.number()), pdf::render(&title, &pages)))
}

struct Printed<'a> {
    number: String,
    code: String,
    value: String,
    valid_until: String,
    sponsor: &'a str,
    qr: &'a QrMatrix,
}

/// One pass in its cell of the sheet (left to right, top to bottom).
fn draw(page: &mut Page, slot: usize, p: &Printed<'_>) {
    let (width, height) = PAGE_SIZE;
    let cell_w = (width - 2.0 * SHEET_MARGIN) / COLUMNS as f32;
    let cell_h = (height - SHEET_MARGIN - FOOT) / ROWS as f32;
    let x = SHEET_MARGIN + (slot % COLUMNS) as f32 * cell_w;
    let y = height - SHEET_MARGIN - (slot / COLUMNS + 1) as f32 * cell_h;
    page.frames.push([x, y, cell_w, cell_h]);
    let (left, top) = (x + 12.0, y + cell_h - 22.0);
    page.bold(left, top, 12.0, "PASS CASTORS");
    page.right(x + cell_w - 12.0, top, 16.0, true, p.value.clone());
    page.text(left, top - 16.0, 7.5, p.sponsor.to_owned());
    page.text(left, top - 40.0, 7.0, "N° du pass");
    page.bold(left, top - 52.0, 10.0, p.number.clone());
    page.text(left, top - 72.0, 7.0, "Code secret");
    page.bold(left, top - 86.0, 14.0, spaced(&p.code));
    page.text(left, top - 106.0, 7.5, format!("Valable jusqu'au {}", p.valid_until));
    page.text(left, y + 24.0, 6.5, "À remettre à un fournisseur partenaire de la coopérative.");
    page.text(left, y + 14.0, 6.5, "Vérifiez-le en scannant le QR code.");
    page.qr(x + cell_w - 12.0 - QR_SIDE, y + 34.0, QR_SIDE, p.qr);
}

/// `123456` as `123 456`, easier to read out at a till.
fn spaced(code: &str) -> String {
    let (head, tail) = code.split_at(code.len() / 2);
    format!("{head} {tail}")
}
