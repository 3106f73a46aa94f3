//! Screens of one's own account, for every role.

use crate::api::auth::{ChangePassword, my_account};
use crate::components::{Field, Loaded, Submit, done_notice};
use crate::domain::password::MIN_CHARS;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// « Changer mon mot de passe »: the current password, then the new one
/// twice. Once changed, every other device is logged out.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| my_account());
    let change = ServerAction::<ChangePassword>::new();
    let query = use_query_map();
    let changed = move || query.read().get("modifie").is_some();
    view! {
        <Title text="Changer mon mot de passe — Castors" />
        <main class="page page-narrow">
            <h1>"Changer mon mot de passe"</h1>
            <Loaded
                resource=account
                ok=move |a| {
                    view! {
                        {done_notice(
                            changed(),
                            "Votre mot de passe a été modifié. Vos autres appareils ont été déconnectés.",
                        )}
                        <p class="lead">"Identifiant : " <strong>{a.login}</strong></p>
                        <ActionForm action=change attr:class="form">
                            <Field
                                name="current"
                                label="Mot de passe actuel"
                                kind="password"
                                autocomplete="current-password"
                                required=true
                            />
                            <Field
                                name="new"
                                label="Nouveau mot de passe"
                                kind="password"
                                autocomplete="new-password"
                                minlength=MIN_CHARS.to_string()
                                described_by="new-hint"
                                required=true
                            />
                            <p class="hint" id="new-hint">
                                "Au moins " {MIN_CHARS} " caractères : une phrase facile à retenir convient."
                            </p>
                            <Field
                                name="confirm"
                                label="Nouveau mot de passe, une seconde fois"
                                kind="password"
                                autocomplete="new-password"
                                required=true
                            />
                            <Submit action=change label="ENREGISTRER" primary=true />
                        </ActionForm>
                        <p class="hint">
                            "Une fois le mot de passe changé, vos autres appareils sont déconnectés."
                        </p>
                        <p>
                            <a href=a.role.home()>"Retour à mon espace"</a>
                        </p>
                    }
                }
            />
        </main>
    }
}
