//! Member imports from CSV: each run and its line-by-line report.

use crate::domain::{Timestamp, member_file::ImportOutcome};
use crate::model::agency::{ImportLine, ImportSummary};
use sqlx::{AnyConnection, AnyPool};

const SELECT_IMPORT: &str = "SELECT r.id, r.agency_id, a.code AS agency_code, r.imported_at, r.imported_by,
        r.file_name, r.refusal, r.created, r.updated, r.unchanged, r.refused
   FROM member_imports r
   JOIN agencies a ON a.id = r.agency_id";

pub struct NewImport<'a> {
    pub agency_id: i64,
    pub imported_at: Timestamp,
    pub account_id: i64,
    pub imported_by: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub refusal: Option<&'a str>,
    /// Created, updated, unchanged, refused.
    pub counts: [i64; 4],
}

pub async fn insert(conn: &mut AnyConnection, i: &NewImport<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO member_imports
             (agency_id, imported_at, account_id, imported_by, file_name, sha256, refusal,
              created, updated, unchanged, refused)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(i.agency_id)
    .bind(i.imported_at)
    .bind(i.account_id)
    .bind(i.imported_by)
    .bind(i.file_name)
    .bind(i.sha256)
    .bind(i.refusal)
    .bind(i.counts[0])
    .bind(i.counts[1])
    .bind(i.counts[2])
    .bind(i.counts[3])
    .fetch_one(conn)
    .await
}

pub async fn insert_line(
    conn: &mut AnyConnection,
    import_id: i64,
    line: i64,
    member_number: &str,
    outcome: ImportOutcome,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO member_import_lines (import_id, line, member_number, outcome, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(import_id)
    .bind(line)
    .bind(member_number)
    .bind(outcome)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(pool: &AnyPool, id: i64) -> Result<Option<ImportSummary>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT_IMPORT} WHERE r.id = $1")).bind(id).fetch_optional(pool).await
}

/// The latest runs of an agency (every agency's with None).
pub async fn recent(pool: &AnyPool, agency_id: Option<i64>, limit: i64) -> Result<Vec<ImportSummary>, sqlx::Error> {
    let scope = if agency_id.is_some() { "r.agency_id = $1" } else { "$1 IS NULL" };
    sqlx::query_as(&format!("{SELECT_IMPORT} WHERE {scope} ORDER BY r.id DESC LIMIT $2"))
        .bind(agency_id)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// A run's report: refused lines first, then the others, each in file order.
pub async fn lines(pool: &AnyPool, import_id: i64) -> Result<Vec<ImportLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT line, member_number, outcome, detail FROM member_import_lines WHERE import_id = $1
          ORDER BY CASE WHEN outcome = $2 THEN 0 ELSE 1 END, line",
    )
    .bind(import_id)
    .bind(ImportOutcome::Refused)
    .fetch_all(pool)
    .await
}
