//! An order's way from confirmation to its passes' production (seed 003):
//! the scoping thread between the sponsor and staff, the elements the
//! passes carry, the sponsor's check of the invoices, the proof (BAT) made
//! by staff within 3 days and validated by the sponsor within 6, then the
//! shipping notice and the delivery (7 days in mainland France, 14
//! overseas). Each step in its order, journaled; a step asked out of order
//! is refused saying what comes first. Overdue steps are flagged on the
//! order's page and the dashboards, and a reminder goes to whoever must act.

use super::store::{self as shop_store, OrderRecord};
use crate::domain::order::{OrderStatus, PaymentMethod};
use crate::domain::order_way::{Actor as StepActor, Step, overdue};
use crate::domain::pass::default_validity;
use crate::domain::pricing::Product;
use crate::domain::{Day, Money, ParisTime, Timestamp};
use crate::error::{AppError, Refusals};
use crate::model::shop::{OrderMessage, OrderProgress, OverdueStep, PrintElements, ProofView, StepView};
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Staff;
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::guards::StructureCaller;
use crate::server::images::{content_type, read_logo};
use crate::server::services::journal;
use crate::server::store::order_way::{self as store, NewElements, ProofRow, StepRow};
use crate::server::store::{billing as billing_store, passes as passes_store};
use chrono::{DateTime, Datelike, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// The longest message of the thread, and of each element's text.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
pub const MAX_PRINTED_MESSAGE_CHARS: usize = 200;
pub const MAX_ELEMENT_CHARS: usize = 1_000;
/// The code of the step row kept while the invoices are returned.
const RETURNED: &str = "invoices_returned";

fn conflict(text: impl Into<String>) -> ServerError {
    AppError::Conflict(text.into()).into()
}

/// Everything recorded of an order's way, read at once.
struct Facts {
    steps: Vec<StepRow>,
    proofs: Vec<ProofRow>,
    invoiced: Option<(ParisTime, String)>,
    way: passes_store::OrderWay,
}

impl Facts {
    async fn of(conn: &mut AnyConnection, order_id: i64) -> Result<Facts, ServerError> {
        Ok(Facts {
            steps: store::steps(&mut *conn, order_id).await?,
            proofs: store::proofs(&mut *conn, order_id).await?,
            invoiced: billing_store::first_issued(&mut *conn, order_id).await?,
            way: passes_store::way(conn, order_id).await?,
        })
    }

    fn step(&self, code: &str) -> Option<&StepRow> {
        self.steps.iter().find(|s| s.step == code)
    }

    fn done(&self, step: Step) -> bool {
        self.step(step.code()).is_some()
    }

    fn returned(&self) -> Option<&StepRow> {
        self.step(RETURNED)
    }

    /// The proof waiting for the sponsor's decision.
    fn pending_proof(&self) -> Option<&ProofRow> {
        self.proofs.iter().rev().find(|p| p.accepted.is_none())
    }

    fn accepted_proof(&self) -> Option<&ProofRow> {
        self.proofs.iter().find(|p| p.accepted() == Some(true))
    }

    /// Staff may make a proof: the elements received, the invoices
    /// validated, and no proof waiting or accepted.
    fn proof_due_since(&self) -> Option<Day> {
        let elements = self.step(Step::Elements.code())?.at.day();
        let validated = self.step(Step::InvoicesValidated.code())?.at.day();
        if self.pending_proof().is_some() || self.accepted_proof().is_some() {
            return None;
        }
        let refused = self.proofs.last().and_then(|p| p.decided_at).map(ParisTime::day);
        Some(elements.max(validated).max(refused.unwrap_or(elements)))
    }
}

/// What refuses a step asked out of order: the step that must come first.
fn first(step: Step, chorus: bool) -> ServerError {
    conflict(format!("Étape précédente à faire d'abord : « {} ».", step.label(chorus)))
}

/// The order, locked for the step, if the caller may act on it and it is
/// on its way (confirmed, not activated, not cancelled).
async fn on_its_way(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
) -> Result<(WriteTx, OrderRecord, Facts), ServerError> {
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let mut tx = state.db.begin_write().await?;
    let order = shop_store::find_order_for_update(&mut tx, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    match order.status {
        OrderStatus::Confirmed => {}
        OrderStatus::AwaitingPurchaseOrder => {
            return Err(conflict("Cette commande attend encore son bon de commande."));
        }
        OrderStatus::Cancelled => return Err(conflict("Cette commande est annulée.")),
    }
    let facts = Facts::of(tx.conn(), order.id).await?;
    if facts.way.activated_at.is_some() {
        return Err(conflict("Les pass de cette commande sont déjà activés."));
    }
    Ok((tx, order, facts))
}

fn staff_of(caller: &StructureCaller) -> Result<&Staff, ServerError> {
    match caller {
        StructureCaller::Staff(staff) => Ok(staff),
        StructureCaller::Sponsor(_) => Err(AppError::StaffOnly.into()),
    }
}

/// A decision only the sponsor takes (the invoices' conformity, a proof):
/// a refusal says why.
struct Decision {
    /// « La validation du BAT »
    what: &'static str,
    /// What a refusal's comment says: « ce qu'il faut changer sur le BAT ».
    why: &'static str,
}

impl Decision {
    /// The comment, once the caller is the sponsor and a refusal has one.
    fn comment(&self, caller: &StructureCaller, yes: bool, comment: &str) -> Result<String, ServerError> {
        if let StructureCaller::Staff(_) = caller {
            return Err(conflict(format!("{} revient au commanditaire, depuis son espace.", self.what)));
        }
        let comment = text(comment, MAX_MESSAGE_CHARS, "Le commentaire").map_err(AppError::Invalid)?;
        if !yes && comment.is_empty() {
            return Err(AppError::Invalid(format!("Dites {}.", self.why)).into());
        }
        Ok(comment)
    }
}

/// A text field's value, trimmed, at most `max` characters.
fn text(value: &str, max: usize, what: &str) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max || value.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(format!("{what} : {max} caractères au plus."));
    }
    Ok(value.replace("\r\n", "\n"))
}

/// Adds a message to the order's thread; the other side is told by email.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn post_message(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let body = text(body, MAX_MESSAGE_CHARS, "Le message").map_err(AppError::Invalid)?;
    if body.is_empty() {
        return Err(AppError::Invalid("Écrivez votre message.".into()).into());
    }
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let mut tx = state.db.begin_write().await?;
    let order = shop_store::find_order_for_update(&mut tx, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Commande".into()))?;
    if order.status == OrderStatus::Cancelled {
        return Err(conflict("Cette commande est annulée : son fil de messages est clos."));
    }
    let from_staff = matches!(caller, StructureCaller::Staff(_));
    store::add_message(tx.conn(), order.id, Timestamp::new(now), caller.login(), from_staff, &body).await?;
    let after = json!({ "from_staff": from_staff, "chars": body.chars().count() });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Order, order.id, "message", json!(null), after, now)
        .await?;
    tx.commit().await?;
    let subject = format!("Nouveau message sur la commande {}", order.number());
    let text = format!(
        "Bonjour,\n\n{} a écrit au sujet de la commande n° {} ({}) :\n\n{body}\n\nRépondez depuis la page de la commande :\n{}\n\nCastors de l'Ouest\n",
        caller.login(),
        order.number(),
        order.structure_label,
        page_link(state, &order, !from_staff),
    );
    notify(state, &order, if from_staff { StepActor::Sponsor } else { StepActor::Staff }, subject, text).await;
    Ok(order.id)
}

/// « Cadrage fait »: staff close the scoping of the order.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn mark_scoped(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    let staff = staff_of(caller)?;
    if facts.done(Step::Scoped) {
        return Err(conflict("Le cadrage de cette commande est déjà fait."));
    }
    store::add_step(tx.conn(), order.id, Step::Scoped.code(), Timestamp::new(now), &staff.login, None).await?;
    journal(&mut tx, &Actor::staff(staff), Entity::Order, order.id, "scoped", json!(null), json!({}), now).await?;
    tx.commit().await?;
    Ok(order.id)
}

/// What the elements' form sends.
#[derive(Debug, Clone, Default)]
pub struct ElementsForm {
    pub message: String,
    pub restrictions: String,
    pub inserts: String,
}

/// The elements printed on the passes: the message, restrictions and
/// inserts, and a logo (PNG or JPEG, checked by its content). Sent again,
/// they replace those sent before (a logo left out keeps the one sent),
/// until a proof is validated.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn give_elements(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    form: &ElementsForm,
    logo: &[u8],
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let mut refused = Refusals::default();
    let mut field = |name, value: &str, max, what| {
        text(value, max, what).unwrap_or_else(|e| {
            refused.add(name, e);
            String::new()
        })
    };
    let message = field("message", &form.message, MAX_PRINTED_MESSAGE_CHARS, "Le message imprimé sur les pass");
    let restrictions = field("restrictions", &form.restrictions, MAX_ELEMENT_CHARS, "Les restrictions");
    let inserts = field("inserts", &form.inserts, MAX_ELEMENT_CHARS, "Les encarts supplémentaires");
    let logo_type = if logo.is_empty() {
        None
    } else {
        match read_logo(logo) {
            Ok(_) => content_type(logo),
            Err(e) => {
                refused.add("logo", e);
                None
            }
        }
    };
    refused.check()?;
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    if !facts.done(Step::Scoped) {
        return Err(first(Step::Scoped, order.payment == PaymentMethod::Chorus));
    }
    if facts.accepted_proof().is_some() {
        return Err(conflict("Le BAT est validé : les éléments imprimés ne changent plus."));
    }
    let elements = NewElements {
        message: &message,
        restrictions: &restrictions,
        inserts: &inserts,
        logo: logo_type.map(|kind| (logo, kind)),
    };
    let at = Timestamp::new(now);
    store::save_elements(tx.conn(), order.id, &elements, at, caller.login()).await?;
    // The step's day is the first sending: the proof's deadline runs from it.
    store::add_step(tx.conn(), order.id, Step::Elements.code(), at, caller.login(), None).await?;
    let after = json!({
        "message": message, "restrictions": restrictions, "inserts": inserts,
        "logo": logo_type.map(|kind| json!({ "type": kind, "bytes": logo.len() })),
    });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Order, order.id, "elements", json!(null), after, now)
        .await?;
    tx.commit().await?;
    Ok(order.id)
}

/// The sponsor validates the invoices' conformity, or returns them with a
/// comment (staff then correct them: a credit note and a new invoice).
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn check_invoices(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    conform: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    let decision = Decision {
        what: "La validation de conformité des factures",
        why: "ce qui n'est pas conforme dans les factures",
    };
    let comment = decision.comment(caller, conform, comment)?;
    if facts.invoiced.is_none() {
        return Err(first(Step::Invoiced, order.payment == PaymentMethod::Chorus));
    }
    if facts.done(Step::InvoicesValidated) {
        return Err(conflict("La conformité des factures est déjà validée."));
    }
    if facts.returned().is_some() {
        return Err(conflict("Les factures sont renvoyées à l'agence : attendez leur correction."));
    }
    let at = Timestamp::new(now);
    let (code, action) =
        if conform { (Step::InvoicesValidated.code(), "invoices_validated") } else { (RETURNED, "invoices_returned") };
    let detail = (!comment.is_empty()).then_some(comment.as_str());
    store::add_step(tx.conn(), order.id, code, at, caller.login(), detail).await?;
    if !conform {
        let body = format!("Factures renvoyées : {comment}");
        store::add_message(tx.conn(), order.id, at, caller.login(), false, &body).await?;
    }
    journal(
        &mut tx,
        &Actor::structure_caller(caller),
        Entity::Order,
        order.id,
        action,
        json!(null),
        json!({ "comment": detail }),
        now,
    )
    .await?;
    tx.commit().await?;
    if !conform {
        let subject = format!("Factures de la commande {} renvoyées par le commanditaire", order.number());
        let body = format!(
            "Bonjour,\n\n{} renvoie les factures de la commande n° {} ({}) :\n\n{comment}\n\n\
             Corrigez-les (avoir et nouvelle facture) depuis la page de la commande :\n{}\n",
            caller.login(),
            order.number(),
            order.structure_label,
            page_link(state, &order, true),
        );
        notify(state, &order, StepActor::Staff, subject, body).await;
    }
    Ok(order.id)
}

/// Staff corrected the returned invoices: the sponsor checks them again.
pub(crate) async fn invoices_corrected(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    store::remove_step(conn, order_id, RETURNED).await
}

/// Whether the order's invoices are returned by the sponsor.
pub(crate) async fn invoices_returned(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    Ok(store::steps(conn, order_id).await?.iter().any(|s| s.step == RETURNED))
}

/// Staff make the next proof (BAT): a PDF of the booklets as they will be
/// printed, sample numbers, « BAT — ne pas imprimer » across. Kept; the
/// sponsor is told.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn make_proof(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    let staff = staff_of(caller)?;
    let chorus = order.payment == PaymentMethod::Chorus;
    if !facts.done(Step::Elements) {
        return Err(first(Step::Elements, chorus));
    }
    if !facts.done(Step::InvoicesValidated) {
        return Err(first(Step::InvoicesValidated, chorus));
    }
    if facts.accepted_proof().is_some() {
        return Err(conflict("Le BAT de cette commande est déjà validé."));
    }
    if let Some(p) = facts.pending_proof() {
        return Err(conflict(format!("Le BAT n° {} attend encore la décision du commanditaire.", p.number)));
    }
    let number = facts.proofs.last().map_or(1, |p| p.number + 1);
    let quote = order.quote(shop_store::order_lines(tx.conn(), order.id).await?)?;
    let mut booklets: Vec<(Money, usize)> = Vec::new();
    for line in &quote.lines {
        if let Some(Product::Booklet { face_value }) = line.product {
            let count = usize::try_from(line.net.cents() / face_value.cents()).unwrap_or(0);
            booklets.push((face_value, count));
        }
    }
    let elements = store::elements(tx.conn(), order.id).await?;
    let (restrictions, inserts) = elements.map(|e| (e.restrictions, e.inserts)).unwrap_or_default();
    let (agency, centre) = passes_store::agency_codes(tx.conn(), order.agency_id).await?;
    let today = Timestamp::new(now).paris_day();
    let carried = super::booklets::carried(tx.conn(), order.id, &order.structure_label).await?;
    let content = super::booklets::ProofContent {
        order_number: order.number().to_string(),
        proof_number: number,
        booklets,
        valid_until: default_validity(today),
        restrictions: &restrictions,
        inserts: &inserts,
        series: (&agency, &centre, today.date().year()),
    };
    let pdf = super::booklets::proof_pdf(state, &content, carried)?;
    store::add_proof(tx.conn(), order.id, number, &pdf, Timestamp::new(now), &staff.login).await?;
    let after = json!({ "proof": number, "bytes": pdf.len() });
    journal(&mut tx, &Actor::staff(staff), Entity::Order, order.id, "proof", json!(null), after, now).await?;
    tx.commit().await?;
    let due = Step::ProofValidated.deadline(today, &order.delivery_postcode).unwrap_or(today);
    let subject = format!("BAT n° {number} de la commande {} à valider", order.number());
    let body = format!(
        "Bonjour {},\n\nLe BAT n° {number} de la commande n° {} est prêt.\n\
         Vérifiez-le et validez-le (ou refusez-le en disant pourquoi) avant le {due} :\n{}\n\n\
         Castors de l'Ouest\n",
        order.contact_name,
        order.number(),
        page_link(state, &order, false),
    );
    notify(state, &order, StepActor::Sponsor, subject, body).await;
    Ok(number)
}

/// The sponsor validates the waiting proof, or refuses it with a comment
/// (staff then make a new one).
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn decide_proof(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    number: &str,
    accept: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    let decision = Decision { what: "La validation du BAT", why: "ce qu'il faut changer sur le BAT" };
    let comment = decision.comment(caller, accept, comment)?;
    let Some(pending) = facts.pending_proof() else {
        return Err(conflict("Aucun BAT n'attend votre décision."));
    };
    if number.trim() != pending.number.to_string() {
        return Err(conflict(format!("Le BAT à valider est le n° {} : rechargez la page.", pending.number)));
    }
    let detail = (!comment.is_empty()).then_some(comment.as_str());
    let at = Timestamp::new(now);
    if !store::decide_proof(tx.conn(), order.id, pending.number, accept, detail, at, caller.login()).await? {
        return Err(conflict("Ce BAT vient d'être décidé : rechargez la page."));
    }
    if !accept {
        let body = format!("BAT n° {} refusé : {comment}", pending.number);
        store::add_message(tx.conn(), order.id, at, caller.login(), false, &body).await?;
    }
    let action = if accept { "proof_validated" } else { "proof_refused" };
    let after = json!({ "proof": pending.number, "comment": detail });
    journal(&mut tx, &Actor::structure_caller(caller), Entity::Order, order.id, action, json!(null), after, now)
        .await?;
    tx.commit().await?;
    let (subject, what) = if accept {
        (format!("BAT validé — commande {}", order.number()), "validé : les carnets peuvent être produits".to_owned())
    } else {
        (format!("BAT refusé — commande {}", order.number()), format!("refusé : {comment}\nFaites un nouveau BAT"))
    };
    let body = format!(
        "Bonjour,\n\nLe BAT n° {} de la commande n° {} ({}) est {what}.\n{}\n",
        pending.number,
        order.number(),
        order.structure_label,
        page_link(state, &order, true)
    );
    notify(state, &order, StepActor::Staff, subject, body).await;
    Ok(order.id)
}

/// Whether the order's proof is validated (production waits for it).
pub(crate) async fn proof_accepted(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    Ok(store::proofs(conn, order_id).await?.iter().any(|p| p.accepted() == Some(true)))
}

/// A proof's PDF, for those who may read the order.
pub async fn proof_file(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    number: &str,
) -> Result<(String, Vec<u8>), ServerError> {
    let order_id = super::orders::readable_order(state, caller, id).await?;
    let number: i64 = number.trim().trim_end_matches(".pdf").parse().map_err(|_| AppError::NotFound("BAT".into()))?;
    let mut conn = state.db.pool().acquire().await?;
    let order = shop_store::find_order(&mut conn, order_id).await?.ok_or(AppError::Internal)?;
    let pdf = store::proof_pdf(&mut conn, order_id, number).await?.ok_or_else(|| AppError::NotFound("BAT".into()))?;
    Ok((format!("bat-{number}-commande-{}.pdf", order.number()), pdf))
}

/// « Avis d'expédition »: staff ship the produced booklets; the sponsor
/// is told, with the carrier's reference and the day delivery is due.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn ship(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    let staff = staff_of(caller)?;
    let reference = text(reference, 80, "La référence d'expédition").map_err(AppError::Invalid)?;
    if facts.way.produced_at.is_none() {
        return Err(first(Step::Produced, order.payment == PaymentMethod::Chorus));
    }
    if facts.done(Step::Shipped) {
        return Err(conflict("L'avis d'expédition de cette commande est déjà envoyé."));
    }
    let detail = (!reference.is_empty()).then_some(reference.as_str());
    store::add_step(tx.conn(), order.id, Step::Shipped.code(), Timestamp::new(now), &staff.login, detail).await?;
    journal(
        &mut tx,
        &Actor::staff(staff),
        Entity::Order,
        order.id,
        "shipped",
        json!(null),
        json!({ "reference": detail }),
        now,
    )
    .await?;
    tx.commit().await?;
    let today = Timestamp::new(now).paris_day();
    let due = Step::Delivered.deadline(today, &order.delivery_postcode).unwrap_or(today);
    let tracking = detail.map(|r| format!(" (référence d'expédition : {r})")).unwrap_or_default();
    let subject = format!("Avis d'expédition des carnets — commande {}", order.number());
    let body = format!(
        "Bonjour {},\n\nLes carnets de la commande n° {} sont expédiés{tracking} à :\n\
         {}\n{}\n{} {}\n\nLivraison attendue au plus tard le {due}. Confirmez leur réception sur la page de la \
         commande :\n{}\n\nLes pass seront activés à réception du numéro de mandat (ou du virement).\n\n\
         Castors de l'Ouest\n",
        order.contact_name,
        order.number(),
        order.delivery_name,
        order.delivery_address.replace('\n', ", "),
        order.delivery_postcode,
        order.delivery_city,
        page_link(state, &order, false),
    );
    notify(state, &order, StepActor::Sponsor, subject, body).await;
    Ok(order.id)
}

/// « Confirmer la livraison »: the sponsor (or staff for them) received
/// the booklets.
#[tracing::instrument(skip_all, fields(caller = %caller.login(), order = id))]
pub async fn confirm_delivery(
    state: &AppState,
    caller: &StructureCaller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let (mut tx, order, facts) = on_its_way(state, caller, id).await?;
    if !facts.done(Step::Shipped) {
        return Err(first(Step::Shipped, order.payment == PaymentMethod::Chorus));
    }
    if facts.done(Step::Delivered) {
        return Err(conflict("La livraison de cette commande est déjà confirmée."));
    }
    store::add_step(tx.conn(), order.id, Step::Delivered.code(), Timestamp::new(now), caller.login(), None).await?;
    journal(
        &mut tx,
        &Actor::structure_caller(caller),
        Entity::Order,
        order.id,
        "delivered",
        json!(null),
        json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(order.id)
}

/// Whether the order's delivery is confirmed (the mandate and the
/// activation wait for it).
pub(crate) async fn delivered(conn: &mut AnyConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    Ok(store::steps(conn, order_id).await?.iter().any(|s| s.step == Step::Delivered.code()))
}

/// The order's page for the sponsor or for staff.
fn page_link(state: &AppState, order: &OrderRecord, staff: bool) -> String {
    let base = if staff { "/agence/commandes" } else { "/commanditaire/commandes" };
    format!("{}{base}/{}", state.settings.public_url.trim_end_matches('/'), order.id)
}

/// An email to whoever acts: the order's contact for the sponsor, the
/// cooperative's mailbox for staff. A failure is logged; the step stands.
async fn notify(state: &AppState, order: &OrderRecord, to: StepActor, subject: String, body: String) {
    let address = match to {
        StepActor::Sponsor | StepActor::Either => order.contact_email.clone(),
        StepActor::Staff => state.mailer.from().email.to_string(),
    };
    if let Err(e) = state.mailer.send_text(&address, subject, body).await {
        tracing::warn!(order = order.id, error = %e, "order notice not sent");
    }
}

/// The order's steps as its page shows them: done (when, by whom), or
/// their deadline and whether it is past on `today`.
fn steps_of(order: &OrderRecord, facts: &Facts, today: Day) -> Vec<StepView> {
    let chorus = order.payment == PaymentMethod::Chorus;
    let postcode = order.delivery_postcode.as_str();
    let recorded = |step: Step| facts.step(step.code()).map(|s| (s.at, s.by_login.clone(), s.detail.clone()));
    let accepted = facts.accepted_proof();
    let latest = facts.proofs.last();
    let w = &facts.way;
    Step::ALL
        .into_iter()
        .map(|step| {
            let done = match step {
                Step::Ordered => order.confirmed_at.map(|at| (at, order.ordered_by.clone(), None)),
                Step::Invoiced => facts.invoiced.clone().map(|(at, by)| (at, by, None)),
                Step::Proof => latest.map(|p| (p.made_at, p.made_by.clone(), Some(format!("BAT n° {}", p.number)))),
                Step::ProofValidated => accepted
                    .and_then(|p| Some((p.decided_at?, p.decided_by.clone()?, Some(format!("BAT n° {}", p.number))))),
                Step::Produced => w.produced_at.map(|at| (at, w.produced_by.clone().unwrap_or_default(), None)),
                Step::Received => w.received_reference.as_ref().and_then(|r| {
                    let on = w.received_on.map(Day::paris_midnight)?.paris();
                    Some((on, w.received_by.clone().unwrap_or_default(), Some(format!("n° {r} : {}", w.received))))
                }),
                Step::Activated => w.activated_at.map(|at| (at, w.activated_by.clone().unwrap_or_default(), None)),
                other => recorded(other),
            };
            // A refused proof is not the step done: the next one is awaited.
            let done = match step {
                Step::Proof if latest.is_some_and(|p| p.accepted() == Some(false)) => None,
                _ => done,
            };
            let since = match step {
                Step::Proof => facts.proof_due_since(),
                Step::ProofValidated => facts.pending_proof().map(|p| p.made_at.day()),
                Step::Delivered => facts.step(Step::Shipped.code()).map(|s| s.at.day()),
                _ => None,
            };
            let due = done.is_none().then(|| since.and_then(|d| step.deadline(d, postcode))).flatten();
            StepView {
                step,
                label: step.label(chorus).to_owned(),
                actor: step.actor(chorus).label().to_owned(),
                done_at: done.as_ref().map(|d| d.0),
                done_by: done.as_ref().map(|d| d.1.clone()),
                detail: done.and_then(|d| d.2),
                due,
                overdue: due.is_some_and(|d| overdue(d, today)),
            }
        })
        .collect()
}

/// The order's way as its page shows it; `staff` says whether the reader
/// is staff (their actions) or a manager of the structure (theirs).
pub async fn progress(
    conn: &mut AnyConnection,
    order: &OrderRecord,
    staff: bool,
    today: Day,
) -> Result<OrderProgress, ServerError> {
    let facts = Facts::of(&mut *conn, order.id).await?;
    let messages = store::messages(&mut *conn, order.id).await?;
    let elements = store::elements(conn, order.id).await?;
    let open = order.status == OrderStatus::Confirmed && facts.way.activated_at.is_none();
    let sponsor = !staff;
    let pending = facts.pending_proof().map(|p| p.number);
    let accepted = facts.accepted_proof().is_some();
    Ok(OrderProgress {
        steps: steps_of(order, &facts, today),
        messages: messages
            .into_iter()
            .map(|m| OrderMessage { at: m.at, author: m.author, from_staff: m.from_staff, body: m.body })
            .collect(),
        elements: elements.map(|e| PrintElements {
            message: e.message,
            restrictions: e.restrictions,
            inserts: e.inserts,
            logo: e.logo_type.map(|kind| {
                let kind = if kind == "image/png" { "PNG" } else { "JPEG" };
                format!("{kind}, {} Ko", (e.logo_bytes.unwrap_or(0) + 1023) / 1024)
            }),
            at: e.at,
        }),
        proofs: facts
            .proofs
            .iter()
            .map(|p| ProofView {
                number: p.number,
                made_at: p.made_at,
                decided_at: p.decided_at,
                accepted: p.accepted(),
                comment: p.comment.clone(),
            })
            .collect(),
        invoices_returned: facts.returned().map(|s| s.detail.clone().unwrap_or_default()),
        can_post: order.status != OrderStatus::Cancelled,
        can_scope: staff && open && !facts.done(Step::Scoped),
        can_give_elements: open && facts.done(Step::Scoped) && !accepted,
        can_check_invoices: sponsor
            && open
            && facts.invoiced.is_some()
            && !facts.done(Step::InvoicesValidated)
            && facts.returned().is_none(),
        can_make_proof: staff && open && facts.proof_due_since().is_some(),
        can_decide_proof: pending.filter(|_| sponsor && open),
        can_ship: staff && open && facts.way.produced_at.is_some() && !facts.done(Step::Shipped),
        can_confirm_delivery: open && facts.done(Step::Shipped) && !facts.done(Step::Delivered),
    })
}

/// The orders whose current step is past its deadline on `today`, of one
/// agency or all (`agency`), or of the structures a manager manages.
pub async fn overdue_orders(
    conn: &mut AnyConnection,
    orders: &[i64],
    today: Day,
) -> Result<Vec<OverdueStep>, ServerError> {
    let mut late = Vec::new();
    for &id in orders {
        let Some(order) = shop_store::find_order(&mut *conn, id).await? else { continue };
        let facts = Facts::of(&mut *conn, id).await?;
        let chorus = order.payment == PaymentMethod::Chorus;
        for step in steps_of(&order, &facts, today).into_iter().filter(|s| s.overdue) {
            late.push(OverdueStep {
                order_id: id,
                number: order.number().to_string(),
                structure: order.structure_label.clone(),
                kind: step.step,
                step: step.label,
                actor: step.step.actor(chorus).label().to_owned(),
                due: step.due.unwrap_or(today),
            });
        }
    }
    Ok(late)
}

/// The open orders of one agency (or all) whose current step is overdue.
pub async fn overdue_of_agency(
    conn: &mut AnyConnection,
    agency: Option<i64>,
    today: Day,
) -> Result<Vec<OverdueStep>, ServerError> {
    let open = store::open_orders(&mut *conn, agency).await?;
    overdue_orders(conn, &open, today).await
}

/// Sends a reminder for each overdue step not reminded yet for its
/// deadline, to whoever must act, and journals it. Run with the hourly
/// work; several servers may run it at once (each reminder is noted once).
pub async fn remind_overdue(state: &AppState, now: DateTime<Utc>) -> Result<usize, ServerError> {
    let today = Timestamp::new(now).paris_day();
    let late = {
        let mut conn = state.db.pool().acquire().await?;
        overdue_of_agency(&mut conn, None, today).await?
    };
    let mut sent = 0;
    for step in late {
        let which = step.kind;
        let mut tx = state.db.begin_write().await?;
        if !store::note_reminder(tx.conn(), step.order_id, which, step.due, Timestamp::new(now)).await? {
            continue;
        }
        let order = shop_store::find_order(tx.conn(), step.order_id).await?.ok_or(AppError::Internal)?;
        let after = json!({ "step": which.code(), "due": step.due.to_string() });
        journal(
            &mut tx,
            &Actor::system("relances des commandes"),
            Entity::Order,
            order.id,
            "reminder",
            json!(null),
            after,
            now,
        )
        .await?;
        tx.commit().await?;
        let chorus = order.payment == PaymentMethod::Chorus;
        let actor = which.actor(chorus);
        let subject = format!("Relance : « {} » attendu pour la commande {}", step.step, step.number);
        let body = format!(
            "Bonjour,\n\nL'étape « {} » de la commande n° {} ({}) devait être faite au plus tard le {} \
             par {}.\n{}\n\nCastors de l'Ouest\n",
            step.step,
            step.number,
            step.structure,
            step.due,
            actor.label(),
            page_link(state, &order, actor == StepActor::Staff),
        );
        notify(state, &order, actor, subject, body).await;
        sent += 1;
    }
    Ok(sent)
}
