//! The back office's side of the sponsors' shop: `/agence/commandes` (the
//! agency's orders by status, each order's page) and `/agence/boutique`
//! (the shop's prices, the IBAN for transfers, and the cooperative as its
//! invoices to sponsors name it).

use super::desk::{AgencyField, AgencyPicker};
use crate::api::shop::{
    SaveSellerIdentity, SaveShopSettings, agency_order, agency_orders, seller_identity, shop_settings,
};
use crate::components::{Field, Loaded, Section, Shell, Space, Submit, done_notice, id_resource, or_empty};
use crate::domain::order::OrderStatus;
use crate::model::shop::{AgencyOrderList, OrderView, SellerView, ShopSettingsView};
use crate::pages::sponsor::{OrderDetail, OrderTable};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AgencyOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            (q.get("agence"), q.get("statut"))
        },
        |(agency, status)| agency_orders(agency, status),
    );
    view! {
        <Shell space=Space::Agency title="Commandes — Agence Castors" heading="Commandes des commanditaires">
            <Loaded resource=page ok=move |list: AgencyOrderList| view! { <Orders list /> } />
        </Shell>
    }
}

#[component]
fn Orders(list: AgencyOrderList) -> impl IntoView {
    let chosen = list.desk.chosen.clone().unwrap_or_default();
    let status = list.status.map(OrderStatus::code).unwrap_or_default();
    view! {
        <AgencyPicker desk=list.desk.clone() action="/agence/commandes" all=true />
        <form method="get" action="/agence/commandes" class="picker" role="search">
            {(!chosen.is_empty()).then(|| view! { <input type="hidden" name="agence" value=chosen.clone() /> })}
            <label for="statut">"État"</label>
            <select id="statut" name="statut">
                <option value="" selected=status.is_empty()>
                    "Tous"
                </option>
                {OrderStatus::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.code() selected=s.code() == status>
                                {s.label()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="button">
                "Afficher"
            </button>
        </form>
        {or_empty(list.rows.is_empty(), "Aucune commande.", || view! { <OrderTable rows=list.rows href="/agence/commandes" /> })}
    }
}

#[component]
pub fn AgencyOrderPage() -> impl IntoView {
    let changes = crate::components::PageChanges::provide();
    let order = id_resource(move || changes.get(), |id, _| agency_order(id));
    view! {
        <Shell space=Space::Agency title="Commande — Agence Castors">
            <Loaded resource=order ok=move |o: OrderView| view! { <OrderDetail o base="/agence/commandes" /> } />
            <p>
                <a href="/agence/commandes">"Retour aux commandes"</a>
            </p>
        </Shell>
    }
}

#[component]
pub fn ShopSettingsPage() -> impl IntoView {
    let query = use_query_map();
    let save = ServerAction::<SaveShopSettings>::new();
    let page =
        Resource::new(move || (query.read().get("agence"), save.version().get()), |(agency, _)| shop_settings(agency));
    let saved = move || query.read().get("enregistre").is_some();
    let save_seller = ServerAction::<SaveSellerIdentity>::new();
    let seller = Resource::new(
        move || (query.read().get("agence"), save_seller.version().get()),
        |(agency, _)| seller_identity(agency),
    );
    let seller_saved = move || query.read().get("emetteur").is_some();
    view! {
        <Shell space=Space::Agency title="Boutique — Agence Castors" heading="Prix de la boutique des commanditaires">
            <p class="hint">
                "Les commandes déjà passées gardent les prix et taux de leur jour. La valeur faciale des pass est hors champ de la TVA."
            </p>
            {move || done_notice(saved(), "Les prix de la boutique sont enregistrés.")}
            <Loaded resource=page ok=move |v: ShopSettingsView| view! { <PricesForm v save /> } />
            {move || done_notice(seller_saved(), "L'émetteur des factures est enregistré.")}
            <Loaded resource=seller ok=move |v: SellerView| view! { <SellerForm v save=save_seller /> } />
        </Shell>
    }
}

/// The cooperative as its invoices to sponsors name it (EN 16931 BG-4):
/// no invoice is issued until it is given.
#[component]
fn SellerForm(v: SellerView, save: ServerAction<SaveSellerIdentity>) -> impl IntoView {
    view! {
        <Section title="Émetteur des factures aux commanditaires">
            <ActionForm action=save attr:class="form seller">
                <input type="hidden" name="agency" value=use_query_map().read_untracked().get("agence").unwrap_or_default() />
                <Field name="name" id="seller-name" label="Raison sociale" value=v.name required=true />
                <Field name="siret" id="seller-siret" label="SIRET" inputmode="numeric" value=v.siret required=true />
                <Field
                    name="vat_number"
                    id="seller-vat"
                    label="N° de TVA intracommunautaire"
                    autocapitalize="characters"
                    value=v.vat_number
                    required=true
                />
                <Field name="street" id="seller-street" label="Adresse" value=v.street required=true />
                <Field name="postcode" id="seller-postcode" label="Code postal" inputmode="numeric" value=v.postcode required=true />
                <Field name="city" id="seller-city" label="Ville" value=v.city required=true />
                <Submit action=save label="ENREGISTRER L'ÉMETTEUR" primary=true />
            </ActionForm>
        </Section>
    }
}

#[component]
fn PricesForm(v: ShopSettingsView, save: ServerAction<SaveShopSettings>) -> impl IntoView {
    let p = v.prices;
    let faces = p.face_values.iter().map(|m| (m.cents() / 100).to_string()).collect::<Vec<_>>().join(", ");
    let rate = |r: crate::domain::pricing::Rate| r.to_string().trim_end_matches('%').trim().to_owned();
    let ready = v.desk.chosen.is_some() || !v.desk.is_admin;
    view! {
        <AgencyPicker desk=v.desk.clone() action="/agence/boutique" />
        {if ready {
            view! {
                <Section title="Pass Castors et services">
                    <ActionForm action=save attr:class="form shop-prices">
                        <AgencyField desk=v.desk.clone() />
                        <label for="face_values">"Valeurs faciales proposées (en euros, séparées par des virgules)"</label>
                        <input id="face_values" name="face_values" type="text" value=faces required />
                        <label for="booklet_size">"Pass par carnet"</label>
                        <input id="booklet_size" name="booklet_size" type="number" min="1" max="100" value=p.booklet_size.to_string() required />
                        <label for="fee_rate">"Frais contributifs amont (% HT de la valeur des pass)"</label>
                        <input id="fee_rate" name="fee_rate" type="text" inputmode="decimal" value=rate(p.fee_rate) required />
                        <label for="accompaniment">"Accompagnement technique (€ HT)"</label>
                        <input id="accompaniment" name="accompaniment" type="text" inputmode="decimal" value=p.accompaniment.decimal_fr() required />
                        <label for="delivery">"Frais de livraison (€ HT)"</label>
                        <input id="delivery" name="delivery" type="text" inputmode="decimal" value=p.delivery.decimal_fr() required />
                        <label for="vat_rate">"TVA sur les frais et services (%)"</label>
                        <input id="vat_rate" name="vat_rate" type="text" inputmode="decimal" value=rate(p.vat_rate) required />
                        <label for="iban">"IBAN de la coopérative (paiements par virement)"</label>
                        <input id="iban" name="iban" type="text" value=v.iban.clone().unwrap_or_default() />
                        <Submit action=save label="ENREGISTRER" primary=true />
                    </ActionForm>
                </Section>
            }
                .into_any()
        } else {
            view! { <p class="hint">"Choisissez l'agence dont vous voulez régler les prix."</p> }.into_any()
        }}
    }
}
