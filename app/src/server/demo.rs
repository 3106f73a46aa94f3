//! Fixed demo data, so anyone can try the product: the Nantes agency, two
//! members (one paid up, one not), two active suppliers and an inactive one.
//! Loading it twice changes nothing the second time, except that the demo
//! members' fee status is set back to what the README says. Every change is
//! in the audit journal, made by "bons demo".

use super::{
    audit::{self, Actor, Change, Entity},
    auth::hash_password,
    clock,
    db::Db,
};
use chrono::{Datelike, NaiveDate, Utc};
use serde_json::json;
use sqlx::AnyConnection;

pub const DEMO_PASSWORD: &str = "castors";
pub const PAID_UP_MEMBER: &str = "44000123B";
pub const UNPAID_MEMBER: &str = "44000124B";
pub const ACTIVE_SUPPLIERS: [&str; 2] = ["Matériaux de l'Ouest", "Bois & Charpente 44"];
pub const INACTIVE_SUPPLIER: &str = "Négoce Fermé";

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
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
            .bind(number)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_none() {
            let account: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (login, password_hash, role, member_id, agency_id, active, created_at)
                 VALUES ($1, $2, 'member', $3, $4, 1, $5) RETURNING id",
            )
            .bind(number)
            .bind(hash_password(DEMO_PASSWORD))
            .bind(member)
            .bind(agency)
            .bind(&stamp)
            .fetch_one(tx.conn())
            .await?;
            let after = json!({ "login": number, "role": "member", "member_id": member });
            let change =
                Change { entity: Entity::Account, entity_id: account, action: "create", before: json!({}), after };
            audit::append(&mut tx, &actor, change, now).await?;
        }
    }
    tx.commit().await
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
