//! An order's way after its invoices (seed 003): staff produce its passes
//! (numbers allocated in the agency's yearly series, not yet spendable),
//! the counterpart is recorded (the mandate's number, day and amount for a
//! public payer, entered by the sponsor or staff; a transfer received, by
//! staff), staff activate the passes once the counterpart covers their
//! face value, or cancel the order before that. Each step journaled.

use super::invoices::confirmed_order;
use super::store::{self as shop_store, OrderRecord};
use crate::domain::Month;
use crate::domain::billing::InvoiceKind;
use crate::domain::order::{OrderStatus, PaymentMethod};
use crate::domain::order_way::Step;
use crate::domain::pass::{PassNumber, activation_shortfall, default_validity};
use crate::domain::pricing::Product;
use crate::domain::{Day, Money, Timestamp};
use crate::error::{AppError, Refusals};
use crate::model::chart::MonthlyChart;
use crate::model::shop::{OrderProgress, OrderWayView, SupplierSpending};
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Staff;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::services::journal;
use crate::server::store::{billing as billing_store, passes as store};
use chrono::{DateTime, Datelike, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// The most passes one order may print: 1,000 booklets of 100.
const MAX_PASSES: usize = 100_000;

/// Produces the order's passes: one per pass of each booklet ordered,
/// numbered in the agency's series of the year, valid until 31 December,
/// not yet active. Once the passes' invoice is issued, and once.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn produce(state: &AppState, staff: &Staff, id: &str, now: DateTime<Utc>) -> Result<i64, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let (order, quote) = confirmed_order(&mut tx, staff, id).await?;
    let way = store::way(tx.conn(), order.id).await?;
    if way.produced_at.is_some() {
        return Err(AppError::Conflict("Les pass de cette commande sont déjà produits.".into()).into());
    }
    if !billing_store::issued(tx.conn(), order.id, InvoiceKind::Passes, 0).await? {
        return Err(AppError::Conflict("Émettez d'abord les factures de la commande.".into()).into());
    }
    if !super::way::proof_accepted(tx.conn(), order.id).await? {
        return Err(AppError::Conflict(
            "Étape précédente à faire d'abord : « Validation du BAT » par le commanditaire.".into(),
        )
        .into());
    }
    let mut face_values = Vec::new();
    for line in &quote.lines {
        if let Some(Product::Booklet { face_value }) = line.product {
            let count = usize::try_from(line.net.cents() / face_value.cents()).unwrap_or(0);
            face_values.extend(std::iter::repeat_n(face_value, count.min(MAX_PASSES)));
        }
    }
    if face_values.is_empty() || face_values.len() > MAX_PASSES {
        return Err(AppError::Conflict("Cette commande ne comporte pas de carnets de pass.".into()).into());
    }
    let today = Timestamp::new(now).paris_day();
    let year = today.date().year();
    let count = i64::try_from(face_values.len()).unwrap_or(i64::MAX);
    let first = store::take_numbers(tx.conn(), order.agency_id, year, count).await?;
    let (agency_code, centre_code) = store::agency_codes(tx.conn(), order.agency_id).await?;
    let number = |sequence: i64| {
        u32::try_from(sequence)
            .ok()
            .and_then(|s| PassNumber::new(year, &agency_code, &centre_code, s).ok())
            .ok_or_else(|| AppError::Conflict("La série de numéros de pass de l'année est épuisée.".into()))
    };
    let (first_number, last_number) = (number(first)?, number(first + count - 1)?);
    let valid_until = default_validity(today);
    let new = store::NewPasses {
        order_id: order.id,
        agency_id: order.agency_id,
        year,
        first,
        face_values: &face_values,
        valid_until,
        key_version: state.keys.current_version(),
    };
    store::insert(tx.conn(), &new).await?;
    if !store::set_produced(tx.conn(), order.id, valid_until, Timestamp::new(now), &staff.login).await? {
        return Err(AppError::Conflict("Les pass de cette commande sont déjà produits.".into()).into());
    }
    let after = json!({
        "passes": count, "first": first_number.to_string(), "last": last_number.to_string(),
        "valid_until": valid_until.to_string(),
    });
    journal(&mut tx, &Actor::staff(staff), Entity::Order, order.id, "produce", json!(null), after, now).await?;
    tx.commit().await?;
    Ok(order.id)
}

/// What the counterpart's form sends: for a mandate, its number, day and
/// amount; for a transfer, its reference, day and amount.
#[derive(Debug, Clone, Default)]
pub struct ReceivedForm {
    pub reference: String,
    pub day: String,
    pub amount: String,
}

/// Records the order's counterpart: a public payer's mandate (its
/// structure's manager or staff) or a transfer received (staff only).
/// Refused after activation; a later record replaces an earlier one.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn record_received(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    form: &ReceivedForm,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let mut tx = state.db.begin_write().await?;
    let order = shop_store::find_order_for_update(&mut tx, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    let what = match order.payment {
        PaymentMethod::Chorus => "du mandat",
        PaymentMethod::Transfer => "du virement",
    };
    if order.payment == PaymentMethod::Transfer && !matches!(caller, StructureCaller::Staff(_)) {
        return Err(AppError::StaffOnly.into());
    }
    if order.status != OrderStatus::Confirmed {
        return Err(AppError::Conflict("Cette commande n'est pas confirmée.".into()).into());
    }
    let mut refused = Refusals::default();
    let reference = form.reference.trim();
    if reference.is_empty() || reference.chars().count() > 40 {
        refused.add("reference", format!("Indiquez le numéro {what} (40 caractères au plus)."));
    }
    let today = Timestamp::new(now).paris_day();
    let day = match crate::domain::day::parse_day(&form.day) {
        Ok(d) if Day::new(d) > today => {
            refused.add("day", format!("La date {what} ne peut pas être dans le futur."));
            None
        }
        Ok(d) => Some(Day::new(d)),
        Err(e) => {
            refused.add("day", e);
            None
        }
    };
    let amount = match Money::parse(&form.amount) {
        Ok(m) if m > Money::ZERO && m <= Money::MAX => Some(m),
        _ => {
            refused.add("amount", format!("Le montant {what} : un montant en euros, par exemple 2 528,00."));
            None
        }
    };
    refused.check()?;
    let (Some(day), Some(amount)) = (day, amount) else {
        return Err(AppError::Internal.into());
    };
    if store::way(tx.conn(), order.id).await?.activated_at.is_some() {
        return Err(AppError::Conflict("Les pass de cette commande sont déjà activés.".into()).into());
    }
    // Seed 003: the mandate follows the confirmed delivery; a transfer may
    // arrive at any time.
    if order.payment == PaymentMethod::Chorus && !super::way::delivered(tx.conn(), order.id).await? {
        return Err(AppError::Conflict(
            "Étape précédente à faire d'abord : « Confirmation de livraison » des pass.".into(),
        )
        .into());
    }
    if !store::set_received(tx.conn(), order.id, amount, reference, day, caller.login()).await? {
        return Err(AppError::Conflict("Cette commande n'est plus modifiable.".into()).into());
    }
    let after = json!({ "reference": reference, "day": day.to_string(), "amount": amount.to_string() });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Order, order.id, "received", json!(null), after, now)
        .await?;
    tx.commit().await?;
    Ok(order.id)
}

/// Activates the order's passes, all at once: once produced, and once the
/// counterpart received covers at least their face value. Each delivery
/// and distribution point gets the activation notice.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn activate(state: &AppState, staff: &Staff, id: &str, now: DateTime<Utc>) -> Result<u64, ServerError> {
    let mut tx = state.db.begin_write().await?;
    let (order, _) = confirmed_order(&mut tx, staff, id).await?;
    let way = store::way(tx.conn(), order.id).await?;
    if way.activated_at.is_some() {
        return Err(AppError::Conflict("Les pass de cette commande sont déjà activés.".into()).into());
    }
    if way.produced_at.is_none() {
        return Err(AppError::Conflict("Produisez d'abord les pass de cette commande.".into()).into());
    }
    if !super::way::delivered(tx.conn(), order.id).await? {
        return Err(AppError::Conflict(
            "Étape précédente à faire d'abord : « Confirmation de livraison » des pass.".into(),
        )
        .into());
    }
    if let Some(missing) = activation_shortfall(order.passes_value, way.received) {
        let what = match order.payment {
            PaymentMethod::Chorus => "le montant du mandat",
            PaymentMethod::Transfer => "le virement reçu",
        };
        return Err(AppError::Conflict(format!(
            "Il manque {} : {what} ({}) doit couvrir au moins la valeur faciale des pass ({}).",
            missing.priced(),
            way.received.priced(),
            order.passes_value.priced()
        ))
        .into());
    }
    let activated = store::activate(tx.conn(), order.id, Timestamp::new(now), &staff.login).await?;
    let after = json!({ "passes": activated, "received": way.received.to_string() });
    journal(&mut tx, &Actor::staff(staff), Entity::Order, order.id, "activate", json!(null), after, now).await?;
    tx.commit().await?;
    notify_activation(state, &order, activated, way.valid_until).await;
    Ok(activated)
}

/// Cancels an order before its passes are activated: printed passes are
/// void, their numbers stay consumed and are reported as cancelled.
#[tracing::instrument(skip_all, fields(staff = %staff.login, order = id))]
pub async fn cancel(state: &AppState, staff: &Staff, id: &str, now: DateTime<Utc>) -> Result<u64, ServerError> {
    let order_id: i64 = id.trim().parse().map_err(|_| AppError::NotFound("Commande".into()))?;
    let mut tx = state.db.begin_write().await?;
    let order = shop_store::find_order_for_update(&mut tx, order_id)
        .await?
        .filter(|o| staff.covers(o.agency_id))
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    if order.status == OrderStatus::Cancelled {
        return Err(AppError::Conflict("Cette commande est déjà annulée.".into()).into());
    }
    let Some(voided) = store::cancel(tx.conn(), order.id, Timestamp::new(now), &staff.login).await? else {
        return Err(AppError::Conflict(
            "Les pass de cette commande sont activés : elle ne peut plus être annulée.".into(),
        )
        .into());
    };
    let before = json!({ "status": order.status.label() });
    let after = json!({ "status": OrderStatus::Cancelled.label(), "passes_voided": voided });
    journal(&mut tx, &Actor::staff(staff), Entity::Order, order.id, "cancel", before, after, now).await?;
    tx.commit().await?;
    Ok(voided)
}

/// The activation notice, after the commit, to the order's contact and
/// each distribution point. A failure is logged; the activation stands.
async fn notify_activation(state: &AppState, order: &OrderRecord, passes: u64, valid_until: Option<Day>) {
    let points = match state.db.pool().acquire().await {
        Ok(mut conn) => shop_store::distribution_points(&mut conn, order.id).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let until = valid_until.map(|d| format!(" jusqu'au {d}")).unwrap_or_default();
    let mut recipients = vec![(order.contact_name.clone(), order.contact_email.clone())];
    recipients.extend(points.into_iter().map(|p| (p.name, p.email)));
    for (name, email) in recipients {
        let body = format!(
            "Bonjour {name},\n\n\
             Les {passes} Pass Castors de la commande n° {} ({}) sont activés : ils peuvent être remis aux \
             bénéficiaires et dépensés{until} chez les fournisseurs partenaires de la coopérative.\n\n\
             Castors de l'Ouest\n",
            order.number(),
            order.structure_label,
        );
        let subject = format!("Pass Castors activés — commande {}", order.number());
        let sent = state.mailer.send_text(&email, subject, body).await;
        if let Err(e) = sent {
            tracing::warn!(order = order.id, error = %e, "activation notice not sent");
        }
    }
}

/// What was spent at each supplier: passes, value and what of it was paid,
/// the largest value first.
pub(super) fn by_supplier(spent: &[store::SpentRow]) -> Vec<SupplierSpending> {
    let mut rows: Vec<SupplierSpending> = Vec::new();
    for pass in spent {
        let paid = if pass.paid_on.is_some() { pass.face_value } else { Money::ZERO };
        match rows.iter_mut().find(|r| r.supplier == pass.supplier) {
            Some(row) => {
                row.passes += 1;
                row.value = Money::from_cents(row.value.cents() + pass.face_value.cents());
                row.paid = Money::from_cents(row.paid.cents() + paid.cents());
            }
            None => {
                rows.push(SupplierSpending { supplier: pass.supplier.clone(), passes: 1, value: pass.face_value, paid })
            }
        }
    }
    rows.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.supplier.cmp(&b.supplier)));
    rows
}

/// The value spent month by month, one series per supplier (the five
/// largest; the others together), from the first month a pass was spent to
/// the last.
fn spending_chart(spent: &[store::SpentRow], by_supplier: &[SupplierSpending]) -> MonthlyChart {
    const SHOWN: usize = 5;
    let month = |p: &store::SpentRow| Month::of(p.used_at.paris_day());
    let (Some(first), Some(last)) = (spent.iter().map(month).min(), spent.iter().map(month).max()) else {
        return MonthlyChart::default();
    };
    let mut series: Vec<String> = by_supplier.iter().take(SHOWN).map(|s| s.supplier.clone()).collect();
    if by_supplier.len() > SHOWN {
        series.push("Autres fournisseurs".into());
    }
    let entries: Vec<(Month, usize, Money)> = spent
        .iter()
        .map(|p| {
            let index = series.iter().take(SHOWN).position(|s| *s == p.supplier).unwrap_or(SHOWN);
            (month(p), index, p.face_value)
        })
        .collect();
    MonthlyChart::of(series, first, last, &entries)
}

/// The order's spent passes as a spreadsheet: number, day and time, supplier,
/// value (the sponsor's and staff's export).
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn spent_csv(state: &AppState, caller: &StructureCaller, id: &str) -> Result<(String, Vec<u8>), ServerError> {
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let mut conn = state.db.pool().acquire().await?;
    let order = shop_store::find_order(&mut conn, order_id).await?.ok_or(AppError::Internal)?;
    let spent = store::spent_of_order(&mut conn, order_id).await?;
    let mut csv = crate::server::spreadsheet::Csv::with_capacity(64 + spent.len() * 80);
    csv.row(["N° du pass", "Date d'encaissement", "Fournisseur", "Valeur du pass (€)"]);
    for pass in &spent {
        let number = pass.number().map(|n| n.to_string()).unwrap_or_default();
        let value = crate::server::services::vouchers::delivered::plain_amount(pass.face_value);
        csv.row([number.as_str(), &pass.used_at.paris().to_string(), &pass.supplier, &value]);
    }
    Ok((format!("pass-encaisses-{}.csv", order.number()), csv.into_bytes()))
}

/// The order's way after its invoices, as its page shows it; `staff` says
/// whether the staff's actions are offered; `progress`, the steps before,
/// read already for the same page.
pub async fn way_view(
    conn: &mut AnyConnection,
    order: &OrderRecord,
    staff: bool,
    invoiced: bool,
    progress: &OrderProgress,
) -> Result<OrderWayView, ServerError> {
    let way = store::way(conn, order.id).await?;
    let counts = store::counts(conn, order.id).await?;
    let (code, centre) = store::agency_codes(conn, order.agency_id).await?;
    let number = |seq: Option<i64>| {
        let year = i32::try_from(counts.year?).ok()?;
        PassNumber::new(year, &code, &centre, u32::try_from(seq?).ok()?).ok().map(|n| n.to_string())
    };
    let open = order.status == OrderStatus::Confirmed && way.activated_at.is_none();
    let done = |step: Step| progress.steps.iter().any(|s| s.step == step && s.done_at.is_some());
    let (proof_ok, delivered) = (done(Step::ProofValidated), done(Step::Delivered));
    let spent = store::spent_of_order(conn, order.id).await?;
    let by_supplier = by_supplier(&spent);
    let sum = |f: fn(&SupplierSpending) -> Money| Money::from_cents(by_supplier.iter().map(|r| f(r).cents()).sum());
    let (spent_value, paid_value) = (sum(|r| r.value), sum(|r| r.paid));
    let year_end = match (way.valid_until, way.activated_at) {
        (Some(valid_until), Some(_)) => {
            let unused = store::unused_value(conn, order.id).await?;
            let today = Timestamp::new(Utc::now()).paris_day();
            Some(super::year_end::report_of(valid_until, &counts, by_supplier.clone(), unused, today))
        }
        _ => None,
    };
    Ok(OrderWayView {
        year_end,
        chart: spending_chart(&spent, &by_supplier),
        spent_value,
        paid_value,
        by_supplier,
        produced_at: way.produced_at,
        passes: counts.total,
        inactive: counts.inactive,
        active: counts.active,
        used: counts.used,
        cancelled: counts.cancelled,
        first: number(counts.first),
        last: number(counts.last),
        valid_until: way.valid_until,
        received: way.received,
        received_reference: way.received_reference,
        received_on: way.received_on,
        activated_at: way.activated_at,
        cancelled_at: way.cancelled_at,
        shortfall: activation_shortfall(order.passes_value, way.received),
        can_produce: staff && open && invoiced && proof_ok && way.produced_at.is_none(),
        can_record_received: open
            && (staff || order.payment == PaymentMethod::Chorus)
            && (order.payment == PaymentMethod::Transfer || delivered),
        can_activate: staff && open && way.produced_at.is_some() && delivered,
        can_cancel: staff && order.status != OrderStatus::Cancelled && way.activated_at.is_none(),
        can_print: staff && order.status != OrderStatus::Cancelled && way.produced_at.is_some(),
    })
}
