//! An order's way on its page (seed 003), for its sponsor and for staff:
//! the steps with their dates, who acts and the deadlines (overdue ones
//! said in words, not only in colour); the forms of the steps before
//! production (scoping, elements, the invoices' check, the proof, shipping
//! and delivery); and the order's thread of messages.

use crate::api::shop::{
    CheckOrderInvoices, ConfirmOrderDelivery, DecideOrderProof, MakeOrderProof, MarkOrderScoped, PostOrderMessage,
    ShipOrder,
};
use crate::components::{ErrorNotice, Field, Section, Submit};
use crate::domain::order_way::MAX_LOGO_BYTES;
use crate::model::shop::{OrderProgress, PrintElements, ProofView, StepView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the page says after a step, from the address it came back to.
fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "message" => "Votre message est envoyé.",
        "cadrage" => "Le cadrage de la commande est noté.",
        "elements" => "Les éléments à imprimer sur les pass sont enregistrés.",
        "factures-conformes" => "La conformité des factures est validée.",
        "factures-renvoyees" => "Les factures sont renvoyées à l'agence avec votre commentaire.",
        "bat" => "Le BAT est édité : le commanditaire est prévenu.",
        "bat-valide" => "Le BAT est validé : les carnets peuvent être produits.",
        "bat-refuse" => "Le BAT est refusé : l'agence en éditera un nouveau.",
        "expedie" => "L'avis d'expédition est envoyé au commanditaire.",
        "livre" => "La livraison est confirmée.",
        _ => return None,
    })
}

/// The steps, then the forms of the steps open to the reader.
#[component]
pub fn OrderWay(p: OrderProgress, order_id: i64, page: String) -> impl IntoView {
    let query = use_query_map();
    let done = move || query.read().get("etape").as_deref().and_then(done_text);
    let late = p.steps.iter().filter(|s| s.overdue).count();
    let elements_refused = crate::FormError::of(&format!("{page}/elements"));
    view! {
        <Section title="Suivi de la commande" class="order-way">
            {move || done().map(|text| view! { <p class="notice notice-ok" role="status">{text}</p> })}
            {(late > 0)
                .then(|| {
                    view! {
                        <p class="notice notice-error" role="alert">
                            {format!("{late} étape(s) en retard sur les délais prévus.")}
                        </p>
                    }
                })}
            <ol class="steps">{p.steps.into_iter().map(|s| view! { <StepItem s /> }).collect_view()}</ol>
            {p.invoices_returned
                .map(|comment| {
                    view! {
                        <p class="notice notice-note">
                            {format!("Factures renvoyées par le commanditaire : « {comment} ». Elles se corrigent par un avoir et une facture rectifiée.")}
                        </p>
                    }
                })}
            {p.can_scope.then(|| view! { <ScopeForm order_id /> })}
            {p.elements.clone().map(|e| view! { <Elements e /> })}
            {elements_refused.map(|error| view! { <ErrorNotice error /> })}
            {p.can_give_elements.then(|| view! { <ElementsForm page=page.clone() given=p.elements.clone() /> })}
            {p.can_check_invoices.then(|| view! { <InvoicesCheck order_id /> })}
            <Proofs proofs=p.proofs page=page.clone() />
            {p.can_make_proof.then(|| view! { <MakeProof order_id /> })}
            {p.can_decide_proof.map(|number| view! { <DecideProof order_id number /> })}
            {p.can_ship.then(|| view! { <ShipForm order_id /> })}
            {p.can_confirm_delivery.then(|| view! { <DeliveryForm order_id /> })}
        </Section>
        <Thread messages=p.messages can_post=p.can_post order_id />
    }
}

#[component]
fn StepItem(s: StepView) -> impl IntoView {
    let state = match (&s.done_at, s.overdue) {
        (Some(_), _) => "done",
        (None, true) => "late",
        (None, false) => "todo",
    };
    let said = match (&s.done_at, &s.due) {
        (Some(at), _) => {
            let by = s.done_by.clone().filter(|b| !b.is_empty()).map(|b| format!(" par {b}")).unwrap_or_default();
            let detail = s.detail.clone().map(|d| format!(" — {d}")).unwrap_or_default();
            format!("Fait le {at}{by}{detail}")
        }
        (None, Some(due)) if s.overdue => format!("EN RETARD : attendu de {} au plus tard le {due}", s.actor),
        (None, Some(due)) => format!("À faire par {} au plus tard le {due}", s.actor),
        (None, None) => format!("À faire par {}", s.actor),
    };
    view! {
        <li class=format!("step step-{state}") data-step=s.step.code()>
            <strong>{s.label}</strong>
            " — "
            <span>{said}</span>
        </li>
    }
}

#[component]
fn ScopeForm(order_id: i64) -> impl IntoView {
    let action = ServerAction::<MarkOrderScoped>::new();
    view! {
        <ActionForm action attr:class="form form-inline">
            <input type="hidden" name="order" value=order_id.to_string() />
            <Submit action label="CADRAGE FAIT" primary=true />
        </ActionForm>
    }
}

/// The elements as received.
#[component]
fn Elements(e: PrintElements) -> impl IntoView {
    let or_none = |text: String| if text.is_empty() { "aucun".to_owned() } else { text };
    view! {
        <h3>"Éléments nécessaires à l'édition des pass"</h3>
        <dl class="facts elements">
            <dt>"Message imprimé sur les pass"</dt>
            <dd>{or_none(e.message)}</dd>
            <dt>"Restrictions"</dt>
            <dd class="pre">{or_none(e.restrictions)}</dd>
            <dt>"Encarts supplémentaires"</dt>
            <dd class="pre">{or_none(e.inserts)}</dd>
            <dt>"Logo"</dt>
            <dd>{e.logo.unwrap_or_else(|| "aucun".into())}</dd>
            <dt>"Reçus le"</dt>
            <dd>{e.at.to_string()}</dd>
        </dl>
    }
}

/// A plain multipart form (the logo is a file): the server answers with
/// this page again.
#[component]
fn ElementsForm(page: String, given: Option<PrintElements>) -> impl IntoView {
    let (message, restrictions, inserts) = given.map(|e| (e.message, e.restrictions, e.inserts)).unwrap_or_default();
    view! {
        <form class="form elements-form" method="post" enctype="multipart/form-data" action=format!("{page}/elements")>
            <label for="elements-message">"Message imprimé sur chaque pass (200 caractères au plus)"</label>
            <textarea id="elements-message" name="message" maxlength="200" rows="2">
                {message}
            </textarea>
            <label for="elements-restrictions">"Restrictions (catégories de fournisseurs, d'achats…)"</label>
            <textarea id="elements-restrictions" name="restrictions" maxlength="1000" rows="3">
                {restrictions}
            </textarea>
            <label for="elements-inserts">"Encarts supplémentaires"</label>
            <textarea id="elements-inserts" name="inserts" maxlength="1000" rows="3">
                {inserts}
            </textarea>
            <label for="elements-logo">
                {format!("Logo (PNG ou JPEG, {} Ko au plus ; laissez vide pour garder le logo envoyé)", MAX_LOGO_BYTES / 1024)}
            </label>
            <input id="elements-logo" name="logo" type="file" accept="image/png,image/jpeg" />
            <button type="submit" class="button button-primary">
                "ENREGISTRER LES ÉLÉMENTS"
            </button>
        </form>
    }
}

/// The sponsor's check of the invoices: conform, or returned with a comment.
#[component]
fn InvoicesCheck(order_id: i64) -> impl IntoView {
    let conform = ServerAction::<CheckOrderInvoices>::new();
    let returned = ServerAction::<CheckOrderInvoices>::new();
    view! {
        <h3>"Validation de conformité des factures"</h3>
        <ActionForm action=conform attr:class="form form-inline">
            <input type="hidden" name="order" value=order_id.to_string() />
            <input type="hidden" name="decision" value="conformes" />
            <Submit action=conform label="LES FACTURES SONT CONFORMES" primary=true />
        </ActionForm>
        <ActionForm action=returned attr:class="form">
            <input type="hidden" name="order" value=order_id.to_string() />
            <input type="hidden" name="decision" value="renvoyer" />
            <label for="invoices-comment">"Ce qui n'est pas conforme"</label>
            <textarea id="invoices-comment" name="comment" maxlength="2000" rows="2" required></textarea>
            <Submit action=returned label="RENVOYER LES FACTURES" />
        </ActionForm>
    }
}

/// Every proof made, each to download, with its decision.
#[component]
fn Proofs(proofs: Vec<ProofView>, page: String) -> impl IntoView {
    (!proofs.is_empty()).then(|| {
        view! {
            <h3>"BAT des pass et des carnets"</h3>
            <ul class="proofs">
                {proofs
                    .into_iter()
                    .map(|p| {
                        let decision = match (p.accepted, &p.comment) {
                            (Some(true), _) => format!("validé le {}", p.decided_at.map(|d| d.to_string()).unwrap_or_default()),
                            (Some(false), Some(c)) => format!("refusé : « {c} »"),
                            (Some(false), None) => "refusé".to_owned(),
                            (None, _) => "en attente de validation par le commanditaire".to_owned(),
                        };
                        view! {
                            <li data-proof=p.number>
                                <a href=format!("{page}/bat/{}", p.number) rel="external" download>
                                    {format!("BAT n° {} (PDF)", p.number)}
                                </a>
                                {format!(" — édité le {} — {decision}", p.made_at)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

#[component]
fn MakeProof(order_id: i64) -> impl IntoView {
    let action = ServerAction::<MakeOrderProof>::new();
    view! {
        <ActionForm action attr:class="form form-inline">
            <input type="hidden" name="order" value=order_id.to_string() />
            <Submit action label="ÉDITER LE BAT" primary=true />
        </ActionForm>
    }
}

/// The sponsor validates the waiting proof, or refuses it saying why.
#[component]
fn DecideProof(order_id: i64, number: i64) -> impl IntoView {
    let accept = ServerAction::<DecideOrderProof>::new();
    let refuse = ServerAction::<DecideOrderProof>::new();
    let hidden = move |decision: &'static str| {
        view! {
            <input type="hidden" name="order" value=order_id.to_string() />
            <input type="hidden" name="proof" value=number.to_string() />
            <input type="hidden" name="decision" value=decision />
        }
    };
    view! {
        <h3>{format!("Validation du BAT n° {number}")}</h3>
        <ActionForm action=accept attr:class="form form-inline">
            {hidden("valider")}
            <Submit action=accept label="VALIDER LE BAT" primary=true />
        </ActionForm>
        <ActionForm action=refuse attr:class="form">
            {hidden("refuser")}
            <label for="proof-comment">"Ce qu'il faut changer"</label>
            <textarea id="proof-comment" name="comment" maxlength="2000" rows="2" required></textarea>
            <Submit action=refuse label="REFUSER LE BAT" />
        </ActionForm>
    }
}

#[component]
fn ShipForm(order_id: i64) -> impl IntoView {
    let action = ServerAction::<ShipOrder>::new();
    view! {
        <ActionForm action attr:class="form">
            <input type="hidden" name="order" value=order_id.to_string() />
            <Field name="reference" id="ship-reference" label="Référence d'expédition (facultative)" maxlength="80" />
            <Submit action label="ENVOYER L'AVIS D'EXPÉDITION" primary=true />
        </ActionForm>
    }
}

#[component]
fn DeliveryForm(order_id: i64) -> impl IntoView {
    let action = ServerAction::<ConfirmOrderDelivery>::new();
    view! {
        <ActionForm action attr:class="form form-inline">
            <input type="hidden" name="order" value=order_id.to_string() />
            <Submit action label="CONFIRMER LA LIVRAISON" primary=true />
        </ActionForm>
    }
}

/// The order's thread (« cadrage »): every message, then the form.
#[component]
fn Thread(messages: Vec<crate::model::shop::OrderMessage>, can_post: bool, order_id: i64) -> impl IntoView {
    let action = ServerAction::<PostOrderMessage>::new();
    view! {
        <section class="thread" id="fil">
            <h2>"Échanges sur la commande"</h2>
            {if messages.is_empty() {
                view! { <p class="hint">"Aucun message pour le moment."</p> }.into_any()
            } else {
                view! {
                    <ol class="messages">
                        {messages
                            .into_iter()
                            .map(|m| {
                                let who = if m.from_staff { "Agence" } else { "Commanditaire" };
                                view! {
                                    <li class=if m.from_staff { "message from-staff" } else { "message from-sponsor" }>
                                        <p class="message-meta">{format!("{who} — {} — {}", m.author, m.at)}</p>
                                        <p class="pre">{m.body}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {can_post
                .then(|| {
                    view! {
                        <ActionForm action attr:class="form">
                            <input type="hidden" name="order" value=order_id.to_string() />
                            <label for="message-body">"Votre message"</label>
                            <textarea id="message-body" name="body" maxlength="2000" rows="3" required></textarea>
                            <Submit action label="ENVOYER LE MESSAGE" />
                        </ActionForm>
                    }
                })}
        </section>
    }
}
