//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn StatementsPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Relevés"</h1>
        </AgencyShell>
    }
}
