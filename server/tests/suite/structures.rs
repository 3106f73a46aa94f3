//! Sponsors' public structures (seed 004): activation step by step, the
//! first manager main and the next one pending until approved, the two
//! deactivation cases of the SIRENE register, each refusal with its own
//! message and nothing changed, the journal, and the register's import.

use crate::common;

use app::domain::{ManagerState, RegisterState, Role};
use app::error::AppError;
use app::model::structures::ActivationPlan;
use app::server::auth::{Sponsor, Staff};
use app::server::error::ServerError;
use app::server::guards::StructureCaller;
use app::server::services::structures::{self, activation, deactivation, register};
use common::TestApp;
use common::agency::siret as luhn_siret;

const TECHNIQUES: &str = "21449001300015";
const FINANCES: &str = "21449001300023";
const ANNEXE: &str = "21449001300031";
const MEDIATHEQUE: &str = "21449001300049";
const CCAS: &str = "26449002000015";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The sentence a refusal shows; a fault fails the test.
fn refusal<T: std::fmt::Debug>(result: Result<T, ServerError>) -> String {
    match result {
        Err(ServerError::Refused(e)) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn staff(app: &TestApp, login: &str) -> Staff {
    let (account_id, role, agency_id): (i64, Role, Option<i64>) =
        sqlx::query_as("SELECT id, role, agency_id FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_one(app.db.pool())
            .await
            .expect("staff login");
    Staff { account_id, login: login.to_owned(), role, agency_id }
}

fn by(s: &Sponsor) -> StructureCaller {
    StructureCaller::Sponsor(s.clone())
}

async fn structure_id(app: &TestApp, siret: &str) -> i64 {
    app.value_of("SELECT id FROM structures WHERE siret = $1", siret).await
}

async fn is_active(app: &TestApp, siret: &str) -> bool {
    app.value_of::<_, i64>("SELECT active FROM structures WHERE siret = $1", siret).await == 1
}

/// The structure journal's actions about one structure, oldest first.
async fn journal(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_events WHERE entity = 'structure' AND entity_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(app.db.pool())
        .await
        .expect("journal")
}

async fn can_order(app: &TestApp, who: &Sponsor, structure: i64) -> Result<(), ServerError> {
    let mut conn = app.db.pool().acquire().await.expect("connection");
    structures::ensure_can_order(&mut conn, who.account_id, structure).await
}

#[tokio::test]
async fn the_first_manager_activates_and_the_next_one_waits_for_approval_before_ordering() {
    let app = TestApp::spawn().await;
    let (mairie, ccas) = (app.sponsor("mairie").await, app.sponsor("ccas").await);
    let state = &app.state;

    // Steps 4 and 5: the SIRET typed (with spaces), the structure shown.
    let preview = activation::preview(state, &mairie, "214 490 013 00049").await.expect("preview");
    assert_eq!(preview.plan, ActivationPlan::Create);
    assert_eq!(preview.establishment.state, RegisterState::Open);
    assert_eq!(preview.establishment.label(), "Ville de Saint-Aubin-des-Castors — Médiathèque");
    assert_eq!(app.count("SELECT COUNT(*) FROM structures WHERE siret = '21449001300049'").await, 0);

    // Steps 6 and 7: done; the first account is its main manager.
    let done = activation::activate(state, &mairie, MEDIATHEQUE, now()).await.expect("activation");
    assert_eq!((done.state, done.main), (ManagerState::Approved, true));
    assert_eq!(done.label, "Ville de Saint-Aubin-des-Castors — Médiathèque");
    let id = structure_id(&app, MEDIATHEQUE).await;
    assert_eq!(done.structure_id, id);
    assert_eq!(journal(&app, id).await, ["create", "add_manager"]);
    can_order(&app, &mairie, id).await.expect("the main manager orders");
    let mine = structures::mine(state, &mairie).await.expect("mine");
    assert!(mine.iter().any(|m| m.structure.id == id && m.main && m.state == ManagerState::Approved));

    // Already active and managed by the caller: refused, at both steps.
    let again = refusal(activation::preview(state, &mairie, MEDIATHEQUE).await);
    assert_eq!(
        again,
        "La structure « Ville de Saint-Aubin-des-Castors — Médiathèque » est déjà active, et vous la gérez."
    );
    refusal(activation::activate(state, &mairie, MEDIATHEQUE, now()).await);

    // Another account asks to manage it: pending, and cannot order meanwhile.
    let preview = activation::preview(state, &ccas, MEDIATHEQUE).await.expect("preview");
    assert_eq!(preview.plan, ActivationPlan::JoinAsPending);
    let done = activation::activate(state, &ccas, MEDIATHEQUE, now()).await.expect("request");
    assert_eq!((done.state, done.main), (ManagerState::Pending, false));
    let waiting = refusal(can_order(&app, &ccas, id).await);
    assert!(waiting.contains("attend l'approbation de son gestionnaire principal"), "{waiting}");
    assert!(refusal(activation::activate(state, &ccas, MEDIATHEQUE, now()).await).contains("attend déjà"));
    // A pending manager acts on nothing of the structure.
    let not_yet = refusal(deactivation::preview(state, &by(&ccas), MEDIATHEQUE).await);
    assert_eq!(not_yet, AppError::NotStructureManager.to_string());
    assert_eq!(not_yet, "Vous ne gérez pas cette structure.");
    let id_text = id.to_string();
    let self_approval = activation::decide(state, &by(&ccas), &id_text, "ccas", true, now()).await;
    assert_eq!(refusal(self_approval), "Vous ne gérez pas cette structure.");

    // The main manager sees the request and approves it.
    let requests = structures::requests(state, &mairie).await.expect("requests");
    assert_eq!(requests.len(), 1);
    assert_eq!((requests[0].structure_id, requests[0].login.as_str()), (id, "ccas"));
    assert!(structures::requests(state, &ccas).await.expect("none").is_empty());
    let unknown = activation::decide(state, &by(&mairie), &id_text, "personne", true, now()).await;
    assert!(refusal(unknown).contains("Aucune demande de gestion"));
    activation::decide(state, &by(&mairie), &id_text, "ccas", true, now()).await.expect("approved");
    can_order(&app, &ccas, id).await.expect("approved managers order");
    assert_eq!(journal(&app, id).await, ["create", "add_manager", "request_manager", "approve_manager"]);
    let twice = activation::decide(state, &by(&mairie), &id_text, "ccas", false, now()).await;
    assert!(refusal(twice).contains("Aucune demande de gestion"));
    // Someone who never asked cannot order.
    let fondation = app.sponsor("fondation").await;
    assert_eq!(refusal(can_order(&app, &fondation, id).await), "Vous ne gérez pas cette structure.");
}

#[tokio::test]
async fn staff_of_the_agency_approve_or_refuse_a_pending_manager() {
    let app = TestApp::spawn().await;
    app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let (nantes, rennes) = (staff(&app, "agence.nantes").await, staff(&app, "agence.rennes").await);
    let fondation = app.sponsor("fondation").await;
    let state = &app.state;
    let done = activation::activate(state, &fondation, CCAS, now()).await.expect("request");
    assert_eq!(done.state, ManagerState::Pending);
    let id = structure_id(&app, CCAS).await.to_string();
    let other_agency = activation::decide(state, &StructureCaller::Staff(rennes), &id, "fondation", false, now()).await;
    assert_eq!(refusal(other_agency), "Vous ne gérez pas cette structure.");
    activation::decide(state, &StructureCaller::Staff(nantes), &id, "fondation", false, now()).await.expect("refused");
    let refused = refusal(can_order(&app, &fondation, id.parse().unwrap()).await);
    assert_eq!(refused, "Vous ne gérez pas cette structure.");
    assert!(journal(&app, id.parse().unwrap()).await.ends_with(&["request_manager".into(), "refuse_manager".into()]));
    // Refused, they may ask again.
    let again = activation::activate(state, &fondation, CCAS, now()).await.expect("asked again");
    assert_eq!(again.state, ManagerState::Pending);
}

#[tokio::test]
async fn activation_refuses_an_invalid_unknown_or_closed_siret_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let state = &app.state;
    let structures_before = app.count("SELECT COUNT(*) FROM structures").await;
    let events_before = app.count("SELECT COUNT(*) FROM audit_events").await;

    let bad_key = refusal(activation::preview(state, &mairie, "21449001300048").await);
    assert!(bad_key.starts_with("SIRET invalide"), "{bad_key}");
    let short = refusal(activation::activate(state, &mairie, "2144900130004", now()).await);
    assert_eq!(short, "Le SIRET compte 14 chiffres, par exemple 442 908 123 00015.");
    let unknown = luhn_siret("2144900130099");
    let message = refusal(activation::preview(state, &mairie, &unknown).await);
    assert!(message.contains("est inconnu de la base SIRENE"), "{message}");
    assert!(refusal(activation::activate(state, &mairie, &unknown, now()).await).contains("inconnu de la base SIRENE"));
    // The Mairie annexe is closed (F) in the register.
    let closed = refusal(activation::preview(state, &mairie, ANNEXE).await);
    assert_eq!(
        closed,
        "Le SIRET 214 490 013 00031 est fermé dans la base SIRENE : cette structure ne peut pas être activée."
    );
    assert!(refusal(activation::activate(state, &mairie, ANNEXE, now()).await).contains("fermé"));

    assert_eq!(app.count("SELECT COUNT(*) FROM structures").await, structures_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, events_before);
}

#[tokio::test]
async fn a_siret_closed_in_the_register_is_deactivated_once_confirmed() {
    let app = TestApp::spawn().await;
    let mairie = app.sponsor("mairie").await;
    let state = &app.state;
    let id = structure_id(&app, ANNEXE).await;
    can_order(&app, &mairie, id).await.expect("active until deactivated");

    let preview = deactivation::preview(state, &by(&mairie), ANNEXE).await.expect("preview");
    assert_eq!(preview.structure.register_state, Some(RegisterState::Closed));
    assert!(!preview.needs_taking_over);
    assert!(is_active(&app, ANNEXE).await, "a preview changes nothing");

    let done = deactivation::deactivate(state, &by(&mairie), ANNEXE, "", now()).await.expect("deactivated");
    assert_eq!((done.structure_id, done.taken_over_by), (id, None));
    assert!(!is_active(&app, ANNEXE).await);
    let deactivated_at: Option<String> = app.value_of("SELECT deactivated_at FROM structures WHERE id = $1", id).await;
    assert!(deactivated_at.is_some_and(|at| at.ends_with('Z')), "stored as UTC");
    assert_eq!(journal(&app, id).await.last().map(String::as_str), Some("deactivate"));

    let closed = refusal(can_order(&app, &mairie, id).await);
    assert!(closed.contains("est désactivée : elle ne peut plus commander"), "{closed}");
    let again = refusal(deactivation::deactivate(state, &by(&mairie), ANNEXE, "", now()).await);
    assert_eq!(again, "La structure « Ville de Saint-Aubin-des-Castors — Mairie annexe » est déjà inactive.");
    // Its register says closed: it cannot be activated again.
    assert!(refusal(activation::preview(state, &mairie, ANNEXE).await).contains("fermé dans la base SIRENE"));
}

#[tokio::test]
async fn a_siret_still_open_needs_an_active_public_structure_of_the_same_manager_to_take_over() {
    let app = TestApp::spawn().await;
    let (mairie, ccas) = (app.sponsor("mairie").await, app.sponsor("ccas").await);
    let state = &app.state;
    let from = structure_id(&app, TECHNIQUES).await;
    let events = || app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'structure'");

    // Another sponsor's manager: refused before anything else.
    let stranger = refusal(deactivation::preview(state, &by(&ccas), TECHNIQUES).await);
    assert_eq!(stranger, "Vous ne gérez pas cette structure.");
    assert_eq!(refusal(deactivation::deactivate(state, &by(&ccas), TECHNIQUES, CCAS, now()).await), stranger);

    let preview = deactivation::preview(state, &by(&mairie), TECHNIQUES).await.expect("preview");
    assert!(preview.needs_taking_over);
    assert_eq!(preview.structure.register_state, Some(RegisterState::Open));

    // A private structure of the same manager, with a SIRET.
    let private_siret = luhn_siret("4421000000001");
    let private_id: i64 = sqlx::query_scalar(
        "INSERT INTO structures (agency_id, kind, siret, label, chorus, active, created_at)
         SELECT agency_id, 'private', $1, 'Association des Castors', 'none', 1, created_at FROM structures WHERE id = $2
         RETURNING id",
    )
    .bind(&private_siret)
    .bind(from)
    .fetch_one(app.db.pool())
    .await
    .expect("private structure");
    app.update_row_with(
        "INSERT INTO structure_managers (structure_id, account_id, main, state, requested_at)
         VALUES ($1, $2, 1, 'approved', '2026-01-01T00:00:00.000000Z')",
        private_id,
        mairie.account_id,
    )
    .await;
    // The Mairie annexe, deactivated (its SIRET is closed).
    deactivation::deactivate(state, &by(&mairie), ANNEXE, "", now()).await.expect("annexe deactivated");
    let before = events().await;

    let refused = |taking_over: String| {
        let mairie = by(&mairie);
        async move { refusal(deactivation::deactivate(state, &mairie, TECHNIQUES, &taking_over, now()).await) }
    };
    let missing = refused(String::new()).await;
    assert!(missing.contains("est toujours actif dans la base SIRENE : indiquez le SIRET reprenant l'activité"));
    let invalid = refused("21449001300016".into()).await;
    assert!(invalid.starts_with("SIRET reprenant l'activité : SIRET invalide"), "{invalid}");
    let same = refused(TECHNIQUES.into()).await;
    assert!(same.contains("doit être celui d'une autre structure"), "{same}");
    let unknown = refused(MEDIATHEQUE.into()).await;
    assert_eq!(
        unknown,
        "Le SIRET reprenant l'activité (214 490 013 00049) n'est celui d'aucune structure activée : activez-la d'abord."
    );
    let private = refused(private_siret.clone()).await;
    assert_eq!(
        private,
        "La structure reprenant l'activité (« Association des Castors ») n'est pas une structure publique."
    );
    let inactive = refused(ANNEXE.into()).await;
    assert!(inactive.contains("Mairie annexe ») est inactive"), "{inactive}");
    let other_manager = refused(CCAS.into()).await;
    assert_eq!(
        other_manager,
        "La structure reprenant l'activité (« CCAS de Saint-Aubin-des-Castors ») n'est pas gérée par le même gestionnaire que celle à inactiver."
    );
    assert!(is_active(&app, TECHNIQUES).await, "every refusal leaves the structure active");
    assert_eq!(events().await, before, "and journals nothing");

    // Taken over by the Direction des finances: the invoices go there from now on.
    let to = structure_id(&app, FINANCES).await;
    let done =
        deactivation::deactivate(state, &by(&mairie), TECHNIQUES, "214 490 013 00023", now()).await.expect("done");
    assert_eq!(done.taken_over_by, Some((to, "Ville de Saint-Aubin-des-Castors — Direction des finances".into())));
    assert_eq!((done.transferred.open_orders, done.transferred.invoices), (0, 0));
    assert!(!is_active(&app, TECHNIQUES).await);
    let taken_over_by: Option<i64> = app.value_of("SELECT taken_over_by FROM structures WHERE id = $1", from).await;
    assert_eq!(taken_over_by, Some(to));
    assert!(journal(&app, from).await.ends_with(&["deactivate".into(), "transfer".into()]));
    assert_eq!(journal(&app, to).await.last().map(String::as_str), Some("take_over"));
    let after: String = app
        .value_of(
            "SELECT after FROM audit_events WHERE entity = 'structure' AND action = 'transfer' AND entity_id = $1",
            from,
        )
        .await;
    assert!(after.contains("\"to_siret\":\"21449001300023\""), "{after}");
    assert_eq!(
        app::server::audit::verify(app.db.pool())
            .await
            .map(|v| matches!(v, app::server::audit::Verdict::Intact { .. }))
            .ok(),
        Some(true)
    );
}

#[tokio::test]
async fn staff_act_on_their_agency_structures_only() {
    let app = TestApp::spawn().await;
    app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let (nantes, rennes) = (staff(&app, "agence.nantes").await, staff(&app, "agence.rennes").await);
    let state = &app.state;
    let id = structure_id(&app, TECHNIQUES).await.to_string();

    let other = refusal(deactivation::preview(state, &StructureCaller::Staff(rennes.clone()), TECHNIQUES).await);
    assert_eq!(other, "Vous ne gérez pas cette structure.");
    assert_eq!(refusal(structures::detail(state, &rennes, &id).await), "Structure introuvable.");
    assert!(structures::list(state, &rennes, None, "").await.expect("own list").rows.is_empty());

    let list = structures::list(state, &nantes, None, "").await.expect("list");
    let techniques = list.rows.iter().find(|s| s.siret.as_deref() == Some(TECHNIQUES)).expect("listed");
    assert_eq!(techniques.register_state, Some(RegisterState::Open));
    let annexe = list.rows.iter().find(|s| s.siret.as_deref() == Some(ANNEXE)).expect("listed");
    assert_eq!(annexe.register_state, Some(RegisterState::Closed));
    assert!(list.rows.iter().any(|s| s.siret.is_none() && s.label == "Fondation des Castors solidaires"));

    // Service codes: ST-44 active, ANC-01 inactive; a new one; a duplicate refused.
    let detail = structures::detail(state, &nantes, &id).await.expect("detail");
    let codes: Vec<(&str, bool)> = detail.service_codes.iter().map(|c| (c.code.as_str(), c.active)).collect();
    assert_eq!(codes, [("ST-44", true), ("ANC-01", false)]);
    assert_eq!(detail.structure.chorus, app::domain::ChorusRequirement::Both);
    structures::add_service_code(state, &nantes, &id, " ST-45 ", "Espaces verts", now()).await.expect("added");
    let twice = refusal(structures::add_service_code(state, &nantes, &id, "ST-45", "Encore", now()).await);
    assert_eq!(twice, "Le code service « ST-45 » existe déjà pour cette structure.");
    assert!(refusal(structures::add_service_code(state, &nantes, &id, "", "Vide", now()).await).contains("1 à 100"));
    let elsewhere = structures::add_service_code(state, &rennes, &id, "ST-46", "Ailleurs", now()).await;
    assert_eq!(refusal(elsewhere), "Structure introuvable.");
    structures::set_service_code_active(state, &nantes, &id, "ST-44", false, now()).await.expect("deactivated");
    let missing = structures::set_service_code_active(state, &nantes, &id, "XX-00", false, now()).await;
    assert_eq!(refusal(missing), "Code service introuvable.");
    structures::set_chorus_requirement(state, &nantes, &id, "either", now()).await.expect("chorus");
    assert!(
        refusal(structures::set_chorus_requirement(state, &nantes, &id, "toujours", now()).await)
            .starts_with("Choisissez ce que Chorus Pro exige")
    );
    let detail = structures::detail(state, &nantes, &id).await.expect("detail");
    assert_eq!(detail.structure.chorus, app::domain::ChorusRequirement::Either);
    assert!(detail.service_codes.iter().all(|c| !c.active || c.code == "ST-45"));
    let history: Vec<&str> = detail.history.iter().map(|h| h.action.as_str()).collect();
    assert!(history.len() >= 5, "{history:?}");
    for told in ["Structure activée", "Gestionnaire ajouté", "Nouveau code service", "Exigences de Chorus Pro"] {
        assert!(history.contains(&told), "{told} in {history:?}");
    }
}

#[tokio::test]
async fn staff_record_a_siret_the_register_lacks_and_it_can_then_be_activated() {
    let app = TestApp::spawn().await;
    let nantes = staff(&app, "agence.nantes").await;
    let mairie = app.sponsor("mairie").await;
    let state = &app.state;
    let siret = luhn_siret("2144900130007");
    assert!(refusal(activation::preview(state, &mairie, &siret).await).contains("inconnu de la base SIRENE"));

    let bad_state = register::record_state(state, &nantes, &siret, "X", "", now()).await;
    assert_eq!(refusal(bad_state), "Choisissez l'état du SIRET : A (active) ou F (fermée).");
    assert!(refusal(register::record_state(state, &nantes, "123", "A", "", now()).await).contains("14 chiffres"));
    let recorded =
        register::record_state(state, &nantes, &siret, "a", "École des Castors", now()).await.expect("recorded");
    assert_eq!((recorded.state, recorded.source), (RegisterState::Open, app::domain::RegisterSource::Staff));
    let journaled =
        app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'establishment' AND action = 'record_state'").await;
    assert_eq!(journaled, 1);
    // The same again changes (and journals) nothing.
    register::record_state(state, &nantes, &siret, "A", "École des Castors", now()).await.expect("same");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'establishment'").await, 1);
    let preview = activation::preview(state, &mairie, &siret).await.expect("now known");
    assert_eq!(preview.establishment.label(), "École des Castors");
}

/// The demo's register extract with one more establishment per line kind:
/// an unknown column, quoted fields (commas, doubled quotes), bad lines.
fn register_file() -> String {
    let mut file = String::from(
        "siren,nic,siret,colonneInconnue,etatAdministratifEtablissement,enseigne1Etablissement,\
         denominationUsuelleEtablissement,codePostalEtablissement,libelleCommuneEtablissement\n",
    );
    file.push_str("442100000,00011,44210000000011,x,A,,\"Castors, \"\"Atelier\"\" du bois\",44000,NANTES\n");
    // Line 3: a SIRET whose key is wrong.
    file.push_str("442100000,00012,44210000000012,x,A,,Erreur de clé,44000,NANTES\n");
    // Line 4: a column missing.
    file.push_str("442100000,00029,44210000000029,x,A,,Colonne manquante,44000\n");
    // Line 5: an unknown state.
    file.push_str("442100000,00037,44210000000037,x,Z,,État inconnu,44000,NANTES\n");
    // Line 6: a quoted field over two lines; the next record starts on line 8.
    file.push_str("442100000,00045,44210000000045,\"deux\nlignes\",F,Enseigne seule,,44000,NANTES\n");
    file.push_str("442100000,00053,4421000000005,x,A,,SIRET court,44000,NANTES\n");
    file
}

#[tokio::test]
async fn the_register_import_reports_bad_lines_and_changes_nothing_the_second_time() {
    let app = TestApp::spawn().await;
    for (siret, key) in [("44210000000011", "4421000000001"), ("44210000000045", "4421000000004")] {
        assert_eq!(luhn_siret(key), siret, "the file's good SIRETs pass Luhn");
    }
    let path = app.dir.path().join("StockEtablissement_extrait.csv");
    std::fs::write(&path, register_file()).expect("file");
    let run = || {
        let out = app.bons(&["sirene", "import", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let first = run();
    assert!(first.contains("ligne 3 refusée : SIRET « 44210000000012 » : SIRET invalide"), "{first}");
    assert!(first.contains("ligne 4 refusée : 8 colonne(s) au lieu de 9"), "{first}");
    assert!(first.contains("ligne 5 refusée : état administratif « Z » inconnu"), "{first}");
    assert!(first.contains("ligne 8 refusée : SIRET « 4421000000005 » : Le SIRET compte 14 chiffres"), "{first}");
    assert!(
        first.contains(
            "6 ligne(s) lue(s) : 2 établissement(s) ajouté(s) ou modifié(s), 0 déjà à jour, 4 ligne(s) refusée(s)."
        ),
        "{first}"
    );
    let (name, state): (String, String) =
        sqlx::query_as("SELECT name, state FROM sirene_establishments WHERE siret = '44210000000011'")
            .fetch_one(app.db.pool())
            .await
            .expect("imported");
    assert_eq!((name.as_str(), state.as_str()), ("Castors, \"Atelier\" du bois", "A"));
    let sign: String = app.value_of("SELECT name FROM sirene_establishments WHERE siret = $1", "44210000000045").await;
    assert_eq!(sign, "Enseigne seule", "the sign stands in for a missing name");

    let events = app.count("SELECT COUNT(*) FROM audit_events").await;
    let second = run();
    assert!(second.contains("0 établissement(s) ajouté(s) ou modifié(s), 2 déjà à jour"), "{second}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sirene_establishments WHERE siret LIKE '4421%'").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events").await, events);

    // A file without the columns needed is refused as a whole.
    std::fs::write(&path, "siren,nic\n442100000,00012\n").expect("file");
    let out = app.bons(&["sirene", "import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("La colonne « siret » manque"));
}

#[tokio::test]
async fn a_large_register_file_is_written_by_batches() {
    let app = TestApp::spawn().await;
    let count = register::BATCH * 2 + 345;
    let mut file = String::from("siret,etatAdministratifEtablissement,libelleCommuneEtablissement\n");
    for i in 0..count {
        let siret = luhn_siret(&format!("5{:012}", i));
        let state = if i % 3 == 0 { "F" } else { "A" };
        file.push_str(&format!("{siret},{state},NANTES\n"));
    }
    let report = register::import(&app.db, file.as_bytes(), now()).await.expect("import");
    assert_eq!((report.read, report.written, report.refused), (count as u64, count as u64, 0));
    assert_eq!(app.count("SELECT COUNT(*) FROM sirene_establishments WHERE siret LIKE '5%'").await, count as i64);
    let again = register::import(&app.db, file.as_bytes(), now()).await.expect("again");
    assert_eq!((again.written, again.unchanged), (0, count as u64));
}

#[tokio::test]
async fn the_wizards_walk_the_seeds_steps_without_the_wasm() {
    let app = TestApp::spawn().await;
    let mairie = app.logged_in("mairie").await;
    let home = mairie.get("/commanditaire").await;
    assert!(home.contains("Ville de Saint-Aubin-des-Castors — Services techniques"), "{}", home.body);
    assert!(home.contains("Activer une structure publique"));

    // Activer: the SIRET typed, the structure confirmed, the action confirmed.
    let typed = mairie.get(&format!("/commanditaire/activer?siret={MEDIATHEQUE}")).await;
    assert!(typed.contains("Ville de Saint-Aubin-des-Castors — Médiathèque"), "{}", typed.body);
    assert!(typed.contains("C'EST BIEN CETTE STRUCTURE"));
    let confirm = format!("/commanditaire/activer?siret={MEDIATHEQUE}&etape=action");
    assert!(mairie.get(&confirm).await.contains("Confirmer l'action"));
    let done = mairie.submit(&confirm, "/api/activate_structure", &[("siret", MEDIATHEQUE)]).await;
    assert!(done.contains("L'action a été réalisée."), "{}", done.body);
    assert!(done.contains("est active, et vous la gérez"), "{}", done.body);
    // A refusal shows the SIRET form again, with why.
    let closed = mairie.get(&format!("/commanditaire/activer?siret={ANNEXE}")).await;
    assert!(closed.contains("fermé dans la base SIRENE"), "{}", closed.body);

    // Inactiver, SIRET still open: the taking-over SIRET is asked for, and checked.
    let confirm = format!("/commanditaire/inactiver?siret={TECHNIQUES}&etape=action");
    let form = mairie.get(&confirm).await;
    assert!(form.contains("SIRET reprenant l'activité"), "{}", form.body);
    let refused =
        mairie.submit(&confirm, "/api/deactivate_structure", &[("siret", TECHNIQUES), ("taking_over", CCAS)]).await;
    assert!(refused.error().is_some_and(|e| e.contains("pas gérée par le même gestionnaire")), "{:?}", refused.error());
    assert!(is_active(&app, TECHNIQUES).await);
    let done =
        mairie.submit(&confirm, "/api/deactivate_structure", &[("siret", TECHNIQUES), ("taking_over", FINANCES)]).await;
    assert!(done.contains("L'action a été réalisée."), "{}", done.body);
    assert!(!is_active(&app, TECHNIQUES).await);

    // Other spaces are not the sponsor's, and the sponsor's is nobody else's.
    let staff = app.logged_in("agence.nantes").await;
    let page = staff.get("/commanditaire").await;
    assert_eq!(page.status, reqwest::StatusCode::FORBIDDEN);
    assert!(page.contains("Cet espace est réservé aux commanditaires."));
}
