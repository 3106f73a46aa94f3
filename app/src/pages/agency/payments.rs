//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn PaymentBatchesPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Paiements"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn PaymentBatchPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Lot de paiement"</h1>
        </AgencyShell>
    }
}
