//! The agency back office's side of sponsors' structures, through its
//! pages as a browser without the WASM uses them: the structures with
//! their register state, one structure's page (service codes, what Chorus
//! Pro requires, its journal), a SIRET's state recorded by hand, and the
//! sponsors' managers with the structures each manages.

use crate::common;

use app::server::guards::StructureCaller;
use app::server::services::structures::{activation, deactivation};
use common::agency::{NANTES_STAFF, rennes_staff, siret as luhn_siret};
use common::{Page, TestApp};
use reqwest::StatusCode;

const TECHNIQUES: &str = "21449001300015";
const FINANCES: &str = "21449001300023";
const ANNEXE: &str = "21449001300031";
const CCAS: &str = "26449002000015";

/// The HTML from the element carrying `marker` to the end of its table
/// row or list item: one structure's or one sponsor's line.
fn line(page: &Page, marker: &str) -> String {
    let start = page.body.find(marker).unwrap_or_else(|| panic!("{marker} not on the page: {}", page.body));
    let rest = &page.body[start..];
    let end = ["</tr>", "</li>"].iter().filter_map(|close| rest.find(close)).min().unwrap_or(rest.len());
    rest[..end].replace("&#x27;", "'").replace("&amp;", "&")
}

async fn structure_id(app: &TestApp, siret: &str) -> i64 {
    app.value_of("SELECT id FROM structures WHERE siret = $1", siret).await
}

#[tokio::test]
async fn staff_see_the_agency_structures_with_their_register_state() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;

    let page = staff.get("/agence/structures").await;
    assert_eq!(page.status, StatusCode::OK);
    let techniques = line(&page, &format!("data-siret=\"{TECHNIQUES}\""));
    assert!(techniques.contains("Ville de Saint-Aubin-des-Castors — Services techniques"), "{techniques}");
    assert!(techniques.contains("214 490 013 00015") && techniques.contains("structure publique"), "{techniques}");
    assert!(techniques.contains("active (A)") && techniques.contains(">active<"), "{techniques}");
    assert!(techniques.contains("code service et numéro d'engagement obligatoires"), "{techniques}");
    let id = structure_id(&app, TECHNIQUES).await;
    assert!(techniques.contains(&format!("href=\"/agence/structures/{id}\"")), "{techniques}");
    let annexe = line(&page, &format!("data-siret=\"{ANNEXE}\""));
    assert!(annexe.contains("Mairie annexe") && annexe.contains("fermée (F)"), "{annexe}");
    assert!(
        line(&page, &format!("data-siret=\"{FINANCES}\"")).contains("ni code service ni numéro d'engagement exigé")
    );
    assert!(line(&page, &format!("data-siret=\"{CCAS}\"")).contains("CCAS de Saint-Aubin-des-Castors"));
    let fondation = line(&page, "data-siret=\"\"");
    assert!(
        fondation.contains("Fondation des Castors solidaires") && fondation.contains("structure privée"),
        "{fondation}"
    );
    assert!(fondation.contains("payée par virement"), "{fondation}");

    // Deactivated by its manager while open in the register: taken over.
    let mairie = StructureCaller::Sponsor(app.sponsor("mairie").await);
    deactivation::deactivate(&app.state, &mairie, TECHNIQUES, FINANCES, chrono::Utc::now()).await.expect("deactivated");
    let page = staff.get("/agence/structures").await;
    let techniques = line(&page, &format!("data-siret=\"{TECHNIQUES}\""));
    let finances = "Ville de Saint-Aubin-des-Castors — Direction des finances";
    assert!(techniques.contains(&format!("inactive — reprise par « {finances} »")), "{techniques}");
    let detail = staff.get(&format!("/agence/structures/{id}")).await;
    let notice = line(&detail, "structure-inactive");
    assert!(notice.contains("Structure inactive depuis le ") && notice.contains(&format!(">{finances}<")), "{notice}");

    // Staff of another agency see none of Nantes' structures.
    let rennes = rennes_staff(&app).await;
    let theirs = rennes.get("/agence/structures").await;
    assert!(theirs.contains("Aucune structure.") && !theirs.contains("Services techniques"), "{}", theirs.body);
    let refused = rennes.get(&format!("/agence/structures/{id}")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.error().as_deref(), Some("Structure introuvable."));
}

#[tokio::test]
async fn staff_add_a_service_code_switch_it_off_and_change_what_chorus_pro_requires() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let id = structure_id(&app, TECHNIQUES).await.to_string();
    let detail = format!("/agence/structures/{id}");

    let page = staff.get(&detail).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Ville de Saint-Aubin-des-Castors — Services techniques"));
    assert!(page.contains("1 place de la Mairie, 44999 SAINT-AUBIN-DES-CASTORS"), "billing address");
    assert_eq!(
        page.text_of("class=\"register-state\"").as_deref().map(|t| t.starts_with("active (A) — base SIRENE, le ")),
        Some(true)
    );
    let mairie = line(&page, "data-state=\"approved\"");
    assert!(mairie.contains(">mairie<") && mairie.contains("gestionnaire principal"), "{mairie}");
    assert!(page.contains("Désactiver le code service ST-44") && page.contains("Réactiver le code service ANC-01"));
    assert!(page.contains("<option value=\"both\" selected"), "the current requirement is selected");
    assert!(page.contains("Structure activée") && page.contains("Nouveau code service"), "the journal");

    // A new code, active at once; the same code again is refused.
    let fields = [("id", id.as_str()), ("code", " ST-45 "), ("label", "Espaces verts")];
    let page = staff.submit(&detail, "/api/add_service_code", &fields).await;
    assert_eq!(page.location.as_deref(), Some(detail.as_str()), "back to the structure");
    assert_eq!(page.error(), None);
    let code = line(&page, "<td class=\"code\">ST-45");
    assert!(code.contains("Espaces verts") && code.contains(">actif<"), "{code}");
    let again = staff.submit(&detail, "/api/add_service_code", &fields).await;
    assert_eq!(again.error().as_deref(), Some("Le code service « ST-45 » existe déjà pour cette structure."));

    // Switched off: listed still, offered to switch on again.
    let off = [("id", id.as_str()), ("code", "ST-45"), ("active", "0")];
    let page = staff.submit(&detail, "/api/set_service_code_active", &off).await;
    assert_eq!(page.error(), None);
    assert!(line(&page, "<td class=\"code\">ST-45").contains(">désactivé<"));
    assert!(page.contains("Réactiver le code service ST-45"));
    let active: i64 = app.value_of("SELECT active FROM structure_service_codes WHERE code = $1", "ST-45").await;
    assert_eq!(active, 0);

    // Chorus Pro: a service code or an engagement number, either one.
    let page = staff.submit(&detail, "/api/set_chorus_requirement", &[("id", &id), ("requirement", "either")]).await;
    assert_eq!(page.error(), None);
    assert!(page.contains("<option value=\"either\" selected"), "{}", page.body);
    assert_eq!(page.text_of("class=\"chorus\"").as_deref(), Some("code service ou numéro d'engagement obligatoire"));
    assert!(page.contains("Exigences de Chorus Pro") && page.contains("Code service désactivé"), "the journal");
    let chorus: String = app.value_of("SELECT chorus FROM structures WHERE siret = $1", TECHNIQUES).await;
    assert_eq!(chorus, "either");
    let refused =
        staff.submit(&detail, "/api/set_chorus_requirement", &[("id", &id), ("requirement", "toujours")]).await;
    assert!(
        refused.error().is_some_and(|e| e.starts_with("Choisissez ce que Chorus Pro exige")),
        "{:?}",
        refused.error()
    );
}

#[tokio::test]
async fn staff_record_the_state_of_a_siret_the_register_lacks() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let siret = luhn_siret("2144900130090");
    let fields = [("siret", siret.as_str()), ("state", "A"), ("name", "Ville de Saint-Aubin-des-Castors — École")];
    let page = staff.submit("/agence/structures", "/api/record_siret_state", &fields).await;
    assert_eq!(page.location.as_deref(), Some("/agence/structures?enregistre=1"));
    assert!(page.contains("L'état du SIRET est enregistré."), "{:?}", page.error());
    let (state, source): (String, String) =
        sqlx::query_as("SELECT state, source FROM sirene_establishments WHERE siret = $1")
            .bind(&siret)
            .fetch_one(app.db.pool())
            .await
            .expect("recorded");
    assert_eq!((state.as_str(), source.as_str()), ("A", "staff"));

    // The register's word on a listed structure changes its line and its page.
    let fields = [("siret", FINANCES), ("state", "F"), ("name", "")];
    let page = staff.submit("/agence/structures", "/api/record_siret_state", &fields).await;
    assert!(line(&page, &format!("data-siret=\"{FINANCES}\"")).contains("fermée (F)"));
    let finances = staff.get(&format!("/agence/structures/{}", structure_id(&app, FINANCES).await)).await;
    let register = finances.text_of("class=\"register-state\"").unwrap_or_default();
    assert!(register.starts_with("fermée (F) — saisi par l'agence, le "), "{register}");

    // A wrong SIRET or state is told, and nothing is recorded.
    let before = app.count("SELECT COUNT(*) FROM sirene_establishments").await;
    let bad = staff
        .submit("/agence/structures", "/api/record_siret_state", &[("siret", "21449001300016"), ("state", "A")])
        .await;
    assert!(bad.error().is_some_and(|e| e.contains("SIRET")), "{:?}", bad.error());
    let bad = staff.submit("/agence/structures", "/api/record_siret_state", &[("siret", &siret), ("state", "X")]).await;
    assert_eq!(bad.error().as_deref(), Some("Choisissez l'état du SIRET : A (active) ou F (fermée)."));
    assert_eq!(app.count("SELECT COUNT(*) FROM sirene_establishments").await, before);
}

#[tokio::test]
async fn staff_see_each_sponsor_manager_with_the_structures_they_manage() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let page = staff.get("/agence/commanditaires").await;
    assert_eq!(page.status, StatusCode::OK);
    let mairie = line_of_sponsor(&page, "mairie");
    for label in ["Services techniques", "Direction des finances", "Mairie annexe"] {
        assert!(mairie.contains(&format!("Ville de Saint-Aubin-des-Castors — {label}")), "{label}: {mairie}");
    }
    assert!(mairie.contains("214 490 013 00015") && mairie.contains("gestionnaire principal"), "{mairie}");
    assert!(mairie.contains("structure active"), "{mairie}");
    let ccas = line_of_sponsor(&page, "ccas");
    assert!(ccas.contains("CCAS de Saint-Aubin-des-Castors") && !ccas.contains("Services techniques"), "{ccas}");
    let fondation = line_of_sponsor(&page, "fondation");
    assert!(fondation.contains("Fondation des Castors solidaires"), "{fondation}");

    // A request to manage shows as waiting; a deactivated structure as inactive.
    let mediatheque = app::server::demo::MEDIATHEQUE_SIRET;
    let now = chrono::Utc::now();
    activation::activate(&app.state, &app.sponsor("mairie").await, mediatheque, now).await.expect("activated");
    activation::activate(&app.state, &app.sponsor("ccas").await, mediatheque, now).await.expect("asked");
    let mairie = StructureCaller::Sponsor(app.sponsor("mairie").await);
    deactivation::deactivate(&app.state, &mairie, ANNEXE, "", now).await.expect("deactivated");
    let page = staff.get("/agence/commanditaires").await;
    let ccas = line_of_sponsor(&page, "ccas");
    assert!(ccas.contains("Médiathèque") && ccas.contains("en attente d'approbation"), "{ccas}");
    let annexe = page.body.split("<li").find(|item| item.contains("Mairie annexe")).unwrap_or_default();
    assert!(annexe.contains("structure inactive"), "{annexe}");

    // Staff of another agency have no sponsors.
    let rennes = rennes_staff(&app).await;
    assert!(rennes.get("/agence/commanditaires").await.contains("Aucun commanditaire."));
}

/// A sponsor's row of the sponsors' table, whole (its list of structures included).
fn line_of_sponsor(page: &Page, login: &str) -> String {
    let marker = format!("data-login=\"{login}\"");
    let start = page.body.find(&marker).unwrap_or_else(|| panic!("{login} not on the page: {}", page.body));
    let rest = &page.body[start..];
    rest[..rest.find("</tr>").unwrap_or(rest.len())].replace("&#x27;", "'").replace("&amp;", "&")
}
