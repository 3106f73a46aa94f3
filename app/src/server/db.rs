//! The database handle: one storage layer over SQLite or PostgreSQL, chosen by
//! the URL's scheme. Backend differences (how a write transaction starts, how a
//! row is locked) are decided here and nowhere else.

use sqlx::{
    Any, AnyConnection, AnyPool, Connection, Executor, Transaction,
    any::{AnyConnectOptions, AnyPoolOptions},
};
use std::{str::FromStr, sync::Arc, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres:, got {url:?}").into(),
            ))
        }
    }
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; queueing writers here, in the process,
    /// costs a task switch where queueing them in SQLite's busy handler costs
    /// sleeps. Other processes on the same file still wait on the busy timeout.
    writer: Option<Arc<Mutex<()>>>,
}

/// Settings applied to every SQLite connection, chosen for money:
/// - WAL: readers never block the writer, and a commit is one append;
/// - synchronous=FULL: a commit the client saw acknowledged survives a power cut;
/// - busy_timeout: a second process waits for the write lock instead of failing;
/// - foreign_keys: SQLite leaves them off unless asked.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;";

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// A write transaction. On SQLite it holds the process's writer slot and was
/// opened with BEGIN IMMEDIATE, so it can never fail half-way with
/// "database is locked"; dropping it without `commit` rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    lock_rows: &'static str,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// See `Db::lock_rows`.
    pub fn lock_rows(&self) -> &'static str {
        self.lock_rows
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            ensure_sqlite_parent_dir(url);
        }
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db { pool, backend, writer })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, lock_rows: self.lock_rows(), _writer: guard })
    }

    /// Appended to a SELECT inside a write transaction to lock the rows it read
    /// until commit. SQLite's IMMEDIATE transaction already excludes other
    /// writers, so it needs nothing.
    pub fn lock_rows(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Is the database answering? Used by the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }
}

/// `sqlite://data/bons.db?mode=rwc` needs `data/` to exist.
fn ensure_sqlite_parent_dir(url: &str) {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// Maps a database error to the error a person sees, keeping the cause in the log.
pub fn internal(context: &'static str) -> impl FnOnce(sqlx::Error) -> crate::error::AppError {
    move |e| {
        tracing::error!(error = %e, "{context}");
        crate::error::AppError::Internal
    }
}
