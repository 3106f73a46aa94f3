//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Tableau de bord"</h1>
        </AgencyShell>
    }
}
