//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn AgencyVouchersPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Bons"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn AgencyVoucherPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Bon"</h1>
        </AgencyShell>
    }
}
