//! An order once placed: its confirmation page, for the managers of its
//! structure and the staff of its agency only; the purchase order a Chorus
//! Pro order waits for (seed 000); the summary PDF; the emails.

use super::store::{self, GivenPurchaseOrder, OrderRecord};
use crate::domain::order::{MAX_PURCHASE_ORDER_BYTES, OrderStatus, PaymentMethod};
use crate::domain::pricing::VatCategory;
use crate::domain::{Iban, ManagerState, Siret, Timestamp};
use crate::error::{AppError, Refusals};
use crate::model::shop::{AgencyOrderList, OrderRow, OrderView, PostalAddress, PurchaseOrder};
use crate::server::audit::{Actor, Entity};
use crate::server::codes::sha256_hex;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::pdf::Flow;
use crate::server::services::{agencies, journal};
use crate::server::store::structures as structures_store;
use crate::server::{
    AppState,
    auth::{Sponsor, Staff},
};
use chrono::{DateTime, Utc};
use lettre::Message;
use serde_json::json;
use sqlx::AnyConnection;

fn not_found() -> AppError {
    AppError::NotFound("Commande".into())
}

/// The order `id` (as an address carries it), if the caller may read it:
/// an approved manager of its structure, or staff of its agency. Anyone
/// else is told it does not exist.
async fn readable(conn: &mut AnyConnection, caller: &StructureCaller, id: &str) -> Result<OrderRecord, ServerError> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let order = store::find_order(conn, id).await?.ok_or_else(not_found)?;
    let allowed = match caller {
        StructureCaller::Staff(staff) => staff.covers(order.agency_id),
        StructureCaller::Sponsor(sponsor) => {
            structures_store::find_manager(conn, order.structure_id, sponsor.account_id)
                .await?
                .is_some_and(|m| m.state == ManagerState::Approved)
        }
    };
    if allowed { Ok(order) } else { Err(not_found().into()) }
}

/// The id of the order `id`, if the caller may read it.
pub async fn readable_order(state: &AppState, caller: &StructureCaller, id: &str) -> Result<i64, ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(readable(&mut conn, caller, id).await?.id)
}

/// What the order still waits for, in French.
fn missing(order: &OrderRecord) -> Vec<String> {
    match (order.status, order.payment) {
        (OrderStatus::AwaitingPurchaseOrder, _) => {
            let mut what = vec!["le bon de commande signé (PDF)".to_owned()];
            if order.chorus.needs_service_code() {
                what.push("le code service".into());
            }
            if order.chorus.needs_engagement() {
                what.push("le numéro d'engagement (10 chiffres)".into());
            }
            if order.chorus == crate::domain::ChorusRequirement::Either {
                what.push("le code service ou le numéro d'engagement".into());
            }
            what
        }
        _ => Vec::new(),
    }
}

async fn view_of(
    conn: &mut AnyConnection,
    order: OrderRecord,
    caller: Option<&StructureCaller>,
) -> Result<OrderView, ServerError> {
    let lines = store::order_lines(conn, order.id).await?;
    let points = store::distribution_points(conn, order.id).await?;
    let (_, iban) = store::settings(conn, order.agency_id).await?;
    let service_codes = structures_store::service_codes(conn, order.structure_id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .map(|c| (c.code, c.label))
        .collect();
    let quote = order.quote(lines)?;
    let purchase_order = match (&order.po_label, &order.po_siret, order.po_given_at) {
        (Some(label), Some(siret), Some(given_at)) => Some(PurchaseOrder {
            label: label.clone(),
            siret: siret.clone(),
            service_code: order.po_service_code.clone(),
            engagement: order.po_engagement.clone(),
            given_at,
            file_name: order.po_file_name.clone(),
        }),
        _ => None,
    };
    let number = order.number();
    let staff = matches!(caller, Some(StructureCaller::Staff(_)));
    let invoices = super::invoices::rows(conn, order.id, staff).await?;
    let can_issue_invoices = staff && super::invoices::may_issue(conn, &order, &quote).await?;
    let (next_report, reports) = super::invoices::instalments(conn, &order, &quote).await?;
    let invoiced =
        crate::server::store::billing::issued(conn, order.id, crate::domain::billing::InvoiceKind::Passes, 0).await?;
    let today = Timestamp::new(Utc::now()).paris_day();
    let progress = super::way::progress(conn, &order, staff, today).await?;
    let way = super::passes::way_view(conn, &order, staff, invoiced, &progress).await?;
    Ok(OrderView {
        id: order.id,
        number,
        missing: missing(&order),
        status: order.status,
        payment: order.payment,
        structure_id: order.structure_id,
        structure_label: order.structure_label,
        structure_siret: order.structure_siret,
        chorus: order.chorus,
        service_codes,
        created_at: order.created_at,
        confirmed_at: order.confirmed_at,
        ordered_by: order.ordered_by,
        quote,
        discount_code: order.discount_code,
        contact: (order.contact_name, order.contact_email, order.contact_phone),
        billing: PostalAddress {
            name: order.billing_name,
            street: order.billing_address,
            postcode: order.billing_postcode,
            city: order.billing_city,
        },
        delivery: PostalAddress {
            name: order.delivery_name,
            street: order.delivery_address,
            postcode: order.delivery_postcode,
            city: order.delivery_city,
        },
        points,
        purchase_order,
        iban: (order.payment == PaymentMethod::Transfer).then(|| iban.as_deref().map(Iban::shown)).flatten(),
        payment_reference: number.to_string(),
        can_give_purchase_order: caller.is_some() && order.status == OrderStatus::AwaitingPurchaseOrder,
        invoices,
        can_issue_invoices,
        next_report: next_report.filter(|_| staff),
        reports,
        way,
        progress,
    })
}

/// The confirmation page: `/commanditaire/commandes/{id}` (and the agency's).
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn view(state: &AppState, caller: &StructureCaller, id: &str) -> Result<OrderView, ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    let order = readable(&mut conn, caller, id).await?;
    view_of(&mut conn, order, Some(caller)).await
}

/// « Mes commandes »: every order of the structures the manager manages.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
/// Each says which of its steps is overdue, if one is.
pub async fn mine(state: &AppState, sponsor: &Sponsor) -> Result<Vec<OrderRow>, ServerError> {
    let mut rows = store::orders_of_manager(state.db.pool(), sponsor.account_id).await?;
    let open: Vec<i64> = rows.iter().filter(|r| r.status == OrderStatus::Confirmed).map(|r| r.id).collect();
    let mut conn = state.db.pool().acquire().await?;
    let today = Timestamp::new(Utc::now()).paris_day();
    for late in super::way::overdue_orders(&mut conn, &open, today).await? {
        if let Some(row) = rows.iter_mut().find(|r| r.id == late.order_id) {
            row.late.get_or_insert_with(|| format!("{}, attendue le {}", late.step, late.due));
        }
    }
    Ok(rows)
}

/// `/agence/commandes`: the agency's orders, of one status (`statut`) or all.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn agency_list(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    status: Option<&str>,
) -> Result<AgencyOrderList, ServerError> {
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => Some(
            OrderStatus::from_code(code)
                .ok_or_else(|| AppError::Invalid("Ce statut de commande n'existe pas.".into()))?,
        ),
        None => None,
    };
    let chosen = agencies::pick(state, staff, asked).await?;
    let rows = store::orders_of_agency(state.db.pool(), staff.scope(chosen), status).await?;
    Ok(AgencyOrderList { desk: agencies::desk(state, staff, chosen).await?, status, rows })
}

/// What the purchase order's form sends (seed 000).
#[derive(Debug, Clone, Default)]
pub struct PurchaseOrderForm {
    pub label: String,
    pub siret: String,
    pub service_code: String,
    pub engagement: String,
}

/// The file sent with it.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub content: &'a [u8],
}

/// Every field checked against what the order's structure requires: a
/// sentence per field refused, all told at once.
async fn check_purchase_order(
    conn: &mut AnyConnection,
    order: &OrderRecord,
    form: &PurchaseOrderForm,
    file: &Upload<'_>,
) -> Result<(Option<String>, Option<String>), ServerError> {
    let mut refused = Refusals::default();
    let same = |a: &str, b: &str| {
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        words(a) == words(b)
    };
    if !same(&form.label, &order.structure_label) {
        refused.add(
            "label",
            format!(
                "Le libellé de la structure doit être celui de la structure commanditaire : « {} ».",
                order.structure_label
            ),
        );
    }
    let expected = order.structure_siret.as_deref().unwrap_or_default();
    match Siret::parse(&form.siret) {
        Err(e) => refused.add("siret", e.to_string()),
        Ok(siret) if siret.as_str() != expected => refused.add(
            "siret",
            format!(
                "Le SIRET du bon de commande ({siret}) n'est pas celui de la structure commanditaire ({}) : \
                 il identifie le destinataire de la facture.",
                Siret::shown(expected)
            ),
        ),
        Ok(_) => {}
    }
    let references = match order.chorus.check(&form.service_code, &form.engagement) {
        Ok(refs) => Some(refs),
        Err(errors) => {
            if let Some(why) = errors.service_code {
                refused.add("service_code", why);
            }
            if let Some(why) = errors.engagement {
                refused.add("engagement", why);
            }
            None
        }
    };
    if let Some(code) = references.as_ref().and_then(|r| r.service_code.as_deref()) {
        let active =
            structures_store::find_service_code(conn, order.structure_id, code).await?.is_some_and(|c| c.active);
        if !active {
            let why = format!("Le code service « {code} » n'est pas un code service actif de cette structure.");
            refused.add("service_code", why);
        }
    }
    if file.content.is_empty() {
        refused.add("pdf", "Joignez le bon de commande signé, en PDF.");
    } else if file.content.len() > MAX_PURCHASE_ORDER_BYTES {
        refused.add(
            "pdf",
            format!(
                "Le bon de commande signé pèse plus de {} Mo : réduisez-le (une ou deux pages numérisées suffisent).",
                MAX_PURCHASE_ORDER_BYTES / (1024 * 1024)
            ),
        );
    } else if !file.content.starts_with(b"%PDF-") {
        refused.add("pdf", "Le bon de commande signé doit être un fichier PDF.");
    }
    refused.check()?;
    let refs = references.unwrap_or_default();
    Ok((refs.service_code, refs.engagement.map(|e| e.as_str().to_owned())))
}

/// The purchase order of a Chorus Pro order: checked field by field (and
/// nothing stored when any is refused), then the order is confirmed.
/// Journaled; the confirmation email leaves after the commit.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn give_purchase_order(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    form: &PurchaseOrderForm,
    file: &Upload<'_>,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let order = readable(tx.conn(), caller, id).await?;
    if order.payment != PaymentMethod::Chorus {
        return Err(AppError::Conflict(
            "Cette commande se paie par virement : elle n'attend pas de bon de commande.".into(),
        )
        .into());
    }
    if order.status != OrderStatus::AwaitingPurchaseOrder {
        return Err(AppError::Conflict("Le bon de commande de cette commande a déjà été reçu.".into()).into());
    }
    let (service_code, engagement) = check_purchase_order(tx.conn(), &order, form, file).await?;
    let siret = order.structure_siret.clone().unwrap_or_default();
    let file_name = pdf_file_name(file.file_name, &order);
    let given = GivenPurchaseOrder {
        label: &order.structure_label,
        siret: &siret,
        service_code: service_code.as_deref(),
        engagement: engagement.as_deref(),
        file_name: &file_name,
        sha256: &sha256_hex(file.content),
        content: file.content,
        at: Timestamp::new(now),
        by: caller.login(),
    };
    if !store::give_purchase_order(tx.conn(), order.id, &given).await? {
        return Err(AppError::Conflict("Le bon de commande de cette commande a déjà été reçu.".into()).into());
    }
    let after = json!({
        "status": OrderStatus::Confirmed.label(), "service_code": service_code, "engagement": engagement,
        "file": file_name, "size": file.content.len(),
    });
    let before = json!({ "status": OrderStatus::AwaitingPurchaseOrder.label() });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Order, order.id, "purchase_order", before, after, now)
        .await?;
    tx.commit().await?;
    send_confirmation(state, order.id).await;
    Ok(order.id)
}

/// A name to keep: what the browser sent, if it reads as one, else one of ours.
fn pdf_file_name(sent: &str, order: &OrderRecord) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let fine = !base.is_empty() && base.len() <= 120 && !base.chars().any(char::is_control);
    if fine { base.to_owned() } else { format!("bon-de-commande-{}.pdf", order.number()) }
}

/// The signed purchase order, for those who may read the order.
pub async fn purchase_order_file(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
) -> Result<(String, Vec<u8>), ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    let order = readable(&mut conn, caller, id).await?;
    drop(conn);
    Ok(store::purchase_order_file(state.db.pool(), order.id)
        .await?
        .ok_or_else(|| AppError::NotFound("Bon de commande".into()))?)
}

/// The order's summary as a PDF: its file name and bytes.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn summary_pdf(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
) -> Result<(String, Vec<u8>), ServerError> {
    let mut conn = state.db.pool().acquire().await?;
    let order = readable(&mut conn, caller, id).await?;
    let view = view_of(&mut conn, order, None).await?;
    Ok((format!("recapitulatif-commande-{}.pdf", view.number), summary_document(&view)))
}

/// « Récapitulatif de commande »: who orders, the lines, the totals, how to pay.
pub fn summary_document(o: &OrderView) -> Vec<u8> {
    let mut doc = Flow::default();
    doc.title(format!("Récapitulatif de commande n° {}", o.number));
    doc.line(10.0, format!("Castors de l'Ouest — commande passée le {} par {}", o.created_at, o.ordered_by));
    doc.line(10.0, format!("État : {}", o.status.label()));
    let siret = o.structure_siret.as_deref().map(Siret::shown).map(|s| format!(" — SIRET {s}")).unwrap_or_default();
    doc.line(10.0, format!("Structure : {}{siret}", o.structure_label));
    doc.line(10.0, format!("Contact : {} — {} — {}", o.contact.0, o.contact.1, o.contact.2));
    for (what, a) in [("Facturation", &o.billing), ("Livraison", &o.delivery)] {
        let street = a.street.replace('\n', ", ");
        doc.line(10.0, format!("{what} : {} — {street}, {} {}", a.name, a.postcode, a.city));
    }
    doc.gap(10.0);
    let q = &o.quote;
    doc.priced_lines(q.lines.iter().map(|l| {
        let vat = match l.category {
            VatCategory::OutOfScope => "hors champ".to_owned(),
            VatCategory::Standard => q.vat_rate.to_string(),
        };
        [l.label.clone(), l.quantity.to_string(), l.unit_price.priced(), vat, l.net.priced()]
    }));
    let mut totals = vec![
        ("Valeur faciale des pass (hors champ de la TVA)".to_owned(), q.passes_value),
        ("Frais et services HT".to_owned(), q.fees_and_services),
    ];
    if q.discount > crate::domain::Money::ZERO {
        let code = o.discount_code.clone().unwrap_or_default();
        totals.push((
            format!("Remise {code} (sur les frais et services)"),
            crate::domain::Money::from_cents(-q.discount.cents()),
        ));
    }
    totals.push(("Total HT".into(), q.total_excl_vat));
    totals.push((format!("TVA {}", q.vat_rate), q.vat));
    totals.push(("Total TTC".into(), q.total_incl_vat));
    doc.totals(totals.into_iter().map(|(label, amount)| {
        let bold = label.starts_with("Total TTC");
        (label, amount.priced(), bold)
    }));
    doc.gap(10.0);
    doc.line(10.0, format!("Paiement : {}", o.payment.label()));
    match o.payment {
        PaymentMethod::Transfer => {
            let iban = o.iban.clone().unwrap_or_else(|| "communiqué par l'agence".into());
            doc.line(10.0, format!("Virement à l'IBAN {iban}, référence {}", o.payment_reference));
        }
        PaymentMethod::Chorus => match &o.purchase_order {
            Some(po) => {
                let mut refs = Vec::new();
                if let Some(code) = &po.service_code {
                    refs.push(format!("code service {code}"));
                }
                if let Some(e) = &po.engagement {
                    refs.push(format!("numéro d'engagement {e}"));
                }
                let refs = if refs.is_empty() { String::new() } else { format!(" ({})", refs.join(", ")) };
                doc.line(10.0, format!("Bon de commande reçu le {}{refs}.", po.given_at));
            }
            None => doc.line(10.0, format!("En attente : {}.", o.missing.join(", "))),
        },
    }
    if !o.points.is_empty() {
        doc.gap(6.0);
        doc.line(10.0, "Points de distribution :");
        for p in &o.points {
            doc.line(9.0, format!("{} — {} — {}", p.name, p.address.replace('\n', ", "), p.email));
        }
    }
    doc.finish(&format!("Récapitulatif de commande {}", o.number))
}

/// The confirmation email, after the commit: where the order stands and
/// the link back to its page. A failure is logged; the order stands.
pub async fn send_confirmation(state: &AppState, order_id: i64) {
    let outcome = async {
        let mut conn = state.db.pool().acquire().await?;
        let order = store::find_order(&mut conn, order_id).await?.ok_or_else(not_found)?;
        let view = view_of(&mut conn, order, None).await?;
        let message = confirmation(state, &view).map_err(|e| ServerError::from(AppError::Invalid(e)))?;
        state.mailer.send(message).await.map_err(|e| ServerError::from(AppError::Invalid(e)))
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!(order = order_id, error = %AppError::from(e), "order confirmation email not sent");
    }
}

fn confirmation(state: &AppState, o: &OrderView) -> Result<Message, String> {
    let to = &o.contact.1;
    let to = to.parse().map_err(|e| format!("Adresse e-mail invalide ({to}) : {e}"))?;
    let link = format!("{}/commanditaire/commandes/{}", state.settings.public_url.trim_end_matches('/'), o.id);
    let (subject, next) = match (o.status, o.payment) {
        (OrderStatus::AwaitingPurchaseOrder, _) => (
            format!("Commande {} enregistrée : bon de commande attendu", o.number),
            format!(
                "Votre commande sera confirmée dès réception de son bon de commande : il manque {}.\n\
                 Déposez-le sur la page de la commande.",
                o.missing.join(", ")
            ),
        ),
        (_, PaymentMethod::Chorus) => (
            format!("Commande {} confirmée", o.number),
            "Son bon de commande est reçu : les factures vous seront adressées par Chorus Pro.".to_owned(),
        ),
        (_, PaymentMethod::Transfer) => (
            format!("Commande {} confirmée", o.number),
            format!(
                "Réglez-la par virement{} en indiquant la référence {}.",
                o.iban.as_deref().map(|i| format!(" à l'IBAN {i}")).unwrap_or_default(),
                o.payment_reference
            ),
        ),
    };
    let body = format!(
        "Bonjour {},\n\n\
         Nous avons bien reçu la commande n° {} de « {} ».\n\
         Montant : {} TTC (dont {} de valeur faciale des Pass Castors).\n\n\
         {next}\n\n\
         Retrouvez votre commande et son récapitulatif (PDF) à tout moment :\n{link}\n\n\
         Castors de l'Ouest\n",
        o.contact.0,
        o.number,
        o.structure_label,
        o.quote.total_incl_vat.priced(),
        o.quote.passes_value.priced(),
    );
    Message::builder().from(state.mailer.from().clone()).to(to).subject(subject).body(body).map_err(|e| e.to_string())
}
