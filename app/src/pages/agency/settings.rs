//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn AgencySettingsPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Paramètres de l'agence"</h1>
        </AgencyShell>
    }
}
