//! SQL, grouped by business object: a table and those that belong to it
//! (an account's API keys, a member's imports, a voucher's delivery list,
//! an agency's dashboard). Queries use `$n` placeholders, which both SQLite
//! and PostgreSQL understand; where the backends differ, `Db` says how.

pub mod accounts;
pub mod agencies;
pub mod billing;
pub mod discounts;
pub mod invoices;
pub mod jobs;
pub mod key_versions;
pub mod members;
pub mod order_way;
pub mod passes;
pub mod payments;
pub mod search;
pub mod shop;
pub mod statements;
pub mod structures;
pub mod suppliers;
pub mod vouchers;

/// Rows of one agency (`column = $1`), or of every agency with None: the
/// condition, and what to bind as `$1`. No agency has id 0; a NULL there
/// would be a parameter of no type PostgreSQL can infer.
pub fn agency_scope(column: &str, agency_id: Option<i64>) -> (String, i64) {
    match agency_id {
        Some(id) => (format!("{column} = $1"), id),
        None => ("$1 = 0".to_owned(), 0),
    }
}

/// A row that did not decode (a status code none of ours, say), told with
/// which row it was: `vouchers row 42: … unknown voucher status 7`. Any
/// other error passes unchanged.
pub fn in_row(table: &'static str, id: impl std::fmt::Display) -> impl FnOnce(sqlx::Error) -> sqlx::Error {
    move |e| match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
            sqlx::Error::Decode(format!("{table} row {id}: {e}").into())
        }
        e => e,
    }
}

/// The `VALUES` of a multi-row `INSERT`: `rows` tuples of `columns`
/// placeholders, numbered from `$1` row after row:
/// `($1, $2), ($3, $4)` for 2 rows of 2.
pub fn values(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `select` (ending in `WHERE column`) for rows whose column is one of
/// `keys`: one query per 500 keys, as databases cap the placeholders of one
/// statement.
pub async fn where_in<T, K>(conn: &mut sqlx::AnyConnection, select: &str, keys: &[K]) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    K: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Sync,
{
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let sql = format!("{select} IN {}", values(1, chunk.len()));
        let mut query = sqlx::query_as(&sql);
        for key in chunk {
            query = query.bind(key);
        }
        found.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_number_the_placeholders_row_after_row() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values(1, 1), "($1)");
    }
}
