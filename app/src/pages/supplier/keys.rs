//! Placeholder: being written.

use crate::components::SupplierShell;
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Caisse (API)"</h1>
        </SupplierShell>
    }
}
