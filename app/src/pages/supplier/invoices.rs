//! Placeholder: being written.

use crate::components::SupplierShell;
use leptos::prelude::*;

#[component]
pub fn SupplierInvoicesPage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Factures"</h1>
        </SupplierShell>
    }
}

#[component]
pub fn NewInvoicePage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Nouvelle facture"</h1>
        </SupplierShell>
    }
}

#[component]
pub fn SupplierInvoicePage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Facture"</h1>
        </SupplierShell>
    }
}
