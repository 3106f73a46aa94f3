//! Members' statements: one member's for a period, or a run for a whole
//! agency and month with its progress; the latest statements, to download
//! again.

use super::desk::AgencyPicker;
use crate::api::money::{IssueStatement, StartStatementRun, agency_statements};
use crate::components::{Field, Refreshing, Section, Shell, Space, Submit, Table, or_empty};
use crate::model::money::{RunRow, StatementRow};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn StatementsPage() -> impl IntoView {
    let query = use_query_map();
    let issue = ServerAction::<IssueStatement>::new();
    let start = ServerAction::<StartStatementRun>::new();
    // Bumped every second while a run is under way: the page reads the
    // run's progress again.
    let tick = RwSignal::new(0u32);
    let page = Resource::new(
        move || (query.read().get("agence"), issue.version().get() + start.version().get(), tick.get()),
        |(agency, _, _)| agency_statements(agency),
    );
    Effect::new(move |_| {
        if let Some(Ok(p)) = page.get()
            && p.runs.iter().any(|r| !r.finished)
        {
            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(1));
        }
    });
    view! {
        <Shell space=Space::Agency title="Relevés — Agence Castors" heading="Relevés">
            <Refreshing
                resource=page
                ok=move |p| {
                    let agency = p.desk.chosen.clone().unwrap_or_default();
                    view! {
                        <AgencyPicker desk=p.desk.clone() action="/agence/releves" />
                        <Section
                            class="statement-run"
                            title="Relevés du mois"
                            hint="Un relevé pour chaque adhérent ayant utilisé un bon dans le mois, envoyé par e-mail et déposé dans son espace. Les adhérents qui ont déjà reçu le relevé de ce mois ne le reçoivent pas deux fois."
                        >
                            <ActionForm action=start attr:class="form form-narrow">
                                <input type="hidden" name="agency" value=agency.clone() />
                                <Field
                                    name="month"
                                    label="Mois"
                                    kind="month"
                                    value=p.default_month.iso()
                                    required=true
                                />
                                <Submit action=start label="Envoyer les relevés du mois" primary=true />
                            </ActionForm>
                            {(!p.runs.is_empty()).then(|| view! { <Runs runs=p.runs.clone() /> })}
                        </Section>
                        <Section class="statement-one" title="Relevé d'un adhérent">
                            <ActionForm action=issue attr:class="form form-narrow">
                                <Field
                                    name="member"
                                    label="N° d'adhérent"
                                    autocapitalize="characters"
                                    placeholder="44001234A"
                                    required=true
                                />
                                <Field name="from" label="Du" kind="date" value=p.default_month.first().iso() required=true />
                                <Field name="to" label="Au" kind="date" value=p.default_month.last().iso() required=true />
                                <label class="check">
                                    <input type="checkbox" name="send" value="1" checked />
                                    " Envoyer par e-mail à l'adhérent"
                                </label>
                                <Submit action=issue label="Établir le relevé" primary=true />
                            </ActionForm>
                            {move || {
                                issue
                                    .value()
                                    .get()
                                    .and_then(Result::ok)
                                    .map(|s| {
                                        view! {
                                            <p class="notice notice-ok statement-issued">
                                                {format!(
                                                    "Relevé de {} {} établi : {} bon(s), {}. ",
                                                    s.member_number,
                                                    s.period(),
                                                    s.voucher_count,
                                                    s.total,
                                                )}
                                                {email_text(&s)}
                                            </p>
                                        }
                                    })
                            }}
                        </Section>
                        <h2>"Derniers relevés"</h2>
                        {or_empty(p.recent.is_empty(), "Aucun relevé établi.", || view! { <StatementTable rows=p.recent show_member=true /> })}
                    }
                }
            />
        </Shell>
    }
}

/// "Envoyé à … le …", or why it was not.
pub fn email_text(s: &StatementRow) -> String {
    match (&s.emailed_at, &s.emailed_to, &s.email_error) {
        (Some(at), Some(to), _) => format!("Envoyé à {to} le {at}."),
        (_, _, Some(error)) => format!("Non envoyé : {error}."),
        _ => "Non envoyé par e-mail.".to_owned(),
    }
}

#[component]
fn Runs(runs: Vec<RunRow>) -> impl IntoView {
    view! {
        <ul class="runs">
            {runs
                .into_iter()
                .map(|r| {
                    // Every statement is made and kept first; the emails follow.
                    let label = match (r.finished, r.done >= r.total) {
                        (true, _) => "terminé",
                        (false, true) => "relevés établis, envoi des e-mails en cours",
                        (false, false) => "en cours",
                    };
                    view! {
                        <li class="run" data-finished=if r.finished { "1" } else { "0" }>
                            <strong>{format!("Relevés de {} ({})", r.month, r.agency_code)}</strong>
                            " — " {label} " — lancé le " {r.started_at.to_string()} " par " {r.started_by}
                            <br />
                            <progress max=r.total value=r.done aria-label="Avancement"></progress>
                            <span class="run-count">{format!(" {} sur {}", r.done, r.total)}</span>
                            <span class="run-outcome">
                                {format!(
                                    " — envoyés : {}, sans adresse e-mail : {}, en échec : {}",
                                    r.emailed,
                                    r.no_email,
                                    r.failed,
                                )}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Statements with their download links; staff see whose each one is.
#[component]
pub fn StatementTable(rows: Vec<StatementRow>, #[prop(optional)] show_member: bool) -> impl IntoView {
    let mut columns = vec![];
    if show_member {
        columns.push("Adhérent");
    }
    columns.extend(["Période", "Bons", "Valeur", "Facturé", "Établi le", "E-mail", "Télécharger"]);
    view! {
        <Table class="table statements" columns>
            {rows
                .into_iter()
                .map(|s| {
                    let email = email_text(&s);
                    view! {
                        <tr class="statement-row">
                            {show_member
                                .then(|| {
                                    view! { <td>{format!("{} {}", s.member_number, s.member_name)}</td> }
                                })}
                            <td data-label="Période">{s.period().to_string()}</td>
                            <td data-label="Bons">{s.voucher_count}</td>
                            <td data-label="Valeur" class="amount">{s.total.to_string()}</td>
                            <td data-label="Facturé" class="amount">{s.invoiced.to_string()}</td>
                            <td data-label="Établi le">{s.created_at.to_string()}</td>
                            <td data-label="E-mail" class="email">{email}</td>
                            <td data-label="Télécharger">
                                <a class="download" href=format!("/releves/{}/pdf", s.id) download>"PDF"</a>
                                " "
                                <a class="download" href=format!("/releves/{}/csv", s.id) download>"CSV"</a>
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}
