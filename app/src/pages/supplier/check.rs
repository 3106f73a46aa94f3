//! Placeholder: being written.

use crate::components::SupplierShell;
use leptos::prelude::*;

#[component]
pub fn CounterCheckPage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Vérifier un bon"</h1>
        </SupplierShell>
    }
}
