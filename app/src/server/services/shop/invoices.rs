//! Invoices to sponsors (issue 15): staff issue an order's invoices, each
//! as PDF and as CII XML for Chorus Pro; staff record each invoice's way on
//! Chorus Pro, and correct a rejected one by a credit note and a new
//! invoice. Numbers are gapless per year, allocated in the transaction
//! that issues the invoice.

use super::orders::Upload;
use super::store::{self as shop_store, OrderRecord};
use crate::domain::billing::{
    self, Billed, ChorusState, DocumentType, InvoiceDocument, InvoiceKind, PAYMENT_DAYS, Party, Totals,
};
use crate::domain::order::{MAX_REPORT_BYTES, OrderStatus, is_postcode};
use crate::domain::pricing::{Quote, Rate, VatCategory};
use crate::domain::{Day, Iban, Money, Siret, StructureKind, Timestamp};
use crate::error::{AppError, Refusals};
use crate::model::shop::{SellerView, SponsorInvoiceRow};
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Staff;
use crate::server::codes::sha256_hex;
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::pdf::Flow;
use crate::server::services::{agencies, journal};
use crate::server::store::billing as store;
use crate::server::store::structures as structures_store;
use chrono::Datelike;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

fn not_found() -> AppError {
    AppError::NotFound("Facture".into())
}

/// Who receives the invoice: the order's structure, or the structure that
/// took over a deactivated one (following each taking-over in turn).
async fn buyer(conn: &mut AnyConnection, order: &OrderRecord) -> Result<(Party, bool), ServerError> {
    let mut id = order.structure_id;
    let mut structure =
        structures_store::find_on(conn, id).await?.ok_or_else(|| AppError::NotFound("Structure".into()))?;
    for _ in 0..16 {
        match (structure.active, structure.taken_over_by) {
            (false, Some(next)) if next != id => {
                id = next;
                structure =
                    structures_store::find_on(conn, id).await?.ok_or_else(|| AppError::NotFound("Structure".into()))?;
            }
            _ => break,
        }
    }
    let own = id == order.structure_id;
    // The order's billing address, unless another structure receives it.
    let (street, postcode, city) = match (own, &structure.address, &structure.postcode, &structure.city) {
        (false, Some(street), Some(postcode), Some(city)) => (street.clone(), postcode.clone(), city.clone()),
        _ => (order.billing_address.clone(), order.billing_postcode.clone(), order.billing_city.clone()),
    };
    let siren = structure.siret.as_deref().map(|s| s[..9.min(s.len())].to_owned()).or(structure.siren.clone());
    let name =
        if own && structure.kind == StructureKind::Private { order.billing_name.clone() } else { structure.label };
    let party = Party { name, siret: structure.siret, siren, vat_number: None, street, postcode, city };
    Ok((party, structure.kind == StructureKind::Public))
}

/// The order `id` for staff of its agency, locked until commit, and its
/// quote; refused unless it is confirmed.
pub(super) async fn confirmed_order(
    tx: &mut WriteTx,
    staff: &Staff,
    id: &str,
) -> Result<(OrderRecord, Quote), ServerError> {
    let order_id: i64 = id.trim().parse().map_err(|_| AppError::NotFound("Commande".into()))?;
    let order = shop_store::find_order_for_update(tx, order_id)
        .await?
        .filter(|o| staff.covers(o.agency_id))
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    match order.status {
        OrderStatus::Confirmed => {}
        OrderStatus::AwaitingPurchaseOrder => {
            return Err(AppError::Conflict(
                "Cette commande attend encore son bon de commande : ses factures ne peuvent pas être émises.".into(),
            )
            .into());
        }
        OrderStatus::Cancelled => {
            return Err(AppError::Conflict("Cette commande est annulée : elle ne se facture pas.".into()).into());
        }
    }
    let quote = order.quote(shop_store::order_lines(tx.conn(), order.id).await?)?;
    Ok((order, quote))
}

/// Issues an order's invoices due at order: the passes' face value, and
/// the fees and services with the first instalment of the accompaniment.
/// All or nothing, journaled; the sponsor gets an email after the commit.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn issue(state: &AppState, staff: &Staff, id: &str, now: DateTime<Utc>) -> Result<Vec<String>, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let (order, quote) = confirmed_order(&mut tx, staff, id).await?;
    let mut pending = Vec::new();
    for billed in billing::plan(&quote).into_iter().filter(|b| b.instalment <= 1) {
        if !store::issued(tx.conn(), order.id, billed.kind, billed.instalment).await? {
            pending.push(billed);
        }
    }
    if pending.is_empty() {
        return Err(AppError::Conflict("Les factures de cette commande ont déjà été émises.".into()).into());
    }
    let numbers = write_invoices(&mut tx, staff, &order, quote.vat_rate, pending, now).await?;
    tx.commit().await?;
    notify(state, &order, &numbers).await;
    Ok(numbers)
}

/// Staff record the accompaniment's interim report (`instalment` 2) or
/// final report (3), a PDF, and the instalment that follows it is
/// invoiced in the same transaction. In order: the invoices at order
/// first, the interim report before the final one; each once.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn issue_instalment(
    state: &AppState,
    staff: &Staff,
    id: &str,
    instalment: &str,
    report: &Upload<'_>,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let instalment: u8 = match instalment.trim() {
        "2" => 2,
        "3" => 3,
        _ => return Err(AppError::Invalid("Choisissez le rapport : intermédiaire ou final.".into()).into()),
    };
    let mut tx = state.db.begin_write().await?;
    let (order, quote) = confirmed_order(&mut tx, staff, id).await?;
    let Some(billed) = billing::plan(&quote).into_iter().find(|b| b.instalment == instalment) else {
        return Err(AppError::Conflict("Cette commande ne comporte pas d'accompagnement technique.".into()).into());
    };
    if store::issued(tx.conn(), order.id, InvoiceKind::Services, instalment).await? {
        let which = if instalment == 2 { "intermédiaire" } else { "final" };
        return Err(AppError::Conflict(format!(
            "Le rapport {which} de cette commande est déjà enregistré et facturé."
        ))
        .into());
    }
    if !store::issued(tx.conn(), order.id, InvoiceKind::Services, instalment - 1).await? {
        let before = if instalment == 2 { "les factures de la commande" } else { "le rapport intermédiaire" };
        return Err(AppError::Conflict(format!("Enregistrez d'abord {before}.")).into());
    }
    if report.content.is_empty() {
        return Err(AppError::field("pdf", "Joignez le rapport, en PDF.").into());
    }
    if report.content.len() > MAX_REPORT_BYTES {
        let why = format!("Le rapport pèse plus de {} Mo : réduisez-le.", MAX_REPORT_BYTES / (1024 * 1024));
        return Err(AppError::field("pdf", why).into());
    }
    if !report.content.starts_with(b"%PDF-") {
        return Err(AppError::field("pdf", "Le rapport doit être un fichier PDF.").into());
    }
    let name = report.file_name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let fallback =
        format!("rapport-{}-{}.pdf", if instalment == 2 { "intermediaire" } else { "final" }, order.number());
    let file_name = if name.is_empty() || name.len() > 120 || name.chars().any(char::is_control) {
        fallback
    } else {
        name.to_owned()
    };
    let new = store::NewReport {
        order_id: order.id,
        instalment,
        file_name: &file_name,
        sha256: &sha256_hex(report.content),
        content: report.content,
        at: Timestamp::new(now),
        by: &staff.login,
    };
    store::insert_report(tx.conn(), &new).await?;
    let numbers = write_invoices(&mut tx, staff, &order, quote.vat_rate, vec![billed], now).await?;
    tx.commit().await?;
    notify(state, &order, &numbers).await;
    Ok(numbers.into_iter().next().unwrap_or_default())
}

/// Writes `pending` invoices of `order`, numbered in this transaction, to
/// the order's buyer today; each journaled. Refused while the seller's
/// identity or the IBAN is missing.
async fn write_invoices(
    tx: &mut WriteTx,
    staff: &Staff,
    order: &OrderRecord,
    vat_rate: Rate,
    pending: Vec<Billed>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, ServerError> {
    let seller = store::seller(tx.conn(), order.agency_id).await?.ok_or_else(|| {
        AppError::Invalid(
            "Renseignez d'abord l'identité de la coopérative sur les factures (raison sociale, SIRET, n° de TVA, \
             adresse) dans « Boutique »."
                .into(),
        )
    })?;
    let iban = shop_store::settings(tx.conn(), order.agency_id).await?.1.ok_or_else(|| {
        AppError::Invalid("Renseignez d'abord l'IBAN de l'agence dans « Boutique » : les factures le portent.".into())
    })?;
    let (buyer, public_buyer) = buyer(tx.conn(), order).await?;
    let today = Timestamp::new(now).paris_day();
    let mut numbers = Vec::new();
    for billed in pending {
        let number = store::next_number(tx.conn(), today.date().year()).await?;
        let doc = InvoiceDocument {
            number,
            document_type: DocumentType::Invoice,
            corrects: None,
            order_number: order.number().to_string(),
            issued_on: today,
            due_on: Day::new(today.date() + chrono::Days::new(PAYMENT_DAYS)),
            seller: seller.clone(),
            buyer: buyer.clone(),
            service_code: order.po_service_code.clone(),
            engagement: order.po_engagement.clone(),
            iban: iban.clone(),
            public_buyer,
            totals: Totals::of(&billed, vat_rate),
            vat_rate,
            billed,
        };
        let invoice_id =
            store::insert(tx.conn(), order.id, order.agency_id, &doc, None, Timestamp::new(now), &staff.login).await?;
        let after = json!({
            "number": number.to_string(), "order": doc.order_number, "subject": doc.subject(),
            "total_incl_vat": doc.totals.incl_vat.to_string(), "buyer": doc.buyer.name,
        });
        journal(tx, &Actor::staff(staff), Entity::SponsorInvoice, invoice_id, "issue", json!(null), after, now).await?;
        numbers.push(number.to_string());
    }
    Ok(numbers)
}

/// A report of the order, for those who may read the order.
pub async fn report_file(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    instalment: &str,
) -> Result<(String, Vec<u8>), ServerError> {
    let missing = || AppError::NotFound("Rapport".into());
    let order = super::orders::readable_order(state, caller, id).await?;
    let instalment: u8 = instalment.trim().parse().map_err(|_| missing())?;
    let mut conn = state.db.pool().acquire().await?;
    Ok(store::report_file(&mut conn, order, instalment).await?.ok_or_else(missing)?)
}

/// The accompaniment's next instalment to invoice on a report (2 or 3),
/// once the one before is invoiced; and the reports kept.
pub async fn instalments(
    conn: &mut AnyConnection,
    order: &OrderRecord,
    quote: &Quote,
) -> Result<(Option<u8>, Vec<u8>), ServerError> {
    let reports = store::reports(conn, order.id).await?;
    if order.status != OrderStatus::Confirmed {
        return Ok((None, reports));
    }
    for b in billing::plan(quote).into_iter().filter(|b| b.instalment >= 2) {
        if !store::issued(conn, order.id, InvoiceKind::Services, b.instalment).await? {
            let ready = store::issued(conn, order.id, InvoiceKind::Services, b.instalment - 1).await?;
            return Ok((ready.then_some(b.instalment), reports));
        }
    }
    Ok((None, reports))
}

/// The invoices' email to the order's contact, after the commit.
async fn notify(state: &AppState, order: &OrderRecord, numbers: &[String]) {
    let link = format!("{}/commanditaire/commandes/{}", state.settings.public_url.trim_end_matches('/'), order.id);
    let body = format!(
        "Bonjour {},\n\n\
         Les factures de la commande n° {} ont été émises : {}.\n\
         Elles sont déposées sur Chorus Pro pour les structures publiques ; vous les trouvez aussi, en PDF et \
         au format Factur-X (XML), sur la page de la commande :\n{link}\n\n\
         Castors de l'Ouest\n",
        order.contact_name,
        order.number(),
        numbers.join(", "),
    );
    let subject = format!("Factures de la commande {}", order.number());
    let sent = state.mailer.send_text(&order.contact_email, subject, body).await;
    if let Err(e) = sent {
        tracing::warn!(order = order.id, error = %e, "invoices email not sent");
    }
}

/// An order's invoices as its page lists them; `staff` says whether the
/// Chorus Pro actions are offered.
pub async fn rows(conn: &mut AnyConnection, order_id: i64, staff: bool) -> Result<Vec<SponsorInvoiceRow>, ServerError> {
    let mut rows = Vec::new();
    let returned = staff && super::way::invoices_returned(conn, order_id).await?;
    for r in store::of_order(conn, order_id).await? {
        let doc = r.document()?;
        rows.push(SponsorInvoiceRow {
            id: r.id,
            number: doc.number.to_string(),
            title: doc.title(),
            subject: doc.subject(),
            total_incl_vat: r.total_incl_vat,
            issued_on: doc.issued_on,
            due_on: r.due_on,
            chorus: r.chorus_state,
            chorus_reference: r.chorus_reference,
            chorus_note: r.chorus_note,
            next: if staff && doc.document_type == DocumentType::Invoice {
                r.chorus_state.next().to_vec()
            } else {
                vec![]
            },
            correctable: staff
                && (r.chorus_state == ChorusState::Rejected
                    || (returned
                        && r.chorus_state == ChorusState::ToDeposit
                        && doc.document_type == DocumentType::Invoice)),
        });
    }
    Ok(rows)
}

/// Whether staff may issue invoices for this order now.
pub async fn may_issue(conn: &mut AnyConnection, order: &OrderRecord, quote: &Quote) -> Result<bool, ServerError> {
    if order.status != OrderStatus::Confirmed {
        return Ok(false);
    }
    for b in billing::plan(quote).into_iter().filter(|b| b.instalment <= 1) {
        if !store::issued(conn, order.id, b.kind, b.instalment).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// An invoice the caller may read: a manager of its order's structure, or
/// staff of its agency.
async fn readable(
    state: &AppState,
    caller: &StructureCaller,
    order: &str,
    id: &str,
) -> Result<(store::InvoiceRecord, InvoiceDocument), ServerError> {
    let order: i64 = order.trim().parse().map_err(|_| not_found())?;
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let mut conn = state.db.pool().acquire().await?;
    let record = store::find(&mut conn, id).await?.filter(|r| r.order_id == order).ok_or_else(not_found)?;
    let allowed = match caller {
        StructureCaller::Staff(staff) => staff.covers(record.agency_id),
        StructureCaller::Sponsor(sponsor) => {
            let order = shop_store::find_order(&mut conn, record.order_id).await?.ok_or_else(not_found)?;
            structures_store::find_manager(&mut conn, order.structure_id, sponsor.account_id)
                .await?
                .is_some_and(|m| m.state == crate::domain::ManagerState::Approved)
        }
    };
    if !allowed {
        return Err(not_found().into());
    }
    let doc = record.document()?;
    Ok((record, doc))
}

/// An invoice of the order `order`, as a file: `pdf` or `xml` (CII for
/// Chorus Pro).
#[tracing::instrument(skip_all, fields(caller = %caller.login(), invoice = id))]
pub async fn file(
    state: &AppState,
    caller: &StructureCaller,
    order: &str,
    id: &str,
    format: &str,
) -> Result<(String, &'static str, Vec<u8>), ServerError> {
    let (_, doc) = readable(state, caller, order, id).await?;
    let stem = match doc.document_type {
        DocumentType::Invoice => format!("facture-{}", doc.number),
        DocumentType::CreditNote => format!("avoir-{}", doc.number),
    };
    match format {
        "pdf" => Ok((format!("{stem}.pdf"), "application/pdf", document_pdf(&doc))),
        "xml" => Ok((format!("{stem}.xml"), "application/xml", crate::server::cii::invoice_xml(&doc))),
        _ => Err(not_found().into()),
    }
}

/// What staff record of an invoice's way on Chorus Pro.
#[derive(Debug, Clone, Default)]
pub struct ChorusForm {
    pub state: String,
    /// The deposit's number on Chorus Pro.
    pub reference: String,
    /// Why it was rejected, or any note.
    pub note: String,
}

/// Records the next state of an invoice on Chorus Pro: deposited (with
/// its reference), rejected (with the reason), mandated, paid. Journaled.
#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn record_chorus(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form: &ChorusForm,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let to = ChorusState::from_code(form.state.trim())
        .ok_or_else(|| AppError::field("state", "Choisissez l'état de la facture sur Chorus Pro."))?;
    let mut tx = state.db.begin_write().await?;
    let record = store::find(tx.conn(), id).await?.filter(|r| staff.covers(r.agency_id)).ok_or_else(not_found)?;
    let doc = record.document()?;
    if doc.document_type != DocumentType::Invoice || !record.chorus_state.next().contains(&to) {
        return Err(AppError::Conflict(format!(
            "La facture {} est « {} » : elle ne peut pas passer à « {} ».",
            doc.number,
            record.chorus_state.label(),
            to.label()
        ))
        .into());
    }
    let reference = form.reference.trim();
    let note = form.note.trim();
    let mut refused = Refusals::default();
    if reference.chars().count() > 60 {
        refused.add("reference", "La référence compte au plus 60 caractères.");
    }
    if note.chars().count() > 500 {
        refused.add("note", "Le motif compte au plus 500 caractères.");
    }
    if to == ChorusState::Deposited && reference.is_empty() {
        refused.add("reference", "Indiquez le numéro de dépôt donné par Chorus Pro.");
    }
    if to == ChorusState::Rejected && note.is_empty() {
        refused.add("note", "Indiquez le motif du rejet donné par Chorus Pro.");
    }
    refused.check()?;
    let reference = (!reference.is_empty()).then_some(reference);
    let note = (!note.is_empty()).then_some(note);
    if !store::set_chorus_state(tx.conn(), id, record.chorus_state, to, reference, note, Timestamp::new(now)).await? {
        return Err(AppError::Conflict("Cette facture vient d'être modifiée : rechargez la page.".into()).into());
    }
    let before = json!({ "chorus": record.chorus_state.label() });
    let after = json!({ "chorus": to.label(), "reference": reference, "note": note });
    journal(&mut tx, &Actor::staff(staff), Entity::SponsorInvoice, id, "chorus", before, after, now).await?;
    tx.commit().await?;
    Ok(record.order_id)
}

/// Corrects a rejected invoice: a credit note cancels it in full, and a
/// new invoice bills the same, addressed as the order's buyer is today (a
/// structure taken over since, say). Both numbered in the same
/// transaction. Journaled.
#[tracing::instrument(skip_all, fields(staff = %staff.login, invoice = id))]
pub async fn correct(state: &AppState, staff: &Staff, id: &str, now: DateTime<Utc>) -> Result<i64, ServerError> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let mut tx = state.db.begin_write().await?;
    let record = store::find(tx.conn(), id).await?.filter(|r| staff.covers(r.agency_id)).ok_or_else(not_found)?;
    let doc = record.document()?;
    // Returned by the sponsor before it was deposited, or rejected by Chorus Pro.
    let returned = record.chorus_state == ChorusState::ToDeposit
        && doc.document_type == DocumentType::Invoice
        && super::way::invoices_returned(tx.conn(), record.order_id).await?;
    if record.chorus_state != ChorusState::Rejected && !returned {
        return Err(AppError::Conflict(format!(
            "Seule une facture rejetée par Chorus Pro ou renvoyée par le commanditaire se corrige par un avoir : \
             la facture {} est « {} ».",
            doc.number,
            record.chorus_state.label()
        ))
        .into());
    }
    let order = shop_store::find_order(tx.conn(), record.order_id).await?.ok_or_else(not_found)?;
    if returned {
        // The sponsor checks the corrected invoices again.
        super::way::invoices_corrected(tx.conn(), order.id).await?;
    }
    if !store::set_chorus_state(
        tx.conn(),
        id,
        record.chorus_state,
        ChorusState::Cancelled,
        None,
        record.chorus_note.as_deref(),
        Timestamp::new(now),
    )
    .await?
    {
        return Err(AppError::Conflict("Cette facture vient d'être modifiée : rechargez la page.".into()).into());
    }
    let today = Timestamp::new(now).paris_day();
    let year = today.date().year();
    let credit = InvoiceDocument {
        number: store::next_number(tx.conn(), year).await?,
        document_type: DocumentType::CreditNote,
        corrects: Some((doc.number, doc.issued_on)),
        issued_on: today,
        ..doc.clone()
    };
    store::insert(tx.conn(), order.id, order.agency_id, &credit, Some(id), Timestamp::new(now), &staff.login).await?;
    // A credit note is not deposited again once it is: it stands as issued.
    let (buyer, public_buyer) = buyer(tx.conn(), &order).await?;
    let seller = store::seller(tx.conn(), order.agency_id).await?.unwrap_or(doc.seller.clone());
    let fresh = InvoiceDocument {
        number: store::next_number(tx.conn(), year).await?,
        issued_on: today,
        due_on: Day::new(today.date() + chrono::Days::new(PAYMENT_DAYS)),
        buyer,
        public_buyer,
        seller,
        service_code: order.po_service_code.clone(),
        engagement: order.po_engagement.clone(),
        ..doc.clone()
    };
    store::insert(tx.conn(), order.id, order.agency_id, &fresh, None, Timestamp::new(now), &staff.login).await?;
    let after = json!({
        "credit_note": credit.number.to_string(), "new_invoice": fresh.number.to_string(),
        "reason": record.chorus_note,
    });
    journal(
        &mut tx,
        &Actor::staff(staff),
        Entity::SponsorInvoice,
        id,
        "correct",
        json!({ "number": doc.number.to_string() }),
        after,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(order.id)
}

/// What the seller's form sends: the cooperative as its invoices name it.
#[derive(Debug, Clone, Default)]
pub struct SellerForm {
    pub name: String,
    pub siret: String,
    pub vat_number: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// A French VAT number: FR, two characters of key, the SIREN; its key
/// checked ((12 + 3 × (SIREN mod 97)) mod 97) when it is digits.
fn check_vat_number(typed: &str, siren: &str) -> Result<String, AppError> {
    let v: String = typed.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let refused = || {
        AppError::Invalid(format!(
            "N° de TVA intracommunautaire « {typed} » : FR, deux chiffres de clé, puis le SIREN ({siren})."
        ))
    };
    if !v.is_ascii() || v.len() != 13 || !v.starts_with("FR") || &v[4..] != siren {
        return Err(refused());
    }
    if let Ok(key) = v[2..4].parse::<u64>() {
        let siren_n: u64 = siren.parse().map_err(|_| refused())?;
        if key != (12 + 3 * (siren_n % 97)) % 97 {
            return Err(refused());
        }
    }
    Ok(v)
}

fn check_seller(form: &SellerForm) -> Result<Party, AppError> {
    let mut refused = Refusals::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        refused.add("name", "Indiquez la raison sociale de la coopérative (120 caractères au plus).");
    }
    let siret = match Siret::parse(&form.siret) {
        Ok(s) => Some(s.as_str().to_owned()),
        Err(e) => {
            refused.add("siret", e.to_string());
            None
        }
    };
    let vat = match &siret {
        Some(s) => match check_vat_number(&form.vat_number, &s[..9]) {
            Ok(v) => Some(v),
            Err(e) => {
                refused.add("vat_number", e.to_string());
                None
            }
        },
        None => None,
    };
    let street = form.street.trim();
    if street.is_empty() || street.chars().count() > 200 {
        refused.add("street", "Indiquez l'adresse de la coopérative.");
    }
    if !is_postcode(form.postcode.trim()) {
        refused.add("postcode", "Le code postal compte cinq chiffres.");
    }
    let city = form.city.trim();
    if city.is_empty() || city.chars().count() > 80 {
        refused.add("city", "Indiquez la ville.");
    }
    refused.check()?;
    Ok(Party {
        name: name.to_owned(),
        siren: siret.as_ref().map(|s| s[..9].to_owned()),
        siret,
        vat_number: vat,
        street: street.to_owned(),
        postcode: form.postcode.trim().to_owned(),
        city: city.to_owned(),
    })
}

/// The seller's identity as the agency's invoices show it.
pub async fn seller(state: &AppState, staff: &Staff, asked: Option<&str>) -> Result<SellerView, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let party = match staff.scope(chosen) {
        Some(agency) => store::seller(&mut *state.db.pool().acquire().await?, agency).await?,
        None => None,
    };
    Ok(SellerView {
        name: party.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        siret: party.as_ref().and_then(|p| p.siret.clone()).unwrap_or_default(),
        vat_number: party.as_ref().and_then(|p| p.vat_number.clone()).unwrap_or_default(),
        street: party.as_ref().map(|p| p.street.clone()).unwrap_or_default(),
        postcode: party.as_ref().map(|p| p.postcode.clone()).unwrap_or_default(),
        city: party.as_ref().map(|p| p.city.clone()).unwrap_or_default(),
    })
}

/// Saves the seller's identity; journaled with what it was.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn save_seller(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    form: &SellerForm,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let party = check_seller(form)?;
    let chosen = agencies::pick(state, staff, asked).await?;
    let agency = staff.agency_for_new(chosen)?;
    let mut tx = state.db.begin_write().await?;
    let before = store::seller(tx.conn(), agency).await?;
    store::save_seller(tx.conn(), agency, &party, Timestamp::new(now), &staff.login).await?;
    let (before, after) = (json!(before), json!(party));
    journal(&mut tx, &Actor::staff(staff), Entity::Agency, agency, "seller", before, after, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The invoice as a PDF: seller and buyer, references, lines, the VAT
/// breakdown, totals, how to pay and the mentions the law asks for.
pub fn document_pdf(d: &InvoiceDocument) -> Vec<u8> {
    let mut doc = Flow::default();
    doc.title(d.title());
    doc.line(10.0, format!("Date d'émission : {} — échéance : {}", d.issued_on, d.due_on));
    doc.line(10.0, format!("Objet : {} — commande n° {}", d.subject(), d.order_number));
    if let Some((number, day)) = d.corrects {
        doc.line(10.0, format!("Avoir annulant la facture n° {number} du {day}."));
    }
    doc.gap(6.0);
    for (what, p, vat) in [("Émetteur", &d.seller, d.seller.vat_number.as_ref()), ("Destinataire", &d.buyer, None)] {
        doc.bold_line(10.0, format!("{what} : {}", p.name));
        doc.line(9.0, format!("{}, {} {}", p.street.replace('\n', ", "), p.postcode, p.city));
        let mut ids: Vec<String> = p.siret.iter().map(|s| format!("SIRET {}", Siret::shown(s))).collect();
        // An invoice outside the scope of VAT names no VAT number (BR-O-02).
        ids.extend(
            vat.filter(|_| d.billed.category == VatCategory::Standard).map(|v| format!("TVA intracommunautaire {v}")),
        );
        if !ids.is_empty() {
            doc.line(9.0, ids.join(" — "));
        }
    }
    let refs: Vec<String> = [("Code service", &d.service_code), ("N° d'engagement", &d.engagement)]
        .into_iter()
        .filter_map(|(what, value)| value.as_ref().map(|v| format!("{what} : {v}")))
        .collect();
    if !refs.is_empty() {
        doc.line(9.0, refs.join(" — "));
    }
    doc.gap(8.0);
    let vat_label = match d.billed.category {
        VatCategory::OutOfScope => "hors champ".to_owned(),
        VatCategory::Standard => d.vat_rate.to_string(),
    };
    doc.priced_lines(
        d.billed.lines.iter().map(|l| {
            [l.label.clone(), l.quantity.to_string(), l.unit_price.priced(), vat_label.clone(), l.net.priced()]
        }),
    );
    let t = d.totals;
    let mut totals = vec![("Total des lignes HT".to_owned(), t.lines)];
    if t.allowances > Money::ZERO {
        totals.push(("Remise".to_owned(), Money::from_cents(-t.allowances.cents())));
    }
    totals.push(("Total HT".into(), t.excl_vat));
    totals.push((format!("TVA ({vat_label})"), t.vat));
    totals.push(("Total TTC — net à payer".into(), t.incl_vat));
    doc.totals(totals.into_iter().map(|(label, amount)| {
        let bold = label.starts_with("Total TTC");
        (label, amount.priced(), bold)
    }));
    doc.gap(8.0);
    doc.line(9.0, format!("Règlement par virement à l'IBAN {}, référence {}.", Iban::shown(&d.iban), d.number));
    for (_, mention) in d.mentions() {
        doc.paragraph(8.0, &mention);
    }
    doc.finish(&d.title())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_numbers_match_their_siren_and_key() {
        // SIREN 732 829 320: key (12 + 3 × (732829320 mod 97)) mod 97 = 44.
        assert_eq!(check_vat_number("fr 44 732829320", "732829320").unwrap(), "FR44732829320");
        assert!(check_vat_number("FR45732829320", "732829320").is_err(), "wrong key");
        assert!(check_vat_number("FR44732829321", "732829320").is_err(), "another SIREN");
        assert!(check_vat_number("DE44732829320", "732829320").is_err());
        assert!(check_vat_number("FRé4732829320", "732829320").is_err(), "not ASCII: refused, not a panic");
    }
}
