//! The supplier space, the agency back office, and the pages nobody needs
//! at the counter or offline, out of the main WASM bundle.
//!
//! Each group renders its pages through one `#[lazy]` function. Built with
//! `cargo leptos build --split`, that function and all the code only it
//! reaches (the pages, the decoding of their server functions' results) go
//! to a WASM chunk of their own, which the browser fetches the first time a
//! page of the group is opened, server-rendered or reached by a link. A
//! member's phone never downloads the supplier's or the agency's chunk, and
//! the occasional pages' one only to log in, request a voucher or read its
//! statements: the main bundle holds what the member needs at the counter
//! and offline (home, "Demande de bons", a card, the use and code screens),
//! and the service worker keeps it. Without `--split`, and on the server,
//! the function is an ordinary async one.
//!
//! One chunk per space rather than per page: staff go from page to page of
//! the back office in one sitting, and pages of a space share most of their
//! code (their frame, their tables, their forms).

/// One space: a route type per page (for `Lazy::<space::Page>::new()`),
/// each rendering its page of `crate::pages::<space>` through the space's
/// lazy function `$load` (whose preload function is `$preload`).
macro_rules! lazy_space {
    ($(#[$attr:meta])* $space:ident, $load:ident, $preload:ident: $($page:ident),+ $(,)?) => {
        $(#[$attr])*
        pub mod $space {
            use leptos::prelude::AnyView;

            /// Which page of the space to render, once its chunk is loaded.
            #[derive(Debug, Clone, Copy)]
            pub enum Page {
                $($page),+
            }

            $(
                #[doc = concat!("The route of `pages::", stringify!($space), "::", stringify!($page), "`.")]
                pub struct $page;

                impl leptos_router::LazyRoute for $page {
                    fn data() -> Self {
                        $page
                    }

                    async fn view(_: Self) -> AnyView {
                        chunk::$load(Page::$page).await
                    }

                    async fn preload() {
                        #[cfg(feature = "hydrate")]
                        chunk::$preload().await;
                    }
                }
            )+

            mod chunk {
                use super::Page;
                use crate::pages::$space::*;
                use leptos::prelude::*;

                #[leptos::lazy]
                pub fn $load(page: Page) -> AnyView {
                    match page {
                        $(Page::$page => view! { <$page /> }.into_any(),)+
                    }
                }
            }
        }
    };
}

lazy_space! {
    /// The member's occasional pages and the public ones: `/connexion`,
    /// `/bons/nouveau`, `/releves`, `/verifier`, `/verifier/:number`,
    /// `/pass/:number` (a pass's QR code), `/mot-de-passe` (every role's),
    /// `/mot-de-passe-oublie`, `/reinitialiser/:token`, `/activer`,
    /// `/mon-compte`, `/confirmer-adresse/:token` and `/accessibilite`.
    occasional, occasional_page, __preload_occasional_page:
    LoginPage,
    PasswordPage,
    AccountPage,
    ForgotPasswordPage,
    ChoosePasswordPage,
    ConfirmEmailPage,
    ActivationPage,
    RequestPage,
    CheckCodePage,
    CheckPage,
    PassCheckPage,
    MemberStatementsPage,
    AccessibilityPage,
}

lazy_space! {
    /// The supplier's space: `/fournisseur/*`.
    supplier, supplier_page, __preload_supplier_page:
    SupplierHomePage,
    CounterCheckPage,
    SpendPassPage,
    DeliveredVouchersPage,
    SupplierInvoicesPage,
    NewInvoicePage,
    SupplierInvoicePage,
    ApiKeysPage,
}

lazy_space! {
    /// The sponsor's space: `/commanditaire/*`, and the public shop:
    /// `/boutique`, `/panier`, `/caisse`.
    sponsor, sponsor_page, __preload_sponsor_page:
    SponsorHomePage,
    ActivatePage,
    DeactivatePage,
    MyOrdersPage,
    OrderPage,
    CataloguePage,
    CartPage,
    CheckoutPage,
}

lazy_space! {
    /// The agency back office: `/agence/*`.
    agency, agency_page, __preload_agency_page:
    DashboardPage,
    MembersPage,
    NewMemberPage,
    MemberImportPage,
    MemberPage,
    SuppliersPage,
    NewSupplierPage,
    SupplierPage,
    AgencySettingsPage,
    TeamPage,
    AgencyVouchersPage,
    AgencyVoucherPage,
    InvoicesPage,
    ReconcilePage,
    PaymentBatchesPage,
    PaymentBatchPage,
    StatementsPage,
    DiscountCodesPage,
    AgencyOrdersPage,
    AgencyOrderPage,
    ShopSettingsPage,
    StructuresPage,
    StructurePage,
    SponsorsPage,
}
