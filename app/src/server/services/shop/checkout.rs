//! « Passer à la caisse » (seed 001): no prior registration. The visitor
//! logs in or opens an account there, for a public structure (its SIRET)
//! or as a private sponsor; then chooses the structure, the addresses, a
//! discount code and the payment method, and places the order.

use super::cart::{self, Shopper};
use super::{orders, store};
use crate::domain::contact::{parse_address, parse_email, parse_name, parse_phone};
use crate::domain::order::{MAX_DISTRIBUTION_POINTS, OrderNumber, OrderStatus, PaymentMethod, is_postcode};
use crate::domain::password::{MAX_CHARS, MIN_CHARS};
use crate::domain::pricing::{self, Discount};
use crate::domain::{Day, ManagerState, Role, Siret, StructureKind, Timestamp};
use crate::error::AppError;
use crate::model::shop::{CheckoutAccount, CheckoutStructure, CheckoutView, DistributionPoint, PostalAddress};
use crate::model::structures::Structure;
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Sponsor;
use crate::server::db::WriteTx;
use crate::server::error::ServerError;
use crate::server::services::structures::{activation, ensure_can_order};
use crate::server::services::{discounts, journal};
use crate::server::store::accounts::{self, NewAccount, SessionRecord};
use crate::server::store::structures::{self as structures_store, NewStructure};
use crate::server::{AppState, budgets, clock};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// What a visitor types to open their account at checkout.
#[derive(Clone, Default)]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub confirm: String,
    pub name: String,
    pub phone: String,
    /// `public` (a SIRET of an active public structure) or `private`.
    pub kind: String,
    pub siret: String,
    /// A private sponsor's name (« raison sociale »).
    pub label: String,
}

impl std::fmt::Debug for Signup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signup({}, {})", self.email, self.kind)
    }
}

/// The new account's checked fields.
struct CheckedSignup {
    email: String,
    name: String,
    phone: String,
    kind: StructureKind,
    siret: Option<Siret>,
    /// A private sponsor's SIREN, given alone.
    siren: Option<String>,
    label: Option<String>,
}

fn check_signup(s: &Signup) -> Result<CheckedSignup, AppError> {
    // Each mistake names its field of the signup form.
    let at = |field: &'static str| move |why: String| AppError::field(field, why);
    // The email is the login, which the login form reads in lower case.
    let email = parse_email(&s.email)
        .map_err(at("email"))?
        .ok_or_else(|| AppError::field("email", "Indiquez votre adresse e-mail."))?
        .to_lowercase();
    let chars = s.password.chars().count();
    if chars < MIN_CHARS {
        return Err(AppError::field("password", format!("Le mot de passe compte au moins {MIN_CHARS} caractères.")));
    }
    if chars > MAX_CHARS {
        return Err(AppError::field("password", format!("Le mot de passe compte au plus {MAX_CHARS} caractères.")));
    }
    if s.password != s.confirm {
        let why = "Les deux saisies du mot de passe sont différentes : tapez-le deux fois à l'identique.";
        return Err(AppError::field("confirm", why));
    }
    let name = parse_name(&s.name, "votre nom").map_err(at("name"))?;
    let phone = parse_phone(&s.phone)
        .map_err(at("phone"))?
        .ok_or_else(|| AppError::field("phone", "Indiquez votre téléphone."))?;
    let siret = |typed: &str| Siret::parse(typed).map_err(|e| AppError::field("siret", e.to_string()));
    let (kind, siret, siren, label) = match s.kind.trim() {
        "public" => (StructureKind::Public, Some(siret(&s.siret)?), None, None),
        "private" => {
            let label = parse_name(&s.label, "le nom de votre structure (raison sociale)").map_err(at("label"))?;
            // Its SIRET, its SIREN (nine digits), or nothing.
            let digits = s.siret.chars().filter(|c| !c.is_whitespace()).count();
            let (siret, siren) = match digits {
                0 => (None, None),
                9 => (None, Some(crate::domain::siret::parse_siren(&s.siret).map_err(at("siret"))?)),
                _ => (Some(siret(&s.siret)?), None),
            };
            (StructureKind::Private, siret, siren, Some(label))
        }
        _ => return Err(AppError::field("kind", "Choisissez : structure publique ou commanditaire privé.")),
    };
    Ok(CheckedSignup { email, name, phone, kind, siret, siren, label })
}

/// Opens a sponsor's manager account at checkout and its structure: a
/// public one activated by its SIRET (its first account becomes its main
/// manager; a later one waits for approval), or a private one, created.
/// One transaction: a refused SIRET opens no account. The new account's
/// id, for the session the caller opens.
#[tracing::instrument(skip_all, fields(signup = ?signup))]
pub async fn open_account(
    state: &AppState,
    signup: &Signup,
    address: &str,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let checked = check_signup(signup)?;
    if let Some(weak) = crate::server::strength::weakness(&signup.password, &[&checked.email, &checked.name]) {
        return Err(AppError::field("password", weak).into());
    }
    let hash = crate::server::services::accounts::logins::hash(signup.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    if !budgets::charge(&mut tx, budgets::SIGNUP_PER_ADDRESS, address, now).await? {
        tx.commit().await?;
        return Err(AppError::Conflict(
            "Trop de comptes ouverts depuis cette adresse : réessayez dans une heure, ou appelez l'agence.".into(),
        )
        .into());
    }
    let agency_id = match &checked.siret {
        Some(siret) => match structures_store::find_by_siret(tx.conn(), siret.as_str()).await? {
            Some(s) => s.agency_id,
            None => super::shop_agency(tx.conn()).await?,
        },
        None => super::shop_agency(tx.conn()).await?,
    };
    let stamp = Timestamp::new(now);
    let new = NewAccount {
        login: &checked.email,
        password_hash: &hash,
        role: Role::Sponsor,
        member_id: None,
        supplier_id: None,
        agency_id: Some(agency_id),
        created_at: stamp,
    };
    let account_id = accounts::insert_account(tx.conn(), &new).await.map_err(|e| {
        let e = ServerError::from(e);
        if e.breaks(accounts::LOGIN_KEY) {
            AppError::Conflict(format!(
                "Un compte existe déjà pour {} : connectez-vous avec votre mot de passe.",
                checked.email
            ))
            .into()
        } else {
            e
        }
    })?;
    let sponsor = Sponsor { account_id, login: checked.email.clone(), agency_id };
    let actor = Actor::sponsor(&sponsor);
    let after = json!({ "login": checked.email, "role": "sponsor", "name": checked.name });
    journal(&mut tx, &actor, Entity::Account, account_id, "create", json!({}), after, now).await?;
    store::save_contact(tx.conn(), account_id, &checked.name, &checked.email, &checked.phone).await?;
    match (checked.kind, &checked.siret) {
        (StructureKind::Public, Some(siret)) => {
            activation::activate_in(&mut tx, &sponsor, siret.as_str(), now).await?;
        }
        _ => private_structure(&mut tx, &sponsor, &checked, now).await?,
    }
    tx.commit().await?;
    tracing::info!(account = account_id, "sponsor account opened at checkout");
    Ok(account_id)
}

/// A private sponsor's structure, its new account its main manager.
async fn private_structure(
    tx: &mut WriteTx,
    sponsor: &Sponsor,
    checked: &CheckedSignup,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let label = checked.label.as_deref().unwrap_or(&checked.name);
    let new = NewStructure {
        agency_id: sponsor.agency_id,
        kind: StructureKind::Private,
        siret: checked.siret.as_ref().map(Siret::as_str),
        siren: checked.siren.as_deref().or(checked.siret.as_ref().map(Siret::siren)),
        label,
        address: None,
        postcode: None,
        city: None,
        chorus: crate::domain::ChorusRequirement::None,
        created_at: Timestamp::new(now),
    };
    let id = structures_store::insert_structure(tx.conn(), &new).await.map_err(|e| {
        let e = ServerError::from(e);
        if e.breaks(structures_store::SIRET_KEY) {
            AppError::Conflict(
                "Ce SIRET est déjà celui d'une structure : demandez à son gestionnaire de vous y associer.".into(),
            )
            .into()
        } else {
            e
        }
    })?;
    let actor = Actor::sponsor(sponsor);
    let after = json!({ "siret": new.siret, "siren": new.siren, "label": label, "kind": "private", "active": true });
    journal(tx, &actor, Entity::Structure, id, "create", json!({}), after, now).await?;
    structures_store::put_manager(tx.conn(), id, sponsor.account_id, true, ManagerState::Approved, Timestamp::new(now))
        .await?;
    let after = json!({ "login": sponsor.login, "main": true, "manager": ManagerState::Approved.label() });
    journal(tx, &actor, Entity::Structure, id, "add_manager", json!({}), after, now).await?;
    Ok(())
}

fn checkout_structure(s: Structure) -> CheckoutStructure {
    CheckoutStructure {
        id: s.id,
        label: s.label,
        siret: s.siret,
        kind: s.kind,
        chorus: s.chorus,
        address: s.address.unwrap_or_default(),
        postcode: s.postcode.unwrap_or_default(),
        city: s.city.unwrap_or_default(),
    }
}

/// The discount `typed` for the structure, or why it is refused.
async fn discount_for(
    conn: &mut AnyConnection,
    structure: &CheckoutStructure,
    agency_id: i64,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Discount, String> {
    let today = Day::new(clock::paris_date(now));
    match discounts::applicable(conn, agency_id, typed, structure.id, today).await {
        Ok((_, discount)) => Ok(discount),
        Err(e) => Err(AppError::from(e).to_string()),
    }
}

/// `/caisse`: the cart priced for the structure chosen (the first the
/// manager may order for, unless another is asked), with the code typed.
#[tracing::instrument(skip_all)]
pub async fn view(
    state: &AppState,
    shopper: &Shopper,
    session: Option<&SessionRecord>,
    structure: Option<&str>,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CheckoutView, ServerError> {
    // As staff wrote it (« bienvenue10 » is BIENVENUE10).
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| crate::domain::discount::normalize(c).unwrap_or_else(|_| c.to_owned()));
    let pool = state.db.pool();
    let mut conn = pool.acquire().await?;
    let lines = cart::lines(&mut conn, shopper).await?;
    let Some(session) = session.filter(|s| s.role == Role::Sponsor) else {
        let cart = cart::priced(&super::shop_prices(&mut conn).await?, &lines, None);
        let other_role = session.is_some();
        return Ok(CheckoutView { cart, account: None, other_role, code, code_refusal: None });
    };
    let managed = structures_store::list_for_manager(pool, session.account_id).await?;
    let (mut orderable, mut agencies, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
    for row in managed {
        match (row.state, row.structure.active) {
            (ManagerState::Approved, true) => {
                agencies.push(row.structure.agency_id);
                orderable.push(checkout_structure(row.structure));
            }
            (ManagerState::Pending, true) => waiting.push(row.structure.label),
            _ => {}
        }
    }
    // The structure asked for first, then the others.
    if let Some(at) =
        structure.and_then(|s| s.trim().parse::<i64>().ok()).and_then(|id| orderable.iter().position(|s| s.id == id))
    {
        let chosen = orderable.remove(at);
        orderable.insert(0, chosen);
        let agency = agencies.remove(at);
        agencies.insert(0, agency);
    }
    let (name, email, phone) = store::contact(&mut conn, session.account_id)
        .await?
        .unwrap_or_else(|| (String::new(), String::new(), String::new()));
    let mut code_refusal = None;
    let cart = if let (Some(chosen), Some(&agency_id)) = (orderable.first(), agencies.first()) {
        let (prices, _) = store::settings(&mut conn, agency_id).await?;
        let discount = match &code {
            Some(typed) => match discount_for(&mut conn, chosen, agency_id, typed, now).await {
                Ok(d) => Some(d),
                Err(why) => {
                    code_refusal = Some(why);
                    None
                }
            },
            None => None,
        };
        cart::priced(&prices, &lines, discount)
    } else {
        // No structure to order for yet: the shop's own prices.
        cart::priced(&super::shop_prices(&mut conn).await?, &lines, None)
    };
    let account =
        Some(CheckoutAccount { login: session.login.clone(), name, email, phone, structures: orderable, waiting });
    Ok(CheckoutView { cart, account, other_role: false, code, code_refusal })
}

/// What the checkout's form sends to place the order.
#[derive(Debug, Clone, Default)]
pub struct OrderForm {
    pub structure: String,
    pub payment: String,
    pub code: String,
    pub billing: PostalAddress,
    pub delivery: PostalAddress,
    /// One point per line: « nom ; adresse ; e-mail ».
    pub points: String,
}

/// The address `prefix` of the form (`billing_name`, `billing_street`…),
/// `what` in the sentences (« de facturation »).
fn check_address(a: &PostalAddress, prefix: &str, what: &str) -> Result<PostalAddress, AppError> {
    let at = |field: &'static str| move |why: String| AppError::field(&format!("{prefix}_{field}"), why);
    let name = parse_name(&a.name, &format!("le destinataire de l'adresse {what}")).map_err(at("name"))?;
    let street = parse_address(&a.street)
        .map_err(at("street"))?
        .ok_or_else(|| at("street")(format!("Indiquez la rue de l'adresse {what}.")))?;
    let postcode = a.postcode.trim().to_owned();
    if !is_postcode(&postcode) {
        return Err(at("postcode")(format!("Le code postal de l'adresse {what} compte cinq chiffres.")));
    }
    let city = parse_name(&a.city, &format!("la ville de l'adresse {what}")).map_err(at("city"))?;
    Ok(PostalAddress { name, street, postcode, city })
}

/// « nom ; adresse ; e-mail », one point per line.
pub fn parse_points(typed: &str) -> Result<Vec<DistributionPoint>, AppError> {
    let mut points = Vec::new();
    for (n, line) in typed.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let at = |why: String| AppError::field("points", format!("Point de distribution n° {} : {why}", n + 1));
        let fields: Vec<&str> = line.split(';').map(str::trim).collect();
        let [name, address, email] = fields[..] else {
            return Err(at("écrivez « nom ; adresse ; e-mail », séparés par des points-virgules.".into()));
        };
        let name = parse_name(name, "le nom du point").map_err(at)?;
        let address = parse_address(address).map_err(at)?.ok_or_else(|| at("indiquez son adresse.".into()))?;
        let email = parse_email(email).map_err(at)?.ok_or_else(|| at("indiquez son adresse e-mail.".into()))?;
        points.push(DistributionPoint { name, address, email });
    }
    if points.len() > MAX_DISTRIBUTION_POINTS {
        return Err(AppError::field(
            "points",
            format!(
                "Indiquez au plus {MAX_DISTRIBUTION_POINTS} points de distribution ; l'agence ajoutera les autres."
            ),
        ));
    }
    Ok(points)
}

/// Places the order, in one transaction: the manager's right to order for
/// the structure, the payment method its kind allows, the cart priced at
/// the agency's prices of the day with the discount code (its use counted
/// here: of two checkouts racing for a last use, one gets it), the next
/// order number of the year. A Chorus Pro order waits for its purchase
/// order; a transfer order is confirmed. The confirmation email leaves
/// after the commit. The order's id.
#[tracing::instrument(skip_all, fields(sponsor = %sponsor.login))]
pub async fn place(
    state: &AppState,
    sponsor: &Sponsor,
    shopper: &Shopper,
    form: &OrderForm,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let structure_id: i64 = form
        .structure
        .trim()
        .parse()
        .map_err(|_| AppError::field("structure", "Choisissez la structure pour laquelle vous commandez."))?;
    let payment = PaymentMethod::from_code(form.payment.trim())
        .ok_or_else(|| AppError::field("payment", "Choisissez le mode de paiement."))?;
    let points = parse_points(&form.points)?;
    let mut tx = state.db.begin_write().await?;
    ensure_can_order(tx.conn(), sponsor.account_id, structure_id).await?;
    let structure = structures_store::find_for_update(&mut tx, structure_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Structure".into()))?;
    match (structure.kind, payment) {
        (StructureKind::Public, PaymentMethod::Chorus) | (StructureKind::Private, PaymentMethod::Transfer) => {}
        (StructureKind::Public, _) => {
            let why =
                "Une structure publique paie par Chorus Pro (mandat administratif) : choisissez ce mode de paiement.";
            return Err(AppError::field("payment", why).into());
        }
        (StructureKind::Private, _) => {
            let why = "Chorus Pro est réservé aux structures publiques : choisissez le paiement par virement.";
            return Err(AppError::field("payment", why).into());
        }
    }
    // A public structure is billed and delivered under its own name.
    let own_name = |a: &PostalAddress| match structure.kind {
        StructureKind::Public => PostalAddress { name: structure.label.clone(), ..a.clone() },
        StructureKind::Private => a.clone(),
    };
    let billing = check_address(&own_name(&form.billing), "billing", "de facturation")?;
    let delivery = check_address(&own_name(&form.delivery), "delivery", "de livraison")?;
    let (prices, _) = store::settings(tx.conn(), structure.agency_id).await?;
    let cart = cart::find(tx.conn(), shopper).await?.ok_or_else(|| AppError::from(pricing::QuoteError::Empty))?;
    let lines = store::cart_lines(tx.conn(), cart.id).await?;
    let typed = form.code.trim();
    let discount = if typed.is_empty() {
        None
    } else {
        let today = Day::new(clock::paris_date(now));
        let (record, discount) =
            discounts::applicable(tx.conn(), structure.agency_id, typed, structure.id, today).await?;
        Some((record, discount))
    };
    let quote = pricing::quote(&prices, &lines, discount.as_ref().map(|(_, d)| *d)).map_err(AppError::from)?;
    if let Some((record, _)) = &discount {
        discounts::take(&mut tx, record).await?;
    }
    let (name, email, phone) = store::contact(tx.conn(), sponsor.account_id)
        .await?
        .unwrap_or_else(|| (sponsor.login.clone(), String::new(), String::new()));
    let year = clock::paris_year(now);
    let number = OrderNumber { year, sequence: store::next_sequence(tx.conn(), year).await? };
    let status = match payment {
        PaymentMethod::Chorus => OrderStatus::AwaitingPurchaseOrder,
        PaymentMethod::Transfer => OrderStatus::Confirmed,
    };
    let new = store::NewOrder {
        agency_id: structure.agency_id,
        number,
        structure_id: structure.id,
        account_id: sponsor.account_id,
        status,
        payment,
        prices: &prices,
        discount_code: discount.as_ref().map(|(r, _)| (r.id, r.code.as_str())),
        quote: &quote,
        contact: (&name, &email, &phone),
        billing: &billing,
        delivery: &delivery,
        points: &points,
        at: Timestamp::new(now),
    };
    let id = store::insert_order(tx.conn(), &new).await?;
    let after = json!({
        "number": number.to_string(), "structure": structure.label, "payment": payment.label(),
        "status": status.label(), "total_incl_vat": quote.total_incl_vat.to_string(),
        "discount_code": discount.as_ref().map(|(r, _)| r.code.clone()),
    });
    journal(&mut tx, &Actor::sponsor(sponsor), Entity::Order, id, "place", json!({}), after, now).await?;
    store::empty_cart(tx.conn(), cart.id).await?;
    tx.commit().await?;
    tracing::info!(order = id, number = %number, "order placed");
    orders::send_confirmation(state, id).await;
    Ok(id)
}

impl From<pricing::QuoteError> for AppError {
    fn from(e: pricing::QuoteError) -> AppError {
        AppError::Invalid(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_points_one_per_line() {
        let points = parse_points("Mairie ; 1 place de la Mairie 44000 Nantes ; accueil@mairie.example\n\n").unwrap();
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].email, "accueil@mairie.example");
        let refused = |typed: &str| parse_points(typed).unwrap_err().to_string();
        assert!(refused("a ; b").contains("n° 1"));
        assert!(refused("a ; b ; c@d.fr\nx ; y ; pas-un-email").contains("n° 2"));
        assert!(refused(&"a ; b ; c@d.fr\n".repeat(MAX_DISTRIBUTION_POINTS + 1)).contains("au plus"));
    }

    #[test]
    fn a_signup_says_what_is_missing() {
        let ok = Signup {
            email: "Gestion@Exemple.fr".into(),
            password: "un mot de passe long".into(),
            confirm: "un mot de passe long".into(),
            name: "Anne Martin".into(),
            phone: "02 40 00 00 00".into(),
            kind: "public".into(),
            siret: "21449001300049".into(),
            label: String::new(),
        };
        assert!(check_signup(&ok).is_ok());
        let refused = |s: Signup| check_signup(&s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused(Signup { confirm: "autre chose encore".into(), ..ok.clone() }).contains("différentes"));
        assert!(
            refused(Signup { password: "court".into(), confirm: "court".into(), ..ok.clone() }).contains("au moins")
        );
        assert!(refused(Signup { kind: "private".into(), ..ok.clone() }).contains("raison sociale"));
        assert!(refused(Signup { kind: String::new(), ..ok.clone() }).contains("Choisissez"));
        assert!(refused(Signup { siret: "21449001300048".into(), ..ok.clone() }).contains("SIRET"));
        let private = Signup { kind: "private".into(), label: "Fondation".into(), ..ok.clone() };
        assert_eq!(
            check_signup(&Signup { siret: "732 829 320".into(), ..private.clone() }).unwrap().siren.as_deref(),
            Some("732829320")
        );
        assert!(refused(Signup { siret: "732 829 321".into(), ..private.clone() }).contains("SIREN invalide"));
        assert!(check_signup(&Signup { siret: String::new(), ..private }).is_ok(), "or nothing");
    }
}
