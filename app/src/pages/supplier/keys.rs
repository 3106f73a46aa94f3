use crate::api::supplier::{SupplierCreateApiKey, SupplierRevokeApiKey, supplier_api_keys};
use crate::components::{Field, Loaded, Shell, Space, Submit, or_empty};
use crate::model::supplier::{ApiKeyView, ApiKeys};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Caisse (API): the keys the supplier's tills use to call `/api/v1`. A new
/// key is shown once, right after it is created; afterwards only its first
/// characters are, to tell keys apart.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let query = use_query_map();
    // Keyed on `?creee=`: after creating a key the page loads again and
    // picks up the key this browser was just handed.
    let keys = Resource::new(move || query.read().get("creee"), |_| supplier_api_keys());
    view! {
        <Shell space=Space::Supplier title="Caisse (API) — Espace fournisseur" heading="Caisse (API)">
            <Loaded resource=keys ok=|page| view! { <Keys page /> } />
        </Shell>
    }
}

#[component]
fn Keys(page: ApiKeys) -> impl IntoView {
    let create = ServerAction::<SupplierCreateApiKey>::new();
    view! {
        {page
            .new_key
            .map(|k| {
                view! {
                    <section class="notice notice-ok new-key" role="status">
                        <p>
                            "Clé « " {k.label} " » créée. Copiez-la maintenant dans la caisse : "
                            <strong>"elle ne sera plus jamais affichée."</strong>
                        </p>
                        <p class="api-key">
                            <code>{k.key}</code>
                        </p>
                    </section>
                }
            })}
        <p>
            "Votre caisse peut vérifier les bons, lister les bons livrés et envoyer les factures par l'API "
            <code class="api-base">{page.api_base.clone()}</code>
            ", avec l'en-tête "
            <code>"Authorization: Bearer <clé>"</code>
            ". Description complète : "
            <a href=format!("{}/openapi.json", page.api_base) rel="external">
                "openapi.json"
            </a>
            "."
        </p>
        <h2>"Nouvelle clé"</h2>
        <ActionForm action=create attr:class="form">
            <Field name="label" label="Nom de la clé" maxlength="60" placeholder="Caisse 1" required=true />
            <Submit action=create label="CRÉER UNE CLÉ" primary=true />
        </ActionForm>
        <h2>"Vos clés"</h2>
        {or_empty(
            page.keys.is_empty(),
            "Aucune clé pour le moment.",
            || view! {
                <ul class="api-keys">
                    {page.keys.into_iter().map(|k| view! { <KeyItem k /> }).collect_view()}
                </ul>
            }
        )}
    }
}

#[component]
fn KeyItem(k: ApiKeyView) -> impl IntoView {
    let revoke = ServerAction::<SupplierRevokeApiKey>::new();
    let revoked = k.revoked_at.is_some();
    view! {
        <li class="card api-key-item" data-revoked=revoked.to_string()>
            <p>
                <strong>{k.label}</strong>
                " "
                <code class="key-prefix">{k.prefix} "…"</code>
            </p>
            <p class="muted">
                "Créée le " {k.created_at.to_string()} " par " {k.created_by} ". "
                {match k.last_used_at {
                    Some(at) => format!("Dernière utilisation : {at}."),
                    None => "Jamais utilisée.".to_owned(),
                }}
            </p>
            {match k.revoked_at {
                Some(at) => view! { <p class="status revoked">"Révoquée le " {at.to_string()}</p> }.into_any(),
                None => {
                    view! {
                        <details class="cancel">
                            <summary>"Révoquer cette clé…"</summary>
                            <ActionForm action=revoke attr:class="form">
                                <input type="hidden" name="id" value=k.id.to_string() />
                                <p class="hint">"La caisse qui l'utilise ne pourra plus appeler l'API."</p>
                                <Submit action=revoke label="RÉVOQUER" />
                            </ActionForm>
                        </details>
                    }
                        .into_any()
                }
            }}
        </li>
    }
}
