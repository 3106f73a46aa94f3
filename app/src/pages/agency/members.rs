//! Placeholder: being written.

use crate::components::AgencyShell;
use leptos::prelude::*;

#[component]
pub fn MembersPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Adhérents"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn NewMemberPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Nouvel adhérent"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn MemberImportPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Importer des adhérents"</h1>
        </AgencyShell>
    }
}

#[component]
pub fn MemberPage() -> impl IntoView {
    view! {
        <AgencyShell>
            <h1>"Adhérent"</h1>
        </AgencyShell>
    }
}
