//! `/agence/parametres`: the agency's own rules for its vouchers. An
//! administrator picks the agency, and may open a new one.

use super::desk::AgencyPicker;
use crate::api::agency::{CreateAgency, SaveAgencySettings, agency_settings};
use crate::components::{Field, Loaded, Shell, Space, Submit, done_notice};
use crate::domain::agency::{MAX_VALIDITY_DAYS, MAX_VOUCHER_CEILING};
use crate::model::agency::AgencySettingsView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AgencySettingsPage() -> impl IntoView {
    let query = use_query_map();
    let save = ServerAction::<SaveAgencySettings>::new();
    let create = ServerAction::<CreateAgency>::new();
    let page = Resource::new(
        move || (query.read().get("agence"), save.version().get()),
        |(agency, _)| agency_settings(agency),
    );
    let saved = move || query.read().get("enregistre").is_some();
    view! {
        <Shell space=Space::Agency title="Paramètres de l'agence — Agence Castors" heading="Paramètres de l'agence">
            <Loaded
                resource=page
                ok=move |p| {
                    let is_admin = p.desk.is_admin;
                    view! {
                        <AgencyPicker desk=p.desk action="/agence/parametres" />
                        {done_notice(saved(), "Paramètres enregistrés.")}
                        {match p.agency {
                            Some(a) => view! { <SettingsForm a save /> }.into_any(),
                            None => {
                                view! { <p class="hint">"Choisissez l'agence à paramétrer."</p> }.into_any()
                            }
                        }}
                        {is_admin.then(|| view! { <NewAgency create /> })}
                    }
                }
            />
        </Shell>
    }
}

/// The fields shared by the settings form and the new agency's form.
#[component]
fn SettingsFields(#[prop(optional)] a: Option<AgencySettingsView>, prefix: &'static str) -> impl IntoView {
    let id = move |name: &str| format!("{prefix}{name}");
    let code = a.as_ref().map(|a| a.code.clone()).unwrap_or_default();
    let centre = a.as_ref().map(|a| a.centre_code.clone()).unwrap_or_default();
    let validity = a.as_ref().map(|a| a.validity_days.to_string()).unwrap_or_else(|| "30".into());
    let max = a.as_ref().map(|a| (a.max_voucher.cents() / 100).to_string()).unwrap_or_else(|| "3000".into());
    let length = a.as_ref().map(|a| a.code_length.to_string()).unwrap_or_else(|| "4".into());
    view! {
        <Field
            name="code"
            id=id("code")
            label="Code agence (2 caractères)"
            maxlength="2"
            autocapitalize="characters"
            value=code
            required=true
        />
        <Field
            name="centre_code"
            id=id("centre_code")
            label="Code centre (3 chiffres)"
            inputmode="numeric"
            maxlength="3"
            value=centre
            required=true
        />
        <p class="hint">
            "Ils forment le numéro des bons : W2026." <strong>"NA"</strong> "." <strong>"442"</strong> ".00000123."
        </p>
        <Field
            name="validity_days"
            id=id("validity_days")
            label="Durée de validité d'un bon (jours)"
            kind="number"
            min="1"
            max=MAX_VALIDITY_DAYS.to_string()
            value=validity
            required=true
        />
        <Field
            name="max_voucher"
            id=id("max_voucher")
            label="Montant maximum d'un bon (euros)"
            kind="number"
            min="1"
            max=(MAX_VOUCHER_CEILING.cents() / 100).to_string()
            value=max
            required=true
        />
        <Field
            name="code_length"
            id=id("code_length")
            label="Longueur du code secret (4 à 8 chiffres)"
            kind="number"
            min="4"
            max="8"
            value=length
            required=true
        />
    }
}

#[component]
fn SettingsForm(a: AgencySettingsView, save: ServerAction<SaveAgencySettings>) -> impl IntoView {
    let code = a.code.clone();
    view! {
        <section class="settings">
            <h2>{a.name.clone()} " (" {a.code.clone()} ")"</h2>
            <ActionForm action=save attr:class="form form-narrow">
                <input type="hidden" name="agency" value=code />
                <SettingsFields a=a prefix="" />
                <div class="notice notice-warn">
                    <p>
                        "Un nouveau code agence ou centre s'applique aux bons utilisés à partir de maintenant : les bons déjà utilisés gardent leur numéro, et la numérotation continue sans trou."
                    </p>
                    <p>
                        "La durée de validité et le montant maximum s'appliquent aux prochaines demandes ; la longueur du code secret, aux prochaines utilisations."
                    </p>
                </div>
                <Submit action=save label="Enregistrer" primary=true />
            </ActionForm>
        </section>
    }
}

#[component]
fn NewAgency(create: ServerAction<CreateAgency>) -> impl IntoView {
    view! {
        <details class="new-agency">
            <summary>"Créer une agence"</summary>
            <ActionForm action=create attr:class="form form-narrow">
                <Field name="name" id="new_name" label="Nom de l'agence" required=true />
                <SettingsFields prefix="new_" />
                <Submit action=create label="Créer l'agence" primary=true />
            </ActionForm>
        </details>
    }
}
