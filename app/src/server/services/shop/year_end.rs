//! The end of an order's validity (the legal frame of « chèques
//! d'accompagnement personnalisé »): once its passes' validity is over,
//! the value left unused is reported, and the sponsor gets the list of the
//! suppliers its passes were spent at and paid to, by email with a PDF and
//! a CSV. The same report is downloadable from the order's page at any
//! time (provisional until the validity ends).

use super::store::{self as shop_store, OrderRecord};
use crate::domain::order::OrderStatus;
use crate::domain::{Day, Money, Timestamp};
use crate::error::AppError;
use crate::model::shop::{SupplierSpending, YearEndView};
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::pdf::Flow;
use crate::server::services::journal;
use crate::server::store::{order_way as way_store, passes as store};
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
use serde_json::json;
use sqlx::AnyConnection;

/// The step row that says the report was sent.
const SENT: &str = "year_end_sent";

/// The order's report on `today`, if its passes are activated.
pub async fn report(
    conn: &mut AnyConnection,
    order: &OrderRecord,
    today: Day,
) -> Result<Option<YearEndView>, ServerError> {
    let way = store::way(&mut *conn, order.id).await?;
    let (Some(valid_until), Some(_)) = (way.valid_until, way.activated_at) else {
        return Ok(None);
    };
    let counts = store::counts(&mut *conn, order.id).await?;
    let by_supplier = super::passes::by_supplier(&store::spent_of_order(&mut *conn, order.id).await?);
    let unused = store::unused_value(conn, order.id).await?;
    Ok(Some(report_of(valid_until, &counts, by_supplier, unused, today)))
}

/// The report from what the order's page reads already: its passes'
/// counts, what was spent at each supplier, and the passes still active
/// (how many, their value).
pub(super) fn report_of(
    valid_until: Day,
    counts: &store::PassCounts,
    rows: Vec<SupplierSpending>,
    (unused_passes, unused_value): (i64, Money),
    today: Day,
) -> YearEndView {
    let sum = |f: fn(&SupplierSpending) -> Money| Money::from_cents(rows.iter().map(|r| f(r).cents()).sum());
    YearEndView {
        valid_until,
        ended: today > valid_until,
        passes: counts.total,
        spent: counts.used,
        spent_value: sum(|r| r.value),
        paid_value: sum(|r| r.paid),
        unused_passes,
        unused_value,
        cancelled: counts.cancelled,
        rows,
    }
}

/// The report of the order `id` as a PDF or a CSV, for those who may read
/// the order.
pub async fn file(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    csv: bool,
    now: DateTime<Utc>,
) -> Result<(String, Vec<u8>), ServerError> {
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let order = shop_store::find_order(&mut conn, order_id).await?.ok_or(AppError::Internal)?;
    let today = Timestamp::new(now).paris_day();
    let report = report(&mut conn, &order, today)
        .await?
        .ok_or_else(|| AppError::Conflict("Les pass de cette commande ne sont pas encore activés.".into()))?;
    let stem = format!("bilan-pass-{}", order.number());
    Ok(if csv { (format!("{stem}.csv"), csv_of(&report)) } else { (format!("{stem}.pdf"), pdf_of(&order, &report)) })
}

fn csv_of(r: &YearEndView) -> Vec<u8> {
    let value = crate::server::services::vouchers::delivered::plain_amount;
    let mut csv = crate::server::spreadsheet::Csv::with_capacity(256 + r.rows.len() * 64);
    csv.row(["Fournisseur", "Pass dépensés", "Valeur (€)", "Payé au fournisseur (€)"]);
    for row in &r.rows {
        csv.row([row.supplier.as_str(), &row.passes.to_string(), &value(row.value), &value(row.paid)]);
    }
    csv.row(["Total", &r.spent.to_string(), &value(r.spent_value), &value(r.paid_value)]);
    csv.row(["Non utilisés à l'échéance", &r.unused_passes.to_string(), &value(r.unused_value), ""]);
    csv.into_bytes()
}

fn pdf_of(order: &OrderRecord, r: &YearEndView) -> Vec<u8> {
    let mut doc = Flow::default();
    let title = if r.ended { "Bilan de fin de validité" } else { "Bilan provisoire" };
    doc.title(format!("{title} — Pass Castors de la commande n° {}", order.number()));
    doc.line(10.0, format!("Structure : {}", order.structure_label));
    doc.line(10.0, format!("Pass valables jusqu'au {}", r.valid_until));
    doc.line(10.0, format!("{} pass émis, {} dépensés, {} annulés.", r.passes, r.spent, r.cancelled));
    doc.gap(8.0);
    doc.bold_line(11.0, "Fournisseurs chez qui les pass ont été dépensés");
    if r.rows.is_empty() {
        doc.line(10.0, "Aucun pass dépensé.");
    }
    for row in &r.rows {
        doc.line(
            10.0,
            format!("{} — {} pass — {} (payé : {})", row.supplier, row.passes, row.value.priced(), row.paid.priced()),
        );
    }
    doc.gap(8.0);
    doc.bold_line(
        10.0,
        format!("Valeur dépensée : {} ; payée aux fournisseurs : {}", r.spent_value.priced(), r.paid_value.priced()),
    );
    let unused = if r.ended { "Valeur non utilisée à l'échéance" } else { "Valeur non utilisée à ce jour" };
    doc.bold_line(10.0, format!("{unused} : {} ({} pass)", r.unused_value.priced(), r.unused_passes));
    doc.finish(&format!("{title} {}", order.number()))
}

/// Sends the report of each order whose passes' validity ended, once, to
/// the order's contact, and journals it. Run with the hourly work.
pub async fn send_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServerError> {
    let today = Timestamp::new(now).paris_day();
    let due = {
        let mut conn = state.db.pool().acquire().await?;
        store::validity_ended(&mut conn, today).await?
    };
    let mut sent = 0;
    for order_id in due {
        let mut tx = state.db.begin_write().await?;
        if !way_store::add_step(tx.conn(), order_id, SENT, Timestamp::new(now), "bons", None).await? {
            continue;
        }
        let order = shop_store::find_order(tx.conn(), order_id).await?.ok_or(AppError::Internal)?;
        if order.status == OrderStatus::Cancelled {
            continue;
        }
        let Some(report) = report(tx.conn(), &order, today).await? else { continue };
        let after = json!({
            "unused_value": report.unused_value.to_string(), "spent_value": report.spent_value.to_string(),
            "suppliers": report.rows.len(),
        });
        journal(
            &mut tx,
            &Actor::system("fin de validité des pass"),
            Entity::Order,
            order.id,
            "year_end",
            json!(null),
            after,
            now,
        )
        .await?;
        tx.commit().await?;
        match message(state, &order, &report) {
            Ok(message) => {
                if let Err(e) = state.mailer.send(message).await {
                    tracing::warn!(order = order.id, error = %e, "year-end report not sent");
                }
            }
            Err(e) => tracing::warn!(order = order.id, error = %e, "year-end report not written"),
        }
        sent += 1;
    }
    Ok(sent)
}

fn message(state: &AppState, order: &OrderRecord, r: &YearEndView) -> Result<Message, String> {
    let to = order.contact_email.parse().map_err(|e| format!("Adresse e-mail invalide : {e}"))?;
    let body = format!(
        "Bonjour {},\n\n\
         Les Pass Castors de la commande n° {} ({}) étaient valables jusqu'au {}.\n\
         {} pass dépensés pour {} chez {} fournisseur(s), dont {} payés aux fournisseurs.\n\
         Valeur non utilisée à l'échéance : {} ({} pass).\n\n\
         Ci-joint la liste des fournisseurs payés (PDF et tableur CSV).\n\n\
         Castors de l'Ouest\n",
        order.contact_name,
        order.number(),
        order.structure_label,
        r.valid_until,
        r.spent,
        r.spent_value.priced(),
        r.rows.len(),
        r.paid_value.priced(),
        r.unused_value.priced(),
        r.unused_passes,
    );
    let stem = format!("bilan-pass-{}", order.number());
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let csv_type = ContentType::parse("text/csv; charset=utf-8").map_err(|e| e.to_string())?;
    Message::builder()
        .from(state.mailer.from().clone())
        .to(to)
        .subject(format!("Bilan de fin de validité des Pass Castors — commande {}", order.number()))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(format!("{stem}.pdf")).body(pdf_of(order, r), pdf_type))
                .singlepart(Attachment::new(format!("{stem}.csv")).body(csv_of(r), csv_type)),
        )
        .map_err(|e| e.to_string())
}
