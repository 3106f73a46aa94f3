//! Logging in and out, and who is logged in.

use crate::error::AppError;
use crate::model::auth::*;
#[cfg(feature = "ssr")]
use crate::server::auth::Member;
#[cfg(feature = "ssr")]
use crate::server::guards::{Account, Anyone};
use leptos::prelude::*;

/// `suivant`: the page the visitor asked for before being sent to log in;
/// they land there if it is one of ours, else on their role's home.
#[server(endpoint = "login")]
pub async fn login(number: String, password: String, suivant: Option<String>) -> Result<(), AppError> {
    use crate::{api::context, domain::member::typed_login, server::auth};
    // Whoever is logged in on this browser does not matter here: no session is read.
    context::serve_and_redirect(|state, _: Anyone| async move {
        // Members log in with their number, written any way they like;
        // staff with their login. An unknown login gets the same answer as
        // a wrong password: the form tells nobody which accounts exist.
        let login = typed_login(&number);
        if login.is_empty() || login.len() > 100 {
            return Err(AppError::BadCredentials.into());
        }
        let device = auth::KnownDevice::from_request(&state, &context::parts()?);
        let (account, role) = auth::check_password(
            &state,
            &login,
            password,
            &context::address(&state)?,
            device.as_ref(),
            chrono::Utc::now(),
        )
        .await?;
        let response = expect_context::<leptos_axum::ResponseOptions>();
        response.append_header(
            axum::http::header::SET_COOKIE,
            auth::open_session(&state, account, &context::parts()?).await?,
        );
        response.append_header(axum::http::header::SET_COOKIE, auth::device_cookie(&state, account, device.as_ref())?);
        // The cart filled before logging in becomes the account's.
        let cart = crate::server::services::shop::cart::Shopper::new(&context::parts()?, None);
        crate::server::services::shop::cart::join_at_login(&state, cart.token.as_deref(), account).await?;
        let next = suivant.as_deref().and_then(crate::security::own_path);
        Ok(next.unwrap_or(role.home()).to_owned())
    })
    .await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{api::context, server::auth};
    context::serve_and_redirect(|state, _: Anyone| async move {
        let cookie = auth::close_session(&state, &context::parts()?).await?;
        expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, cookie);
        Ok("/connexion".into())
    })
    .await
}

#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<MemberSummary, AppError> {
    use crate::{api::context, server::services::vouchers::fee_paid_up};
    context::serve(|_, member: Member| async move {
        Ok(MemberSummary {
            fee_paid_up: fee_paid_up(&member, chrono::Utc::now()),
            fee_paid_until: member.fee_paid_until,
            number: member.number,
            name: member.name,
        })
    })
    .await
}

#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<AccountSummary, AppError> {
    use crate::api::context;
    context::serve(|_, Account { session, .. }| async move {
        Ok(AccountSummary { role: session.role, login: session.login })
    })
    .await
}

/// « Changer mon mot de passe »: the current password, the new one twice.
/// Every other device logged in to the account is logged out.
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), AppError> {
    use crate::{api::context, domain::password::PasswordChange, server::services::accounts};
    context::serve_and_redirect(|state, Account { session, session_hash }| async move {
        let change = PasswordChange { current, new, confirm };
        accounts::change_password(&state, &session, &session_hash, change, chrono::Utc::now()).await?;
        Ok("/mot-de-passe?modifie=1".into())
    })
    .await
}

/// « Mot de passe oublié ? »: a link by email to whoever `identifiant`
/// names (member number, login or email address). The same answer, in the
/// same time, whether or not an account matches.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(identifiant: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::recovery};
    context::serve_and_redirect(|state, _: Anyone| async move {
        let address = context::address(&state)?;
        recovery::request_reset(&state, &identifiant, &address, chrono::Utc::now()).await?;
        Ok("/mot-de-passe-oublie?envoye=1".into())
    })
    .await
}

/// Whether a password link still works, and for which login.
#[server(endpoint = "check_password_link")]
pub async fn check_password_link(token: String) -> Result<PasswordLink, AppError> {
    use crate::{api::context, server::services::accounts::recovery};
    context::serve(|state, _: Anyone| async move { recovery::check_link(&state, &token, chrono::Utc::now()).await })
        .await
}

/// The password chosen from a link, typed twice; then to the login page.
#[server(endpoint = "choose_password")]
pub async fn choose_password(token: String, new: String, confirm: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::recovery};
    context::serve_and_redirect(|state, _: Anyone| async move {
        let login = recovery::choose_password(&state, &token, new, confirm, chrono::Utc::now()).await?;
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("identifiant", &login).finish();
        Ok(format!("/connexion?nouveau=1&{query}"))
    })
    .await
}

/// `/activer`: the login and the activation letter's code; on to the page
/// where the person chooses their password.
#[server(endpoint = "activate_account")]
pub async fn activate_account(identifiant: String, code: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::invitations};
    context::serve_and_redirect(|state, _: Anyone| async move {
        let address = context::address(&state)?;
        let token = invitations::activate(&state, &identifiant, &code, &address, chrono::Utc::now()).await?;
        Ok(format!("/reinitialiser/{token}"))
    })
    .await
}

/// « Mon compte »: the login, its address, its open sessions.
#[server(endpoint = "account_page")]
pub async fn account_page() -> Result<AccountOverview, AppError> {
    use crate::{api::context, server::services::accounts};
    context::serve(|state, Account { session, session_hash }| async move {
        accounts::page(&state, &session, &session_hash, chrono::Utc::now()).await
    })
    .await
}

/// « Changer d'adresse e-mail »: the new address and the current password;
/// a link goes to the new address, which changes once it is opened.
#[server(endpoint = "change_email")]
pub async fn change_email(email: String, current: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::email};
    context::serve_and_redirect(|state, Account { session, .. }| async move {
        let new = email::request_change(&state, &session, &email, current, chrono::Utc::now()).await?;
        let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("lien", &new).finish();
        Ok(format!("/mon-compte?{query}"))
    })
    .await
}

/// Whether a link confirming an email address still works, and for what.
#[server(endpoint = "check_email_link")]
pub async fn check_email_link(token: String) -> Result<EmailLink, AppError> {
    use crate::{api::context, server::services::accounts::email};
    context::serve(|state, _: Anyone| async move { email::check_link(&state, &token, chrono::Utc::now()).await }).await
}

/// « Confirmer cette adresse »: the link's address becomes the account's.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts::email};
    context::serve_and_redirect(|state, _: Anyone| async move {
        email::confirm(&state, &token, chrono::Utc::now()).await?;
        Ok(format!("/confirmer-adresse/{token}"))
    })
    .await
}

/// « Déconnecter les autres appareils ».
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    use crate::{api::context, server::services::accounts};
    context::serve_and_redirect(|state, Account { session, session_hash }| async move {
        let ended = accounts::end_other_sessions(&state, &session, &session_hash, chrono::Utc::now()).await?;
        Ok(format!("/mon-compte?deconnectes={ended}"))
    })
    .await
}
