//! A login's way in, as staff see it on a member's or a supplier's page:
//! the address invitations go to, the latest invitation or activation
//! letter and whether it was used, and the two ways to send one again.

use crate::api::agency::SendInvitation;
use crate::components::{ActionError, Submit};
use crate::model::auth::{Access, SentLink};
use leptos::prelude::*;

/// Where the latest invitation or letter stands, in words.
pub fn sent_status(latest: &Option<SentLink>) -> String {
    match latest {
        None => "Aucune invitation envoyée".to_owned(),
        Some(l) => {
            let what = if l.letter { "Lettre d'activation imprimée" } else { "Invitation envoyée" };
            match (&l.used_at, l.replaced) {
                (Some(_), true) => format!("{what} le {}, remplacée par une plus récente", l.sent_at),
                (Some(used), false) => format!("{what} le {}, utilisée le {used}", l.sent_at),
                (None, _) => format!("{what} le {}, valable jusqu'au {}", l.sent_at, l.until),
            }
        }
    }
}

/// « Renvoyer l'invitation » (with an address) and « Imprimer une lettre
/// d'activation » (always: a plain form, the PDF downloads). `back`: the
/// page to come back to.
#[component]
pub fn AccessForms(access: Access, back: String, send: ServerAction<SendInvitation>) -> impl IntoView {
    let letter = format!("/agence/comptes/{}/lettre", access.login);
    view! {
        <p class="access-status">{sent_status(&access.latest)}</p>
        {access
            .email
            .clone()
            .map(|email| {
                view! {
                    <ActionForm action=send attr:class="form form-inline">
                        <input type="hidden" name="login" value=access.login.clone() />
                        <input type="hidden" name="retour" value=back.clone() />
                        <Submit action=send label="Renvoyer l'invitation" />
                        <span class="hint">" à " {email}</span>
                    </ActionForm>
                }
            })}
        <form class="form form-inline" method="post" action=letter>
            <button type="submit" class="button">
                "Imprimer une lettre d'activation"
            </button>
            <span class="hint">" (PDF ; son code remplace celui d'une lettre précédente)"</span>
        </form>
        <ActionError action=send />
    }
}
