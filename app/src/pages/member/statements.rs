//! Placeholder: being written.

use crate::components::MemberShell;
use leptos::prelude::*;

#[component]
pub fn MemberStatementsPage() -> impl IntoView {
    view! {
        <MemberShell>
            <h1>"Mes relevés"</h1>
        </MemberShell>
    }
}
