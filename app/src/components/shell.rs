//! The frame around every page of a space: the way home, the account's
//! links, the space's screens.

use crate::api::auth::Logout;
use leptos::prelude::*;
use leptos_meta::Title;

/// The three spaces a logged-in person works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// The member's phone: no menu, the home page's tiles lead everywhere.
    Member,
    /// A partner supplier's staff, at the counter (on a phone) or at a desk.
    Supplier,
    /// The agency's back office. Staff work at a desk, but the frame folds
    /// to a phone's width too.
    Agency,
    /// A sponsor's managers, at a desk or on a phone: their structures.
    Sponsor,
    /// The sponsors' shop, public: the catalogue, the cart, the checkout.
    Shop,
}

impl Space {
    fn home(self) -> &'static str {
        match self {
            Space::Member => "/",
            Space::Supplier => "/fournisseur",
            Space::Agency => "/agence",
            Space::Sponsor => "/commanditaire",
            Space::Shop => "/boutique",
        }
    }

    /// Under the brand, and the name of the space's menu.
    fn name(self) -> &'static str {
        match self {
            Space::Member => "Espace adhérent",
            Space::Supplier => "Espace fournisseur",
            Space::Agency => "Agence",
            Space::Sponsor => "Espace commanditaire",
            Space::Shop => "Boutique des commanditaires",
        }
    }

    /// The space's screens: address and label.
    fn screens(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Space::Member => &[],
            Space::Supplier => &[
                ("/fournisseur/verifier", "Vérifier un bon"),
                ("/fournisseur/pass", "Encaisser un pass"),
                ("/fournisseur/bons", "Bons livrés"),
                ("/fournisseur/factures", "Factures"),
                ("/fournisseur/cles", "Caisse (API)"),
            ],
            Space::Agency => &[
                ("/agence", "Tableau de bord"),
                ("/agence/adherents", "Adhérents"),
                ("/agence/fournisseurs", "Fournisseurs"),
                ("/agence/bons", "Bons"),
                ("/agence/factures", "Factures"),
                ("/agence/paiements", "Paiements"),
                ("/agence/releves", "Relevés"),
                ("/agence/structures", "Structures"),
                ("/agence/commanditaires", "Commanditaires"),
                ("/agence/commandes", "Commandes"),
                ("/agence/ristournes", "Ristournes"),
                ("/agence/boutique", "Boutique"),
                ("/agence/parametres", "Paramètres"),
                ("/agence/equipe", "Équipe"),
            ],
            Space::Sponsor => &[
                ("/commanditaire", "Mes structures"),
                ("/commanditaire/activer", "Activer une structure publique"),
                ("/commanditaire/inactiver", "Inactiver une structure publique"),
                ("/commanditaire/commandes", "Mes commandes"),
                ("/boutique", "Boutique"),
            ],
            Space::Shop => &[("/boutique", "Catalogue"), ("/panier", "Panier"), ("/caisse", "Caisse")],
        }
    }

    /// A page's title in the browser's tab: its name, then the space's
    /// (« Adhérent — Agence Castors »).
    pub fn tab_title(self, page: &str) -> String {
        let space = match self {
            Space::Member => "Bons Castors",
            Space::Supplier => "Espace fournisseur",
            Space::Agency => "Agence Castors",
            Space::Sponsor => "Espace commanditaire",
            Space::Shop => "Boutique Castors",
        };
        format!("{page} — {space}")
    }

    /// The way back to one of the space's screens, from its label
    /// (« Retour aux adhérents »).
    pub fn back_to(self, screen: &str) -> String {
        match self.screens().iter().find(|(href, _)| *href == screen) {
            Some((_, label)) => format!("Retour aux {}", label.to_lowercase()),
            None => "Retour".to_owned(),
        }
    }

    /// The back office's tables want the width of a desk's screen.
    fn page_class(self) -> &'static str {
        match self {
            Space::Agency => "page page-wide",
            Space::Member | Space::Supplier | Space::Sponsor | Space::Shop => "page",
        }
    }
}

/// A space's frame. It loads nothing itself: each page renders from exactly
/// one resource, because a page waiting on two resources at once was seen,
/// rarely and under load, never to finish rendering on the server (see
/// `member_pages_keep_answering...`).
///
/// `title` is the browser tab's; `heading`, the page's own when it has one
/// before anything loads.
#[component]
pub fn Shell(
    space: Space,
    #[prop(into)] title: String,
    #[prop(optional)] heading: &'static str,
    children: Children,
) -> impl IntoView {
    let screens = space.screens();
    view! {
        <Title text=title />
        <a class="skip-link" href="#contenu">
            "Aller au contenu"
        </a>
        <header class="topbar">
            <a class="brand" href=space.home()>
                "Castors"
                <span class="brand-sub">{space.name()}</span>
            </a>
            {if space == Space::Shop {
                view! {
                    <a class="topbar-link" href="/commanditaire">
                        "Espace commanditaire"
                    </a>
                }
                    .into_any()
            } else {
                view! { <AccountLinks /> }.into_any()
            }}
        </header>
        {(!screens.is_empty())
            .then(|| {
                view! {
                    <nav class="subnav" aria-label=space.name()>
                        {screens.iter().map(|&(href, label)| view! { <a href=href>{label}</a> }).collect_view()}
                    </nav>
                }
            })}
        <main class=space.page_class() id="contenu">
            {(!heading.is_empty()).then(|| view! { <h1>{heading}</h1> })}
            {children()}
        </main>
    }
}

/// « Se déconnecter »: a form posted by the browser itself, even with the
/// WASM. The server answers with the login page's address and the browser
/// loads it whole, in a new document: nothing of the member (the pages'
/// serialized data, the DOM, the WASM's memory) stays behind, as it would if
/// the router drew the login page inside the member's page.
///
/// Beside it, « Mon compte »: every role's login, password and sessions.
#[component]
fn AccountLinks() -> impl IntoView {
    use leptos::server_fn::ServerFn as _;
    view! {
        <div class="topbar-account">
            <form method="post" action=Logout::url() class="logout">
                <button type="submit" class="link-button">
                    "Se déconnecter"
                </button>
            </form>
            <a class="topbar-link" href="/mon-compte">
                "Mon compte"
            </a>
        </div>
    }
}
