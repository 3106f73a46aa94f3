//! « Mes commandes » and an order's page, the confirmation page of the
//! checkout: its number, where it stands and what it waits for, the
//! purchase order's form (a Chorus Pro order), how to pay, and the
//! documents to download again at any time.

use super::shop::{QuoteLines, QuoteTotals};
use crate::api::shop::{
    ActivatePasses, BlockPasses, CancelOrder, CorrectSponsorInvoice, IssueSponsorInvoices, ProducePasses,
    RecordChorusState, RecordCounterpart, my_orders, shop_order,
};
use crate::api::vouchers::UnlockPass;
use crate::components::{
    ActionError, ErrorNotice, Fact, Field, Loaded, MonthlyChartView, Section, Shell, Space, Submit, Table, done_notice,
    id_resource, or_empty,
};
use crate::domain::order::{MAX_PURCHASE_ORDER_BYTES, MAX_REPORT_BYTES, OrderStatus, PaymentMethod};
use crate::domain::{Money, Siret};
use crate::model::shop::{OrderRow, OrderView, PostalAddress, SponsorInvoiceRow};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Shell space=Space::Sponsor title="Mes commandes — Espace commanditaire" heading="Mes commandes">
            <p>
                <a class="button button-primary" href="/boutique">
                    "Commander des Pass Castors"
                </a>
            </p>
            <Loaded resource=orders ok=move |rows| view! { <Orders rows /> } />
        </Shell>
    }
}

#[component]
fn Orders(rows: Vec<OrderRow>) -> impl IntoView {
    or_empty(rows.is_empty(), "Aucune commande pour le moment.", || {
        view! { <OrderTable rows href="/commanditaire/commandes" /> }
    })
}

/// Orders in a table, each leading to its page under `href`.
#[component]
pub fn OrderTable(rows: Vec<OrderRow>, href: &'static str) -> impl IntoView {
    view! {
        <Table class="table orders" columns=vec!["N° de commande", "Date", "Structure", "Paiement", "Total TTC", "État"]>
            {rows
                .into_iter()
                .map(|o| {
                    view! {
                        <tr data-status=o.status.code()>
                            <td>
                                <a href=format!("{href}/{}", o.id)>{o.number.to_string()}</a>
                            </td>
                            <td>{o.created_at.day().to_string()}</td>
                            <td>{o.structure_label}</td>
                            <td>{o.payment.label()}</td>
                            <td class="amount">{o.total_incl_vat.priced()}</td>
                            <td class="status">
                                {o.status.label()}
                                {o
                                    .late
                                    .map(|late| {
                                        view! {
                                            <br />
                                            <strong class="late">{format!("En retard : {late}")}</strong>
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

#[component]
pub fn OrderPage() -> impl IntoView {
    let changes = crate::components::PageChanges::provide();
    let order = id_resource(move || changes.get(), |id, _| shop_order(id));
    view! {
        <Shell space=Space::Sponsor title="Commande — Espace commanditaire">
            <Loaded resource=order ok=move |o: OrderView| view! { <OrderDetail o base="/commanditaire/commandes" /> } />
            <p>
                <a href="/commanditaire/commandes">"Retour à mes commandes"</a>
            </p>
        </Shell>
    }
}

/// One order, for its structure's managers and the agency's staff.
#[component]
pub fn OrderDetail(o: OrderView, base: &'static str) -> impl IntoView {
    let query = use_query_map();
    let given = move || query.read().get("bon").is_some();
    let page = format!("{base}/{}", o.id);
    let status_class = match o.status {
        OrderStatus::Confirmed => "notice notice-ok",
        _ => "notice notice-note",
    };
    let siret = o.structure_siret.as_deref().map(Siret::shown);
    // The purchase order's refusal, when its form comes back here.
    let refused = crate::FormError::of(&format!("{page}/bon-de-commande"));
    let form = o.can_give_purchase_order.then(|| view! { <PurchaseOrderForm o=o.clone() page=page.clone() /> });
    let payment = view! { <Payment o=o.clone() /> };
    let (quote, code) = (o.quote.clone(), o.discount_code.clone().unwrap_or_default());
    let (billing, delivery, points) = (o.billing.clone(), o.delivery.clone(), o.points.clone());
    let po_file = o.purchase_order.as_ref().and_then(|p| p.file_name.clone());
    let (number, status, missing) = (o.number, o.status, o.missing.clone());
    let (created_at, who, structure) =
        (o.created_at, format!("{} ({})", o.contact.0, o.ordered_by), o.structure_label.clone());
    let (payment_label, total) = (o.payment.label(), o.quote.total_incl_vat);
    view! {
        <h1>{format!("Commande n° {number}")}</h1>
        {move || {
            given()
                .then(|| {
                    view! {
                        <p class="notice notice-ok" role="status">
                            "Le bon de commande est reçu : votre commande est confirmée."
                        </p>
                    }
                })
        }}
        <p class=status_class data-status=status.code()>
            <strong>{status.label()}</strong>
            {(!missing.is_empty()).then(|| format!(" — il manque : {}.", missing.join(", ")))}
        </p>
        <dl class="facts">
            <Fact term="Commandée le">{created_at.to_string()}</Fact>
            <Fact term="Par">{who}</Fact>
            <Fact term="Structure">{structure}</Fact>
            {siret.map(|s| view! { <Fact term="SIRET">{s}</Fact> })}
            <Fact term="Paiement">{payment_label}</Fact>
            <Fact term="Total TTC" class="amount">{total.priced()}</Fact>
        </dl>
        <p class="downloads">
            <a class="button" href=format!("{page}/recapitulatif.pdf") rel="external" download>
                "Télécharger le récapitulatif (PDF)"
            </a>
            {po_file
                .map(|_| {
                    view! {
                        " "
                        <a class="button" href=format!("{page}/bon-de-commande.pdf") rel="external" download>
                            "Bon de commande signé (PDF)"
                        </a>
                    }
                })}
        </p>
        <super::way::OrderWay p=o.progress.clone() order_id=o.id page=page.clone() />
        <Invoices o=o.clone() page=page.clone() />
        <Passes o=o.clone() />
        {refused.map(|error| view! { <ErrorNotice error /> })}
        {form}
        {payment}
        <Section title="Détail">
            <QuoteLines quote=quote.clone() />
            <QuoteTotals quote code />
        </Section>
        <Section title="Adresses">
            <Address title="Facturation" a=billing />
            <Address title="Livraison" a=delivery />
        </Section>
        {(!points.is_empty())
            .then(|| {
                view! {
                    <Section title="Points de distribution">
                        <ul>
                            {points
                                .iter()
                                .map(|p| view! { <li>{format!("{} — {} — {}", p.name, p.address, p.email)}</li> })
                                .collect_view()}
                        </ul>
                    </Section>
                }
            })}
    }
}

/// The order's invoices and credit notes, each as PDF and as XML for
/// Chorus Pro; for staff, « Émettre les factures » and each invoice's way
/// on Chorus Pro.
#[component]
fn Invoices(o: OrderView, page: String) -> impl IntoView {
    let issue = ServerAction::<IssueSponsorInvoices>::new();
    let query = use_query_map();
    let issued = move || query.read().get("factures").is_some();
    let order_id = o.id.to_string();
    let issue_form = o.can_issue_invoices.then(|| {
        view! {
            <ActionForm action=issue attr:class="form form-inline">
                <input type="hidden" name="order" value=order_id.clone() />
                <Submit action=issue label="ÉMETTRE LES FACTURES" primary=true />
            </ActionForm>
        }
    });
    let rows = o.invoices.clone();
    let reports = o
        .reports
        .iter()
        .map(|&n| {
            let label = if n == 2 { "Rapport intermédiaire (PDF)" } else { "Rapport final (PDF)" };
            view! {
                <a class="button" href=format!("{page}/rapports/{n}") rel="external" download>
                    {label}
                </a>
                " "
            }
        })
        .collect_view();
    let report_form = o.next_report.map(|n| view! { <ReportForm instalment=n page=page.clone() /> });
    // A report refused comes back here, whether or not its form still shows.
    let report_refused = crate::FormError::of(&format!("{page}/rapport"));
    let reported = move || query.read().get("rapport").is_some();
    view! {
        <Section title="Factures">
            {move || done_notice(issued(), "Les factures sont émises : déposez-les sur Chorus Pro (XML).")}
            {if rows.is_empty() {
                view! { <p class="hint">"Les factures seront disponibles ici dès leur émission."</p> }.into_any()
            } else {
                view! {
                    <Table
                        class="table invoices"
                        columns=vec!["N°", "Objet", "Émise le", "Échéance", "Total TTC", "Chorus Pro", "Documents"]
                    >
                        {rows
                            .into_iter()
                            .map(|i| {
                                let files = format!("{page}/factures/{}", i.id);
                                let chorus = match (&i.chorus_reference, &i.chorus_note) {
                                    (Some(r), Some(n)) => format!("{} — dépôt {r} — {n}", i.chorus.label()),
                                    (Some(r), None) => format!("{} — dépôt {r}", i.chorus.label()),
                                    (None, Some(n)) => format!("{} — {n}", i.chorus.label()),
                                    (None, None) => i.chorus.label().to_owned(),
                                };
                                let actions = (!i.next.is_empty() || i.correctable)
                                    .then(|| view! { <ChorusActions i=i.clone() /> });
                                view! {
                                    <tr data-chorus=i.chorus.code()>
                                        <td>{i.title}</td>
                                        <td>{i.subject}</td>
                                        <td>{i.issued_on.to_string()}</td>
                                        <td>{i.due_on.to_string()}</td>
                                        <td class="amount">{i.total_incl_vat.priced()}</td>
                                        <td class="status">{chorus} {actions}</td>
                                        <td>
                                            <a href=format!("{files}/pdf") rel="external" download>
                                                "PDF"
                                            </a>
                                            " "
                                            <a href=format!("{files}/xml") rel="external" download>
                                                "XML (Chorus Pro)"
                                            </a>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                }
                    .into_any()
            }}
            {issue_form}
            <p class="downloads">{reports}</p>
            {move || done_notice(reported(), "Le rapport est enregistré et son versement facturé.")}
            {report_refused.map(|error| view! { <ErrorNotice error /> })}
            {report_form}
        </Section>
    }
}

/// The order's passes (seed 003): produced, the counterpart received,
/// activated or cancelled; staff's actions, and the mandate's form for
/// the sponsor of a public payer.
#[component]
fn Passes(o: OrderView) -> impl IntoView {
    let produce = ServerAction::<ProducePasses>::new();
    let record = ServerAction::<RecordCounterpart>::new();
    let activate = ServerAction::<ActivatePasses>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let query = use_query_map();
    let done = move || match query.read().get("pass").as_deref() {
        Some("produits") => Some("Les pass sont produits : ils ne seront dépensables qu'après leur activation."),
        Some("recu") => Some("La contrepartie est enregistrée."),
        Some("actives") => {
            Some("Les pass sont activés : l'avis d'activation est envoyé aux points de livraison et de distribution.")
        }
        Some("annulee") => Some("La commande est annulée : ses pass ne seront jamais activés."),
        Some("bloques") => Some("Les pass sont bloqués : aucun fournisseur ne peut les encaisser."),
        Some("debloques") => Some("Les pass sont débloqués."),
        Some("debloque") => Some("Le pass est débloqué : il peut de nouveau être encaissé."),
        _ => None,
    };
    let w = o.way.clone();
    let what = match o.payment {
        PaymentMethod::Chorus => "Mandat",
        PaymentMethod::Transfer => "Virement reçu",
    };
    let received = w.received_reference.clone().map(|r| {
        let on = w.received_on.map(|d| format!(" du {d}")).unwrap_or_default();
        view! { <Fact term=what>{format!("n° {r}{on} : {}", w.received.priced())}</Fact> }
    });
    let numbers =
        w.first.clone().zip(w.last.clone()).map(|(a, b)| view! { <Fact term="Numéros">{format!("{a} à {b}")}</Fact> });
    let state = if let Some(at) = w.cancelled_at {
        format!("Commande annulée le {at} : {} pass annulés.", w.cancelled)
    } else if let Some(at) = w.activated_at {
        format!("Pass activés le {at} : {} actifs, {} utilisés.", w.active, w.used)
    } else if let Some(at) = w.produced_at {
        format!("{} pass produits le {at}, pas encore activés.", w.passes)
    } else {
        "Les pass sont produits par l'agence une fois les factures émises.".to_owned()
    };
    let shortfall = (w.activated_at.is_none() && w.cancelled_at.is_none()).then_some(w.shortfall).flatten().map(|m| {
        format!(
            "Il manque {} de contrepartie pour activer les pass (valeur faciale {}).",
            m.priced(),
            o.quote.passes_value.priced()
        )
    });
    // Captures the id alone: a Copy closure, used by each form.
    let order_id = o.id;
    let order_field = move || view! { <input type="hidden" name="order" value=order_id.to_string() /> };
    let produce_form = w.can_produce.then(|| {
        view! {
            <ActionForm action=produce attr:class="form form-inline">
                {order_field()}
                <Submit action=produce label="PRODUIRE LES PASS" primary=true />
            </ActionForm>
        }
    });
    let received_form = w.can_record_received.then(|| {
        let label = match o.payment {
            PaymentMethod::Chorus => "N° du mandat",
            PaymentMethod::Transfer => "Référence du virement",
        };
        view! {
            <ActionForm action=record attr:class="form counterpart">
                {order_field()}
                <Field name="reference" id="counterpart-reference" label=label required=true />
                <Field name="day" id="counterpart-day" label="Date" kind="date" required=true />
                <Field name="amount" id="counterpart-amount" label="Montant (€)" inputmode="decimal" required=true />
                <Submit action=record label="ENREGISTRER" primary=false />
            </ActionForm>
        }
    });
    let activate_form = w.can_activate.then(|| {
        view! {
            <ActionForm action=activate attr:class="form form-inline">
                {order_field()}
                <Submit action=activate label="ACTIVER LES PASS" primary=true />
            </ActionForm>
        }
    });
    let cancel_form = w.can_cancel.then(|| {
        view! {
            <ActionForm action=cancel attr:class="form form-inline">
                {order_field()}
                <Submit action=cancel label="ANNULER LA COMMANDE" primary=false />
            </ActionForm>
        }
    });
    view! {
        <Section title="Pass Castors">
            {move || done().map(|text| view! { <p class="notice notice-ok" role="status">{text}</p> })}
            <p class="pass-state">{state}</p>
            <dl class="facts">
                {numbers}
                {w.valid_until.map(|d| view! { <Fact term="Valables jusqu'au">{d.to_string()}</Fact> })}
                {received}
            </dl>
            {shortfall.map(|text| view! { <p class="notice notice-note">{text}</p> })}
            {w.activated_at.is_some().then(|| view! { <Spending o=o.clone() /> })}
            {w.year_end.clone().map(|y| view! { <YearEnd y order_id=o.id staff=w.can_print /> })}
            {w.can_print
                .then(|| {
                    view! {
                        <p>
                            <a class="button" href=format!("/agence/commandes/{order_id}/pass.pdf") rel="external" download>
                                "Pass à imprimer (PDF, codes secrets imprimés)"
                            </a>
                        </p>
                    }
                })}
            {w.can_print.then(|| view! { <HoldForms order_id /> })}
            {produce_form}
            {received_form}
            {activate_form}
            {cancel_form}
        </Section>
    }
}

/// Staff block a lost or stolen booklet's passes (by number range) or
/// unblock them, and unlock a pass locked after wrong codes.
#[component]
fn HoldForms(order_id: i64) -> impl IntoView {
    let block = ServerAction::<BlockPasses>::new();
    let unlock = ServerAction::<UnlockPass>::new();
    view! {
        <details class="hold-passes">
            <summary>"Bloquer ou débloquer des pass (carnet perdu ou volé)"</summary>
            <ActionForm action=block attr:class="form">
                <input type="hidden" name="order" value=order_id.to_string() />
                <Field name="first" id="block-first" label="Du pass n°" placeholder="P2026.NA.442.00000001" required=true />
                <Field name="last" id="block-last" label="Au pass n°" placeholder="P2026.NA.442.00000010" required=true />
                <Field name="reason" id="block-reason" label="Motif" placeholder="Carnet volé le 12/03" />
                <ActionError action=block />
                <div class="actions">
                    <button type="submit" class="button button-primary" name="action" value="bloquer">
                        "BLOQUER"
                    </button>
                    <button type="submit" class="button" name="action" value="debloquer">
                        "DÉBLOQUER"
                    </button>
                </div>
            </ActionForm>
        </details>
        <details class="unlock-pass">
            <summary>"Débloquer un pass après des codes erronés"</summary>
            <ActionForm action=unlock attr:class="form form-inline">
                <input type="hidden" name="order" value=order_id.to_string() />
                <Field name="number" id="unlock-number" label="N° du pass" required=true />
                <ActionError action=unlock />
                <Submit action=unlock label="DÉBLOQUER LE PASS" primary=false />
            </ActionForm>
        </details>
    }
}

/// Where the order's passes were spent: value and passes per supplier, and
/// the list as a spreadsheet.
#[component]
fn Spending(o: OrderView) -> impl IntoView {
    let w = o.way;
    let remaining = Money::from_cents(o.quote.passes_value.cents() - w.spent_value.cents());
    let base = if w.can_print { "/agence/commandes" } else { "/commanditaire/commandes" };
    view! {
        <h3>"Pass dépensés"</h3>
        <dl class="facts spending">
            <Fact term="Pass activés">{(w.active + w.used).to_string()}</Fact>
            <Fact term="Pass dépensés" class="spent-count">{w.used.to_string()}</Fact>
            <Fact term="Pass restants">{w.active.to_string()}</Fact>
            <Fact term="Valeur dépensée" class="spent-value">{w.spent_value.priced()}</Fact>
            <Fact term="Valeur restante">{remaining.priced()}</Fact>
            <Fact term="Payé aux fournisseurs" class="paid-value">{w.paid_value.priced()}</Fact>
        </dl>
        {(!w.by_supplier.is_empty())
            .then(|| {
                view! {
                    <Table class="by-supplier" columns=vec!["Fournisseur", "Pass", "Valeur"] unwrapped=true>
                        {w
                            .by_supplier
                            .into_iter()
                            .map(|row| {
                                view! {
                                    <tr>
                                        <td data-label="Fournisseur">{row.supplier}</td>
                                        <td data-label="Pass">{row.passes}</td>
                                        <td data-label="Valeur" class="amount">{row.value.priced()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </Table>
                    <MonthlyChartView chart=w.chart title="Valeur des pass dépensés, mois par mois et par fournisseur" />
                    <a class="button button-small" href=format!("{base}/{}/pass-encaisses.csv", o.id) rel="external" download>
                        "Exporter les pass dépensés (CSV, Excel)"
                    </a>
                }
            })}
    }
}

/// Staff upload the accompaniment's interim or final report; its
/// instalment is invoiced at once.
#[component]
fn ReportForm(instalment: u8, page: String) -> impl IntoView {
    let (which, button) = if instalment == 2 {
        ("Rapport intermédiaire", "ENREGISTRER LE RAPPORT ET FACTURER LE 2e VERSEMENT (40 %)")
    } else {
        ("Rapport final", "ENREGISTRER LE RAPPORT ET FACTURER LE 3e VERSEMENT (30 %)")
    };
    view! {
        <form class="form report-form" method="post" enctype="multipart/form-data" action=format!("{page}/rapport")>
            <input type="hidden" name="instalment" value=instalment.to_string() />
            <label for="report-pdf">
                {format!("{which} de l'accompagnement technique (PDF, {} Mo au plus)", MAX_REPORT_BYTES / (1024 * 1024))}
            </label>
            <input id="report-pdf" name="pdf" type="file" accept="application/pdf,.pdf" required />
            <button type="submit" class="button button-primary">
                {button}
            </button>
        </form>
    }
}

/// Staff's forms for one invoice: its next state on Chorus Pro (with the
/// deposit's number or the rejection's reason), or its correction.
#[component]
fn ChorusActions(i: SponsorInvoiceRow) -> impl IntoView {
    // One action per invoice: a refusal shows beside its own form.
    let record = ServerAction::<RecordChorusState>::new();
    let correct = ServerAction::<CorrectSponsorInvoice>::new();
    let id = i.id.to_string();
    let (reference, note, state) = (format!("reference-{id}"), format!("note-{id}"), format!("state-{id}"));
    let for_update = id.clone();
    let update = (!i.next.is_empty()).then(move || {
        view! {
            <ActionForm action=record attr:class="form chorus-state">
                <input type="hidden" name="invoice" value=for_update />
                <label for=state.clone()>"Nouvel état"</label>
                <select id=state name="state">
                    {i.next.iter().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                </select>
                <label for=reference.clone()>"N° de dépôt Chorus Pro"</label>
                <input id=reference name="reference" type="text" maxlength="60" />
                <label for=note.clone()>"Motif ou note"</label>
                <input id=note name="note" type="text" maxlength="500" />
                <Submit action=record label="ENREGISTRER" primary=false />
            </ActionForm>
        }
    });
    let fix = i.correctable.then(move || {
        view! {
            <ActionForm action=correct attr:class="form form-inline">
                <input type="hidden" name="invoice" value=id />
                <Submit action=correct label="ÉMETTRE UN AVOIR ET UNE FACTURE RECTIFIÉE" primary=true />
            </ActionForm>
        }
    });
    view! { {update} {fix} }
}

#[component]
fn Address(title: &'static str, a: PostalAddress) -> impl IntoView {
    view! {
        <div class="address">
            <h3>{title}</h3>
            <p class="pre">{format!("{}\n{}\n{} {}", a.name, a.street, a.postcode, a.city)}</p>
        </div>
    }
}

#[component]
fn Payment(o: OrderView) -> impl IntoView {
    match (o.payment, o.purchase_order.clone()) {
        (PaymentMethod::Transfer, _) => view! {
            <Section title="Paiement par virement">
                <dl class="facts">
                    <Fact term="IBAN">{o.iban.clone().unwrap_or_else(|| "communiqué par l'agence".into())}</Fact>
                    <Fact term="Référence à indiquer" class="reference">{o.payment_reference.clone()}</Fact>
                    <Fact term="Montant" class="amount">{o.quote.total_incl_vat.priced()}</Fact>
                </dl>
            </Section>
        }
        .into_any(),
        (PaymentMethod::Chorus, Some(po)) => view! {
            <Section title="Bon de commande">
                <dl class="facts purchase-order">
                    <Fact term="Reçu le">{po.given_at.to_string()}</Fact>
                    <Fact term="Libellé de la structure">{po.label.clone()}</Fact>
                    <Fact term="SIRET">{Siret::shown(&po.siret)}</Fact>
                    <Fact term="Code service">{po.service_code.clone().unwrap_or_else(|| "—".into())}</Fact>
                    <Fact term="Numéro d'engagement">{po.engagement.clone().unwrap_or_else(|| "—".into())}</Fact>
                </dl>
            </Section>
        }
        .into_any(),
        (PaymentMethod::Chorus, None) => ().into_any(),
    }
}

/// Seed 000's purchase order: a plain multipart form (it works without the
/// WASM), checked field by field by the server, which answers with this
/// page again.
#[component]
fn PurchaseOrderForm(o: OrderView, page: String) -> impl IntoView {
    let siret = o.structure_siret.clone().unwrap_or_default();
    view! {
        <Section title="Bon de commande" class="purchase-order-form">
            <p class="hint">{format!("Exigences de Chorus Pro pour cette structure : {}.", o.chorus.label())}</p>
            <form class="form" method="post" enctype="multipart/form-data" action=format!("{page}/bon-de-commande")>
                <label for="po-label">"Libellé de la structure"</label>
                <input id="po-label" name="label" type="text" value=o.structure_label.clone() required />
                <label for="po-siret">"SIRET (destinataire de la facture)"</label>
                <input id="po-siret" name="siret" type="text" inputmode="numeric" value=siret required />
                <label for="po-service">"Code service"</label>
                <input id="po-service" name="service_code" type="text" list="service-codes" required=o.chorus.needs_service_code() />
                <datalist id="service-codes">
                    {o
                        .service_codes
                        .iter()
                        .map(|(code, label)| view! { <option value=code.clone()>{label.clone()}</option> })
                        .collect_view()}
                </datalist>
                <label for="po-engagement">"Numéro d'engagement (10 chiffres)"</label>
                <input
                    id="po-engagement"
                    name="engagement"
                    type="text"
                    inputmode="numeric"
                    required=o.chorus.needs_engagement()
                />
                <label for="po-pdf">
                    {format!("Bon de commande signé (PDF, {} Mo au plus)", MAX_PURCHASE_ORDER_BYTES / (1024 * 1024))}
                </label>
                <input id="po-pdf" name="pdf" type="file" accept="application/pdf,.pdf" required />
                <button type="submit" class="button button-primary">
                    "ENVOYER LE BON DE COMMANDE"
                </button>
            </form>
        </Section>
    }
}

/// The report of the suppliers paid and the value left unused: final once
/// the passes' validity is over (and emailed to the sponsor then),
/// provisional before.
#[component]
fn YearEnd(y: crate::model::shop::YearEndView, order_id: i64, staff: bool) -> impl IntoView {
    let base = if staff { "/agence/commandes" } else { "/commanditaire/commandes" };
    let (title, unused) = if y.ended {
        ("Bilan de fin de validité", "Valeur non utilisée à l'échéance")
    } else {
        ("Bilan provisoire", "Valeur non utilisée à ce jour")
    };
    view! {
        <h3>{title}</h3>
        <dl class="facts year-end">
            <Fact term="Pass valables jusqu'au">{y.valid_until.to_string()}</Fact>
            <Fact term="Payé aux fournisseurs">{y.paid_value.priced()}</Fact>
            <Fact term=unused class="unused-value">{format!("{} ({} pass)", y.unused_value.priced(), y.unused_passes)}</Fact>
        </dl>
        <p class="downloads">
            <a class="button button-small" href=format!("{base}/{order_id}/bilan.pdf") rel="external" download>
                "Liste des fournisseurs payés (PDF)"
            </a>
            " "
            <a class="button button-small" href=format!("{base}/{order_id}/bilan.csv") rel="external" download>
                "Liste des fournisseurs payés (CSV)"
            </a>
        </p>
    }
}
