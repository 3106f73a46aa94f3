//! `/agence/equipe`: the back office's own accounts, how each person got
//! in (invitation, letter), and for an administrator the form opening a
//! new one and the switch closing one when someone leaves.

use super::access::AccessForms;
use super::desk::{AgencyField, AgencyPicker};
use crate::api::agency::{CreateStaffAccount, SendInvitation, SetStaffAccountActive, agency_team};
use crate::components::{ActionError, Field, Loaded, Section, Shell, Space, Submit, Table, or_empty};
use crate::model::agency::{TeamList, TeamMember};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TeamPage() -> impl IntoView {
    let query = use_query_map();
    let create = ServerAction::<CreateStaffAccount>::new();
    let activation = ServerAction::<SetStaffAccountActive>::new();
    let send = ServerAction::<SendInvitation>::new();
    let page = Resource::new(
        move || (query.read().get("agence"), create.version().get(), activation.version().get(), send.version().get()),
        |(agency, ..)| agency_team(agency),
    );
    let created = move || query.read().get("cree");
    view! {
        <Shell space=Space::Agency title="Équipe — Agence Castors" heading="Équipe">
            <p class="hint">
                "Les comptes du back office : chacun choisit son mot de passe depuis l'invitation reçue par e-mail ; aucun mot de passe n'est jamais affiché."
            </p>
            {move || created().map(|login| view! {
                <p class="notice notice-ok" role="status">
                    {format!("Le compte « {login} » est créé : une invitation à choisir son mot de passe lui a été envoyée.")}
                </p>
            })}
            <Loaded
                resource=page
                ok=move |list| view! { <Team list create activation send /> }
            />
        </Shell>
    }
}

#[component]
fn Team(
    list: TeamList,
    create: ServerAction<CreateStaffAccount>,
    activation: ServerAction<SetStaffAccountActive>,
    send: ServerAction<SendInvitation>,
) -> impl IntoView {
    let admin = list.desk.is_admin;
    let desk = list.desk.clone();
    view! {
        <AgencyPicker desk=list.desk action="/agence/equipe" all=true />
        <ActionError action=activation />
        {or_empty(
            list.rows.is_empty(),
            "Aucun compte.",
            move || view! { <TeamTable rows=list.rows admin activation send /> },
        )}
        {admin
            .then(|| {
                view! {
                    <Section title="Nouveau compte" hint="La personne reçoit une invitation valable 7 jours pour choisir son mot de passe.">
                        <ActionForm action=create attr:class="form form-narrow">
                            <Field
                                name="login"
                                label="Identifiant"
                                autocomplete="off"
                                autocapitalize="none"
                                placeholder="agence.nantes2"
                                required=true
                            />
                            <Field name="email" label="Adresse e-mail" kind="email" autocomplete="off" required=true />
                            <label for="role">"Rôle"</label>
                            <select id="role" name="role" required>
                                <option value="agence">"Agence (une agence)"</option>
                                <option value="administrateur">"Administrateur (toutes les agences)"</option>
                            </select>
                            <AgencyField desk=desk />
                            <Submit action=create label="Créer le compte et envoyer l'invitation" primary=true />
                        </ActionForm>
                    </Section>
                }
            })}
    }
}

#[component]
fn TeamTable(
    rows: Vec<TeamMember>,
    admin: bool,
    activation: ServerAction<SetStaffAccountActive>,
    send: ServerAction<SendInvitation>,
) -> impl IntoView {
    let columns = vec!["Identifiant", "Rôle", "Agence", "Créé le", "Statut", "Accès"];
    view! {
        <Table class="table team" columns action="Action">
            {rows
                .into_iter()
                .map(|m| {
                    view! {
                        <tr class="team-row">
                            <td class="login">{m.login.clone()}</td>
                            <td>{m.role}</td>
                            <td>{m.agency.unwrap_or_else(|| "toutes".into())}</td>
                            <td>{m.created_on.to_string()}</td>
                            <td>{if m.active { "actif" } else { "désactivé" }}</td>
                            <td class="access">
                                <AccessForms access=m.access back="/agence/equipe".into() send />
                            </td>
                            <td>
                                {admin
                                    .then(|| {
                                        view! {
                                            <ActionForm action=activation>
                                                <input type="hidden" name="login" value=m.login />
                                                <input type="hidden" name="active" value=if m.active { "0" } else { "1" } />
                                                <button type="submit" class="button button-small">
                                                    {if m.active { "Désactiver" } else { "Réactiver" }}
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}
