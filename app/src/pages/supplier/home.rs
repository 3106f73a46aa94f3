use crate::api::supplier::supplier_home;
use crate::components::{Loaded, Shell, Space, Tile};
use leptos::prelude::*;

/// The supplier's home: whose space it is, what is waiting, and the four
/// screens as big tiles (counter staff use it on a phone).
#[component]
pub fn SupplierHomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| supplier_home());
    view! {
        <Shell space=Space::Supplier title="Espace fournisseur — Bons Castors">
            <Loaded
                resource=home
                ok=|h| {
                    view! {
                        <h1 class="supplier-name">{h.supplier}</h1>
                        <p class="muted">"Connecté en tant que " {h.login}</p>
                        {(h.invoices_to_correct > 0)
                            .then(|| {
                                view! {
                                    <p class="notice notice-warn">
                                        <a href="/fournisseur/factures">
                                            {plural(h.invoices_to_correct, "", "facture renvoyée", "factures renvoyées")}
                                            " « à corriger » par l'agence"
                                        </a>
                                    </p>
                                }
                            })}
                        <nav class="tiles">
                            <Tile href="/fournisseur/verifier" label="Vérifier un bon" primary=true />
                            <Tile href="/fournisseur/pass" label="Encaisser un pass" primary=true />
                            <Tile
                                href="/fournisseur/bons"
                                label="Bons livrés"
                                sub=format!(
                                    "{} ({})",
                                    plural(h.to_invoice, "aucun bon à facturer", "bon à facturer", "bons à facturer"),
                                    h.to_invoice_amount,
                                )
                            />
                            <Tile href="/fournisseur/factures" label="Factures" />
                            <Tile
                                href="/fournisseur/cles"
                                label="Caisse (API)"
                                sub=plural(h.active_keys, "aucune clé active", "clé active", "clés actives")
                            />
                        </nav>
                    }
                }
            />
        </Shell>
    }
}

/// "aucun bon à facturer", "1 bon à facturer", "3 bons à facturer".
pub fn plural(n: i64, none: &str, one: &str, many: &str) -> String {
    match n {
        0 => none.to_owned(),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn counts_read_as_french() {
        assert_eq!(plural(0, "aucune clé active", "clé active", "clés actives"), "aucune clé active");
        assert_eq!(plural(1, "", "facture renvoyée", "factures renvoyées"), "1 facture renvoyée");
        assert_eq!(plural(12, "", "bon à facturer", "bons à facturer"), "12 bons à facturer");
    }
}
