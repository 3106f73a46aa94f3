//! Placeholder: being written.

use crate::components::SupplierShell;
use leptos::prelude::*;

#[component]
pub fn SupplierHomePage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Espace fournisseur"</h1>
        </SupplierShell>
    }
}
