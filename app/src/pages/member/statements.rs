//! « Mes relevés »: the member's statements, as emailed, to download again.

use crate::components::{Loaded, Shell, Space};
use crate::{api::money::my_statements, pages::agency::StatementTable};
use leptos::prelude::*;

#[component]
pub fn MemberStatementsPage() -> impl IntoView {
    let statements = Resource::new(|| (), |_| my_statements());
    view! {
        <Shell space=Space::Member title="Mes relevés — Castors" heading="Mes relevés">
            <p class="hint">
                "Chaque relevé liste vos bons utilisés sur la période, avec les factures des fournisseurs."
            </p>
            <Loaded
                resource=statements
                ok=|rows| {
                    if rows.is_empty() {
                        view! { <p class="empty">"Aucun relevé pour l'instant."</p> }.into_any()
                    } else {
                        view! { <StatementTable rows /> }.into_any()
                    }
                }
            />
            <p>
                <a href="/">"Retour à l'accueil"</a>
            </p>
        </Shell>
    }
}
