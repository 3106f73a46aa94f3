//! Fixed demo data, so anyone can try the product: the Nantes agency, two
//! members (one paid up, one not), two active suppliers and an inactive one,
//! a supplier login, an agency login and an administrator. Loading it twice
//! changes nothing the second time, except that the demo members' fee status
//! is set back to what the README says. Every change is in the audit
//! journal, made by "bons demo".
//!
//! Sponsors too: the managers `mairie` (three structures of the Ville de
//! Saint-Aubin-des-Castors), `ccas` (its CCAS) and `fondation` (a private
//! sponsor), and the SIRENE register's extract of those SIRETs
//! (`app/demo/sirene.csv`, INSEE's format), loaded by the same import as
//! `bons sirene import`.

use super::audit::{self, Actor, Change, Entity};
use super::db::{Db, WriteTx};
use super::{auth::hash_password, clock, error::ServerError};
use crate::domain::{ChorusRequirement, Day, Money, Role, Timestamp};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyConnection;

pub const DEMO_PASSWORD: &str = "castors";
pub const PAID_UP_MEMBER: &str = "44000123B";
pub const UNPAID_MEMBER: &str = "44000124B";
pub const ACTIVE_SUPPLIERS: [&str; 2] = ["Matériaux de l'Ouest", "Bois & Charpente 44"];
pub const INACTIVE_SUPPLIER: &str = "Négoce Fermé";
/// Counter staff of "Matériaux de l'Ouest".
pub const SUPPLIER_LOGIN: &str = "ouest";
/// Staff of the Nantes agency.
pub const AGENCY_LOGIN: &str = "agence.nantes";
/// Sees every agency.
pub const ADMIN_LOGIN: &str = "admin";
/// Manager of the Ville de Saint-Aubin-des-Castors' structures.
pub const SPONSOR_LOGIN: &str = "mairie";
/// Manager of the CCAS: another manager, whose structure `mairie` cannot take over into.
pub const OTHER_SPONSOR_LOGIN: &str = "ccas";
/// A private sponsor, paying by transfer.
pub const PRIVATE_SPONSOR_LOGIN: &str = "fondation";

/// The register's extract holding the demo's SIRETs, as INSEE writes it.
pub const DEMO_REGISTER: &str = include_str!("../../demo/sirene.csv");

/// The demo's structures: label, SIRET (None: private), what Chorus Pro
/// requires, manager, service codes (code, label, active).
type DemoStructure = (
    &'static str,
    Option<&'static str>,
    ChorusRequirement,
    &'static str,
    &'static [(&'static str, &'static str, bool)],
);
pub const DEMO_STRUCTURES: [DemoStructure; 5] = [
    (
        "Ville de Saint-Aubin-des-Castors — Services techniques",
        Some("21449001300015"),
        ChorusRequirement::Both,
        SPONSOR_LOGIN,
        &[("ST-44", "Services techniques — voirie et bâtiments", true), ("ANC-01", "Ancien code (avant 2024)", false)],
    ),
    (
        "Ville de Saint-Aubin-des-Castors — Direction des finances",
        Some("21449001300023"),
        ChorusRequirement::None,
        SPONSOR_LOGIN,
        &[],
    ),
    // Closed in the register: its manager deactivates it without a taking-over SIRET.
    (
        "Ville de Saint-Aubin-des-Castors — Mairie annexe",
        Some("21449001300031"),
        ChorusRequirement::None,
        SPONSOR_LOGIN,
        &[],
    ),
    ("CCAS de Saint-Aubin-des-Castors", Some("26449002000015"), ChorusRequirement::None, OTHER_SPONSOR_LOGIN, &[]),
    ("Fondation des Castors solidaires", None, ChorusRequirement::None, PRIVATE_SPONSOR_LOGIN, &[]),
];
/// In the register (open), with no structure yet: a visitor can open its first account.
pub const MEDIATHEQUE_SIRET: &str = "21449001300049";

/// SIRET, contact and bank details of the demo suppliers (fictitious; the
/// SIRETs pass the Luhn check and the IBANs their mod-97 check).
const SUPPLIER_DETAILS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "Matériaux de l'Ouest",
        "44290812300015",
        "Sophie Leroux",
        "compta@materiaux-ouest.invalid",
        "FR7630004000031234567890143",
    ),
    (
        "Bois & Charpente 44",
        "44315678900010",
        "Marc Guérin",
        "factures@bois-charpente44.invalid",
        "FR5910278360000002054460176",
    ),
    ("Négoce Fermé", "44500123400019", "—", "contact@negoce-ferme.invalid", "FR9514505000010400123456789"),
];

pub async fn load(db: &Db) -> Result<(), ServerError> {
    let now = Utc::now();
    let stamp = Timestamp::new(now);
    let today = stamp.paris_day().date();
    // Paid up until the end of next year; the other member's fee lapsed last year.
    let paid_until = NaiveDate::from_ymd_opt(today.year() + 1, 12, 31).map(Day::new);
    let lapsed = today.with_day(1).and_then(|d| d.with_month(1)).and_then(|d| d.pred_opt()).map(Day::new);
    let actor = Actor::system("bons demo");

    let mut tx = db.begin_write().await?;
    let agency = upsert_agency(tx.conn(), "Nantes", "NA", "442").await?;
    for name in ACTIVE_SUPPLIERS.iter().chain([INACTIVE_SUPPLIER].iter()) {
        let active = i64::from(*name != INACTIVE_SUPPLIER);
        let existing: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, active FROM suppliers WHERE agency_id = $1 AND name = $2")
                .bind(agency)
                .bind(*name)
                .fetch_optional(tx.conn())
                .await?;
        let change = match existing {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO suppliers (agency_id, name, active, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(agency)
                .bind(*name)
                .bind(active)
                .bind(stamp)
                .fetch_one(tx.conn())
                .await?;
                Some((id, "create", json!({}), json!({ "name": name, "active": active == 1 })))
            }
            Some((id, was)) if was != active => {
                sqlx::query("UPDATE suppliers SET active = $2 WHERE id = $1")
                    .bind(id)
                    .bind(active)
                    .execute(tx.conn())
                    .await?;
                let action = if active == 1 { "activate" } else { "deactivate" };
                Some((id, action, json!({ "active": was == 1 }), json!({ "active": active == 1 })))
            }
            Some(_) => None,
        };
        if let Some((id, action, before, after)) = change {
            let change = Change { entity: Entity::Supplier, entity_id: id, action, before, after };
            audit::append(&mut tx, &actor, change, now).await?;
        }
    }
    for (name, siret, contact, email, iban) in SUPPLIER_DETAILS {
        // Details are filled once; staff may change them afterwards.
        sqlx::query(
            "UPDATE suppliers SET siret = $3, contact_name = $4, email = $5, iban = $6
              WHERE agency_id = $1 AND name = $2 AND siret IS NULL",
        )
        .bind(agency)
        .bind(name)
        .bind(siret)
        .bind(contact)
        .bind(email)
        .bind(iban)
        .execute(tx.conn())
        .await?;
    }
    for (number, name, fee) in
        [(PAID_UP_MEMBER, "Camille Martin", paid_until), (UNPAID_MEMBER, "Dominique Bernard", lapsed)]
    {
        let existing: Option<(i64, Option<Day>)> =
            sqlx::query_as("SELECT id, fee_paid_until FROM members WHERE number = $1")
                .bind(number)
                .fetch_optional(tx.conn())
                .await?;
        let member = match existing {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO members (agency_id, number, name, fee_paid_until, active, created_at)
                     VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
                )
                .bind(agency)
                .bind(number)
                .bind(name)
                .bind(fee)
                .bind(stamp)
                .fetch_one(tx.conn())
                .await?;
                let after = json!({ "number": number, "name": name, "fee_paid_until": fee });
                let change =
                    Change { entity: Entity::Member, entity_id: id, action: "create", before: json!({}), after };
                audit::append(&mut tx, &actor, change, now).await?;
                id
            }
            Some((id, was)) => {
                if was != fee {
                    sqlx::query("UPDATE members SET fee_paid_until = $2, active = 1 WHERE id = $1")
                        .bind(id)
                        .bind(fee)
                        .execute(tx.conn())
                        .await?;
                    let (before, after) = (json!({ "fee_paid_until": was }), json!({ "fee_paid_until": fee }));
                    let change = Change { entity: Entity::Member, entity_id: id, action: "fee", before, after };
                    audit::append(&mut tx, &actor, change, now).await?;
                }
                id
            }
        };
        let owner = AccountOwner { member: Some(member), supplier: None, agency: Some(agency) };
        ensure_account(&mut tx, &actor, number, Role::Member, owner, now).await?;
    }
    let ouest: i64 = sqlx::query_scalar("SELECT id FROM suppliers WHERE agency_id = $1 AND name = $2")
        .bind(agency)
        .bind(ACTIVE_SUPPLIERS[0])
        .fetch_one(tx.conn())
        .await?;
    let staff = [
        (SUPPLIER_LOGIN, Role::Supplier, AccountOwner { member: None, supplier: Some(ouest), agency: None }),
        (AGENCY_LOGIN, Role::Agency, AccountOwner { member: None, supplier: None, agency: Some(agency) }),
        (ADMIN_LOGIN, Role::Admin, AccountOwner { member: None, supplier: None, agency: None }),
    ];
    for (login, role, owner) in staff {
        ensure_account(&mut tx, &actor, login, role, owner, now).await?;
    }
    ensure_discount_codes(&mut tx, &actor, agency, today, now).await?;
    tx.commit().await?;
    super::services::structures::register::import(db, DEMO_REGISTER.as_bytes(), now).await?;
    sponsors(db, agency, &actor, now).await?;
    // The suppliers and members written above have no search key yet.
    super::store::search::fill_missing_keys(db.pool()).await?;
    Ok(())
}

/// The sponsors' managers as they gave themselves: name, email, phone.
const SPONSOR_CONTACTS: [(&str, &str, &str, &str); 3] = [
    (SPONSOR_LOGIN, "Claire Dubois", "commandes@saint-aubin-des-castors.example", "02 40 00 00 01"),
    (OTHER_SPONSOR_LOGIN, "Marc Leroy", "ccas@saint-aubin-des-castors.example", "02 40 00 00 02"),
    (PRIVATE_SPONSOR_LOGIN, "Sophie Bernard", "dons@fondation-castors.example", "01 40 00 00 03"),
];

/// The cooperative's account for sponsors paying by transfer (fictional;
/// its check digits are right).
pub const DEMO_IBAN: &str = "FR7630004000031234567890143";

/// The cooperative as its invoices to sponsors name it (fictional; its
/// SIRET's and VAT number's keys are right).
pub const DEMO_SELLER: (&str, &str, &str, &str, &str, &str) = (
    "Castors de l'Ouest, société coopérative",
    "89012340900009",
    "FR09890123409",
    "12 rue des Bâtisseurs",
    "44000",
    "Nantes",
);

/// The sponsors' managers and their structures, each made once: what
/// people did with them since (a deactivation, a manager approved) stays.
async fn sponsors(db: &Db, agency: i64, actor: &Actor, now: DateTime<Utc>) -> Result<(), ServerError> {
    use super::store::shop;
    use super::store::structures::{self as structures, NewStructure};
    use crate::domain::{ManagerState, StructureKind};
    let mut tx = db.begin_write().await?;
    for login in [SPONSOR_LOGIN, OTHER_SPONSOR_LOGIN, PRIVATE_SPONSOR_LOGIN] {
        let owner = AccountOwner { member: None, supplier: None, agency: Some(agency) };
        ensure_account(&mut tx, actor, login, Role::Sponsor, owner, now).await?;
    }
    for (login, name, email, phone) in SPONSOR_CONTACTS {
        let account: i64 =
            sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1").bind(login).fetch_one(tx.conn()).await?;
        if shop::contact(tx.conn(), account).await?.is_none() {
            shop::save_contact(tx.conn(), account, name, email, phone).await?;
        }
    }
    // The shop's prices: the defaults, and the cooperative's IBAN for transfers.
    let priced: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop_settings WHERE agency_id = $1")
        .bind(agency)
        .fetch_one(tx.conn())
        .await?;
    if priced == 0 {
        let prices = crate::domain::pricing::PriceList::default();
        shop::save_settings(tx.conn(), agency, &prices, Some(DEMO_IBAN), Timestamp::new(now), "bons demo").await?;
    }
    if super::store::billing::seller(tx.conn(), agency).await?.is_none() {
        let (name, siret, vat, street, postcode, city) = DEMO_SELLER;
        let seller = crate::domain::billing::Party {
            name: name.into(),
            siret: Some(siret.into()),
            siren: Some(siret[..9].into()),
            vat_number: Some(vat.into()),
            street: street.into(),
            postcode: postcode.into(),
            city: city.into(),
        };
        super::store::billing::save_seller(tx.conn(), agency, &seller, Timestamp::new(now), "bons demo").await?;
    }
    for (label, siret, chorus, manager, codes) in DEMO_STRUCTURES {
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM structures WHERE siret = $1 OR (siret IS NULL AND $1 IS NULL AND label = $2)",
        )
        .bind(siret)
        .bind(label)
        .fetch_optional(tx.conn())
        .await?;
        if existing.is_some() {
            continue;
        }
        let establishment = match siret {
            Some(siret) => structures::find_establishment(tx.conn(), siret).await?,
            None => None,
        };
        let kind = if siret.is_some() { StructureKind::Public } else { StructureKind::Private };
        let new = NewStructure {
            agency_id: agency,
            kind,
            siret,
            siren: None,
            label,
            address: Some("1 place de la Mairie"),
            postcode: establishment.as_ref().and_then(|e| e.postcode.as_deref()).or(Some("44999")),
            city: establishment.as_ref().and_then(|e| e.city.as_deref()).or(Some("SAINT-AUBIN-DES-CASTORS")),
            chorus,
            created_at: Timestamp::new(now),
        };
        let id = structures::insert_structure(tx.conn(), &new).await?;
        let after =
            json!({ "siret": siret, "label": label, "kind": kind.code(), "chorus": chorus.label(), "active": true });
        let change = Change { entity: Entity::Structure, entity_id: id, action: "create", before: json!({}), after };
        audit::append(&mut tx, actor, change, now).await?;
        let account: i64 =
            sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1").bind(manager).fetch_one(tx.conn()).await?;
        structures::put_manager(tx.conn(), id, account, true, ManagerState::Approved, Timestamp::new(now)).await?;
        let after = json!({ "login": manager, "main": true, "manager": ManagerState::Approved.label() });
        let change =
            Change { entity: Entity::Structure, entity_id: id, action: "add_manager", before: json!({}), after };
        audit::append(&mut tx, actor, change, now).await?;
        for (code, code_label, active) in codes {
            structures::insert_service_code(tx.conn(), id, code, code_label).await?;
            if !active {
                structures::set_service_code_active(tx.conn(), id, code, false).await?;
            }
            let after = json!({ "service_code": code, "label": code_label, "active": active });
            let change = Change {
                entity: Entity::Structure,
                entity_id: id,
                action: "add_service_code",
                before: json!({}),
                after,
            };
            audit::append(&mut tx, actor, change, now).await?;
        }
    }
    Ok(tx.commit().await?)
}

/// The shop's demo codes: `BIENVENUE10` (10 %, valid until the end of next
/// year), `ETE2025` (expired), `UNEFOIS` (30 €, one use left). Made once;
/// their uses are left as they are afterwards.
async fn ensure_discount_codes(
    tx: &mut WriteTx,
    actor: &Actor,
    agency: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    use crate::domain::{
        Money,
        pricing::{Discount, Rate},
    };
    use crate::server::store::discounts::{self, NewCode};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(Day::new).ok_or(sqlx::Error::RowNotFound);
    let this_year = today.year();
    let codes = [
        (
            "BIENVENUE10",
            Discount::Percent(Rate::percent(10)),
            day(this_year, 1, 1)?,
            day(this_year + 1, 12, 31)?,
            1_000,
        ),
        ("ETE2025", Discount::Percent(Rate::percent(15)), day(2025, 6, 1)?, day(2025, 8, 31)?, 100),
        ("UNEFOIS", Discount::Fixed(Money::from_euros(30)), day(this_year, 1, 1)?, day(this_year + 1, 12, 31)?, 1),
    ];
    for (code, discount, valid_from, valid_until, max_uses) in codes {
        if discounts::find(tx.conn(), agency, code).await?.is_some() {
            continue;
        }
        let new = NewCode { agency_id: agency, code, discount, valid_from, valid_until, max_uses, sponsor_id: None };
        let id = discounts::insert(tx.conn(), &new, Timestamp::new(now), "bons demo").await?;
        let after = new.journaled();
        let change = Change { entity: Entity::DiscountCode, entity_id: id, action: "create", before: json!({}), after };
        audit::append(tx, actor, change, now).await?;
    }
    Ok(())
}

/// Whose account it is: a member's, a supplier's, an agency's (staff), or
/// nobody's in particular (an administrator).
struct AccountOwner {
    member: Option<i64>,
    supplier: Option<i64>,
    agency: Option<i64>,
}

/// Creates the login with the demo password, unless it exists.
async fn ensure_account(
    tx: &mut WriteTx,
    actor: &Actor,
    login: &str,
    role: Role,
    owner: AccountOwner,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1").bind(login).fetch_optional(tx.conn()).await?;
    if exists.is_some() {
        return Ok(());
    }
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (login, password_hash, role, member_id, supplier_id, agency_id, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
    )
    .bind(login)
    .bind(hash_password(DEMO_PASSWORD))
    .bind(role)
    .bind(owner.member)
    .bind(owner.supplier)
    .bind(owner.agency)
    .bind(Timestamp::new(now))
    .fetch_one(tx.conn())
    .await?;
    let after = json!({
        "login": login,
        "role": role,
        "member_id": owner.member,
        "supplier_id": owner.supplier,
        "agency_id": owner.agency,
    });
    let change = Change { entity: Entity::Account, entity_id: account, action: "create", before: json!({}), after };
    audit::append(tx, actor, change, now).await?;
    Ok(())
}

async fn upsert_agency(conn: &mut AnyConnection, name: &str, code: &str, centre: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO agencies (name, code, centre_code) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .bind(name)
    .bind(code)
    .bind(centre)
    .fetch_one(conn)
    .await
}

/// A few weeks of history for the demo member at "Matériaux de l'Ouest",
/// made through the same services as real use, so that every screen of the
/// three spaces has something to show: vouchers paid, invoiced, delivered
/// and issued; an invoice paid by a batch, one accepted and waiting for
/// payment, one received with a flagged line (a wrong code); a statement.
/// Made once: nothing is added when the demo member has used a voucher.
pub async fn history(state: &super::AppState) -> Result<bool, ServerError> {
    use super::auth::{Staff, SupplierUser, member_by_number};
    use super::services::invoices::{self, review};
    use super::services::{payments, statements, vouchers};
    use crate::{domain::InvoiceLineInput, error::AppError};
    use chrono::Duration;

    let pool = state.db.pool();
    let member = member_by_number(state, PAID_UP_MEMBER).await?.ok_or(AppError::Internal)?;
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM vouchers WHERE member_id = $1 AND used_at IS NOT NULL")
        .bind(member.id)
        .fetch_one(pool)
        .await?;
    if used > 0 {
        return Ok(false);
    }
    let (supplier_account, supplier_id, agency_id): (i64, i64, i64) = sqlx::query_as(
        "SELECT a.id, s.id, s.agency_id FROM accounts a JOIN suppliers s ON s.id = a.supplier_id WHERE a.login = $1",
    )
    .bind(SUPPLIER_LOGIN)
    .fetch_one(pool)
    .await?;
    let supplier = SupplierUser {
        account_id: supplier_account,
        login: SUPPLIER_LOGIN.into(),
        supplier_id,
        supplier_name: ACTIVE_SUPPLIERS[0].into(),
        agency_id,
    };
    let staff_account: i64 =
        sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1").bind(AGENCY_LOGIN).fetch_one(pool).await?;
    let staff =
        Staff { account_id: staff_account, login: AGENCY_LOGIN.into(), role: Role::Agency, agency_id: Some(agency_id) };
    sqlx::query("UPDATE members SET email = $2 WHERE id = $1 AND email IS NULL")
        .bind(member.id)
        .bind("camille.martin@exemple.fr")
        .execute(pool)
        .await?;

    let now = Utc::now();
    let days_ago = |d: i64| now - Duration::days(d);
    let supplier_field = supplier_id.to_string();
    // (amount, requested, used): days ago.
    let plan = [(120, 46, 45), (85, 45, 44), (230, 44, 42), (64, 43, 41), (45, 42, 40), (30, 4, 3)];
    let mut used = Vec::new();
    for (euros, requested, used_on) in plan {
        let id =
            vouchers::request_voucher(state, &member, &supplier_field, &euros.to_string(), days_ago(requested)).await?;
        let receipt =
            vouchers::use_voucher(state, &member, id, days_ago(used_on)).await?.receipt.ok_or(AppError::Internal)?;
        vouchers::validate_voucher(state, &member, id, days_ago(used_on)).await?;
        used.push((receipt.number, receipt.code, euros));
    }
    vouchers::request_voucher(state, &member, &supplier_field, "50", now).await?;

    let line = |i: usize, code: Option<&str>| {
        let (number, right, euros) = &used[i];
        InvoiceLineInput {
            voucher_number: number.to_string(),
            code: code.unwrap_or(right).to_owned(),
            amount: euros.to_string(),
        }
    };
    let submitter = invoices::Submitter::user(&supplier);
    let invoice = |number: &str, days: i64, lines: Vec<InvoiceLineInput>| {
        let total: i64 = lines.iter().map(|l| l.amount.parse::<i64>().unwrap_or(0)).sum();
        invoices::InvoiceInput {
            number: number.into(),
            date: clock::iso_day(clock::paris_date(days_ago(days))),
            amount: total.to_string(),
            lines,
        }
    };
    // Paid: two vouchers, one invoice, one batch.
    let paid = invoice("MO-2026-0101", 40, vec![line(0, None), line(1, None)]);
    let paid = invoices::submit_invoice(state, &submitter, &paid, days_ago(40)).await?;
    review::accept(state, &staff, paid, days_ago(39)).await?;
    let batch = payments::create(state, &staff, None, None, days_ago(38)).await?;
    let paid_on = clock::iso_day(clock::paris_date(days_ago(35)));
    payments::mark_paid(state, &staff, batch, &paid_on, "VIR-DEMO-01", days_ago(35)).await?;
    // Accepted, waiting for the next batch.
    let accepted = invoice("MO-2026-0102", 38, vec![line(2, None)]);
    let accepted = invoices::submit_invoice(state, &submitter, &accepted, days_ago(38)).await?;
    review::accept(state, &staff, accepted, days_ago(37)).await?;
    // Received, with one line whose code was copied wrong.
    let (_, right, _) = &used[3];
    let wrong: String =
        right.chars().map(|c| c.to_digit(10).map(|d| char::from(b'0' + ((d + 1) % 10) as u8)).unwrap_or(c)).collect();
    let flagged = invoice("MO-2026-0103", 36, vec![line(3, Some(&wrong)), line(4, None)]);
    invoices::submit_invoice(state, &submitter, &flagged, days_ago(36)).await?;
    // The statement of the weeks the first vouchers were used.
    let member_file = super::store::members::find_by_id(pool, member.id).await?.ok_or(AppError::Internal)?;
    let (from, to) = (clock::paris_date(days_ago(46)), clock::paris_date(days_ago(34)));
    let actor = Actor::staff(&staff);
    statements::issue(state, &actor, &member_file, from, to, true, days_ago(34)).await?;
    sponsor_history(state, &staff, &supplier, now).await?;
    Ok(true)
}

/// The town's Services techniques ordered two booklets of ten 20 € passes
/// three weeks ago (Chorus Pro) and walked the whole way (seed 003):
/// purchase order, scoping, elements, invoices found conform, proof
/// validated, passes produced, shipped and delivered, the mandate received
/// and the passes activated; three spent since at "Matériaux de l'Ouest".
/// A second order, of last week, waits for its proof's validation.
async fn sponsor_history(
    state: &super::AppState,
    staff: &super::auth::Staff,
    supplier: &super::auth::SupplierUser,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    use super::guards::StructureCaller;
    use super::services::passes::{Spender, spend};
    use super::services::shop::{invoices, passes, way};
    use chrono::Duration;

    // Within this year, so that the passes (valid until 31 December of the
    // year they are produced) are still valid when spent: early in January
    // the three weeks shrink to the days since New Year.
    let span = i64::from(now.ordinal0()).min(21);
    let days_ago = |d: i64| now - Duration::hours(d * span * 24 / 21);
    let pool = state.db.pool();
    let (account_id, agency_id): (i64, i64) = sqlx::query_as("SELECT id, agency_id FROM accounts WHERE login = $1")
        .bind(SPONSOR_LOGIN)
        .fetch_one(pool)
        .await?;
    let sponsor = super::auth::Sponsor { account_id, login: SPONSOR_LOGIN.into(), agency_id };
    let (sponsor_caller, agency) = (StructureCaller::Sponsor(sponsor.clone()), StructureCaller::Staff(staff.clone()));

    // Confirmed, invoiced, scoped, elements given, invoices found conform,
    // a proof made: what both orders went through.
    let to_proof = |placed: i64| {
        let (sponsor, sponsor_caller, agency) = (&sponsor, &sponsor_caller, &agency);
        async move {
            let order = confirmed_order(state, sponsor, days_ago(placed), days_ago(placed - 1)).await?;
            invoices::issue(state, staff, &order, days_ago(placed - 2)).await?;
            way::post_message(
                state,
                sponsor_caller,
                &order,
                "Bonjour, les pass sont destinés aux familles suivies par le CCAS : pouvez-vous y faire \
                 figurer notre message ?",
                days_ago(placed - 2),
            )
            .await?;
            way::post_message(state, agency, &order, "Bien sûr : déposez-le avec votre logo.", days_ago(placed - 2))
                .await?;
            way::mark_scoped(state, agency, &order, days_ago(placed - 2)).await?;
            let elements = way::ElementsForm {
                message: "Offert par la Ville de Saint-Aubin-des-Castors".into(),
                restrictions: "Matériaux de construction et d'isolation uniquement.".into(),
                inserts: String::new(),
            };
            way::give_elements(state, sponsor_caller, &order, &elements, &[], days_ago(placed - 2)).await?;
            way::check_invoices(state, sponsor_caller, &order, true, "", days_ago(placed - 2)).await?;
            way::make_proof(state, agency, &order, days_ago(placed - 3)).await?;
            Ok::<_, ServerError>(order)
        }
    };

    let order = to_proof(21).await?;
    way::decide_proof(state, &sponsor_caller, &order, "1", true, "", days_ago(18)).await?;
    passes::produce(state, staff, &order, days_ago(18)).await?;
    way::ship(state, &agency, &order, "Colis 8R00014201", days_ago(17)).await?;
    way::confirm_delivery(state, &sponsor_caller, &order, days_ago(12)).await?;
    let total: Money = sqlx::query_scalar("SELECT total_incl_vat FROM orders WHERE id = $1")
        .bind(order.parse::<i64>().unwrap_or_default())
        .fetch_one(pool)
        .await?;
    let mandate = passes::ReceivedForm {
        reference: "M-2026-0142".into(),
        day: clock::iso_day(clock::paris_date(days_ago(9))),
        amount: super::services::vouchers::delivered::plain_amount(total),
    };
    passes::record_received(state, &sponsor_caller, &order, &mandate, days_ago(9)).await?;
    passes::activate(state, staff, &order, days_ago(8)).await?;

    // Three passes spent at the counter, the first three numbers.
    let spender = Spender::staff(supplier, "127.0.0.1");
    for (printed, days) in printed_passes(state, &order).await?.into_iter().take(3).zip([6, 4, 1]) {
        spend(state, &spender, &printed.0, &printed.1, days_ago(days)).await?;
    }

    // The second order's proof, made yesterday, waits for the sponsor.
    to_proof(5).await?;
    Ok(())
}

/// A Chorus Pro order of the Services techniques, two booklets of ten 20 €
/// passes, placed on `placed` and confirmed by its purchase order on
/// `confirmed`: its id.
async fn confirmed_order(
    state: &super::AppState,
    sponsor: &super::auth::Sponsor,
    placed: DateTime<Utc>,
    confirmed: DateTime<Utc>,
) -> Result<String, ServerError> {
    use super::guards::StructureCaller;
    use super::services::shop::{cart, checkout, orders};
    use crate::domain::pricing::Product;
    use crate::model::shop::PostalAddress;

    let (label, siret, ..) = DEMO_STRUCTURES[0];
    let siret = siret.unwrap_or_default();
    let structure: i64 =
        sqlx::query_scalar("SELECT id FROM structures WHERE siret = $1").bind(siret).fetch_one(state.db.pool()).await?;
    let shopper = cart::Shopper { token: None, account_id: Some(sponsor.account_id) };
    let booklets = Product::Booklet { face_value: Money::from_euros(20) }.key();
    let token = cart::add(state, &shopper, &booklets, "2", placed).await?;
    let shopper = cart::Shopper { token, account_id: Some(sponsor.account_id) };
    let town_hall = |name: &str| PostalAddress {
        name: name.into(),
        street: "1 place de la Mairie".into(),
        postcode: "44999".into(),
        city: "Saint-Aubin-des-Castors".into(),
    };
    let form = checkout::OrderForm {
        structure: structure.to_string(),
        payment: "chorus".into(),
        code: String::new(),
        billing: town_hall("Ville de Saint-Aubin-des-Castors"),
        delivery: town_hall("Services techniques"),
        points: String::new(),
    };
    let order = checkout::place(state, sponsor, &shopper, &form, placed).await?.to_string();
    let purchase_order = orders::PurchaseOrderForm {
        label: label.into(),
        siret: siret.into(),
        service_code: "ST-44".into(),
        engagement: "2026000142".into(),
    };
    let mut page = super::pdf::Page::default();
    page.text(super::pdf::MARGIN, super::pdf::TOP, 12.0, "Bon de commande n° BC-2026-142 — signé");
    let signed = super::pdf::render("Bon de commande", &[page]);
    let file = orders::Upload { file_name: "bon-de-commande-BC-2026-142.pdf", content: &signed };
    let caller = StructureCaller::Sponsor(sponsor.clone());
    orders::give_purchase_order(state, &caller, &order, &purchase_order, &file, confirmed).await?;
    Ok(order)
}

/// An order's passes as printed: number and code, in number order.
pub async fn printed_passes(state: &super::AppState, order: &str) -> Result<Vec<(String, String)>, ServerError> {
    use crate::domain::pass::PassNumber;
    let rows: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.code, a.centre_code, p.year, p.sequence, p.face_value, p.key_version
           FROM passes p JOIN agencies a ON a.id = p.agency_id WHERE p.order_id = $1 ORDER BY p.sequence",
    )
    .bind(order.parse::<i64>().unwrap_or_default())
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, centre, year, sequence, value, key_version)| {
            let number =
                PassNumber::new(i32::try_from(year).ok()?, &code, &centre, u32::try_from(sequence).ok()?).ok()?;
            let secret = state.keys.version(key_version).ok()?.pass_code(&number.to_string(), value);
            Some((number.to_string(), secret.reveal().to_owned()))
        })
        .collect())
}

/// A pass of the demo's activated order not spent yet, number and code, to
/// try « Encaisser un pass » with; None without the history.
pub async fn pass_to_try(state: &super::AppState) -> Result<Option<(String, String)>, ServerError> {
    let order: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(order_id) FROM passes WHERE status = 'active' AND NOT EXISTS
           (SELECT 1 FROM passes q WHERE q.order_id = passes.order_id AND q.status = 'inactive')",
    )
    .fetch_one(state.db.pool())
    .await?;
    let Some(order) = order else { return Ok(None) };
    let unspent: Vec<i64> = sqlx::query_scalar("SELECT sequence FROM passes WHERE order_id = $1 AND status = 'active'")
        .bind(order)
        .fetch_all(state.db.pool())
        .await?;
    let printed = printed_passes(state, &order.to_string()).await?;
    Ok(printed.into_iter().find(|(number, _)| {
        number.rsplit('.').next().and_then(|s| s.parse::<i64>().ok()).is_some_and(|s| unspent.contains(&s))
    }))
}
