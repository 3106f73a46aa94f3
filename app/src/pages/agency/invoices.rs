//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Factures fournisseurs"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn ReconcilePage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Rapprochement"</h1>
        </AgencyShell>
    }
}
