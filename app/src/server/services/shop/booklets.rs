//! The print-ready PDF of an order's passes: A4 sheets of eight passes,
//! each framed by dashed cutting lines, with crop marks in the margins
//! where the guillotine cuts, carrying what a supplier and a
//! beneficiary need: the face value, the number, the secret code, the
//! validity, the sponsor, and the QR code of its check page. Staff print
//! it once the passes are produced; the codes are recomputed here from
//! the server secret, never stored.
//!
//! The proof (BAT) is the same sheets with sample numbers and codes, one
//! sheet per face value, after a cover page saying what is ordered and
//! what the passes carry, and « BAT — ne pas imprimer » across each page.

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
use crate::server::images::{Logo, read_logo};
use crate::server::pdf::{self, PAGE_SIZE, Page};
use crate::server::services::passes::check_url;
use crate::server::store::{order_way as way_store, passes as store};
use sqlx::AnyConnection;

const COLUMNS: usize = 2;
const ROWS: usize = 4;
const SHEET_MARGIN: f32 = 24.0;
/// Under the last row: the page's number.
const FOOT: f32 = 44.0;
const QR_SIDE: f32 = 92.0;
/// The logo's box, under the face value.
const LOGO_BOX: (f32, f32) = (70.0, 26.0);

/// What every pass of an order carries besides its number: the sponsor's
/// name, message and logo.
pub(crate) struct Carried {
    pub sponsor: String,
    pub message: String,
    pub logo: Option<Logo>,
}

/// The order's elements as the passes print them.
pub(crate) async fn carried(conn: &mut AnyConnection, order_id: i64, sponsor: &str) -> Result<Carried, ServerError> {
    let message = way_store::elements(&mut *conn, order_id).await?.map(|e| e.message).unwrap_or_default();
    // A logo was checked when it was sent; one unreadable since is left out.
    let logo = way_store::logo(conn, order_id).await?.and_then(|bytes| read_logo(&bytes).ok());
    Ok(Carried { sponsor: pdf::clip(sponsor, 64), message: pdf::clip(message.trim(), 46), logo })
}

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
    let carried = carried(&mut conn, order.id, &order.structure_label).await?;
    drop(conn);
    let passes = store::of_order(state.db.pool(), order.id).await?;
    if passes.is_empty() {
        return Err(AppError::Conflict("Les pass de cette commande ne sont pas encore produits.".into()).into());
    }
    let mut pages = Vec::with_capacity(passes.len().div_ceil(COLUMNS * ROWS));
    for sheet in passes.chunks(COLUMNS * ROWS) {
        let mut page = Page::default();
        crop_marks(&mut page);
        for (slot, pass) in sheet.iter().enumerate() {
            let number = u32::try_from(pass.sequence)
                .ok()
                .zip(i32::try_from(pass.year).ok())
                .and_then(|(seq, year)| PassNumber::new(year, &agency_code, &centre_code, seq).ok())
                .ok_or(AppError::Internal)?;
            let keys = state.keys.version(pass.key_version)?;
            let code = keys.pass_code(&number.to_string(), pass.face_value.cents());
            let qr = QrMatrix::new(&check_url(keys, &state.settings, &number)).ok_or(AppError::Internal)?;
            let printed = Printed {
                number: number.to_string(),
                code: code.reveal().to_owned(),
                value: pass.face_value.to_string(),
                valid_until: pass.valid_until.to_string(),
                carried: &carried,
                qr: &qr,
            };
            draw(&mut page, slot, &printed);
        }
        pages.push(page);
    }
    let title = format!("Pass Castors — commande {}", order.number());
    let logos: Vec<Logo> = carried.logo.into_iter().collect();
    Ok((format!("pass-{}.pdf", order.number()), pdf::render_with(&title, &pages, &logos)))
}

/// What the proof shows of the order.
pub(crate) struct ProofContent<'a> {
    pub order_number: String,
    pub proof_number: i64,
    /// Each face value ordered and how many passes of it.
    pub booklets: Vec<(crate::domain::Money, usize)>,
    pub valid_until: crate::domain::Day,
    pub restrictions: &'a str,
    pub inserts: &'a str,
    /// The agency's codes and the year, for the sample numbers.
    pub series: (&'a str, &'a str, i32),
}

/// The proof: a cover page, then one sheet of sample passes per face value.
pub(crate) fn proof_pdf(state: &AppState, p: &ProofContent<'_>, carried: Carried) -> Result<Vec<u8>, ServerError> {
    const MARK: &str = "BAT — ne pas imprimer";
    let mut cover = pdf::Flow::default();
    cover.title(format!("BAT n° {} — commande {}", p.proof_number, p.order_number));
    cover.line(10.0, format!("Structure commanditaire : {}", carried.sponsor));
    for (value, count) in &p.booklets {
        cover.line(10.0, format!("{count} Pass Castors de {value}"));
    }
    cover.line(10.0, format!("Valables jusqu'au {}", p.valid_until));
    cover.gap(8.0);
    let message = if carried.message.is_empty() { "(aucun)" } else { carried.message.as_str() };
    cover.line(10.0, format!("Message imprimé sur chaque pass : {message}"));
    for (what, text) in [("Restrictions", p.restrictions), ("Encarts supplémentaires", p.inserts)] {
        let text = text.trim();
        cover.paragraph(10.0, &format!("{what} : {}", if text.is_empty() { "aucune" } else { text }));
    }
    cover.line(10.0, if carried.logo.is_some() { "Logo : imprimé sur chaque pass." } else { "Logo : aucun." });
    cover.gap(8.0);
    cover.paragraph(
        9.0,
        "Les numéros et codes secrets des pages suivantes sont des exemples : les vrais sont attribués à la \
         mise en production, après la validation de ce BAT.",
    );
    let mut pages = cover.into_pages();
    let (agency, centre, year) = p.series;
    for (sheet, (value, _)) in p.booklets.iter().enumerate() {
        let mut page = Page::default();
        crop_marks(&mut page);
        for slot in 0..COLUMNS * ROWS {
            let sequence = u32::try_from(sheet * COLUMNS * ROWS + slot + 1).unwrap_or(1);
            let number = PassNumber::new(year, agency, centre, sequence).map_err(|_| AppError::Internal)?;
            let qr =
                QrMatrix::new(&check_url(state.keys.current(), &state.settings, &number)).ok_or(AppError::Internal)?;
            let printed = Printed {
                number: number.to_string(),
                code: "000000".into(),
                value: value.to_string(),
                valid_until: p.valid_until.to_string(),
                carried: &carried,
                qr: &qr,
            };
            draw(&mut page, slot, &printed);
        }
        pages.push(page);
    }
    for page in &mut pages {
        page.watermark = Some(MARK.into());
    }
    let logos: Vec<Logo> = carried.logo.into_iter().collect();
    let title = format!("BAT n° {} — commande {}", p.proof_number, p.order_number);
    Ok(pdf::render_with(&title, &pages, &logos))
}

struct Printed<'a> {
    number: String,
    code: String,
    value: String,
    valid_until: String,
    carried: &'a Carried,
    qr: &'a QrMatrix,
}

/// The crop marks: where each column and row of the grid meets the sheet's
/// edge, a short line in the margin, clear of the grid (a printer trims
/// along them; the dashed frames guide scissors).
fn crop_marks(page: &mut Page) {
    const GAP: f32 = 3.0;
    const LENGTH: f32 = 12.0;
    let (width, height) = PAGE_SIZE;
    let cell_w = (width - 2.0 * SHEET_MARGIN) / COLUMNS as f32;
    let cell_h = (height - SHEET_MARGIN - FOOT) / ROWS as f32;
    let (top, bottom) = (height - SHEET_MARGIN, FOOT);
    for column in 0..=COLUMNS {
        let x = SHEET_MARGIN + column as f32 * cell_w;
        page.lines.push([x, top + GAP, x, top + GAP + LENGTH.min(SHEET_MARGIN - 2.0 * GAP)]);
        page.lines.push([x, bottom - GAP, x, bottom - GAP - LENGTH]);
    }
    for row in 0..=ROWS {
        let y = bottom + row as f32 * cell_h;
        page.lines.push([SHEET_MARGIN - GAP, y, SHEET_MARGIN - GAP - LENGTH.min(SHEET_MARGIN - 2.0 * GAP), y]);
        page.lines.push([
            width - SHEET_MARGIN + GAP,
            y,
            width - SHEET_MARGIN + GAP + LENGTH.min(SHEET_MARGIN - 2.0 * GAP),
            y,
        ]);
    }
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
    page.text(left, top - 16.0, 7.5, p.carried.sponsor.clone());
    if let Some(logo) = &p.carried.logo {
        // Fitted in its box, keeping its proportions, against the box's right.
        let (box_w, box_h) = LOGO_BOX;
        let scale = (box_w / logo.width as f32).min(box_h / logo.height as f32);
        let (w, h) = (logo.width as f32 * scale, logo.height as f32 * scale);
        page.images.push((0, [x + cell_w - 12.0 - w, top - 18.0 - h, w, h]));
    }
    page.text(left, top - 40.0, 7.0, "N° du pass");
    page.bold(left, top - 52.0, 10.0, p.number.clone());
    page.text(left, top - 72.0, 7.0, "Code secret");
    page.bold(left, top - 86.0, 14.0, spaced(&p.code));
    page.text(left, top - 106.0, 7.5, format!("Valable jusqu'au {}", p.valid_until));
    if !p.carried.message.is_empty() {
        page.text(left, top - 116.0, 7.0, p.carried.message.clone());
    }
    page.text(left, y + 24.0, 6.5, "À remettre à un fournisseur partenaire de la coopérative.");
    page.text(left, y + 14.0, 6.5, "Vérifiez-le en scannant le QR code.");
    page.qr(x + cell_w - 12.0 - QR_SIDE, y + 34.0, QR_SIDE, p.qr);
}

/// `123456` as `123 456`, easier to read out at a till.
fn spaced(code: &str) -> String {
    let (head, tail) = code.split_at(code.len() / 2);
    format!("{head} {tail}")
}
