//! Searching the back office's lists without minding accents or case:
//! « helene » finds « Hélène », on both backends, every list (members,
//! vouchers, suppliers, structures, sponsors), served by an index.

use crate::common;

use app::domain::{ChorusRequirement, StructureKind, Timestamp};
use app::server::db::Backend;
use app::server::store::search::KeyMatch;
use app::server::store::structures::{NewStructure, insert_structure};
use common::agency::{ADMIN, NANTES_STAFF, siret};
use common::{PAID_UP, TestApp, used_voucher};
use serde_json::Value;

/// The values of `field` in a list's rows.
fn column(list: &Value, field: &str) -> Vec<String> {
    list["rows"].as_array().expect("rows").iter().map(|r| r[field].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn members_and_their_vouchers_are_found_without_accents_or_capitals() {
    let (app, phone) = TestApp::spawn_with_member().await;
    used_voucher(&app, &phone, "42").await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let page = format!("/agence/adherents/{PAID_UP}");
    let edited = staff
        .submit(
            &page,
            "/api/update_member",
            &[("number", PAID_UP), ("name", "Hélène Lefèvre-Dupré"), ("email", ""), ("fee_paid_until", "")],
        )
        .await;
    assert!(edited.contains("Hélène Lefèvre-Dupré"), "{}", edited.body);
    staff.create_member("44000777C", "Œuvre Élisabeth ÇA", "", "").await;

    for typed in ["helene", "HÉLÈNE", "lefevre", "dupre helene", "Lefevre-Dupre", &PAID_UP.to_lowercase()] {
        let (status, list) = staff.call("agency_members", &[("q", typed)]).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{typed}: {list}");
        assert_eq!(column(&list, "name"), ["Hélène Lefèvre-Dupré"], "{typed}");
    }
    for typed in ["oeuvre", "elisabeth ca", "ŒUVRE", "44000777c"] {
        let (_, list) = staff.call("agency_members", &[("q", typed)]).await;
        assert_eq!(column(&list, "name"), ["Œuvre Élisabeth ÇA"], "{typed}");
    }
    for typed in ["helena", "helene martin", "%", "_"] {
        let (_, list) = staff.call("agency_members", &[("q", typed)]).await;
        assert_eq!(list["rows"], Value::Array(vec![]), "{typed}");
    }
    // The page as sent without the WASM.
    let found = staff.get("/agence/adherents?q=helene").await;
    assert!(found.contains("Hélène Lefèvre-Dupré") && !found.contains("Élisabeth"), "{}", found.body);

    // The member's vouchers, by the member's name typed loosely.
    let (_, vouchers) = staff.call("agency_vouchers", &[("q", "HELENE dupre")]).await;
    assert_eq!(vouchers["rows"].as_array().unwrap().len(), 1, "{vouchers}");
    let (_, vouchers) = staff.call("agency_vouchers", &[("q", "elisabeth")]).await;
    assert_eq!(vouchers["rows"], Value::Array(vec![]));
}

#[tokio::test]
async fn suppliers_structures_and_sponsors_are_found_without_accents_or_capitals() {
    let app = TestApp::spawn().await;
    let staff = app.logged_in(NANTES_STAFF).await;
    for typed in ["materiaux", "MATÉRIAUX OUEST", "l'ouest"] {
        let (status, list) = staff.call("agency_suppliers", &[("q", typed)]).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{typed}: {list}");
        assert_eq!(column(&list, "name"), ["Matériaux de l'Ouest"], "{typed}");
    }
    let (_, list) = staff.call("agency_suppliers", &[("q", "")]).await;
    assert!(column(&list, "name").len() > 1, "nothing typed, every supplier: {list}");
    let (_, list) = staff.call("agency_suppliers", &[("q", "materiaux bois")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]), "every word must be found");
    let found = staff.get("/agence/fournisseurs?q=materiaux").await;
    assert!(found.body.contains(r#"value="materiaux""#) && found.contains("Matériaux de l'Ouest"));
    assert!(!found.contains("Bois & Charpente 44"), "{}", found.body);
    let none = staff.get("/agence/fournisseurs?q=zzz").await;
    assert!(none.contains("Aucun fournisseur ne correspond."));

    // A structure written by the store, managed by `mairie`.
    let agency: i64 = app.value_of("SELECT id FROM agencies WHERE code = $1", "NA").await;
    let siret = siret("2144900130007");
    let mut conn = app.db.pool().acquire().await.unwrap();
    let new = NewStructure {
        agency_id: agency,
        kind: StructureKind::Public,
        siret: Some(&siret),
        siren: Some(&siret[..9]),
        label: "Commune de Saint-Étienne-de-Montluc — Médiathèque",
        address: None,
        postcode: Some("44360"),
        city: Some("Saint-Étienne-de-Montluc"),
        chorus: ChorusRequirement::None,
        created_at: Timestamp::new(chrono::Utc::now()),
    };
    let id = insert_structure(&mut conn, &new).await.unwrap();
    drop(conn);
    let mairie = app.sponsor("mairie").await;
    app.update_row_with(
        "INSERT INTO structure_managers (structure_id, account_id, main, state, requested_at)
         VALUES ($1, $2, 1, 'approved', '2026-01-01T00:00:00.000000Z')",
        id,
        mairie.account_id,
    )
    .await;

    for typed in ["mediatheque", "SAINT ETIENNE médiathèque", &siret] {
        let (status, list) = staff.call("agency_structures", &[("q", typed)]).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{typed}: {list}");
        assert_eq!(column(&list, "label"), [new.label], "{typed}");
    }
    let found = staff.get("/agence/structures?q=mediatheque").await;
    assert!(found.contains("Médiathèque"), "{}", found.body);
    let (_, list) = staff.call("agency_structures", &[("q", "saint nazaire")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]));

    // Sponsors: by a structure they manage, or by their login.
    let (_, list) = staff.call("agency_sponsors", &[("q", "médiathèque")]).await;
    assert_eq!(column(&list, "login"), ["mairie"], "{list}");
    let (_, list) = staff.call("agency_sponsors", &[("q", "CCAS")]).await;
    assert_eq!(column(&list, "login"), ["ccas"], "{list}");
    let (_, list) = staff.call("agency_sponsors", &[("q", "%")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]), "{list}");
    let (_, list) = staff.call("agency_sponsors", &[("q", "")]).await;
    assert!(column(&list, "login").len() >= 2, "{list}");
    let found = staff.get("/agence/commanditaires?q=mediatheque").await;
    assert!(found.contains("mairie") && !found.contains("ccas"), "{}", found.body);

    // Staff of another agency find nothing of Nantes; the administrator does.
    let admin = app.logged_in(ADMIN).await;
    let (_, list) = admin.call("agency_structures", &[("q", "mediatheque")]).await;
    assert_eq!(column(&list, "label"), [new.label]);
}

/// Searches by key are served by an index: FTS5's trigram index on SQLite,
/// pg_trgm's GIN index on PostgreSQL; the plans are read for each list.
#[tokio::test]
async fn an_index_serves_every_search_by_key() {
    let app = TestApp::spawn().await;
    for (table, alias) in [("members", "m"), ("suppliers", "s"), ("structures", "s")] {
        let found = KeyMatch::new(&format!("{alias}.id"), table, "hélène", 1);
        let sql = format!("SELECT {alias}.id FROM {table} {alias} WHERE {}", found.condition)
            .replace("$1", &format!("'{}'", found.patterns[0]));
        let plan: Vec<String> = match app.db.backend() {
            Backend::Sqlite => {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(app.db.pool()).await.unwrap();
                rows.into_iter().map(|r| r.3).collect()
            }
            Backend::Postgres => {
                let mut tx = app.db.pool().begin().await.unwrap();
                sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
                sqlx::query_scalar(&format!("EXPLAIN {sql}")).fetch_all(&mut *tx).await.unwrap()
            }
        };
        let index = match app.db.backend() {
            Backend::Sqlite => format!("{table}_search VIRTUAL TABLE INDEX"),
            Backend::Postgres => format!("{table}_search_key"),
        };
        assert!(plan.iter().any(|line| line.contains(&index)), "{table}: {plan:#?}");
    }
}

/// Rows written before search keys existed get theirs when the server
/// starts (the migration leaves them empty).
#[tokio::test]
async fn rows_older_than_search_keys_get_theirs_at_startup() {
    let app = TestApp::spawn().await;
    app.update_row_with("UPDATE members SET search_key = $2 WHERE number = $1", PAID_UP, "").await;
    let staff = app.logged_in(NANTES_STAFF).await;
    let (_, list) = staff.call("agency_members", &[("q", "camille")]).await;
    assert_eq!(list["rows"], Value::Array(vec![]), "without its key a member is not found");
    app.db.migrate().await.unwrap();
    let (_, list) = staff.call("agency_members", &[("q", "CAMILLE")]).await;
    assert_eq!(column(&list, "name"), ["Camille Martin"]);
    let key: String = app.value_of("SELECT search_key FROM members WHERE number = $1", PAID_UP).await;
    assert_eq!(key, format!("camille martin {}", PAID_UP.to_lowercase()));
}
