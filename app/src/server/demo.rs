//! Fixed demo data, so anyone can try the product: the Nantes agency, two
//! members (one paid up, one not), two active suppliers and an inactive one,
//! a supplier login, an agency login and an administrator. Loading it twice
//! changes nothing the second time, except that the demo members' fee status
//! is set back to what the README says. Every change is in the audit
//! journal, made by "bons demo".

use super::{
    audit::{self, Actor, Change, Entity},
    auth::hash_password,
    clock,
    db::{Db, WriteTx},
};
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

pub async fn load(db: &Db) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let stamp = clock::stamp(now);
    let this_year = clock::paris_year(now);
    // Paid up until the end of next year; the other member's fee lapsed last year.
    let paid_until = NaiveDate::from_ymd_opt(this_year + 1, 12, 31).map(clock::iso_day);
    let lapsed =
        clock::paris_date(now).with_day(1).and_then(|d| d.with_month(1)).and_then(|d| d.pred_opt()).map(clock::iso_day);
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
                .bind(&stamp)
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
        [(PAID_UP_MEMBER, "Camille Martin", &paid_until), (UNPAID_MEMBER, "Dominique Bernard", &lapsed)]
    {
        let existing: Option<(i64, Option<String>)> =
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
                .bind(fee.as_deref())
                .bind(&stamp)
                .fetch_one(tx.conn())
                .await?;
                let after = json!({ "number": number, "name": name, "fee_paid_until": fee });
                let change =
                    Change { entity: Entity::Member, entity_id: id, action: "create", before: json!({}), after };
                audit::append(&mut tx, &actor, change, now).await?;
                id
            }
            Some((id, was)) => {
                if was != *fee {
                    sqlx::query("UPDATE members SET fee_paid_until = $2, active = 1 WHERE id = $1")
                        .bind(id)
                        .bind(fee.as_deref())
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
        ensure_account(&mut tx, &actor, number, "member", owner, now).await?;
    }
    let ouest: i64 = sqlx::query_scalar("SELECT id FROM suppliers WHERE agency_id = $1 AND name = $2")
        .bind(agency)
        .bind(ACTIVE_SUPPLIERS[0])
        .fetch_one(tx.conn())
        .await?;
    let staff = [
        (SUPPLIER_LOGIN, "supplier", AccountOwner { member: None, supplier: Some(ouest), agency: None }),
        (AGENCY_LOGIN, "agency", AccountOwner { member: None, supplier: None, agency: Some(agency) }),
        (ADMIN_LOGIN, "admin", AccountOwner { member: None, supplier: None, agency: None }),
    ];
    for (login, role, owner) in staff {
        ensure_account(&mut tx, &actor, login, role, owner, now).await?;
    }
    tx.commit().await
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
    role: &str,
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
    .bind(clock::stamp(now))
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
