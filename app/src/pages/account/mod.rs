//! Screens of one's own account, for every role.

use crate::api::auth::{ActivateAccount, ChangePassword, ChoosePassword, EndOtherSessions, ForgotPassword};
use crate::api::auth::{ChangeEmail, ConfirmEmail, account_page, check_email_link, check_password_link, my_account};
use crate::components::{Fact, Field, Loaded, Submit, done_notice};
use crate::domain::password::MIN_CHARS;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
                            <NewPasswordFields />
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

/// The new password twice, with what it must be under the first field.
#[component]
fn NewPasswordFields() -> impl IntoView {
    view! {
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
            "Au moins " {MIN_CHARS}
            " caractères, difficile à deviner : quelques mots peu courants mis bout à bout conviennent, sans symboles obligatoires."
        </p>
        <Field
            name="confirm"
            label="Nouveau mot de passe, une seconde fois"
            kind="password"
            autocomplete="new-password"
            required=true
        />
    }
}

/// « Mot de passe oublié ? »: the member number, login or email address;
/// a link goes by email. The page says the same whether or not an account
/// matched.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let ask = ServerAction::<ForgotPassword>::new();
    let query = use_query_map();
    let sent = move || query.read().get("envoye").is_some();
    view! {
        <Title text="Mot de passe oublié — Castors" />
        <main class="page page-narrow">
            <h1>"Mot de passe oublié ?"</h1>
            {move || {
                if sent() {
                    view! {
                        <p class="notice notice-ok" role="status">
                            "Si un compte correspond à ce que vous avez saisi et qu'il a une adresse e-mail, un lien vient d'y être envoyé. Il permet de choisir un nouveau mot de passe pendant une heure, une seule fois."
                        </p>
                        <p class="hint">
                            "Rien reçu ? Regardez dans les indésirables, ou demandez à votre agence Castors : elle peut vous envoyer une invitation."
                        </p>
                        <p>
                            <a href="/connexion">"Retour à la connexion"</a>
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="lead">
                            "Indiquez votre n° d'adhérent, votre identifiant ou votre adresse e-mail : nous vous envoyons un lien pour choisir un nouveau mot de passe."
                        </p>
                        <ActionForm action=ask attr:class="form">
                            <Field
                                name="identifiant"
                                label="N° d'adhérent, identifiant ou adresse e-mail"
                                autocomplete="username"
                                required=true
                            />
                            <Submit action=ask label="RECEVOIR UN LIEN" primary=true />
                        </ActionForm>
                        <p>
                            <a href="/connexion">"Retour à la connexion"</a>
                        </p>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

/// The page behind a password link: the new password twice, or why the
/// link no longer works.
#[component]
pub fn ChoosePasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, check_password_link);
    let choose = ServerAction::<ChoosePassword>::new();
    view! {
        <Title text="Choisir mon mot de passe — Castors" />
        <main class="page page-narrow">
            <h1>"Choisir mon mot de passe"</h1>
            <Loaded
                resource=link
                ok=move |link| match (link.refusal, link.login) {
                    (None, Some(login)) => {
                        view! {
                            <p class="lead">
                                {if link.invitation {
                                    "Bienvenue ! Choisissez le mot de passe de votre compte Castors."
                                } else {
                                    "Choisissez un nouveau mot de passe : vos appareils connectés seront déconnectés."
                                }}
                            </p>
                            <p>"Identifiant : " <strong class="link-login">{login.clone()}</strong></p>
                            <ActionForm action=choose attr:class="form">
                                <input type="hidden" name="token" value=token() />
                                // For password managers: the account the new password belongs to.
                                <input type="hidden" name="username" autocomplete="username" value=login />
                                <NewPasswordFields />
                                <Submit action=choose label="ENREGISTRER" primary=true />
                            </ActionForm>
                        }
                            .into_any()
                    }
                    (refusal, _) => {
                        view! {
                            <RefusedLink refusal next=("/mot-de-passe-oublie", "Demander un nouveau lien") />
                        }
                            .into_any()
                    }
                }
            />
        </main>
    }
}

/// `/activer`: the login and the code of an activation letter handed over
/// by the agency; on to choosing one's password.
#[component]
pub fn ActivationPage() -> impl IntoView {
    let activate = ServerAction::<ActivateAccount>::new();
    view! {
        <Title text="Activer mon compte — Castors" />
        <main class="page page-narrow">
            <h1>"Activer mon compte"</h1>
            <p class="lead">
                "Saisissez l'identifiant et le code d'activation de la lettre remise par votre agence Castors, puis choisissez votre mot de passe."
            </p>
            <ActionForm action=activate attr:class="form">
                <Field
                    name="identifiant"
                    label="N° d'adhérent ou identifiant"
                    autocomplete="username"
                    autocapitalize="characters"
                    required=true
                />
                <Field
                    name="code"
                    label="Code d'activation"
                    autocomplete="one-time-code"
                    autocapitalize="none"
                    placeholder="xxxx-xxxx-xxxx"
                    required=true
                />
                <Submit action=activate label="CONTINUER" primary=true />
            </ActionForm>
            <p>
                <a href="/connexion">"Retour à la connexion"</a>
            </p>
        </main>
    }
}

/// « Mon compte », for every role: the login and its address, the link to
/// change the password, the sessions open on other devices and the button
/// that ends them.
#[component]
pub fn AccountPage() -> impl IntoView {
    let end = ServerAction::<EndOtherSessions>::new();
    let page = Resource::new(move || end.version().get(), |_| account_page());
    let query = use_query_map();
    let ended = move || query.read().get("deconnectes").and_then(|n| n.parse::<u64>().ok());
    let link_sent = move || query.read().get("lien");
    let change_email = ServerAction::<ChangeEmail>::new();
    view! {
        <Title text="Mon compte — Castors" />
        <main class="page page-narrow">
            <h1>"Mon compte"</h1>
            {move || link_sent().map(|to| view! {
                <p class="notice notice-ok" role="status">
                    {format!(
                        "Un lien de confirmation vient d'être envoyé à « {to} » : ouvrez-le dans les 24 heures pour que cette adresse devienne celle du compte. D'ici là, rien ne change.",
                    )}
                </p>
            })}
            {move || ended().map(|n| view! {
                <p class="notice notice-ok" role="status">
                    {match n {
                        0 => "Aucun autre appareil n'était connecté.".to_owned(),
                        1 => "1 autre appareil a été déconnecté.".to_owned(),
                        n => format!("{n} autres appareils ont été déconnectés."),
                    }}
                </p>
            })}
            <Loaded
                resource=page
                ok=move |a| {
                    let others = a.sessions.iter().filter(|s| !s.this_device).count();
                    view! {
                        <dl class="card">
                            <Fact term="Identifiant" class="account-login">{a.login.clone()}</Fact>
                            <Fact term="Adresse e-mail">
                                {a.email.clone().unwrap_or_else(|| "aucune : demandez à votre agence de l'enregistrer".into())}
                            </Fact>
                        </dl>
                        <p>
                            <a class="button" href="/mot-de-passe">"Changer mon mot de passe"</a>
                        </p>
                        <h2>"Changer d'adresse e-mail"</h2>
                        <ActionForm action=change_email attr:class="form change-email">
                            <Field name="email" label="Nouvelle adresse e-mail" kind="email" autocomplete="email" required=true />
                            <Field
                                name="current"
                                label="Mot de passe actuel"
                                kind="password"
                                autocomplete="current-password"
                                required=true
                            />
                            <Submit action=change_email label="Recevoir un lien de confirmation" />
                        </ActionForm>
                        <p class="hint">
                            "L'adresse change une fois le lien envoyé à la nouvelle adresse ouvert ; l'ancienne adresse est prévenue."
                        </p>
                        <h2>"Appareils connectés"</h2>
                        <ul class="sessions">
                            {a
                                .sessions
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <li class="session" class:this-device=s.this_device>
                                            <strong>{s.device}</strong>
                                            {s.this_device.then_some(" (cet appareil)")}
                                            <br />
                                            {format!(
                                                "Connecté le {} depuis l'adresse {} — dernière activité le {}",
                                                s.opened, s.address, s.last_seen,
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {(others > 0).then(|| view! {
                            <ActionForm action=end attr:class="form">
                                <Submit action=end label="Déconnecter les autres appareils" />
                            </ActionForm>
                        })}
                        <p>
                            <a href=a.role.home()>"Retour à mon espace"</a>
                        </p>
                    }
                }
            />
        </main>
    }
}

/// The page behind a link confirming a new email address: the address and
/// « CONFIRMER CETTE ADRESSE » (a button, so that a mail scanner opening the
/// link changes nothing), then that it is done; or why the link no longer
/// works.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let link = Resource::new(move || (token(), confirm.version().get()), |(token, _)| check_email_link(token));
    view! {
        <Title text="Confirmer mon adresse e-mail — Castors" />
        <main class="page page-narrow">
            <h1>"Confirmer mon adresse e-mail"</h1>
            <Loaded
                resource=link
                ok=move |link| match (link.refusal, link.email) {
                    (None, Some(email)) if link.confirmed => {
                        view! {
                            <p class="notice notice-ok email-confirmed" role="status">
                                {format!(
                                    "C'est fait : les messages du compte « {} » arrivent désormais à « {email} ».",
                                    link.login.unwrap_or_default(),
                                )}
                            </p>
                            <p>
                                <a href="/connexion">"Aller à la connexion"</a>
                            </p>
                        }
                            .into_any()
                    }
                    (None, Some(email)) => {
                        view! {
                            <p class="lead">
                                {format!(
                                    "Les messages du compte « {} » arriveront désormais à « {email} ».",
                                    link.login.unwrap_or_default(),
                                )}
                            </p>
                            <ActionForm action=confirm attr:class="form">
                                <input type="hidden" name="token" value=token() />
                                <Submit action=confirm label="CONFIRMER CETTE ADRESSE" primary=true />
                            </ActionForm>
                        }
                            .into_any()
                    }
                    (refusal, _) => {
                        view! { <RefusedLink refusal next=("/mon-compte", "Retour à mon compte") /> }.into_any()
                    }
                }
            />
        </main>
    }
}

/// An emailed link that no longer works: why, and where to go instead.
#[component]
fn RefusedLink(refusal: Option<String>, next: (&'static str, &'static str)) -> impl IntoView {
    view! {
        <p class="notice notice-error link-refused" role="alert">
            {refusal.unwrap_or_default()}
        </p>
        <p>
            <a class="button" href=next.0>
                {next.1}
            </a>
        </p>
    }
}
