//! Search keys (migration 0018): each searchable row's text folded by
//! `domain::search::fold`, written with the row; and the condition that finds
//! rows by them, served by an index on both backends.

use crate::domain::search;
use sqlx::AnyPool;

/// A member is found by name and number.
pub fn member_key(name: &str, number: &str) -> String {
    search::key(&[name, number])
}

/// A supplier is found by name, SIRET and contact.
pub fn supplier_key(name: &str, siret: &str, contact_name: Option<&str>) -> String {
    search::key(&[name, siret, contact_name.unwrap_or_default()])
}

/// A structure is found by label, SIRET and town.
pub fn structure_key(label: &str, siret: Option<&str>, city: Option<&str>) -> String {
    search::key(&[label, siret.unwrap_or_default(), city.unwrap_or_default()])
}

/// A search of `table`'s rows by key: `id IN (…)` with one `LIKE` per word,
/// bound from `$first`. `{table}_search (rowid, search_key)` is an FTS5
/// trigram index on SQLite and a view on PostgreSQL, whose trigram index
/// serves the same `LIKE`. Nothing typed: every row; only signs no name
/// holds (`%`, `_`, `\`): none.
pub struct KeyMatch {
    pub condition: String,
    pub patterns: Vec<String>,
}

impl KeyMatch {
    pub fn new(id: &str, table: &'static str, typed: &str, first: usize) -> KeyMatch {
        let words = search::words(typed);
        if words.is_empty() {
            let condition = if typed.trim().is_empty() { "1 = 1" } else { "1 = 0" };
            return KeyMatch { condition: condition.into(), patterns: Vec::new() };
        }
        let likes: Vec<String> = (0..words.len()).map(|i| format!("search_key LIKE ${}", first + i)).collect();
        KeyMatch {
            condition: format!("{id} IN (SELECT rowid FROM {table}_search WHERE {})", likes.join(" AND ")),
            // `words` holds no `%`, `_` or `\`: each goes in as it is.
            patterns: words.into_iter().map(|w| format!("%{w}%")).collect(),
        }
    }
}

/// Gives rows written before search keys existed theirs (the migration
/// leaves them empty). Cheap once done: a scan for empty keys finds none.
pub async fn fill_missing_keys(pool: &AnyPool) -> Result<u64, sqlx::Error> {
    let mut filled = 0;
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, number FROM members WHERE search_key = ''").fetch_all(pool).await?;
    for (id, name, number) in rows {
        filled += set(pool, "members", id, member_key(&name, &number)).await?;
    }
    let rows: Vec<(i64, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, name, siret, contact_name FROM suppliers WHERE search_key = ''")
            .fetch_all(pool)
            .await?;
    for (id, name, siret, contact) in rows {
        let siret = siret.unwrap_or_default();
        filled += set(pool, "suppliers", id, supplier_key(&name, &siret, contact.as_deref())).await?;
    }
    let rows: Vec<(i64, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, label, siret, city FROM structures WHERE search_key = ''").fetch_all(pool).await?;
    for (id, label, siret, city) in rows {
        filled += set(pool, "structures", id, structure_key(&label, siret.as_deref(), city.as_deref())).await?;
    }
    Ok(filled)
}

async fn set(pool: &AnyPool, table: &'static str, id: i64, key: String) -> Result<u64, sqlx::Error> {
    if key.is_empty() {
        return Ok(0);
    }
    let sql = format!("UPDATE {table} SET search_key = $2 WHERE id = $1 AND search_key = ''");
    Ok(sqlx::query(&sql).bind(id).bind(key).execute(pool).await?.rows_affected())
}
