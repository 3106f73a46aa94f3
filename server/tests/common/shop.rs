//! Helpers of the sponsors' orders' tests: a staff member of Nantes, a
//! cart, an order's form, a confirmed Chorus Pro order, a refusal's text.

use super::TestApp;
use super::supplier::pdf;
use app::domain::pricing::Product;
use app::domain::{Money, Role, Timestamp};
use app::model::shop::PostalAddress;
use app::server::auth::Staff;
use app::server::codes::sha256_hex;
use app::server::error::ServerError;
use app::server::guards::StructureCaller;
use app::server::services::shop::cart::Shopper;
use app::server::services::shop::checkout::{self, OrderForm};
use app::server::services::shop::orders::{self, PurchaseOrderForm, Upload};
use app::server::store::shop as store;

/// The Services techniques of the demo's town: public, managed by `mairie`,
/// its Chorus Pro purchase orders need a service code and an engagement.
pub const TECHNIQUES: &str = "21449001300015";
/// The Direction des finances: public, managed by `mairie`, takes over.
pub const FINANCES: &str = "21449001300023";

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A staff member of Nantes, made for the test under `login`.
pub async fn staff(app: &TestApp, login: &str) -> Staff {
    let account_id = app.create_staff(login, "agency", None).await;
    let agency_id = app.count("SELECT id FROM agencies WHERE code = 'NA'").await;
    Staff { account_id, login: login.into(), role: Role::Agency, agency_id: Some(agency_id) }
}

pub async fn structure_id(app: &TestApp, siret: &str) -> i64 {
    app.value_of("SELECT id FROM structures WHERE siret = $1", siret).await
}

/// A cart of its own (as a browser's cookie would hold) with these lines.
pub async fn cart_of(app: &TestApp, account: Option<i64>, lines: &[(Product, u32)]) -> Shopper {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let mut conn = app.db.pool().acquire().await.expect("connection");
    let stamp = Timestamp::new(now());
    let id = store::insert_cart(&mut conn, &sha256_hex(token.as_bytes()), account, stamp).await.expect("cart");
    for &(product, quantity) in lines {
        store::set_line(&mut conn, id, product, quantity, stamp).await.expect("line");
    }
    Shopper { token: Some(token), account_id: account }
}

pub fn booklets(euros: i64) -> Product {
    Product::Booklet { face_value: Money::from_euros(euros) }
}

/// The checkout's form for `structure`, paid by `payment`, billed and
/// delivered at the town hall, with a discount code and distribution
/// points (« nom ; adresse ; e-mail » lines) when given.
pub fn form(structure: i64, payment: &str, code: &str, points: &str) -> OrderForm {
    let address = |name: &str| PostalAddress {
        name: name.into(),
        street: "1 place de la Mairie".into(),
        postcode: "44999".into(),
        city: "Saint-Aubin-des-Castors".into(),
    };
    OrderForm {
        structure: structure.to_string(),
        payment: payment.into(),
        code: code.into(),
        billing: address("Ville"),
        delivery: address("Ville"),
        points: points.into(),
    }
}

/// A Chorus Pro order of the Services techniques with these lines, its
/// purchase order given: confirmed.
pub async fn confirmed_chorus_order(app: &TestApp, lines: &[(Product, u32)], points: &str) -> i64 {
    let mairie = app.sponsor("mairie").await;
    let techniques = structure_id(app, TECHNIQUES).await;
    let shopper = cart_of(app, Some(mairie.account_id), lines).await;
    let id =
        checkout::place(&app.state, &mairie, &shopper, &form(techniques, "chorus", "", points), now()).await.unwrap();
    let po = PurchaseOrderForm {
        label: "Ville de Saint-Aubin-des-Castors — Services techniques".into(),
        siret: TECHNIQUES.into(),
        service_code: "ST-44".into(),
        engagement: "1234567890".into(),
    };
    let signed = pdf("Bon de commande signé");
    let file = Upload { file_name: "bon.pdf", content: &signed };
    orders::give_purchase_order(&app.state, &StructureCaller::Sponsor(mairie), &id.to_string(), &po, &file, now())
        .await
        .unwrap();
    id
}

/// The French sentence of a refusal; anything else fails the test.
pub fn refusal<T: std::fmt::Debug>(result: Result<T, ServerError>) -> String {
    match result {
        Err(ServerError::Refused(e)) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Walks an order with its invoices issued through the steps before
/// production (seed 003): scoping by staff, the elements by the sponsor,
/// the invoices found conform, a proof made and validated (`sponsor`: the
/// login of a manager of the order's structure).
pub async fn proof_validated(app: &TestApp, staff: &Staff, sponsor: &str, order: &str) {
    use app::server::services::shop::way;
    let agency = StructureCaller::Staff(staff.clone());
    let mairie = StructureCaller::Sponsor(app.sponsor(sponsor).await);
    way::mark_scoped(&app.state, &agency, order, now()).await.unwrap();
    let elements = way::ElementsForm { message: "Offert par votre mairie".into(), ..Default::default() };
    way::give_elements(&app.state, &mairie, order, &elements, &[], now()).await.unwrap();
    way::check_invoices(&app.state, &mairie, order, true, "", now()).await.unwrap();
    let number = way::make_proof(&app.state, &agency, order, now()).await.unwrap();
    way::decide_proof(&app.state, &mairie, order, &number.to_string(), true, "", now()).await.unwrap();
}

/// Ships an order's produced booklets and confirms their delivery.
pub async fn delivered(app: &TestApp, staff: &Staff, order: &str) {
    use app::server::services::shop::way;
    let agency = StructureCaller::Staff(staff.clone());
    way::ship(&app.state, &agency, order, "", now()).await.unwrap();
    way::confirm_delivery(&app.state, &agency, order, now()).await.unwrap();
}
