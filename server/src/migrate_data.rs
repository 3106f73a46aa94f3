//! `bons migrate-data`: moves a SQLite database into an empty PostgreSQL
//! one, whole. Both are brought to this binary's schema first; then every
//! table is copied, its columns and their types read from the databases
//! themselves (a column added by a migration is carried without a line
//! changed here), parents before children, rows in primary-key order, in
//! one transaction on the target. Before that transaction commits, the
//! copy is checked: as many rows in each table as in the source, and the
//! audit journal's chain intact. A failure anywhere leaves the target
//! without a row of data.

use crate::ops::redact;
use app::server::audit::{self, Verdict};
use app::server::db::{Backend, Db, migrations, sqlite_file};
use futures::TryStreamExt;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Any, AnyConnection, Connection, Row, SqliteConnection, TypeInfo, ValueRef};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// sqlx's own table: each side keeps the record of its own migrations.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";
/// PostgreSQL takes at most 65,535 parameters in one statement.
const MAX_BINDS: usize = 65_535;
/// Rows in one INSERT, at most: beyond, a bigger statement saves nothing.
const MAX_ROWS: usize = 1_000;
/// Bytes bound in one INSERT, at most (statements' PDFs, logos).
const MAX_BATCH_BYTES: usize = 8 << 20;
/// A big table says how far it is every so many rows.
const PROGRESS_EVERY: u64 = 10_000;

/// Why a migration copied nothing.
#[derive(Debug, thiserror::Error)]
pub enum MigrateDataError {
    #[error("la source doit être un fichier SQLite (--from sqlite://data/bons.db), pas {0}")]
    SourceNotSqlite(String),
    #[error("la cible doit être une base PostgreSQL (--to postgres://…), pas {0}")]
    TargetNotPostgres(String),
    #[error("aucune base à migrer : {0} n'existe pas")]
    SourceMissing(String),
    #[error("{0} n'est pas une base de bons lisible : {1}")]
    NotBons(String, String),
    #[error(
        "la base cible {0} n'est pas vide (la table {1} contient des lignes) : \
         la migration ne s'écrit que dans une base neuve (createdb), rien n'a été écrit"
    )]
    TargetNotEmpty(String, String),
    #[error("base cible {0} injoignable : {1} (créez-la d'abord avec createdb ; voir docs/OPERATIONS.md)")]
    TargetUnreachable(String, String),
    #[error("les deux bases n'ont pas le même schéma : {0} ; aucune donnée n'a été copiée")]
    Schema(String),
    #[error("{table}, ligne {key}, colonne {column} : {why} ; aucune donnée n'a été copiée")]
    Value { table: String, key: String, column: String, why: String },
    #[error("la copie ne correspond pas à la source : {0} ; aucune donnée n'a été copiée")]
    Check(String),
    #[error("mise à jour du schéma impossible : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("migration impossible : {0} ; aucune donnée n'a été copiée")]
    Database(#[from] sqlx::Error),
}

/// What was copied, for the operator to check.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Each table and its rows, in the order they were copied.
    pub tables: Vec<(String, u64)>,
    /// Tables only SQLite has (its full-text search indexes), not copied:
    /// PostgreSQL searches the same columns through its own index.
    pub skipped: Vec<String>,
    /// The audit journal as verified on the target before committing.
    pub events: i64,
    pub last_hash: String,
    pub took: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows) in &self.tables {
            let s = if *rows > 1 { "s" } else { "" };
            writeln!(f, "  {table} : {} ligne{s}", grouped(*rows))?;
        }
        let total: u64 = self.tables.iter().map(|(_, rows)| rows).sum();
        writeln!(
            f,
            "{} tables, {} lignes copiées en {} ms.",
            self.tables.len(),
            grouped(total),
            self.took.as_millis()
        )?;
        if !self.skipped.is_empty() {
            writeln!(f, "Index de recherche propres à SQLite, non copiés : {}.", self.skipped.join(", "))?;
        }
        write!(
            f,
            "Journal d'audit intègre sur la cible : {} événement(s), dernier hachage {}",
            grouped(u64::try_from(self.events).unwrap_or(0)),
            self.last_hash
        )
    }
}

/// `1234567` → `1 234 567`, for a terminal.
pub fn grouped(n: u64) -> String {
    app::domain::money::group_thousands(n, ' ')
}

/// Copies the SQLite database of `from` into the empty PostgreSQL database
/// of `to`; `progress` is told how big tables are getting on.
pub async fn migrate_data(from: &str, to: &str, mut progress: impl FnMut(&str)) -> Result<Summary, MigrateDataError> {
    let started = Instant::now();
    sqlx::any::install_default_drivers();
    if !matches!(Backend::from_url(from), Ok(Backend::Sqlite)) {
        return Err(MigrateDataError::SourceNotSqlite(redact(from)));
    }
    if !matches!(Backend::from_url(to), Ok(Backend::Postgres)) {
        return Err(MigrateDataError::TargetNotPostgres(redact(to)));
    }
    let file = sqlite_file(from).ok_or_else(|| MigrateDataError::SourceNotSqlite(from.to_owned()))?;
    if !file.exists() {
        return Err(MigrateDataError::SourceMissing(file.display().to_string()));
    }
    let source_options = SqliteConnectOptions::from_str(from)?.create_if_missing(false);
    check_is_bons(&file, &source_options).await?;
    let seeded = seeded_tables().await?;
    check_target_empty(to, &seeded).await?;

    // Both at this binary's schema: the source as `serve` would bring it,
    // the target created.
    for url in [from, to] {
        let db = Db::connect(url).await?;
        let migrated = db.migrate().await;
        db.close().await;
        migrated?;
    }

    let mut source = SqliteConnection::connect_with(&source_options).await?;
    let mut target = AnyConnection::connect(to).await?;
    // One read transaction: the source as of one commit.
    let mut src = source.begin().await?;
    let mut tx = target.begin().await?;
    let plan = plan(&mut src, &mut tx).await?;

    // Rows migrations wrote in the target (the audit journal's head, the
    // hourly job) give way to the source's.
    for table in plan.order.iter().rev().filter(|t| seeded.contains(&t.name)) {
        sqlx::query(&format!("DELETE FROM {}", ident(&table.name))).execute(&mut *tx).await?;
    }
    let mut copied = Vec::with_capacity(plan.order.len());
    let mut deferred_values = Vec::new();
    for table in &plan.order {
        let (rows, deferred) = copy_table(&mut src, &mut tx, table, &mut progress).await?;
        copied.push((table.name.clone(), rows));
        deferred_values.extend(deferred);
    }
    for deferred in deferred_values {
        deferred.apply(&mut tx).await?;
    }
    for table in &plan.order {
        advance_sequences(&mut tx, table, plan.sqlite_sequences.get(&table.name).copied().unwrap_or(0)).await?;
    }

    // The check, before anything is committed.
    for (table, rows) in &copied {
        let source_rows: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {}", ident(table))).fetch_one(&mut *src).await?;
        let target_rows: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {}", ident(table))).fetch_one(&mut *tx).await?;
        if u64::try_from(source_rows).ok() != Some(*rows) || source_rows != target_rows {
            return Err(MigrateDataError::Check(format!(
                "{table} : {source_rows} ligne(s) dans la source, {rows} lue(s), {target_rows} dans la cible"
            )));
        }
    }
    let (events, last_hash) = match audit::verify(&mut tx).await? {
        Verdict::Intact { events, last_hash } => (events, last_hash),
        Verdict::Broken { event, reason } => {
            return Err(MigrateDataError::Check(format!(
                "journal d'audit altéré à l'événement n° {event} : {reason} (vérifiez la source : \
                 DATABASE_URL={} bons audit verify)",
                redact(from)
            )));
        }
    };
    tx.commit().await?;
    src.rollback().await?;
    source.close().await?;
    target.close().await?;
    Ok(Summary { tables: copied, skipped: plan.skipped, events, last_hash, took: started.elapsed() })
}

/// `"name"`, for SQLite and PostgreSQL alike.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The source must be a database bons has migrated, not any SQLite file.
async fn check_is_bons(file: &std::path::Path, options: &SqliteConnectOptions) -> Result<(), MigrateDataError> {
    let shown = file.display().to_string();
    let not_bons = |why: String| MigrateDataError::NotBons(shown.clone(), why);
    let mut conn = SqliteConnection::connect_with(options).await.map_err(|e| not_bons(e.to_string()))?;
    let applied: Result<i64, _> =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut conn).await;
    conn.close().await?;
    match applied {
        Ok(n) if n > 0 => Ok(()),
        _ => Err(not_bons("aucune migration de bons n'y est enregistrée".into())),
    }
}

/// The tables this binary's migrations fill by themselves (the audit
/// journal's head, the hourly job), found by migrating a database in
/// memory: a target where only those hold rows is still empty.
async fn seeded_tables() -> Result<BTreeSet<String>, MigrateDataError> {
    let mut fresh = SqliteConnection::connect("sqlite::memory:").await?;
    migrations(Backend::Sqlite).run(&mut fresh).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $1",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut fresh)
    .await?;
    let mut seeded = BTreeSet::new();
    for table in tables {
        let filled: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {})", ident(&table)))
            .fetch_one(&mut fresh)
            .await?;
        if filled {
            seeded.insert(table);
        }
    }
    fresh.close().await?;
    Ok(seeded)
}

/// Refuses a target with a row in any table but those migrations fill,
/// before anything is written to it.
async fn check_target_empty(to: &str, seeded: &BTreeSet<String>) -> Result<(), MigrateDataError> {
    let mut conn =
        AnyConnection::connect(to).await.map_err(|e| MigrateDataError::TargetUnreachable(redact(to), e.to_string()))?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await?;
    for table in tables.iter().filter(|t| *t != MIGRATIONS_TABLE && !seeded.contains(*t)) {
        let filled: bool =
            sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {})", ident(table))).fetch_one(&mut conn).await?;
        if filled {
            conn.close().await?;
            return Err(MigrateDataError::TargetNotEmpty(redact(to), table.clone()));
        }
    }
    conn.close().await?;
    Ok(())
}

/// A PostgreSQL column's values, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    Bool,
    Bytes,
    Float,
}

impl Kind {
    /// By `information_schema.columns.data_type`.
    fn of(data_type: &str) -> Option<Kind> {
        match data_type {
            "bigint" | "integer" | "smallint" => Some(Kind::Int),
            "text" | "character varying" | "character" => Some(Kind::Text),
            "boolean" => Some(Kind::Bool),
            "bytea" => Some(Kind::Bytes),
            "double precision" | "real" => Some(Kind::Float),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
enum Value {
    Null(Kind),
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
    Float(f64),
}

impl Value {
    fn size(&self) -> usize {
        match self {
            Value::Text(s) => s.len(),
            Value::Bytes(b) => b.len(),
            _ => 8,
        }
    }

    fn bind<'q>(self, query: Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            Value::Null(Kind::Int) => query.bind(None::<i64>),
            Value::Null(Kind::Text) => query.bind(None::<String>),
            Value::Null(Kind::Bool) => query.bind(None::<bool>),
            Value::Null(Kind::Bytes) => query.bind(None::<Vec<u8>>),
            Value::Null(Kind::Float) => query.bind(None::<f64>),
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Bool(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
            Value::Float(v) => query.bind(v),
        }
    }
}

#[derive(Debug)]
struct Column {
    name: String,
    /// PostgreSQL's name of its type (`bigint`, `text`…).
    data_type: String,
    kind: Kind,
    nullable: bool,
    /// The sequence that numbers it (an identity column), if any.
    sequence: Option<String>,
}

#[derive(Debug)]
struct Table {
    name: String,
    /// The columns copied (generated ones are computed by the target).
    columns: Vec<Column>,
    /// Its primary key's columns, in order: rows are copied in that order.
    key: Vec<String>,
    /// Columns inserted empty and filled once every row is in: a table's
    /// reference to itself, or the link that breaks a cycle.
    deferred: BTreeSet<usize>,
}

struct Plan {
    order: Vec<Table>,
    skipped: Vec<String>,
    /// SQLite's AUTOINCREMENT counters: ids already handed out, even if
    /// their rows are gone, are not handed out again.
    sqlite_sequences: BTreeMap<String, i64>,
}

/// Reads both schemas, checks they match, and orders the tables so that a
/// row's references are in before it.
async fn plan(src: &mut SqliteConnection, tx: &mut AnyConnection) -> Result<Plan, MigrateDataError> {
    let columns: Vec<(String, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text,
                c.is_generated::text, pg_get_serial_sequence(quote_ident(c.table_name::text), c.column_name::text)
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, name, data_type, nullable, generated, sequence) in columns {
        if table == MIGRATIONS_TABLE || generated == "ALWAYS" {
            continue;
        }
        let kind = Kind::of(&data_type).ok_or_else(|| {
            MigrateDataError::Schema(format!(
                "{table}.{name} est de type {data_type}, que la migration ne sait pas copier"
            ))
        })?;
        let entry = tables.entry(table.clone()).or_insert_with(|| Table {
            name: table,
            columns: Vec::new(),
            key: Vec::new(),
            deferred: BTreeSet::new(),
        });
        entry.columns.push(Column { name, data_type, kind, nullable: nullable == "YES", sequence });
    }
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT kcu.table_name::text, kcu.column_name::text
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu
             ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
          WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
          ORDER BY kcu.table_name, kcu.ordinal_position",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in keys {
        if let Some(t) = tables.get_mut(&table) {
            t.key.push(column);
        }
    }

    // The source's tables and columns: the same, but for SQLite's
    // full-text indexes (virtual tables and their shadow tables).
    let source_tables: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&mut *src)
            .await?;
    let virtual_tables: Vec<&str> = source_tables
        .iter()
        .filter(|(_, sql)| sql.as_deref().is_some_and(|s| s.to_uppercase().starts_with("CREATE VIRTUAL TABLE")))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut skipped = Vec::new();
    for (name, _) in &source_tables {
        if name == MIGRATIONS_TABLE || tables.contains_key(name) {
            continue;
        }
        let is_index = virtual_tables.iter().any(|v| name == v || name.starts_with(&format!("{v}_")));
        if !is_index {
            return Err(MigrateDataError::Schema(format!("la table {name} de la source n'existe pas dans la cible")));
        }
        if virtual_tables.contains(&name.as_str()) {
            skipped.push(name.clone());
        }
    }
    for table in tables.values() {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)").bind(&table.name).fetch_all(&mut *src).await?;
        if names.is_empty() {
            return Err(MigrateDataError::Schema(format!("la table {} manque dans la source", table.name)));
        }
        if let Some(missing) = table.columns.iter().find(|c| !names.contains(&c.name)) {
            return Err(MigrateDataError::Schema(format!(
                "la colonne {}.{} manque dans la source",
                table.name, missing.name
            )));
        }
        if let Some(extra) = names.iter().find(|n| !table.columns.iter().any(|c| &c.name == *n)) {
            return Err(MigrateDataError::Schema(format!("la colonne {}.{extra} manque dans la cible", table.name)));
        }
    }

    // Foreign keys, from the target's catalog: (constraint, child, parent, column).
    let links: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT con.conname::text, child.relname::text, parent.relname::text, a.attname::text
           FROM pg_constraint con
           JOIN pg_class child ON child.oid = con.conrelid
           JOIN pg_class parent ON parent.oid = con.confrelid
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
          WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
          ORDER BY 2, 1, 4",
    )
    .fetch_all(&mut *tx)
    .await?;
    // child → parent → the columns of the child that refer to it.
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (_, child, parent, column) in links {
        if tables.contains_key(&child) && tables.contains_key(&parent) {
            edges.entry(child).or_default().entry(parent).or_default().insert(column);
        }
    }
    // A table's references to itself are filled after its rows.
    for (child, parents) in &mut edges {
        if let Some(columns) = parents.remove(child)
            && let Some(table) = tables.get_mut(child)
        {
            defer(table, &columns)?;
        }
    }
    let mut order = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables
            .keys()
            .find(|t| edges.get(*t).is_none_or(|parents| parents.keys().all(|p| !tables.contains_key(p))))
            .cloned();
        match ready {
            Some(name) => order.extend(tables.remove(&name)),
            None => {
                // A cycle: the first link of it whose columns may be empty
                // is filled after every row is in.
                let (child, parent) = tables
                    .keys()
                    .flat_map(|child| {
                        let parents = edges.get(child).into_iter().flat_map(|p| p.iter());
                        parents.filter(|(p, _)| tables.contains_key(*p)).map(move |(p, cols)| (child, p, cols))
                    })
                    .find(|(child, _, cols)| {
                        cols.iter().all(|c| tables[*child].columns.iter().any(|col| &col.name == c && col.nullable))
                    })
                    .map(|(c, p, _)| (c.clone(), p.clone()))
                    .ok_or_else(|| {
                        MigrateDataError::Schema(format!(
                            "les tables {} se référencent en boucle par des colonnes obligatoires",
                            tables.keys().cloned().collect::<Vec<_>>().join(", ")
                        ))
                    })?;
                let columns = edges.get_mut(&child).and_then(|p| p.remove(&parent)).unwrap_or_default();
                if let Some(table) = tables.get_mut(&child) {
                    defer(table, &columns)?;
                }
            }
        }
    }

    let has_sequences: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')")
            .fetch_one(&mut *src)
            .await?;
    let sqlite_sequences = if has_sequences {
        sqlx::query_as::<_, (String, i64)>("SELECT name, seq FROM sqlite_sequence").fetch_all(&mut *src).await?
    } else {
        Vec::new()
    };
    Ok(Plan { order, skipped, sqlite_sequences: sqlite_sequences.into_iter().collect() })
}

/// Marks `columns` of `table` to be filled after its rows are in; they
/// must accept NULL meanwhile, and the rows be found again by one column.
fn defer(table: &mut Table, columns: &BTreeSet<String>) -> Result<(), MigrateDataError> {
    if table.key.len() != 1 {
        return Err(MigrateDataError::Schema(format!(
            "{} se référence sans clé primaire d'une seule colonne",
            table.name
        )));
    }
    for name in columns {
        let index = table.columns.iter().position(|c| &c.name == name && c.nullable).ok_or_else(|| {
            MigrateDataError::Schema(format!("{}.{name} se référence en boucle et ne peut être vide", table.name))
        })?;
        table.deferred.insert(index);
    }
    Ok(())
}

/// Values of deferred columns, set once every table is in.
struct Deferred {
    table: String,
    key: String,
    key_type: String,
    column: String,
    column_type: String,
    /// (primary key, value), non-null values only.
    values: Vec<(Value, Value)>,
}

impl Deferred {
    async fn apply(self, tx: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for chunk in self.values.chunks(MAX_ROWS) {
            let mut rows = String::new();
            for i in 0..chunk.len() {
                let sep = if i > 0 { ", " } else { "" };
                let _ = write!(rows, "{sep}(${}::{}, ${}::{})", 2 * i + 1, self.key_type, 2 * i + 2, self.column_type);
            }
            let sql = format!(
                "UPDATE {t} SET {c} = v.value FROM (VALUES {rows}) AS v (key, value) WHERE {t}.{k} = v.key",
                t = ident(&self.table),
                c = ident(&self.column),
                k = ident(&self.key),
            );
            let mut query = sqlx::query(&sql);
            for (key, value) in chunk.iter().cloned() {
                query = value.bind(key.bind(query));
            }
            query.execute(&mut *tx).await?;
        }
        Ok(())
    }
}

/// Copies one table, in primary-key order and batches of rows; returns
/// how many rows, and the values of its deferred columns.
async fn copy_table(
    src: &mut SqliteConnection,
    tx: &mut AnyConnection,
    table: &Table,
    progress: &mut impl FnMut(&str),
) -> Result<(u64, Vec<Deferred>), MigrateDataError> {
    let names: Vec<String> = table.columns.iter().map(|c| ident(&c.name)).collect();
    let order = if table.key.is_empty() {
        "rowid".to_owned()
    } else {
        table.key.iter().map(|k| ident(k)).collect::<Vec<_>>().join(", ")
    };
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT count(*) FROM {}", ident(&table.name))).fetch_one(&mut *src).await?;
    let total = u64::try_from(total).unwrap_or(0);
    let select = format!("SELECT {} FROM {} ORDER BY {order}", names.join(", "), ident(&table.name));
    let per_batch = (MAX_BINDS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
    let key_index = table.key.first().and_then(|k| table.columns.iter().position(|c| &c.name == k));
    let mut deferred: Vec<Deferred> = table
        .deferred
        .iter()
        .filter_map(|&i| {
            let key = &table.columns[key_index?];
            Some(Deferred {
                table: table.name.clone(),
                key: key.name.clone(),
                key_type: key.data_type.clone(),
                column: table.columns[i].name.clone(),
                column_type: table.columns[i].data_type.clone(),
                values: Vec::new(),
            })
        })
        .collect();

    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let mut bytes = 0;
    let mut copied: u64 = 0;
    let mut rows = sqlx::query(&select).fetch(&mut *src);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            let value = read(&row, i, column.kind).map_err(|why| MigrateDataError::Value {
                table: table.name.clone(),
                key: describe_key(&row, table),
                column: column.name.clone(),
                why,
            })?;
            values.push(value);
        }
        for (slot, &i) in deferred.iter_mut().zip(&table.deferred) {
            let value = std::mem::replace(&mut values[i], Value::Null(table.columns[i].kind));
            if let (Some(k), false) = (key_index, matches!(value, Value::Null(_))) {
                slot.values.push((values[k].clone(), value));
            }
        }
        bytes += values.iter().map(Value::size).sum::<usize>();
        batch.push(values);
        if batch.len() >= per_batch || bytes >= MAX_BATCH_BYTES {
            copied += insert(tx, table, &names, std::mem::take(&mut batch)).await?;
            bytes = 0;
            if total >= 2 * PROGRESS_EVERY && copied % PROGRESS_EVERY < per_batch as u64 {
                progress(&format!("{} : {} / {} lignes", table.name, grouped(copied), grouped(total)));
            }
        }
    }
    if !batch.is_empty() {
        copied += insert(tx, table, &names, batch).await?;
    }
    deferred.retain(|d| !d.values.is_empty());
    Ok((copied, deferred))
}

/// One multi-row INSERT; identity columns take the source's ids.
async fn insert(
    tx: &mut AnyConnection,
    table: &Table,
    names: &[String],
    batch: Vec<Vec<Value>>,
) -> Result<u64, sqlx::Error> {
    let mut sql = format!("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ", ident(&table.name), names.join(", "));
    let mut p = 0;
    for r in 0..batch.len() {
        sql.push_str(if r > 0 { ", (" } else { "(" });
        for c in 0..names.len() {
            p += 1;
            let _ = write!(sql, "{}${p}", if c > 0 { ", " } else { "" });
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for value in batch.into_iter().flatten() {
        query = value.bind(query);
    }
    Ok(query.execute(&mut *tx).await?.rows_affected())
}

/// Column `i` of a SQLite row as the PostgreSQL column of `kind` takes it,
/// by what SQLite actually stored (its types are a column's preference).
fn read(row: &SqliteRow, i: usize, kind: Kind) -> Result<Value, String> {
    let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(Value::Null(kind));
    }
    let stored = raw.type_info().name().to_owned();
    let got = |e: sqlx::Error| e.to_string();
    let unfit = || format!("une valeur {stored} ne va pas dans une colonne {kind:?}");
    Ok(match (kind, stored.as_str()) {
        (Kind::Int, "INTEGER") => Value::Int(row.try_get(i).map_err(got)?),
        (Kind::Int, "TEXT") => {
            let text: String = row.try_get(i).map_err(got)?;
            Value::Int(text.trim().parse().map_err(|_| format!("« {text} » n'est pas un nombre entier"))?)
        }
        (Kind::Text, "TEXT") => Value::Text(row.try_get(i).map_err(got)?),
        (Kind::Text, "INTEGER") => Value::Text(row.try_get::<i64, _>(i).map_err(got)?.to_string()),
        (Kind::Text, "REAL") => Value::Text(row.try_get::<f64, _>(i).map_err(got)?.to_string()),
        (Kind::Text, "BLOB") => {
            Value::Text(String::from_utf8(row.try_get(i).map_err(got)?).map_err(|_| "texte non UTF-8".to_owned())?)
        }
        (Kind::Bool, "INTEGER") => match row.try_get::<i64, _>(i).map_err(got)? {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            other => return Err(format!("{other} n'est pas un booléen (0 ou 1)")),
        },
        (Kind::Bytes, "BLOB") => Value::Bytes(row.try_get(i).map_err(got)?),
        (Kind::Bytes, "TEXT") => Value::Bytes(row.try_get::<String, _>(i).map_err(got)?.into_bytes()),
        (Kind::Float, "REAL") => Value::Float(row.try_get(i).map_err(got)?),
        (Kind::Float, "INTEGER") => Value::Float(row.try_get::<i64, _>(i).map_err(got)? as f64),
        _ => return Err(unfit()),
    })
}

/// `id = 42`: which row, for an error message.
fn describe_key(row: &SqliteRow, table: &Table) -> String {
    let parts: Vec<String> = table
        .key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| &c.name == k).map(|i| (k, i)))
        .map(|(k, i)| {
            let shown = row
                .try_get::<i64, _>(i)
                .map(|v| v.to_string())
                .or_else(|_| row.try_get::<String, _>(i))
                .unwrap_or_else(|_| "?".into());
            format!("{k} = {shown}")
        })
        .collect();
    if parts.is_empty() { "?".into() } else { parts.join(", ") }
}

/// Sets the sequences numbering `table` after the highest id copied (or
/// handed out by SQLite), so new rows get fresh ids.
async fn advance_sequences(tx: &mut AnyConnection, table: &Table, handed_out: i64) -> Result<(), sqlx::Error> {
    for column in &table.columns {
        let Some(sequence) = &column.sequence else { continue };
        let highest: Option<i64> =
            sqlx::query_scalar(&format!("SELECT max({}) FROM {}", ident(&column.name), ident(&table.name)))
                .fetch_one(&mut *tx)
                .await?;
        let last = highest.unwrap_or(0).max(handed_out);
        // setval(…, n, true): the next id is n + 1; (…, 1, false): it is 1.
        sqlx::query("SELECT setval($1::regclass, $2, $3)")
            .bind(sequence)
            .bind(last.max(1))
            .bind(last > 0)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
