//! Partner suppliers: the list, a new supplier, one supplier's page
//! (identity, contact, bank details, activation, logins).

use super::access::AccessForms;
use super::desk::{AgencyField, AgencyPicker, DeskSearch, History};
use crate::api::agency::{CreateSupplier, CreateSupplierLogin, SetSupplierActive, SetSupplierLoginActive};
use crate::api::agency::{SendInvitation, UpdateSupplier, agency_desk, agency_supplier, agency_suppliers};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{
    ActionError, DetailPage, Field, Refreshing, Section, Shell, Space, Submit, Table, notice, or_empty,
};
use crate::domain::{Iban, Siret};
use crate::model::agency::{SupplierDetail, SupplierFile};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SuppliersPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let agency = move || query.read().get("agence");
    let page = Resource::new(move || (search.get(), agency()), |(q, agency)| agency_suppliers(Some(q), agency));
    view! {
        <Shell space=Space::Agency title="Fournisseurs — Agence Castors" heading="Fournisseurs">
            <p class="actions">
                <a class="button button-primary" href="/agence/fournisseurs/nouveau">
                    "Nouveau fournisseur"
                </a>
            </p>
            <DeskSearch
                action="/agence/fournisseurs"
                class="search"
                label="Nom, SIRET ou contact :"
                placeholder="nom du fournisseur"
                search
                agency=Signal::derive(agency)
            />
            <Refreshing
                resource=page
                ok=move |list| {
                    let show_agency = list.desk.is_admin && list.desk.chosen.is_none();
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/fournisseurs" all=true />
                        {or_empty(
                            list.rows.is_empty(),
                            if search.with_untracked(String::is_empty) { "Aucun fournisseur." } else { "Aucun fournisseur ne correspond." },
                            || view! { <SupplierTable rows=list.rows show_agency /> },
                        )}
                    }
                }
            />
        </Shell>
    }
}

#[component]
fn SupplierTable(rows: Vec<SupplierFile>, show_agency: bool) -> impl IntoView {
    let mut columns = vec!["Fournisseur", "SIRET", "Contact", "Téléphone", "Identifiants", "Statut"];
    if show_agency {
        columns.push("Agence");
    }
    view! {
        <Table class="table suppliers" columns>
            {rows
                .into_iter()
                .map(|s| {
                    let contact = [s.contact_name, s.email].into_iter().flatten().collect::<Vec<_>>().join(" — ");
                    view! {
                        <tr class=if s.active { "supplier-row" } else { "supplier-row inactive" }>
                            <td>
                                <a href=format!("/agence/fournisseurs/{}", s.id)>{s.name}</a>
                            </td>
                            <td class="siret">{s.siret.as_deref().map(Siret::shown).unwrap_or_default()}</td>
                            <td>{contact}</td>
                            <td>{s.phone.unwrap_or_default()}</td>
                            <td>{s.logins}</td>
                            <td>{if s.active { "actif" } else { "inactif" }}</td>
                            {show_agency.then(|| view! { <td>{s.agency_code}</td> })}
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

/// What staff type about a supplier; filled from its page when editing.
#[component]
fn SupplierFields(#[prop(optional)] s: Option<SupplierFile>) -> impl IntoView {
    let value = |f: fn(&SupplierFile) -> Option<String>| s.as_ref().and_then(f).unwrap_or_default();
    let name = s.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let siret = value(|s| s.siret.as_deref().map(Siret::shown));
    let contact = value(|s| s.contact_name.clone());
    let email = value(|s| s.email.clone());
    let phone = value(|s| s.phone.clone());
    let address = value(|s| s.address.clone());
    let iban = value(|s| s.iban.as_deref().map(Iban::shown));
    let bic = value(|s| s.bic.clone());
    view! {
        <Field name="name" label="Nom" value=name required=true />
        <Field
            name="siret"
            label="SIRET"
            inputmode="numeric"
            placeholder="442 908 123 00015"
            value=siret
            required=true
        />
        <fieldset>
            <legend>"Contact"</legend>
            <Field name="contact_name" label="Nom du contact" value=contact />
            <Field name="email" label="Email" kind="email" value=email />
            <Field name="phone" label="Téléphone" kind="tel" value=phone />
            <label for="address">"Adresse"</label>
            <textarea id="address" name="address" rows="3">{address}</textarea>
        </fieldset>
        <fieldset>
            <legend>"Coordonnées bancaires"</legend>
            <Field
                name="iban"
                label="IBAN"
                autocapitalize="characters"
                placeholder="FR76 3000 4000 0312 3456 7890 143"
                value=iban
            />
            <Field name="bic" label="BIC" autocapitalize="characters" placeholder="BNPAFRPP" value=bic />
        </fieldset>
    }
}

#[component]
pub fn NewSupplierPage() -> impl IntoView {
    let query = use_query_map();
    let desk = Resource::new(move || query.read().get("agence"), agency_desk);
    let create = ServerAction::<CreateSupplier>::new();
    view! {
        <DetailPage space=Space::Agency title="Nouveau fournisseur" headed=true back="/agence/fournisseurs"
            resource=desk
            ok=move |d| {
                view! {
                    <ActionForm action=create attr:class="form form-narrow">
                        <AgencyField desk=d.desk />
                        <SupplierFields />
                        <Submit action=create label="Créer le fournisseur" primary=true />
                    </ActionForm>
                }
            }
        />
    }
}

#[component]
pub fn SupplierPage() -> impl IntoView {
    let query = use_query_map();
    let update = ServerAction::<UpdateSupplier>::new();
    let activation = ServerAction::<SetSupplierActive>::new();
    let new_login = ServerAction::<CreateSupplierLogin>::new();
    let login_activation = ServerAction::<SetSupplierLoginActive>::new();
    let send = ServerAction::<SendInvitation>::new();
    let page = id_resource(
        move || {
            update.version().get()
                + activation.version().get()
                + login_activation.version().get()
                + new_login.version().get()
                + send.version().get()
        },
        |id, _| agency_supplier(id),
    );
    let notice_text = move || {
        let q = query.read();
        match (q.get("identifiant").as_deref(), q.get("invitation")) {
            (Some("invitation"), _) => Some("Identifiant créé. Une invitation à choisir son mot de passe a été envoyée à l'adresse e-mail du fournisseur.".to_owned()),
            (Some("lettre"), _) => Some("Identifiant créé. Le fournisseur n'a pas d'adresse e-mail : imprimez la lettre d'activation de cet identifiant ci-dessous.".to_owned()),
            (_, Some(login)) => Some(format!("Invitation de {login} envoyée : elle remplace la précédente.")),
            _ => None,
        }
    };
    view! {
        <DetailPage space=Space::Agency title="Fournisseur" back="/agence/fournisseurs"
            resource=page
            ok=move |s| view! {
                {notice_text().map(|text| view! { <p class="notice notice-ok" role="status">{text}</p> })}
                <SupplierView s update activation new_login login_activation send />
            }
        />
    }
}

#[component]
fn SupplierView(
    s: SupplierDetail,
    update: ServerAction<UpdateSupplier>,
    activation: ServerAction<SetSupplierActive>,
    new_login: ServerAction<CreateSupplierLogin>,
    login_activation: ServerAction<SetSupplierLoginActive>,
    send: ServerAction<SendInvitation>,
) -> impl IntoView {
    let back = format!("/agence/fournisseurs/{}", s.file.id);
    let (id_edit, id_active, id_login) = (s.file.id.to_string(), s.file.id.to_string(), s.file.id.to_string());
    let fields = s.file.clone();
    let logins = s.logins.clone();
    let history = s.history.clone();
    view! {
        <h1>{s.file.name.clone()}</h1>
        {notice(
            !s.file.active,
            "notice notice-warn supplier-inactive",
            "Fournisseur inactif : il n'est proposé à aucun adhérent et ses identifiants ne donnent plus accès à l'espace fournisseur.",
        )}
        <dl class="card">
            <Fact term="Agence">{format!("{} ({})", s.file.agency_name, s.file.agency_code)}</Fact>
            <Fact term="SIRET" class="siret">{s.file.siret.as_deref().map(Siret::shown).unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="Contact">{s.file.contact_name.clone().unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="Email">{s.file.email.clone().unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="Téléphone">{s.file.phone.clone().unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="Adresse" class="address">{s.file.address.clone().unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="IBAN" class="iban">{s.file.iban.as_deref().map(Iban::shown).unwrap_or_else(|| "—".into())}</Fact>
            <Fact term="BIC">{s.file.bic.clone().unwrap_or_else(|| "—".into())}</Fact>
        </dl>

        <Section title="Modifier">
            <ActionForm action=update attr:class="form form-narrow">
                <input type="hidden" name="id" value=id_edit />
                <SupplierFields s=fields />
                <Submit action=update label="Enregistrer" primary=true />
            </ActionForm>
            <ActionForm action=activation>
                <input type="hidden" name="id" value=id_active />
                <input type="hidden" name="active" value=if s.file.active { "0" } else { "1" } />
                <ActionError action=activation />
                <button type="submit" class="button">
                    {if s.file.active { "Désactiver le fournisseur" } else { "Réactiver le fournisseur" }}
                </button>
            </ActionForm>
        </Section>

        <Section
            title="Identifiants de connexion"
            hint="Une connexion par personne (comptoir, comptabilité…) : chacune a son identifiant."
        >
            <ActionError action=login_activation />
            {or_empty(
                logins.is_empty(),
                "Aucun identifiant.",
                || view! {
                    <Table class="table logins" columns=vec!["Identifiant", "Créé le", "Statut", "Accès"] action="Action">
                        {logins
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <tr class="login-row">
                                        <td class="login">{l.login.clone()}</td>
                                        <td>{l.created_on.to_string()}</td>
                                        <td>{if l.active { "actif" } else { "désactivé" }}</td>
                                        <td class="access">
                                            <AccessForms access=l.access.clone() back=back.clone() send />
                                        </td>
                                        <td>
                                            <ActionForm action=login_activation>
                                                <input type="hidden" name="login" value=l.login />
                                                <input
                                                    type="hidden"
                                                    name="active"
                                                    value=if l.active { "0" } else { "1" }
                                                />
                                                <button type="submit" class="button button-small">
                                                    {if l.active { "Désactiver" } else { "Réactiver" }}
                                                </button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                }
            )}
            <ActionForm action=new_login attr:class="form form-narrow">
                <input type="hidden" name="id" value=id_login />
                <Field
                    name="login"
                    label="Nouvel identifiant"
                    autocomplete="off"
                    autocapitalize="none"
                    placeholder="ouest.comptoir"
                    required=true
                />
                <Submit action=new_login label="Créer l'identifiant" />
            </ActionForm>
        </Section>
        <History events=history />
    }
}
