//! Placeholder: being written.

use crate::components::SupplierShell;
use leptos::prelude::*;

#[component]
pub fn DeliveredVouchersPage() -> impl IntoView {
    view! {
        <SupplierShell>
            <h1>"Bons livrés"</h1>
        </SupplierShell>
    }
}
