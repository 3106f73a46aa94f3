//! Screens reachable without being logged in.

mod accessibility;
pub use accessibility::{AccessibilityPage, SiteFooter};

use crate::api::vouchers::{CheckCode, check_pass, check_voucher};
use crate::api::{auth::Login, supplier::supplier_session};
use crate::components::Fact;
use crate::components::{ActionError, ErrorNotice, Field, Loading, NumberAndCode, Submit, notice};
use crate::domain::pass::PassState;
use crate::model::passes::CheckedPass;
use crate::{domain::VoucherStatus, model::vouchers::CheckedVoucher};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    // The page asked for before logging in, sent back with the form; the
    // server keeps it only if it is one of ours.
    // Back from « Choisir mon mot de passe »: a notice, the login typed in.
    let (next, chosen, login_typed) = {
        let query = use_query_map().read_untracked();
        (
            query.get("suivant").filter(|p| crate::security::own_path(p).is_some()),
            query.get("nouveau").is_some(),
            query.get("identifiant").filter(|l| l.chars().count() <= 100),
        )
    };
    view! {
        <Title text="Connexion — Espace adhérent Castors" />
        <main class="page page-narrow">
            <h1>"Espace adhérent"</h1>
            {chosen.then(|| view! {
                <p class="notice notice-ok" role="status">
                    "Votre mot de passe est enregistré : connectez-vous avec lui."
                </p>
            })}
            <p class="lead">"Accédez à toutes vos infos Castors sur votre ordinateur, tablette ou smartphone."</p>
            <ActionForm action=login attr:class="form">
                <Field
                    name="number"
                    label="N° d'adhérent ou identifiant"
                    autocomplete="username"
                    autocapitalize="characters"
                    placeholder="4400xxxxB"
                    value=login_typed
                    required=true
                />
                <Field
                    name="password"
                    label="Mot de passe"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                />
                {next.map(|next| view! { <input type="hidden" name="suivant" value=next /> })}
                <Submit action=login label="SE CONNECTER" primary=true />
            </ActionForm>
            <p class="forgotten">
                <a href="/mot-de-passe-oublie">"Mot de passe oublié ?"</a>
            </p>
            <p class="first-time">
                "Première connexion avec une lettre d'activation ? " <a href="/activer">"Activer mon compte"</a>
            </p>
        </main>
    }
}

/// The public page behind a voucher's QR code: is it genuine? It shows the
/// voucher, never the secret code, and of the member only the initials.
#[component]
pub fn CheckPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let checked = Resource::new(
        move || {
            let query = query.read();
            (params.read().get("number").unwrap_or_default(), query.get("s").unwrap_or_default(), query.get("c"))
        },
        // One resource: the check, and whether a supplier is looking (the
        // code check in their own space says more).
        |(number, signature, proof)| async move {
            (check_voucher(number, signature, proof).await, supplier_session().await.unwrap_or(false))
        },
    );
    view! {
        <Title text="Vérification d'un bon Castors" />
        <main class="page page-narrow">
            <h1>"Vérification d'un bon Castors"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let (checked, supplier) = checked.await;
                    match checked {
                        Ok(v) => {
                            let (code_checked, number) = (v.code_checked, v.number.clone());
                            view! {
                                <GenuineVoucher v />
                                {notice(
                                    code_checked,
                                    "notice notice-ok code-checked",
                                    "Le code secret correspond à ce bon.",
                                )}
                                {if code_checked {
                                    view! {
                                        <a class="button" href="/verifier">
                                            "Vérifier un autre bon"
                                        </a>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <a
                                            class="button"
                                            href=if supplier {
                                                format!("/fournisseur/verifier?numero={number}")
                                            } else {
                                                format!("/verifier?numero={number}")
                                            }
                                        >
                                            "Vérifier avec le code secret"
                                        </a>
                                    }
                                        .into_any()
                                }}
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <p class="verdict verdict-bad">"Bon non authentique"</p>
                                <ErrorNotice error />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

/// A voucher number and the secret code written on a delivery slip: genuine
/// or not? The same answer for every kind of mistake, and a limited number of
/// attempts.
#[component]
pub fn CheckCodePage() -> impl IntoView {
    let check = ServerAction::<CheckCode>::new();
    let query = use_query_map();
    let number = move || query.read().get("numero").unwrap_or_default();
    view! {
        <Title text="Vérifier un bon Castors" />
        <main class="page page-narrow">
            <h1>"Vérifier un bon Castors"</h1>
            <p class="lead">
                "Saisissez le numéro du bon et le code secret notés sur le bon de livraison."
            </p>
            <ActionForm action=check attr:class="form">
                <NumberAndCode number=Signal::derive(number) pending=check.pending()>
                    <ActionError action=check />
                </NumberAndCode>
            </ActionForm>
        </main>
    }
}

/// A voucher the cooperative issued; one whose use the agency undid is
/// said so first: it will not be paid.
#[component]
fn GenuineVoucher(v: CheckedVoucher) -> impl IntoView {
    let verdict = if v.status == VoucherStatus::Cancelled {
        view! {
            <p class="verdict verdict-bad">"Bon annulé"</p>
            <p class="notice notice-error">"L'agence a annulé l'utilisation de ce bon : il ne sera pas payé."</p>
        }
        .into_any()
    } else {
        view! { <p class="verdict verdict-ok">"Bon authentique"</p> }.into_any()
    };
    view! {
        {verdict}
        <dl class="card">
            <Fact term="N° du bon" class="number">{v.number.to_string()}</Fact>
            <Fact term="Fournisseur">{v.supplier}</Fact>
            <Fact term="Valeur du bon" class="amount">{v.amount.to_string()}</Fact>
            <Fact term="Statut du bon" class="status">{v.status.label()}</Fact>
            <Fact term="Date d'utilisation">{v.used_at.map(|at| at.to_string()).unwrap_or_default()}</Fact>
            <Fact term="Adhérent">{v.member_initials}</Fact>
        </dl>
    }
}

/// The public page behind a pass's QR code: genuine or not, what it is
/// worth, until when, and whether a supplier may still take it. Never its
/// code. A supplier's staff logged in are offered to spend it.
#[component]
pub fn PassCheckPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let checked = Resource::new(
        move || (params.read().get("number").unwrap_or_default(), query.read().get("s").unwrap_or_default()),
        |(number, signature)| async move {
            (check_pass(number, signature).await, supplier_session().await.unwrap_or(false))
        },
    );
    view! {
        <Title text="Vérification d'un Pass Castors" />
        <main class="page page-narrow">
            <h1>"Vérification d'un Pass Castors"</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let (checked, supplier) = checked.await;
                    match checked {
                        Ok(p) => {
                            let spendable = p.state == PassState::Active && !p.held;
                            let number = p.number.to_string();
                            view! {
                                <GenuinePass p />
                                {(spendable && supplier)
                                    .then(|| {
                                        view! {
                                            <a class="button button-primary" href=format!("/fournisseur/pass?numero={number}")>
                                                "Encaisser ce pass"
                                            </a>
                                        }
                                    })}
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <p class="verdict verdict-bad">"Pass non authentique"</p>
                                <ErrorNotice error />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn GenuinePass(p: CheckedPass) -> impl IntoView {
    let class = if p.state == PassState::Active && !p.held { "verdict verdict-ok" } else { "verdict verdict-bad" };
    let state = if p.held && p.state == PassState::Active { "Bloqué" } else { p.state.label() };
    view! {
        <p class=class role="status">
            {p.verdict()}
        </p>
        <dl class="card checked-pass">
            <Fact term="N° du pass" class="number">{p.number.to_string()}</Fact>
            <Fact term="Valeur du pass" class="amount">{p.face_value.to_string()}</Fact>
            <Fact term="Commanditaire">{p.sponsor}</Fact>
            <Fact term="Valable jusqu'au">{p.valid_until.to_string()}</Fact>
            <Fact term="Statut du pass" class="status">{state}</Fact>
            {p.spent_at.map(|at| view! { <Fact term="Date d'encaissement">{at.to_string()}</Fact> })}
        </dl>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page introuvable" />
        <main class="page page-narrow">
            <h1>"Page introuvable"</h1>
            <p>"Cette adresse ne correspond à aucune page."</p>
            <a class="button" href="/">
                "Retour à l'espace adhérent"
            </a>
        </main>
    }
}
