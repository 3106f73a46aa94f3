//! Statements by email: the message with its two files, and the sending of
//! those still owed.

use super::{document::file_stem, runs::in_two_halves};
use crate::domain::Timestamp;
use crate::server::AppState;
use crate::server::error::ServerError;
use crate::server::store::statements::{self as store, OwedEmail};
use chrono::Utc;
use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};

/// Missing an address, as staff and the member read it.
pub(super) const NO_ADDRESS: &str = "Pas d'adresse e-mail";

/// How the emails of some statements went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Emails {
    pub sent: i64,
    pub no_address: i64,
    pub failed: i64,
}

/// Emails stored statements to their members (only ever after the commit:
/// nothing is sent that is not kept), then records which left and which
/// could not.
pub(super) async fn send_owed(state: &AppState, owed: Vec<OwedEmail>) -> Result<Emails, ServerError> {
    let mut outcome = Emails::default();
    let mut failed: Vec<(i64, String)> = Vec::new();
    let (mut to_send, mut messages) = (Vec::new(), Vec::new());
    let sender = state.mailer.from().clone();
    let work: Vec<_> = owed.into_iter().map(|o| (o, sender.clone())).collect();
    for (id, message) in in_two_halves(work, |(o, sender)| (o.id, message(&sender, o))).await? {
        match message {
            Err(e) => failed.push((id, e)),
            Ok(message) => {
                to_send.push(id);
                messages.push(message);
            }
        }
    }
    let mut sent = Vec::with_capacity(to_send.len());
    for (id, answer) in to_send.into_iter().zip(state.mailer.send_all(messages).await) {
        match answer {
            Ok(()) => sent.push(id),
            Err(e) => failed.push((id, e)),
        }
    }
    for (id, e) in &failed {
        tracing::warn!(statement = id, error = %e, "statement email not sent");
        store::record_email_error(state.db.pool(), *id, e).await?;
    }
    store::mark_emailed(state.db.pool(), &sent, Timestamp::new(Utc::now())).await?;
    outcome.sent = sent.len() as i64;
    outcome.failed = failed.len() as i64;
    Ok(outcome)
}

/// The email: a short French text, the PDF and the CSV attached (moved in:
/// a run's batch holds hundreds).
pub(super) fn message(from: &Mailbox, o: OwedEmail) -> Result<Message, String> {
    let to = &o.emailed_to;
    let to = to.parse().map_err(|e| format!("Adresse e-mail invalide ({to}) : {e}"))?;
    let period = o.period();
    let body = format!(
        "Bonjour {},\n\n\
         Veuillez trouver ci-joint votre relevé de bons Castors Web {}.\n\
         Bons utilisés : {} — valeur totale : {} — total facturé par les fournisseurs : {}.\n\n\
         Vous le retrouvez à tout moment dans votre espace adhérent, rubrique « Mes relevés ».\n\n\
         Castors de l'Ouest — {}\n",
        o.member_name, period, o.voucher_count, o.total, o.invoiced, o.agency_name
    );
    let stem = file_stem(&o.member_number, period);
    // One id per statement: sent again after a stop, it is the same message.
    let message_id = format!("<releve.{}.{stem}@{}>", o.id, from.email.domain());
    let pdf_type = ContentType::parse("application/pdf").map_err(|e| e.to_string())?;
    let csv_type = ContentType::parse("text/csv; charset=utf-8").map_err(|e| e.to_string())?;
    Message::builder()
        .message_id(Some(message_id))
        .from(from.clone())
        .to(to)
        .subject(format!("Votre relevé de bons Castors Web {period}"))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(format!("{stem}.pdf")).body(o.pdf, pdf_type))
                .singlepart(Attachment::new(format!("{stem}.csv")).body(o.csv, csv_type)),
        )
        .map_err(|e| e.to_string())
}
