use crate::api::vouchers::{RequestVoucher, open_voucher, request_choices};
use crate::components::{Field, Loading, Shell, Space, Submit, show_result};
use crate::domain::Money;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// "Demande de Bons Castors Web": supplier and amount including VAT. The
/// amount is shown rounded up to the euro while typing; the server applies
/// the same rule from the same function.
#[component]
pub fn RequestPage() -> impl IntoView {
    let query = use_query_map();
    let issued = move || query.read().get("emis");
    // One resource for the page: the form's choices and, after VALIDER, the
    // voucher just issued.
    let page = Resource::new(issued, |id| async move {
        let issued = match id {
            Some(id) => Some(open_voucher(id).await),
            None => None,
        };
        (request_choices().await, issued)
    });
    let request = ServerAction::<RequestVoucher>::new();
    let typed = RwSignal::new(String::new());

    view! {
        <Shell space=Space::Member title="Demande de Bons Castors Web" heading="Demande de Bons Castors Web">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let (form, issued) = page.await;
                    let issued = issued
                        .map(|card| {
                            show_result(
                                card,
                                |c| {
                                    view! {
                                        <div class="notice notice-ok" role="status">
                                            <p>
                                                "Vous êtes à jour de votre cotisation, votre bon Castors WEB est disponible dans votre espace adhérent, rubrique « Demande de bons »."
                                            </p>
                                            <p class="issued">
                                                "Bon de " <strong class="issued-amount">{c.amount.to_string()}</strong>
                                                " chez " {c.supplier} " — " {c.status.label()}
                                            </p>
                                            <a class="button" href=format!("/bons/{}", c.id)>
                                                "Voir ce bon"
                                            </a>
                                        </div>
                                    }
                                },
                            )
                        });
                    let form = show_result(
                        form,
                        move |f| {
                            let max = f.max_voucher;
                            let preview = move || {
                                let text = typed.get();
                                if text.trim().is_empty() {
                                    return view! {
                                        <p class="amount-preview muted">
                                            "Montant TTC, arrondi à l'euro supérieur."
                                        </p>
                                    }
                                        .into_any();
                                }
                                match Money::parse_request(&text, max) {
                                    Ok(amount) => {
                                        view! {
                                            <p class="amount-preview" aria-live="polite">
                                                "Montant du bon : "
                                                <strong class="rounded-amount">{amount.to_string()}</strong>
                                            </p>
                                        }
                                            .into_any()
                                    }
                                    Err(e) => {
                                        view! {
                                            <p class="amount-preview amount-error" aria-live="polite">
                                                {e.to_string()}
                                            </p>
                                        }
                                            .into_any()
                                    }
                                }
                            };
                            view! {
                                <ActionForm action=request attr:class="form">
                                    <label for="supplier_id">"Fournisseur"</label>
                                    <select id="supplier_id" name="supplier_id" required>
                                        <option value="">"— Choisissez —"</option>
                                        {f
                                            .suppliers
                                            .into_iter()
                                            .map(|s| view! { <option value=s.id.to_string()>{s.name}</option> })
                                            .collect_view()}
                                    </select>
                                    <Field
                                        name="amount"
                                        label="Montant"
                                        inputmode="decimal"
                                        autocomplete="off"
                                        placeholder="12,30"
                                        required=true
                                        typed
                                    />
                                    {preview}
                                    <p class="hint">
                                        "Au plus " {max.to_string()} " par bon. Arrondir à l'euro supérieur."
                                    </p>
                                    <Submit action=request label="VALIDER" primary=true />
                                </ActionForm>
                            }
                        },
                    );
                    view! {
                        {issued}
                        {form}
                    }
                })}
            </Suspense>
            <p>
                <a href="/bons">"Demande de bons"</a>
            </p>
        </Shell>
    }
}
