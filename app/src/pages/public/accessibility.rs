//! `/accessibilite`: the « Déclaration d'accessibilité » RGAA 4.1 asks of
//! a service public structures use, linked from every page's footer. It
//! says what was measured and how, what is known not to be accessible yet,
//! and how to report a problem.

use leptos::prelude::*;
use leptos_meta::Title;

/// How many pages the browser test `end2end/tests/accessibility.spec.ts`
/// checks with axe-core at the date below (every route of the route
/// table, as each role that uses it).
pub const PAGES_CHECKED: &str = "67";
/// When the measures below were taken.
pub const MEASURED_ON: &str = "7 décembre 2026";

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <Title text="Déclaration d'accessibilité — Castors" />
        <main class="page page-narrow declaration">
            <h1>"Déclaration d'accessibilité"</h1>
            <p>
                "La coopérative Castors s'engage à rendre ses services en ligne accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au service des bons Castors : espace adhérent, espace fournisseur, espace commanditaire, boutique et back office des agences."
            </p>

            <h2>"État de conformité"</h2>
            <p>
                "Le service est " <strong>"non conforme"</strong>
                " au référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit complet des 106 critères n'a encore été réalisé, et c'est ce que le RGAA demande de déclarer dans ce cas. Les mesures ci-dessous disent ce qui a été vérifié."
            </p>

            <h2>"Résultats des tests"</h2>
            <ul>
                <li>
                    {format!(
                        "Contrôle automatique axe-core (règles WCAG 2.1 niveaux A et AA, la base du RGAA 4.1) : {PAGES_CHECKED} pages vérifiées, chacune connectée avec le rôle qui l'utilise, sur un écran de téléphone (360 px) pour les adhérents et les fournisseurs et sur un écran de bureau (1280 px) pour les agences et les commanditaires : 0 non-conformité relevée.",
                    )}
                </li>
                <li>
                    "Parcours au comptoir (connexion, bon, « UTILISER CE BON », confirmation, « VALIDER LE BON », « FERMER ») réalisé entièrement au clavier, le focus visible et placé sur le nouveau contenu à chaque étape ; le code secret et le numéro du bon sont lus chiffre par chiffre par les lecteurs d'écran."
                </li>
                <li>
                    "Affichage sur un écran de 320 px de large (un zoom à 200 % d'un écran de 640 px) sans défilement horizontal ; cibles tactiles d'au moins 44 × 44 px sur les pages des adhérents et des fournisseurs ; animations désactivées quand le système le demande."
                </li>
                <li>
                    "Erreurs de saisie annoncées aux lecteurs d'écran ; celles d'un champ précis (montant du bon, numéro et code au comptoir, facture du fournisseur, mots de passe, adresse e-mail, fiches adhérent et fournisseur) lui sont reliées et y placent le focus."
                </li>
            </ul>

            <h2>"Contenus non accessibles"</h2>
            <ul>
                <li>
                    "Les documents PDF (relevés, lettres d'activation, bons imprimables, factures) ne sont pas balisés pour les lecteurs d'écran : leur contenu est aussi affiché dans les pages du service, sauf la lettre d'activation, que votre agence peut vous lire ou remplacer par une invitation par e-mail."
                </li>
                <li>
                    "Les graphiques du tableau de bord des agences sont des images : leurs chiffres sont aussi dans un tableau juste à côté."
                </li>
            </ul>

            <h2>"Établissement de cette déclaration"</h2>
            <p>
                {format!(
                    "Déclaration établie le {MEASURED_ON}. Technologies utilisées : HTML, CSS, WebAssembly. Outils de test : axe-core 4.13 dans Chromium (tests automatiques du navigateur), navigation au clavier dans les mêmes tests. Aucun test avec un lecteur d'écran n'a encore été mené par des personnes qui les utilisent.",
                )}
            </p>

            <h2>"Retour d'information et contact"</h2>
            <p>
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez à votre agence Castors ou parlez-en à son accueil : elle vous répond et vous propose une autre façon d'y accéder (par téléphone, à l'agence, par courrier)."
            </p>

            <h2>"Voies de recours"</h2>
            <p>
                "Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez écrire au Défenseur des droits (formulaire en ligne sur defenseurdesdroits.fr), contacter son délégué dans votre région, ou lui écrire gratuitement à : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07."
            </p>
            <p>
                <a href="/">"Retour à l'accueil"</a>
            </p>
        </main>
    }
}

/// The footer of every page: the accessibility statement's link, with the
/// conformity it declares (as RGAA asks).
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <a href="/accessibilite">"Accessibilité : non conforme"</a>
        </footer>
    }
}
