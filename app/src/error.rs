//! The one error type server functions return. Every variant's message is what
//! a person reads, in French; causes of internal errors stay in the server log.

use crate::domain::AmountError;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
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
    /// The one answer to a voucher check that fails, whatever was wrong: an
    /// unknown number, a wrong code, a voucher not used yet or locked.
    #[error(
        "Numéro de bon ou code secret incorrect. Vérifiez ce qui est écrit sur le bon de livraison ; après plusieurs erreurs le bon est bloqué."
    )]
    CodeCheckFailed,
    #[error("{0}")]
    Invalid(String),
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
    #[error("Une erreur technique est survenue. Réessayez dans un instant ; si elle persiste, prévenez votre agence.")]
    Internal,
    #[error("Le serveur est injoignable. Vérifiez votre connexion puis réessayez.")]
    Network,
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
            AppError::AdminOnly => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyAttempts => 429,
            AppError::CodeCheckFailed => 422,
            AppError::VoucherNotFound => 404,
            AppError::VoucherNotUsable(_)
            | AppError::VoucherExpired(_)
            | AppError::VoucherNotUsed
            | AppError::VoucherNotCancellable(_) => 409,
            AppError::Invalid(_)
            | AppError::NoSupplierChosen
            | AppError::SupplierUnavailable
            | AppError::FeeNotPaid => 422,
            AppError::Unreadable => 400,
            AppError::TooLarge => 413,
            AppError::Internal => 500,
            AppError::Network => 503,
        }
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
