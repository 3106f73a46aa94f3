//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn SuppliersPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Fournisseurs"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn NewSupplierPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Nouveau fournisseur"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn SupplierPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Fournisseur"</h1>
        </AgencyShell>
    }
}
