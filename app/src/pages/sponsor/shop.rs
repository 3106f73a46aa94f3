//! The sponsors' shop (seed 001), public: `/boutique` (the catalogue),
//! `/panier` (the cart: « poursuivre vos achats ou passer à la caisse »)
//! and `/caisse` (log in or open an account, then the order's details, a
//! discount code with « Appliquer », the payment method). Every form works
//! without the WASM.

use crate::api::auth::Login;
use crate::api::shop::{
    AddToCart, OpenSponsorAccount, PlaceOrder, SetCartQuantity, checkout, shop_cart, shop_catalogue,
};
use crate::components::{ActionError, ErrorNotice, Field, Loaded, Section, Shell, Space, Submit, Table};
use crate::domain::order::PaymentMethod;
use crate::domain::pricing::Quote;
use crate::domain::{Money, Siret, StructureKind};
use crate::error::AppError;
use crate::model::shop::{CartView, Catalogue, CatalogueItem, CheckoutAccount, CheckoutStructure, CheckoutView};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CataloguePage() -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let catalogue = Resource::new(move || add.version().get(), |_| shop_catalogue());
    view! {
        <Shell space=Space::Shop title="Boutique — Pass Castors" heading="Pass Castors">
            <p class="lead">
                "Financez les achats de matériaux des personnes que vous aidez : les Pass Castors sont des pass prépayés, \
                 imprimés en carnets, que vos bénéficiaires dépensent chez les fournisseurs partenaires de la coopérative."
            </p>
            <Loaded resource=catalogue ok=move |c: Catalogue| view! { <Products c add /> } />
        </Shell>
    }
}

#[component]
fn Products(c: Catalogue, add: ServerAction<AddToCart>) -> impl IntoView {
    view! {
        {(c.in_cart > 0)
            .then(|| {
                view! {
                    <p class="notice notice-note cart-count">
                        {format!("Votre panier : {} article(s). ", c.in_cart)}
                        <a href="/panier">"Voir le panier"</a>
                        " — "
                        <a href="/caisse">"Passer à la caisse"</a>
                    </p>
                }
            })}
        <ActionError action=add />
        <ul class="products">
            {c.items.into_iter().map(|item| view! { <Product item add /> }).collect_view()}
        </ul>
        <p class="hint">
            {format!(
                "Prix unitaires. La valeur faciale des pass est hors champ de la TVA ; les frais contributifs amont \
                 ({} HT de la valeur des pass) et les services portent une TVA de {}. Paiement par Chorus Pro \
                 (mandat administratif) pour les structures publiques, par virement pour les autres.",
                c.fee_rate,
                c.vat_rate,
            )}
        </p>
    }
}

#[component]
fn Product(item: CatalogueItem, add: ServerAction<AddToCart>) -> impl IntoView {
    let id = format!("quantite-{}", item.key);
    let vat = match item.vat {
        Some(vat) => format!("TVA {vat}"),
        None => "hors champ de la TVA".to_owned(),
    };
    let key = item.key.clone();
    view! {
        <li class="card product" data-product=key>
            <h2>{item.label}</h2>
            <p>{item.description}</p>
            <dl class="facts">
                <dt>"Prix HT"</dt>
                <dd class="amount">{item.unit_excl_vat.priced()}</dd>
                <dt>"TVA"</dt>
                <dd>{vat}</dd>
                <dt>"Prix TTC"</dt>
                <dd class="amount">{item.unit_incl_vat.priced()}</dd>
            </dl>
            <ActionForm action=add attr:class="form form-inline">
                <input type="hidden" name="product" value=item.key />
                <label for=id.clone()>"Quantité"</label>
                <input id=id name="quantity" type="number" inputmode="numeric" min="1" max="1000" value="1" required />
                <button type="submit" class="button button-primary">
                    "Ajouter au panier"
                </button>
            </ActionForm>
        </li>
    }
}

/// The cart's totals: passes, fees and services, discount, VAT, total.
#[component]
pub fn QuoteTotals(quote: Quote, #[prop(optional)] code: Option<String>) -> impl IntoView {
    let row = |label: String, amount: Money, class: &'static str| {
        view! {
            <tr class=class>
                <th scope="row">{label}</th>
                <td class="amount">{amount.priced()}</td>
            </tr>
        }
    };
    let discount = (quote.discount > Money::ZERO).then(|| {
        let label = format!("Remise {} (sur les frais et services)", code.unwrap_or_default());
        row(label, Money::from_cents(-quote.discount.cents()), "discount")
    });
    view! {
        <table class="table totals">
            <tbody>
                {row("Valeur faciale des pass (hors champ de la TVA)".into(), quote.passes_value, "passes")}
                {row("Frais et services HT".into(), quote.fees_and_services, "fees")}
                {discount}
                {row("Total HT".into(), quote.total_excl_vat, "total-excl")}
                {row(format!("TVA {}", quote.vat_rate), quote.vat, "vat")}
                {row("Total TTC".into(), quote.total_incl_vat, "total-incl")}
            </tbody>
        </table>
    }
}

/// The quoted lines: what is bought, and the fees that follow.
#[component]
pub fn QuoteLines(quote: Quote) -> impl IntoView {
    view! {
        <Table class="table quote-lines" columns=vec!["Désignation", "Quantité", "Prix unitaire HT", "Montant HT"]>
            {quote
                .lines
                .into_iter()
                .map(|l| {
                    view! {
                        <tr>
                            <td>{l.label}</td>
                            <td class="number">{l.quantity}</td>
                            <td class="amount">{l.unit_price.priced()}</td>
                            <td class="amount">{l.net.priced()}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
}

#[component]
pub fn CartPage() -> impl IntoView {
    let query = use_query_map();
    let change = ServerAction::<SetCartQuantity>::new();
    let cart = Resource::new(move || change.version().get(), |_| shop_cart());
    let added = move || query.read().get("ajout").is_some();
    view! {
        <Shell space=Space::Shop title="Panier — Boutique Castors" heading="Votre panier">
            {move || {
                added()
                    .then(|| {
                        view! {
                            <div class="notice notice-ok added" role="status">
                                <p>"Le produit a été ajouté à votre panier."</p>
                                <ShopOn />
                            </div>
                        }
                    })
            }}
            <Loaded resource=cart ok=move |c: CartView| view! { <Cart c change /> } />
        </Shell>
    }
}

/// « Poursuivre vos achats ou passer à la caisse » (seed 001).
#[component]
fn ShopOn() -> impl IntoView {
    view! {
        <p>
            <a class="button" href="/boutique">
                "Poursuivre vos achats"
            </a>
            " "
            <a class="button button-primary" href="/caisse">
                "Passer à la caisse"
            </a>
        </p>
    }
}

/// An empty cart, on the cart's page and at the checkout: the way to the catalogue.
#[component]
fn EmptyCart() -> impl IntoView {
    view! {
        <p class="empty">"Votre panier est vide."</p>
        <p>
            <a class="button button-primary" href="/boutique">
                "Voir le catalogue"
            </a>
        </p>
    }
}

#[component]
fn Cart(c: CartView, change: ServerAction<SetCartQuantity>) -> impl IntoView {
    if c.lines.is_empty() {
        return view! { <EmptyCart /> }.into_any();
    }
    view! {
        <ActionError action=change />
        <Table class="table cart" columns=vec!["Produit", "Prix unitaire HT", "Quantité", "Montant HT"] action="Retirer">
            {c.lines.into_iter().map(|l| view! { <CartRow l change /> }).collect_view()}
        </Table>
        {c.problem.map(|why| view! { <ErrorNotice error=AppError::Invalid(why) /> })}
        {c.quote.map(|quote| view! { <QuoteTotals quote /> })}
        <ShopOn />
    }
    .into_any()
}

#[component]
fn CartRow(l: crate::model::shop::CartLineView, change: ServerAction<SetCartQuantity>) -> impl IntoView {
    let id = format!("quantite-{}", l.key);
    let (key, row_key, form_key) = (l.key.clone(), l.key.clone(), l.key);
    view! {
        <tr data-product=row_key>
            <td>{l.label}</td>
            <td class="amount">{l.unit_price.priced()}</td>
            <td>
                <ActionForm action=change attr:class="form form-inline">
                    <input type="hidden" name="product" value=form_key />
                    <label for=id.clone() class="visually-hidden">
                        "Quantité"
                    </label>
                    <input
                        id=id
                        name="quantity"
                        type="number"
                        inputmode="numeric"
                        min="0"
                        max="1000"
                        value=l.quantity.to_string()
                        required
                    />
                    <button type="submit" class="button button-small">
                        "Modifier"
                    </button>
                </ActionForm>
            </td>
            <td class="amount">{l.net.priced()}</td>
            <td>
                <ActionForm action=change attr:class="form form-inline">
                    <input type="hidden" name="product" value=key />
                    <input type="hidden" name="quantity" value="0" />
                    <button type="submit" class="button button-small">
                        "Retirer"
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(
        // `compte` and `connecte`: where opening an account or logging in
        // leads, so that the page asks again, now for someone logged in.
        move || {
            let q = query.read();
            (q.get("structure"), q.get("code"), q.get("compte").or(q.get("connecte")))
        },
        |(structure, code, _)| checkout(structure, code),
    );
    view! {
        <Shell space=Space::Shop title="Caisse — Boutique Castors" heading="Passer à la caisse">
            <Loaded resource=page ok=move |v: CheckoutView| view! { <Checkout v /> } />
        </Shell>
    }
}

#[component]
fn Checkout(v: CheckoutView) -> impl IntoView {
    if v.cart.lines.is_empty() {
        return view! { <EmptyCart /> }.into_any();
    }
    let (lines, totals, problem) = (v.cart.quote.clone(), v.cart.quote.clone(), v.cart.problem.clone());
    let applied = v.code.clone().unwrap_or_default();
    let has_quote = v.cart.quote.is_some();
    let summary = view! {
        <Section title="Votre commande">
            {lines.map(|quote| view! { <QuoteLines quote /> })}
            {problem.map(|why| view! { <ErrorNotice error=AppError::Invalid(why) /> })}
            {totals.map(|quote| view! { <QuoteTotals quote code=applied /> })}
            <p>
                <a href="/panier">"Modifier le panier"</a>
            </p>
        </Section>
    };
    let rest = match (v.account, v.other_role) {
        (_, true) => view! {
            <p class="notice notice-error">
                "Vous êtes connecté avec un compte qui n'est pas celui d'un commanditaire : \
                 déconnectez-vous pour commander avec votre compte de commanditaire."
            </p>
        }
        .into_any(),
        (None, false) => view! { <Identify /> }.into_any(),
        (Some(account), false) => {
            view! { <OrderDetails account code=v.code code_refusal=v.code_refusal has_quote /> }.into_any()
        }
    };
    view! {
        {summary}
        {rest}
    }
    .into_any()
}

/// No prior registration: log in, or open an account for a structure.
#[component]
fn Identify() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let open = ServerAction::<OpenSponsorAccount>::new();
    view! {
        <div class="columns">
            <Section title="Déjà client ? Connectez-vous">
                <ActionForm action=login attr:class="form">
                    <Field name="number" id="login-number" label="Adresse e-mail ou identifiant" autocomplete="username" required=true />
                    <Field
                        name="password"
                        id="login-password"
                        label="Mot de passe"
                        kind="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <input type="hidden" name="suivant" value="/caisse?connecte=1" />
                    <Submit action=login label="SE CONNECTER" primary=true />
                </ActionForm>
            </Section>
            <Section title="Nouveau client ? Créez votre compte">
                <ActionForm action=open attr:class="form signup">
                    <Field name="email" label="Adresse e-mail (votre identifiant)" kind="email" autocomplete="email" required=true />
                    <Field
                        name="password"
                        id="signup-password"
                        label="Mot de passe (10 caractères au moins)"
                        kind="password"
                        autocomplete="new-password"
                        minlength="10"
                        required=true
                    />
                    <Field
                        name="confirm"
                        label="Mot de passe, une seconde fois"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                    />
                    <Field name="name" label="Nom et prénom" autocomplete="name" required=true />
                    <Field name="phone" label="Téléphone" kind="tel" autocomplete="tel" required=true />
                    <fieldset>
                        <legend>"Vous commandez pour"</legend>
                        <label class="choice">
                            <input type="radio" name="kind" value="public" checked />
                            " une structure publique (commune, CCAS, département…), identifiée par son SIRET"
                        </label>
                        <label class="choice">
                            <input type="radio" name="kind" value="private" />
                            " un commanditaire privé (fondation, entreprise…)"
                        </label>
                    </fieldset>
                    <Field
                        name="siret"
                        label="SIRET (ou SIREN, facultatif, pour un commanditaire privé)"
                        inputmode="numeric"
                    />
                    <Field name="label" label="Raison sociale (commanditaire privé)" autocomplete="organization" />
                    <Submit action=open label="CRÉER MON COMPTE" primary=true />
                </ActionForm>
            </Section>
        </div>
    }
}

/// The id of the notice of a refused discount code.
const CODE_REFUSAL_ID: &str = "code-refuse";

#[component]
fn OrderDetails(
    account: CheckoutAccount,
    code: Option<String>,
    code_refusal: Option<String>,
    has_quote: bool,
) -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    let waiting = (!account.waiting.is_empty()).then(|| {
        view! {
            <p class="notice notice-note">
                {format!(
                    "Votre demande de gestion de {} attend l'approbation de son gestionnaire principal : \
                     vous ne pouvez pas encore commander pour cette structure.",
                    account.waiting.join(", "),
                )}
            </p>
        }
    });
    let Some(chosen) = account.structures.first().cloned() else {
        return view! {
            {waiting}
            <p class="empty">
                "Vous ne gérez encore aucune structure active : "
                <a href="/commanditaire/activer">"activez votre structure publique"</a>
                " pour commander."
            </p>
        }
        .into_any();
    };
    let code_value = code.clone().unwrap_or_default();
    let applied = code.is_some() && code_refusal.is_none();
    let public = chosen.kind == StructureKind::Public;
    let payment = if public { PaymentMethod::Chorus } else { PaymentMethod::Transfer };
    view! {
        {waiting}
        <p class="hint">{format!("Connecté : {} ({}).", account.name, account.login)}</p>
        <Section title="Structure et code de ristourne">
            <form method="get" action="/caisse" class="form form-inline">
                <label for="structure">"Vous commandez pour"</label>
                <select id="structure" name="structure">
                    {account
                        .structures
                        .iter()
                        .map(|s| {
                            let label = match &s.siret {
                                Some(siret) => format!("{} — SIRET {}", s.label, Siret::shown(siret)),
                                None => s.label.clone(),
                            };
                            view! {
                                <option value=s.id.to_string() selected=s.id == chosen.id>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <label for="code">"Code de ristourne"</label>
                // A refused code is tied to its field here, on the server too.
                <input
                    id="code"
                    name="code"
                    type="text"
                    autocapitalize="characters"
                    value=code_value.clone()
                    aria-invalid=code_refusal.is_some().then_some("true")
                    aria-describedby=code_refusal.is_some().then_some(CODE_REFUSAL_ID)
                />
                {code_refusal.map(|why| view! { <ErrorNotice error=AppError::field("code", why) id=CODE_REFUSAL_ID /> })}
                <button type="submit" class="button">
                    "Appliquer"
                </button>
            </form>
            {applied
                .then(|| {
                    view! {
                        <p class="notice notice-ok code-applied" role="status">
                            {format!("Le code {} est appliqué aux frais et services.", code_value)}
                        </p>
                    }
                })}
        </Section>
        <ActionForm action=place attr:class="form order-form">
            <input type="hidden" name="structure" value=chosen.id.to_string() />
            <input type="hidden" name="code" value=if applied { code.unwrap_or_default() } else { String::new() } />
            <Addresses chosen=chosen.clone() />
            <Section title="Points de distribution (facultatif)">
                <label for="points">
                    "Un point par ligne : nom ; adresse ; e-mail. Chacun recevra l'avis d'activation des pass."
                </label>
                <textarea id="points" name="points" rows="3"></textarea>
            </Section>
            <Section title="Mode de paiement">
                <fieldset>
                    <legend class="visually-hidden">"Mode de paiement"</legend>
                    {[PaymentMethod::Chorus, PaymentMethod::Transfer]
                        .into_iter()
                        .map(|m| {
                            let allowed = m == payment;
                            let hint = match (m, allowed) {
                                (PaymentMethod::Chorus, false) => " (réservé aux structures publiques)",
                                (PaymentMethod::Transfer, false) => " (une structure publique paie par Chorus Pro)",
                                _ => "",
                            };
                            view! {
                                <label class="choice">
                                    <input type="radio" name="payment" value=m.code() checked=allowed disabled=!allowed />
                                    {format!(" {}{hint}", m.label())}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                {public
                    .then(|| {
                        view! {
                            <p class="hint">
                                "Votre commande sera confirmée dès réception de son bon de commande : \
                                 vous le déposerez sur la page de la commande."
                            </p>
                        }
                    })}
            </Section>
            {has_quote.then(|| view! { <Submit action=place label="VALIDER LA COMMANDE" primary=true /> })}
        </ActionForm>
    }
    .into_any()
}

/// Billing and delivery addresses, prefilled from the structure. A public
/// structure's are the administration's own: its label is the « Raison
/// sociale », not to be changed.
#[component]
fn Addresses(chosen: CheckoutStructure) -> impl IntoView {
    let public = chosen.kind == StructureKind::Public;
    let block = move |prefix: &'static str, title: &'static str, name_label: &'static str| {
        let id = move |field: &str| format!("{prefix}_{field}");
        let s = chosen.clone();
        view! {
            <Section title=title>
                <label for=id("name")>{name_label}</label>
                <input
                    id=id("name")
                    name=id("name")
                    type="text"
                    value=s.label.clone()
                    readonly=public
                    required
                />
                <label for=id("street")>"Adresse"</label>
                <textarea id=id("street") name=id("street") rows="2" required>
                    {s.address.clone()}
                </textarea>
                <label for=id("postcode")>"Code postal"</label>
                <input
                    id=id("postcode")
                    name=id("postcode")
                    type="text"
                    inputmode="numeric"
                    maxlength="5"
                    value=s.postcode.clone()
                    required
                />
                <label for=id("city")>"Ville"</label>
                <input id=id("city") name=id("city") type="text" value=s.city.clone() required />
            </Section>
        }
    };
    view! {
        {block("billing", "Adresse de facturation", "Raison sociale")}
        {block("delivery", "Adresse de livraison", if public { "Structure" } else { "Destinataire" })}
    }
}
