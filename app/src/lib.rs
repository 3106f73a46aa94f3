//! `bons`: web vouchers for a building cooperative. This crate holds the views,
//! routes and server functions (compiled for the browser and the server), the
//! pure rules in `domain`, and, with the `ssr` feature, everything in `server`.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod model;
pub mod pages;
pub mod security;
#[cfg(feature = "ssr")]
pub mod server;
pub mod site;
pub mod split;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::{Lazy, SsrMode, path};
use pages::{member::*, public::*};
use split::{agency, occasional, sponsor, supplier};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1d4f73" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Installable, and readable offline: the manifest, the icons,
                // and the script that registers the service worker (public/).
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <script src="/pwa.js" defer></script>
                // Here rather than in App: its name carries the build's hash,
                // which only the server knows.
                <link rel="stylesheet" id="leptos" href=site::stylesheet_href(&options) />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page is rendered whole on the server (`SsrMode::Async`): at a counter
/// with poor signal the page must be usable before, or without, the WASM.
/// The member's pages are in the main WASM bundle; the supplier space's and
/// the back office's load their own chunk when first opened (`split`).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_form_error();
    view! {
        <Title text="Bons Castors" />
        <Router>
            <components::FocusOnNavigation />
            // Flat: no route nests in another, and the flat router is the
            // smaller of Leptos's two in the browser bundle.
            <FlatRoutes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/connexion") view={Lazy::<occasional::LoginPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/bons") view=VoucherListPage ssr=SsrMode::Async />
                <Route path=path!("/bons/nouveau") view={Lazy::<occasional::RequestPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/bons/:id") view=VoucherPage ssr=SsrMode::Async />
                <Route path=path!("/bons/:id/utiliser") view=ConfirmUsePage ssr=SsrMode::Async />
                <Route path=path!("/bons/:id/code") view=SecretCodePage ssr=SsrMode::Async />
                <Route path=path!("/verifier") view={Lazy::<occasional::CheckCodePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/verifier/:number") view={Lazy::<occasional::CheckPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/pass/:number") view={Lazy::<occasional::PassCheckPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/releves") view={Lazy::<occasional::MemberStatementsPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/mot-de-passe") view={Lazy::<occasional::PasswordPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/mot-de-passe-oublie") view={Lazy::<occasional::ForgotPasswordPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/reinitialiser/:token") view={Lazy::<occasional::ChoosePasswordPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/activer") view={Lazy::<occasional::ActivationPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/mon-compte") view={Lazy::<occasional::AccountPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/confirmer-adresse/:token") view={Lazy::<occasional::ConfirmEmailPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/accessibilite") view={Lazy::<occasional::AccessibilityPage>::new()} ssr=SsrMode::Async />

                // The supplier's space.
                <Route path=path!("/fournisseur") view={Lazy::<supplier::SupplierHomePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/verifier") view={Lazy::<supplier::CounterCheckPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/pass") view={Lazy::<supplier::SpendPassPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/bons") view={Lazy::<supplier::DeliveredVouchersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/factures") view={Lazy::<supplier::SupplierInvoicesPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/factures/nouvelle") view={Lazy::<supplier::NewInvoicePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/factures/:id") view={Lazy::<supplier::SupplierInvoicePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/fournisseur/cles") view={Lazy::<supplier::ApiKeysPage>::new()} ssr=SsrMode::Async />

                // The sponsor's space: structures, seed 004's two actions.
                <Route path=path!("/commanditaire") view={Lazy::<sponsor::SponsorHomePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/commanditaire/activer") view={Lazy::<sponsor::ActivatePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/commanditaire/inactiver") view={Lazy::<sponsor::DeactivatePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/commanditaire/commandes") view={Lazy::<sponsor::MyOrdersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/commanditaire/commandes/:id") view={Lazy::<sponsor::OrderPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/boutique") view={Lazy::<sponsor::CataloguePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/panier") view={Lazy::<sponsor::CartPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/caisse") view={Lazy::<sponsor::CheckoutPage>::new()} ssr=SsrMode::Async />

                // The agency back office: members, suppliers, settings, vouchers.
                <Route path=path!("/agence") view={Lazy::<agency::DashboardPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/adherents") view={Lazy::<agency::MembersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/adherents/nouveau") view={Lazy::<agency::NewMemberPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/adherents/import") view={Lazy::<agency::MemberImportPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/adherents/:id") view={Lazy::<agency::MemberPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/fournisseurs") view={Lazy::<agency::SuppliersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/fournisseurs/nouveau") view={Lazy::<agency::NewSupplierPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/fournisseurs/:id") view={Lazy::<agency::SupplierPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/parametres") view={Lazy::<agency::AgencySettingsPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/equipe") view={Lazy::<agency::TeamPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/bons") view={Lazy::<agency::AgencyVouchersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/bons/:id") view={Lazy::<agency::AgencyVoucherPage>::new()} ssr=SsrMode::Async />

                // The agency back office: invoices, payments, statements.
                <Route path=path!("/agence/factures") view={Lazy::<agency::InvoicesPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/factures/:id") view={Lazy::<agency::ReconcilePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/paiements") view={Lazy::<agency::PaymentBatchesPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/paiements/:id") view={Lazy::<agency::PaymentBatchPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/ristournes") view={Lazy::<agency::DiscountCodesPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/commandes") view={Lazy::<agency::AgencyOrdersPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/commandes/:id") view={Lazy::<agency::AgencyOrderPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/boutique") view={Lazy::<agency::ShopSettingsPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/releves") view={Lazy::<agency::StatementsPage>::new()} ssr=SsrMode::Async />

                // The agency back office: sponsors' structures and their managers.
                <Route path=path!("/agence/structures") view={Lazy::<agency::StructuresPage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/structures/:id") view={Lazy::<agency::StructurePage>::new()} ssr=SsrMode::Async />
                <Route path=path!("/agence/commanditaires") view={Lazy::<agency::SponsorsPage>::new()} ssr=SsrMode::Async />
            </FlatRoutes>
        </Router>
        <SiteFooter />
    }
}

/// The error of a form posted without the WASM, for the page it came back
/// to. The server keeps it in a short-lived cookie (`server/src/http/forms.rs`),
/// never in the address: an address can be written by anyone, and a page
/// must show only the errors the server produced. `source` is the server
/// function's path (`/api/login`), or the upload's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormError {
    pub source: String,
    /// The error as server functions encode it, in URL-safe base64 (the form
    /// Leptos's actions read).
    pub error: String,
}

/// The id of the notice of a form posted without the WASM: the server marks
/// the form's fields the error is about as described by it.
pub const FORM_ERROR_ID: &str = "erreur-formulaire";

impl FormError {
    /// The error, if the page's came from `source`.
    pub fn of(source: &str) -> Option<error::AppError> {
        use_context::<FormError>().filter(|e| e.source == source).map(|e| e.decoded())
    }

    /// Is `error` the one this page was sent back with?
    pub fn is_the_pages(error: &error::AppError) -> bool {
        use_context::<FormError>().is_some_and(|e| e.decoded() == *error)
    }

    pub fn decoded(&self) -> error::AppError {
        use leptos::server_fn::error::ServerFnUrlError;
        ServerFnUrlError::<error::AppError>::decode_err(&self.error)
    }
}

/// Makes the form error the server found for this page (see `FormError`)
/// the error of its server action, on the server and, through the page's
/// hydration data, identically in the browser.
fn provide_form_error() {
    let found = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<FormError>().cloned())
        }
        #[cfg(not(feature = "ssr"))]
        {
            None::<FormError>
        }
    })
    .into_inner();
    if let Some(found) = found {
        provide_context(leptos::server::ServerActionError::new(&found.source, &found.error));
        provide_context(found);
    }
}
