//! Fixed demo data, so anyone can try the product: the Nantes agency, two
//! members (one paid up, one not), two active suppliers and an inactive one.
//! Loading it twice changes nothing the second time, except that the demo
//! members' fee status is set back to what the README says.

use super::{auth::hash_password, clock, db::Db};
use chrono::{Datelike, NaiveDate, Utc};
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

    let mut tx = db.begin_write().await?;
    let conn = tx.conn();
    let agency = upsert_agency(conn, "Nantes", "NA", "442").await?;
    for name in ACTIVE_SUPPLIERS.iter().chain([INACTIVE_SUPPLIER].iter()) {
        let active = i64::from(*name != INACTIVE_SUPPLIER);
        sqlx::query(
            "INSERT INTO suppliers (agency_id, name, active, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (agency_id, name) DO UPDATE SET active = excluded.active",
        )
        .bind(agency)
        .bind(*name)
        .bind(active)
        .bind(&stamp)
        .execute(&mut *conn)
        .await?;
    }
    for (number, name, fee) in
        [(PAID_UP_MEMBER, "Camille Martin", &paid_until), (UNPAID_MEMBER, "Dominique Bernard", &lapsed)]
    {
        let member: i64 = sqlx::query_scalar(
            "INSERT INTO members (agency_id, number, name, fee_paid_until, active, created_at) VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (number) DO UPDATE SET fee_paid_until = excluded.fee_paid_until, active = 1
             RETURNING id",
        )
        .bind(agency)
        .bind(number)
        .bind(name)
        .bind(fee.as_deref())
        .bind(&stamp)
        .fetch_one(&mut *conn)
        .await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE login = $1")
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
        if exists.is_none() {
            sqlx::query(
                "INSERT INTO accounts (login, password_hash, role, member_id, agency_id, active, created_at)
                 VALUES ($1, $2, 'member', $3, $4, 1, $5)",
            )
            .bind(number)
            .bind(hash_password(DEMO_PASSWORD))
            .bind(member)
            .bind(agency)
            .bind(&stamp)
            .execute(&mut *conn)
            .await?;
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
