//! The one error type server functions return. Every variant's message is what
//! a person reads, in French; causes of internal errors stay in the server log.

use crate::domain::AmountError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Veuillez vous connecter pour continuer.")]
    NotLoggedIn,
    #[error("N° d'adhérent ou mot de passe incorrect.")]
    BadCredentials,
    #[error("Cet espace est réservé aux adhérents.")]
    Forbidden,
    #[error("Cet espace est réservé au personnel des agences Castors.")]
    StaffOnly,
    #[error("Trop de tentatives infructueuses : pour votre sécurité, réessayez dans 15 minutes.")]
    TooManyAttempts,
    /// Wrong passwords for this login from many addresses: only a device
    /// that has logged in to it before gets in for now.
    #[error(
        "Trop de tentatives infructueuses sur ce compte depuis d'autres appareils : pour votre sécurité, connectez-vous depuis un appareil que vous avez déjà utilisé, réessayez dans une heure, ou demandez un nouveau mot de passe à votre agence."
    )]
    AccountThrottled,
    /// Too many wrong codes for this voucher number today, from anyone but
    /// the voucher's own supplier.
    #[error(
        "Trop de codes erronés ont été saisis aujourd'hui pour ce numéro de bon : réessayez demain. Le fournisseur du bon peut toujours le vérifier depuis son espace."
    )]
    VoucherCheckThrottled,
    /// An invoice whose wrong codes would spend the sender's check budget.
    #[error(
        "Trop de codes secrets erronés ont été saisis depuis votre compte ou votre caisse ces 15 dernières minutes : la facture n'a pas été enregistrée. Vérifiez les codes recopiés des bons de livraison, puis renvoyez-la dans 15 minutes."
    )]
    InvoiceCodesThrottled,
    /// The one answer to a voucher check that fails, whatever was wrong: an
    /// unknown number, a wrong code, a voucher not used yet or locked.
    #[error(
        "Numéro de bon ou code secret incorrect. Vérifiez ce qui est écrit sur le bon de livraison ; après plusieurs erreurs, les vérifications sont suspendues."
    )]
    CodeCheckFailed,
    /// The one answer to a pass spent with a wrong code, an unknown number,
    /// or a pass locked after wrong codes.
    #[error(
        "Numéro de pass ou code secret incorrect. Vérifiez ce qui est imprimé sur le pass ; après 5 codes erronés, le pass est bloqué jusqu'à ce que l'agence le débloque."
    )]
    PassCheckFailed,
    #[error("{0}")]
    Invalid(String),
    /// A mistake in one field of a form: the field's name, then what the
    /// person reads. The form's error notice is tied to that field.
    #[error("{1}")]
    InvalidField(String, String),
    /// Several mistakes of one form, found at once: their fields, then
    /// their sentences (see `Refusals`).
    #[error("{1}")]
    InvalidFields(Vec<String>, String),
    #[error("Choisissez un fournisseur dans la liste.")]
    NoSupplierChosen,
    #[error("Ce fournisseur n'est pas (ou plus) partenaire : choisissez-en un autre dans la liste.")]
    SupplierUnavailable,
    #[error(
        "Vous n'êtes pas à jour de votre cotisation : aucun bon n'a été émis. Prenez contact avec votre agence Castors !"
    )]
    FeeNotPaid,
    #[error("Ce bon est introuvable.")]
    VoucherNotFound,
    #[error("Ce bon a expiré le {0} : il ne peut plus être utilisé.")]
    VoucherExpired(String),
    #[error("Ce bon ne peut plus être utilisé (statut {0}).")]
    VoucherNotUsable(String),
    #[error("Ce bon n'a pas encore été utilisé : il n'a ni numéro ni code secret.")]
    VoucherNotUsed,
    #[error("Ce bon ne peut pas être annulé (statut {0}).")]
    VoucherNotCancellable(String),
    #[error("Cet espace est réservé aux fournisseurs partenaires.")]
    SupplierOnly,
    #[error("Ce fournisseur n'est plus partenaire : son espace est fermé. Contactez l'agence Castors.")]
    SupplierInactive,
    /// Something of the back office (member, supplier, invoice, statement…)
    /// that does not exist, or that the person asking may not see.
    #[error("{0} introuvable.")]
    NotFound(String),
    /// The action does not fit what the thing has become (an invoice already
    /// paid, a voucher already invoiced…); the message says why.
    #[error("{0}")]
    Conflict(String),
    #[error("Réservé aux administrateurs de la coopérative.")]
    AdminOnly,
    #[error("Cet espace est réservé aux commanditaires.")]
    SponsorOnly,
    /// A sponsor's manager (or staff of another agency) acting on a
    /// structure they do not manage.
    #[error("Vous ne gérez pas cette structure.")]
    NotStructureManager,
    #[error("Une erreur technique est survenue. Réessayez dans un instant ; si elle persiste, prévenez votre agence.")]
    Internal,
    #[error("Le serveur est injoignable. Vérifiez votre connexion puis réessayez.")]
    Network,
    /// The voucher's or pass's code was made with a key version this server
    /// does not hold: a rotation not yet copied to it, or a retired key.
    #[error(
        "Ce serveur ne peut pas encore vérifier ce code : réessayez dans un instant ; si cela dure, prévenez votre agence."
    )]
    KeyUnavailable,
    /// A request the server could not read at all (not text, not a form).
    #[error("La requête n'a pas pu être lue : rechargez la page puis réessayez.")]
    Unreadable,
    #[error("Ce que vous avez envoyé est trop volumineux : raccourcissez-le puis réessayez.")]
    TooLarge,
}

impl AppError {
    /// The HTTP status a JSON client receives with this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotLoggedIn | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::StaffOnly | AppError::SupplierOnly | AppError::SupplierInactive => 403,
            AppError::AdminOnly | AppError::SponsorOnly | AppError::NotStructureManager => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyAttempts
            | AppError::AccountThrottled
            | AppError::VoucherCheckThrottled
            | AppError::InvoiceCodesThrottled => 429,
            AppError::CodeCheckFailed | AppError::PassCheckFailed => 422,
            AppError::VoucherNotFound => 404,
            AppError::VoucherNotUsable(_)
            | AppError::VoucherExpired(_)
            | AppError::VoucherNotUsed
            | AppError::VoucherNotCancellable(_) => 409,
            AppError::Invalid(_)
            | AppError::InvalidField(..)
            | AppError::InvalidFields(..)
            | AppError::NoSupplierChosen
            | AppError::SupplierUnavailable
            | AppError::FeeNotPaid => 422,
            AppError::Unreadable => 400,
            AppError::TooLarge => 413,
            AppError::Internal => 500,
            AppError::Network | AppError::KeyUnavailable => 503,
        }
    }
}

impl AppError {
    /// A mistake in the form's field `name`.
    pub fn field(name: &str, message: impl Into<String>) -> AppError {
        AppError::InvalidField(name.to_owned(), message.into())
    }

    /// The form fields this error is about (by their `name`), for the form
    /// to mark them invalid and tie the message to them.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            AppError::InvalidField(field, _) => vec![field.as_str()],
            AppError::InvalidFields(fields, _) => fields.iter().map(String::as_str).collect(),
            AppError::BadCredentials => vec!["number", "password"],
            AppError::CodeCheckFailed | AppError::PassCheckFailed => vec!["number", "code"],
            AppError::NoSupplierChosen | AppError::SupplierUnavailable => vec!["supplier_id"],
            _ => Vec::new(),
        }
    }

    /// For a refusal by an attempt budget: the longest wait before the
    /// budget's window ends (the window starts at its first failure).
    pub fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            AppError::TooManyAttempts | AppError::InvoiceCodesThrottled => Some(15 * 60),
            AppError::AccountThrottled => Some(60 * 60),
            AppError::VoucherCheckThrottled => Some(24 * 60 * 60),
            _ => None,
        }
    }
}

/// The mistakes found in one pass over a form, each in its field: the
/// person corrects them all at once.
#[derive(Debug, Default)]
pub struct Refusals(Vec<(&'static str, String)>);

impl Refusals {
    pub fn add(&mut self, field: &'static str, why: impl Into<String>) {
        self.0.push((field, why.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Nothing refused: Ok. Else one error naming every field (once) and
    /// saying every sentence (once), in the order found.
    pub fn check(self) -> Result<(), AppError> {
        let mut fields: Vec<String> = Vec::new();
        let mut sentences: Vec<String> = Vec::new();
        for (field, why) in self.0 {
            if !fields.iter().any(|f| f == field) {
                fields.push(field.to_owned());
            }
            if !sentences.contains(&why) {
                sentences.push(why);
            }
        }
        match fields.len() {
            0 => Ok(()),
            1 => Err(AppError::InvalidField(fields.remove(0), sentences.join(" "))),
            _ => Err(AppError::InvalidFields(fields, sentences.join(" "))),
        }
    }
}

/// An axum handler's refusal (a guard's, in `crate::server::guards`): the
/// error's status and `{"error": "<French sentence>"}`, with how long to
/// wait when a budget refused it.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response();
        if let Some(seconds) = self.retry_after_seconds() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AmountError> for AppError {
    fn from(e: AmountError) -> Self {
        AppError::Invalid(e.to_string())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server, the request could not be read (its body is not
            // text): the sender's doing, not the network's.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => AppError::Unreadable,
            // The browser could not reach us or read the answer.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => AppError::Network,
            // A form arrived without the fields this function needs.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid("Le formulaire est incomplet : rechargez la page puis réessayez.".into())
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_every_field_once_and_say_every_sentence_once() {
        assert_eq!(Refusals::default().check(), Ok(()));
        let mut one = Refusals::default();
        one.add("siret", "Le SIRET compte 14 chiffres.");
        assert_eq!(one.check(), Err(AppError::field("siret", "Le SIRET compte 14 chiffres.")));
        let mut many = Refusals::default();
        many.add("service_code", "Indiquez le code service ou le numéro d'engagement.");
        many.add("engagement", "Indiquez le code service ou le numéro d'engagement.");
        many.add("pdf", "Joignez le bon de commande.");
        let error = many.check().unwrap_err();
        assert_eq!(error.fields(), ["service_code", "engagement", "pdf"]);
        assert_eq!(
            error.to_string(),
            "Indiquez le code service ou le numéro d'engagement. Joignez le bon de commande."
        );
        assert_eq!(error.status_code(), 422);
    }
}
