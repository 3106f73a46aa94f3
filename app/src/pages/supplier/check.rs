use crate::api::supplier::{SupplierCheck, supplier_checked};
use crate::components::Fact;
use crate::components::{ActionError, Loaded, NumberAndCode, Shell, Space, answer_then_form};
use crate::{domain::VoucherStatus, model::supplier::CounterCheck};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Vérifier un bon, at the counter on a phone: number and secret code from
/// the delivery slip. `?numero=` fills the number (the QR code's check page
/// links here for a logged-in supplier); after a right code the page shows
/// the answer, then the form again for the next voucher.
#[component]
pub fn CounterCheckPage() -> impl IntoView {
    let query = use_query_map();
    let answer = Resource::new(
        move || {
            let q = query.read();
            (q.get("numero").unwrap_or_default(), q.get("c"))
        },
        |(number, proof)| supplier_checked(number, proof),
    );
    let check = ServerAction::<SupplierCheck>::new();
    view! {
        <Shell space=Space::Supplier title="Vérifier un bon — Espace fournisseur" heading="Vérifier un bon">
            <Loaded
                resource=answer
                ok=move |answer| {
                    answer_then_form(
                        answer.map(|a| (a.number.to_string(), view! { <CheckAnswer a /> })),
                        "Vérifier un autre bon",
                        move |prefill| view! { <CheckForm check prefill /> },
                    )
                }
            />
        </Shell>
    }
}

#[component]
fn CheckForm(check: ServerAction<SupplierCheck>, prefill: String) -> impl IntoView {
    view! {
        <p class="lead">"Saisissez le numéro du bon et le code secret notés sur le bon de livraison."</p>
        <ActionForm action=check attr:class="form">
            <NumberAndCode number=prefill pending=check.pending() big=true>
                <ActionError action=check />
            </NumberAndCode>
        </ActionForm>
    }
}

/// Genuine or not, and what the supplier must know before delivering:
/// whose voucher it is, whether it will be paid, whether it is invoiced.
#[component]
fn CheckAnswer(a: CounterCheck) -> impl IntoView {
    let invoiced = a.already_invoiced();
    let (verdict_class, verdict, warning) = match (a.own, a.status) {
        (false, _) => (
            "verdict verdict-warn",
            "Bon authentique, mais pas pour vous",
            Some(format!(
                "Ce bon a été émis pour « {} » : ne livrez pas sur ce bon, il ne vous sera pas payé.",
                a.supplier
            )),
        ),
        (true, VoucherStatus::Cancelled) => (
            "verdict verdict-bad",
            "Bon annulé",
            Some("L'agence a annulé l'utilisation de ce bon : il ne sera pas payé.".to_owned()),
        ),
        (true, _) => ("verdict verdict-ok", "Bon authentique", None),
    };
    let billing = match (&a.invoice, a.own) {
        (_, false) => None,
        (Some(invoice), true) => Some(
            view! {
                "Sur votre facture "
                <a href=format!("/fournisseur/factures/{}", invoice.id)>"n° " {invoice.number.clone()}</a>
                " (" {invoice.status.label()} ")"
            }
            .into_any(),
        ),
        (None, true) if invoiced => Some(view! { "Déjà facturé (" {a.status.label()} ")" }.into_any()),
        (None, true) => Some(view! { "Pas encore facturé" }.into_any()),
    };
    view! {
        <p class=verdict_class role="status">
            {verdict}
        </p>
        {warning.map(|w| view! { <p class="notice notice-warn">{w}</p> })}
        <dl class="card check-answer" data-invoiced=invoiced.to_string()>
            <Fact term="N° du bon" class="number">{a.number.to_string()}</Fact>
            <Fact term="Valeur du bon" class="amount">{a.amount.to_string()}</Fact>
            <Fact term="Date et heure d'utilisation" class="used-at">{a.used_at.to_string()}</Fact>
            <Fact term="Statut du bon" class="status">{a.status.label()}</Fact>
            <Fact term="Adhérent">{a.member_initials}</Fact>
            {(!a.own)
                .then(|| {
                    view! {
                        <Fact term="Fournisseur">{a.supplier.clone()}</Fact>
                    }
                })}
            {billing
                .map(|b| {
                    view! {
                        <Fact term="Facturation" class="billing">{b}</Fact>
                    }
                })}
        </dl>
    }
}
