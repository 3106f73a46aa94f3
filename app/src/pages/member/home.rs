use crate::api::auth::whoami;
use crate::components::{Loaded, Shell, Space, Tile};
use leptos::prelude::*;

/// The member space: fee status and the two tiles of the seed.
#[component]
pub fn HomePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Shell space=Space::Member title="Mon espace adhérent — Bons Castors">
            <Loaded
                resource=me
                ok=|m| {
                    let fee = match (m.fee_paid_up, m.fee_paid_until) {
                        (true, Some(until)) => format!("Cotisation à jour jusqu'au {until}."),
                        (true, None) => "Cotisation à jour.".to_owned(),
                        (false, _) => {
                            "Votre cotisation n'est pas à jour : prenez contact avec votre agence Castors pour pouvoir émettre des bons."
                                .to_owned()
                        }
                    };
                    view! {
                        <h1>"Bonjour " {m.name}</h1>
                        <p class=if m.fee_paid_up {
                            "notice notice-ok"
                        } else {
                            "notice notice-warn"
                        }>{fee}</p>
                    }
                }
            />
            <nav class="tiles">
                <Tile href="/bons/nouveau" label="DEMANDE DE BONS CASTORS WEB" primary=true />
                <Tile href="/bons" label="Demande de bons" />
                <Tile href="/releves" label="Mes relevés" />
            </nav>
        </Shell>
    }
}
