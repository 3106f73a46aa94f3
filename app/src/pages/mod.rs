//! One module per screen, grouped by who uses it.

pub mod account;
pub mod agency;
pub mod member;
pub mod public;
pub mod sponsor;
pub mod supplier;

/// The member's and the public pages that no phone needs at the counter or
/// offline: logging in (a session lasts 30 days), the request form, the
/// public checks behind a voucher's and a pass's QR code, the member's statements, and
/// « Changer mon mot de passe » with « Mot de passe oublié ? » and the page
/// behind its link. Rendered through a WASM chunk of their own
/// (`crate::split::occasional`), so that "Demande de bons" and the cards
/// load less.
pub mod occasional {
    pub use super::account::{AccountPage, ActivationPage, ChoosePasswordPage, ConfirmEmailPage};
    pub use super::account::{ForgotPasswordPage, PasswordPage};
    pub use super::member::{MemberStatementsPage, RequestPage};
    pub use super::public::{AccessibilityPage, CheckCodePage, CheckPage, LoginPage, PassCheckPage};
}
