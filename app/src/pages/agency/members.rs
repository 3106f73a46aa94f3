//! Members: the list with its search, a new member, one member's page
//! (edit, deactivate, new password, vouchers), the import from CSV.

use super::access::AccessForms;
use super::desk::{AgencyField, AgencyPicker, DeskSearch, History, VoucherTable, truncated};
use crate::api::agency::{CreateMember, SendInvitation, SetMemberActive, UpdateMember, agency_desk, agency_member};
use crate::api::agency::{agency_members, member_imports};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{
    ActionError, DetailPage, ErrorNotice, Field, Refreshing, Section, Shell, Space, Submit, Table,
};
use crate::components::{notice, or_empty};
use crate::domain::{Day, member::fee_paid_up, member_file::ImportOutcome};
use crate::error::AppError;
use crate::model::agency::{IMPORT_TEMPLATE_PATH, IMPORT_UPLOAD_PATH, ImportReport, ImportSummary, MemberDetail};
use crate::model::agency::{MemberFile, UploadProblem};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The agency's members, searched by number or name: as you type with the
/// WASM, on submit without it.
#[component]
pub fn MembersPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let agency = move || query.read().get("agence");
    let page = Resource::new(move || (search.get(), agency()), |(q, agency)| agency_members(Some(q), agency));
    view! {
        <Shell space=Space::Agency title="Adhérents — Agence Castors" heading="Adhérents">
            <p class="actions">
                <a class="button button-primary" href="/agence/adherents/nouveau">
                    "Nouvel adhérent"
                </a>
                <a class="button" href="/agence/adherents/import">
                    "Importer un fichier CSV"
                </a>
            </p>
            <DeskSearch
                action="/agence/adherents"
                class="search"
                label="N° d'adhérent ou nom :"
                placeholder="4400xxxxB ou nom"
                search
                agency=Signal::derive(agency)
            />
            <Refreshing
                resource=page
                ok=|list| {
                    let admin_view = list.desk.is_admin && list.desk.chosen.is_none();
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/adherents" all=true />
                        {or_empty(
                            list.rows.is_empty(),
                            "Aucun adhérent ne correspond.",
                            || view! { <MemberTable rows=list.rows today=list.today show_agency=admin_view /> },
                        )}
                        {truncated(list.truncated, "premiers")}
                    }
                }
            />
        </Shell>
    }
}

#[component]
fn MemberTable(rows: Vec<MemberFile>, today: Day, show_agency: bool) -> impl IntoView {
    let mut columns = vec!["N° d'adhérent", "Nom", "Email", "Cotisation à jour jusqu'au", "Compte"];
    if show_agency {
        columns.push("Agence");
    }
    view! {
        <Table class="table members" columns>
            {rows
                .into_iter()
                .map(|m| {
                    let paid_up = fee_paid_up(m.fee_paid_until, today);
                    let fee_class = if paid_up { "fee fee-ok" } else { "fee fee-late" };
                    view! {
                        <tr class="member-row">
                            <td class="member-number">
                                <a href=format!("/agence/adherents/{}", m.number)>{m.number.clone()}</a>
                            </td>
                            <td class="member-name">{m.name}</td>
                            <td>{m.email.unwrap_or_default()}</td>
                            <td class=fee_class>
                                {m.fee_paid_until.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}
                                {(!paid_up).then_some(" (pas à jour)")}
                            </td>
                            <td>{if m.active { "actif" } else { "désactivé" }}</td>
                            {show_agency.then(|| view! { <td>{m.agency_code}</td> })}
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

/// The member's fields, empty for a new member or filled from their page.
#[component]
fn MemberFields(
    #[prop(optional, into)] name: String,
    #[prop(optional, into)] email: String,
    #[prop(optional, into)] fee_paid_until: String,
) -> impl IntoView {
    view! {
        <Field name="name" label="Nom" autocomplete="off" value=name required=true />
        <Field name="email" label="Email" kind="email" autocomplete="off" value=email />
        <Field name="fee_paid_until" label="Cotisation à jour jusqu'au" kind="date" value=fee_paid_until />
        <p class="hint">"Laissez la date vide si la cotisation n'est pas payée : l'adhérent ne pourra pas demander de bon."</p>
    }
}

#[component]
pub fn NewMemberPage() -> impl IntoView {
    let query = use_query_map();
    let desk = Resource::new(move || query.read().get("agence"), agency_desk);
    let create = ServerAction::<CreateMember>::new();
    view! {
        <DetailPage space=Space::Agency title="Nouvel adhérent" headed=true back="/agence/adherents"
            resource=desk
            ok=move |d| {
                view! {
                    <ActionForm action=create attr:class="form form-narrow">
                        <AgencyField desk=d.desk />
                        <Field
                            name="number"
                            label="N° d'adhérent"
                            autocomplete="off"
                            autocapitalize="characters"
                            placeholder="4400xxxxB"
                            required=true
                        />
                        <MemberFields />
                        <p class="hint">
                            "L'adhérent se connectera avec son n° d'adhérent ; un mot de passe provisoire vous sera affiché une fois, à lui communiquer."
                        </p>
                        <Submit action=create label="Créer l'adhérent" primary=true />
                    </ActionForm>
                }
            }
        />
    }
}

#[component]
pub fn MemberPage() -> impl IntoView {
    let query = use_query_map();
    let update = ServerAction::<UpdateMember>::new();
    let activation = ServerAction::<SetMemberActive>::new();
    let send = ServerAction::<SendInvitation>::new();
    // The actions' versions reload the page after a change made with the
    // WASM (their redirect lands on this same address).
    let page = id_resource(
        move || update.version().get() + activation.version().get() + send.version().get(),
        |id, _| agency_member(id),
    );
    let notice_text = move || {
        let q = query.read();
        match (q.get("cree").as_deref(), q.get("invitation")) {
            (Some("invitation"), _) => {
                Some("Adhérent créé. Une invitation à choisir son mot de passe lui a été envoyée par e-mail.")
            }
            (Some("lettre"), _) => Some(
                "Adhérent créé. Sans adresse e-mail, imprimez sa lettre d'activation ci-dessous et remettez-la lui.",
            ),
            (_, Some(_)) => Some("Invitation envoyée : elle remplace la précédente."),
            _ => None,
        }
    };
    view! {
        <DetailPage space=Space::Agency title="Adhérent" back="/agence/adherents"
            resource=page
            ok=move |m| view! {
                {notice_text().map(|text| view! { <p class="notice notice-ok" role="status">{text}</p> })}
                <MemberView m update activation send />
            }
        />
    }
}

#[component]
fn MemberView(
    m: MemberDetail,
    update: ServerAction<UpdateMember>,
    activation: ServerAction<SetMemberActive>,
    send: ServerAction<SendInvitation>,
) -> impl IntoView {
    let f = m.file;
    let (number_edit, number_active) = (f.number.clone(), f.number.clone());
    let back = format!("/agence/adherents/{}", f.number);
    let fee = match (&f.fee_paid_until, m.fee_paid_up) {
        (Some(day), true) => format!("à jour jusqu'au {day}"),
        (Some(day), false) => format!("pas à jour (jusqu'au {day})"),
        (None, _) => "pas à jour".to_owned(),
    };
    let (shown_name, shown_email) = (f.name.clone(), f.email.clone().unwrap_or_else(|| "—".into()));
    view! {
        <h1>{f.name.clone()} " — " <span class="member-number">{f.number.clone()}</span></h1>
        {notice(
            !f.active,
            "notice notice-warn member-inactive",
            "Adhérent désactivé : il ne peut ni se connecter ni demander de bon.",
        )}
        <dl class="card">
            <Fact term="N° d'adhérent">{f.number.clone()}</Fact>
            <Fact term="Nom">{shown_name}</Fact>
            <Fact term="Email">{shown_email}</Fact>
            <Fact term="Cotisation" class="fee">{fee}</Fact>
            <Fact term="Agence">{format!("{} ({})", f.agency_name, f.agency_code)}</Fact>
            <Fact term="Adhérent depuis le">{f.created_at.day().to_string()}</Fact>
        </dl>

        <Section title="Modifier">
            <ActionForm action=update attr:class="form form-narrow">
                <input type="hidden" name="number" value=number_edit />
                <MemberFields
                    name=f.name
                    email=f.email.unwrap_or_default()
                    fee_paid_until=f.fee_paid_until.map(|d| d.iso()).unwrap_or_default()
                />
                <Submit action=update label="Enregistrer" primary=true />
            </ActionForm>
        </Section>

        <Section
            title="Connexion"
            hint="L'adhérent choisit lui-même son mot de passe, depuis l'invitation reçue par e-mail ou avec le code de sa lettre d'activation ; personne d'autre ne le connaît. Désactivez l'adhérent pour fermer ses connexions."
        >
            {m.access.map(|access| view! { <AccessForms access back send /> })}
            <ActionForm action=activation>
                <input type="hidden" name="number" value=number_active />
                <input type="hidden" name="active" value=if f.active { "0" } else { "1" } />
                <ActionError action=activation />
                <button type="submit" class="button">
                    {if f.active { "Désactiver l'adhérent" } else { "Réactiver l'adhérent" }}
                </button>
            </ActionForm>
        </Section>

        <Section title="Ses bons">
            {or_empty(m.vouchers.is_empty(), "Aucun bon demandé.", || view! { <VoucherTable rows=m.vouchers /> })}
        </Section>
        <History events=m.history />
    }
}

/// Import members from a CSV file; the report of the file just sent, and
/// of the latest ones, stays readable here.
#[component]
pub fn MemberImportPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (q.get("rapport"), q.get("agence"))
        },
        |(report, agency)| member_imports(report, agency),
    );
    let problem = move || query.read().get("refus").and_then(|code| UploadProblem::from_code(&code));
    view! {
        <DetailPage space=Space::Agency title="Importer des adhérents" headed=true back="/agence/adherents"
            resource=page
            ok=move |p| {
                view! {
                    {p.report.map(|report| view! { <Report report /> })}
                    <Section title="Envoyer un fichier">
                        <p>
                            "Un fichier CSV (séparateur « ; » ou « , », encodé en UTF-8), dont la première ligne est : "
                            <code>"N° d'adhérent;Nom;Email;Cotisation à jour jusqu'au"</code> ". "
                            <a href=IMPORT_TEMPLATE_PATH download="modele-adherents.csv">
                                "Télécharger le modèle"
                            </a>
                        </p>
                        <ul class="hint">
                            <li>
                                "Chaque ligne crée l'adhérent, ou met à jour celui qui a ce numéro ; les lignes refusées sont listées avec la raison."
                            </li>
                            <li>
                                "Une cellule Email ou Cotisation vide laisse la valeur enregistrée inchangée. Dates : 31/12/2026 ou 2026-12-31."
                            </li>
                            <li>
                                "Envoyer deux fois le même fichier ne change rien la seconde fois."
                            </li>
                            <li>
                                "Les adhérents créés reçoivent leur identifiant ; générez leur mot de passe provisoire depuis leur fiche."
                            </li>
                        </ul>
                        {problem().map(|p| view! { <ErrorNotice error=AppError::Invalid(p.message().into()) /> })}
                        <form
                            method="post"
                            action=IMPORT_UPLOAD_PATH
                            enctype="multipart/form-data"
                            class="form form-narrow"
                        >
                            <AgencyField desk=p.desk />
                            <Field name="file" label="Fichier CSV" kind="file" accept=".csv,text/csv" required=true />
                            <button type="submit" class="button button-primary">
                                "Importer"
                            </button>
                        </form>
                    </Section>
                    <Section title="Derniers imports">
                        {or_empty(
                            p.recent.is_empty(),
                            "Aucun import pour l'instant.",
                            || view! {
                                <ul class="imports">
                                    {p
                                        .recent
                                        .into_iter()
                                        .map(|s| {
                                            view! {
                                                <li>
                                                    <a href=format!(
                                                        "/agence/adherents/import?rapport={}",
                                                        s.id,
                                                    )>{format!("{} — {}", s.at, s.file_name)}</a>
                                                    " (" {s.agency_code.clone()} ", " {s.by.clone()} ") : "
                                                    {counts(&s)}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        )}
                    </Section>
                }
            }
        />
    }
}

fn counts(s: &ImportSummary) -> String {
    match &s.refusal {
        Some(_) => "fichier refusé".into(),
        None => format!(
            "{} créé(s), {} mis à jour, {} inchangé(s), {} refusé(s)",
            s.created, s.updated, s.unchanged, s.refused
        ),
    }
}

#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let s = report.summary;
    let counts_class = if s.refused > 0 { "notice notice-warn" } else { "notice notice-ok" };
    view! {
        <section class="import-report">
            <h2>"Rapport de l'import du " {s.at.to_string()}</h2>
            <p>"Fichier « " {s.file_name.clone()} " », envoyé par " {s.by.clone()} " (agence " {s.agency_code.clone()} ")."</p>
            {match s.refusal.clone() {
                Some(refusal) => {
                    view! {
                        <p class="notice notice-error import-refusal" role="alert">
                            "Fichier refusé, aucun adhérent n'a été modifié : " {refusal}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class=counts_class>
                            <span class="import-counts">{counts(&s)}</span>
                            "."
                        </p>
                        <Table class="table import-lines" columns=vec!["Ligne", "N° d'adhérent", "Résultat", "Détail"]>
                            {report
                                .lines
                                .into_iter()
                                .map(|l| {
                                    let refused = l.outcome == ImportOutcome::Refused;
                                    view! {
                                        <tr
                                            class=if refused { "import-line refused" } else { "import-line" }
                                            data-line=l.line
                                            data-outcome=l.outcome.code()
                                        >
                                            <td>{l.line}</td>
                                            <td>{l.member_number}</td>
                                            <td class="outcome">{l.outcome.label()}</td>
                                            <td class="detail">{l.detail}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </Table>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
