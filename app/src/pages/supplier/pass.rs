use crate::api::supplier::{SupplierSpendPass, supplier_spent_pass};
use crate::components::{ActionError, Fact, Field, Loaded, Shell, Space, answer_then_form};
use crate::model::passes::SpentPass;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Encaisser un pass, at the counter on a phone: the number and the secret
/// code printed on the Pass Castors a beneficiary hands over. `?numero=`
/// fills the number (the pass's QR code leads a logged-in supplier here);
/// once spent, the page shows the receipt, then the form again for the
/// next pass.
#[component]
pub fn SpendPassPage() -> impl IntoView {
    let query = use_query_map();
    let answer = Resource::new(
        move || {
            let q = query.read();
            (q.get("numero").unwrap_or_default(), q.get("c"))
        },
        |(number, proof)| supplier_spent_pass(number, proof),
    );
    let spend = ServerAction::<SupplierSpendPass>::new();
    view! {
        <Shell space=Space::Supplier title="Encaisser un pass — Espace fournisseur" heading="Encaisser un pass">
            <Loaded
                resource=answer
                ok=move |answer| {
                    answer_then_form(
                        answer.map(|p| (p.number.to_string(), view! { <Receipt p /> })),
                        "Encaisser un autre pass",
                        move |prefill| view! { <SpendForm spend prefill /> },
                    )
                }
            />
        </Shell>
    }
}

#[component]
fn SpendForm(spend: ServerAction<SupplierSpendPass>, prefill: String) -> impl IntoView {
    view! {
        <p class="lead">
            "Saisissez le numéro du pass et le code secret imprimés sur le pass. "
            "Le pass est encaissé pour toute sa valeur, une seule fois."
        </p>
        <ActionForm action=spend attr:class="form">
            <Field
                name="number"
                label="N° du pass"
                autocomplete="off"
                autocapitalize="characters"
                placeholder="P2026.NA.442.00000001"
                value=prefill
                required=true
            />
            <Field
                name="code"
                label="Code secret du pass"
                inputmode="numeric"
                autocomplete="off"
                placeholder="123456"
                required=true
            />
            <ActionError action=spend />
            <button
                type="submit"
                class="button button-primary button-big"
                disabled=move || spend.pending().get()
            >
                "ENCAISSER LE PASS"
            </button>
        </ActionForm>
    }
}

/// What to write on the delivery slip: the pass is spent, for this value.
#[component]
fn Receipt(p: SpentPass) -> impl IntoView {
    view! {
        <p class="verdict verdict-ok" role="status">
            "Pass encaissé"
        </p>
        <p class="notice notice-ok">
            "Notez le numéro du pass sur le bon de livraison et gardez le pass : il vous sera payé sur votre facture."
        </p>
        <dl class="card spent-pass">
            <Fact term="N° du pass" class="number">{p.number.to_string()}</Fact>
            <Fact term="Valeur du pass" class="amount">{p.face_value.to_string()}</Fact>
            <Fact term="Date et heure d'encaissement" class="used-at">{p.spent_at.to_string()}</Fact>
            <Fact term="Commanditaire">{p.sponsor}</Fact>
        </dl>
    }
}
