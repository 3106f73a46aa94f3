//! The database handle: one storage layer over SQLite or PostgreSQL, chosen by
//! the URL's scheme. Backend differences (how a write transaction starts, how a
//! row is locked) are decided here and nowhere else.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::sync::{Arc, OnceLock};
use std::{str::FromStr, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

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
    /// The door to the group commit (`begin_grouped`), opened on first use.
    group: Arc<OnceLock<mpsc::UnboundedSender<oneshot::Sender<WriteTx>>>>,
    /// A SQLite database's file (none in memory, or on PostgreSQL).
    sqlite_file: Option<std::path::PathBuf>,
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
///
/// A transaction from `begin_grouped` is a savepoint in a transaction shared
/// with the writes queued behind it: the same calls, the same all-or-nothing,
/// and `commit` returns once the shared transaction is durably committed.
pub struct WriteTx {
    inner: Inner,
    backend: Backend,
}

enum Inner {
    Own { tx: Transaction<'static, Any>, _writer: Option<OwnedMutexGuard<()>> },
    Grouped(Lease),
}

/// The group's transaction, lent to one write at a time. However the write
/// ends (commit, drop, a cancelled request), the transaction goes back to
/// the group, which releases or rolls back the write's savepoint.
struct Lease {
    tx: Option<Transaction<'static, Any>>,
    back: Option<oneshot::Sender<Returned>>,
}

struct Returned {
    tx: Transaction<'static, Any>,
    /// `Some` when the write committed: told the group's outcome.
    /// `None` when it was dropped: its savepoint is rolled back.
    committed: Option<oneshot::Sender<Result<(), String>>>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(tx), Some(back)) = (self.tx.take(), self.back.take()) {
            let _ = back.send(Returned { tx, committed: None });
        }
    }
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            Inner::Own { tx, .. } => tx,
            Inner::Grouped(lease) => lease.tx.as_mut().expect("a lease holds its transaction until it ends"),
        }
    }

    /// Appended to a SELECT of this transaction: locks the rows of `table`
    /// (an alias of the query, or "" for its one table) until commit on
    /// PostgreSQL. SQLite's IMMEDIATE transaction already excludes other
    /// writers, so it needs nothing.
    pub fn row_lock(&self, table: &str) -> String {
        match (self.backend, table) {
            (Backend::Sqlite, _) => String::new(),
            (Backend::Postgres, "") => " FOR UPDATE".into(),
            (Backend::Postgres, table) => format!(" FOR UPDATE OF {table}"),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            Inner::Own { tx, .. } => tx.commit().await,
            Inner::Grouped(mut lease) => {
                let (tx, back) = (lease.tx.take(), lease.back.take());
                let (Some(tx), Some(back)) = (tx, back) else {
                    return Err(group_failed("the lease was already returned"));
                };
                let (done, outcome) = oneshot::channel();
                back.send(Returned { tx, committed: Some(done) })
                    .map_err(|_| group_failed("the group commit stopped"))?;
                match outcome.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(cause)) => Err(group_failed(&cause)),
                    Err(_) => Err(group_failed("the group commit stopped before committing")),
                }
            }
        }
    }
}

fn group_failed(cause: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("group commit: {cause}"))
}

/// The most writes one group commit takes: the last of them waits for every
/// one before it, so a group must stay short. The first write needs no
/// savepoint, so a group has at most 63: PostgreSQL keeps up to 64
/// subtransactions of a transaction in shared memory, and looks further ones
/// up on disk.
const GROUP_MAX: usize = 64;

/// Runs group commits: takes the first write waiting, opens a transaction,
/// lends it to that write and then to every write that queued meanwhile (up
/// to `GROUP_MAX`), each after the first inside a savepoint of its own, and
/// commits them all at once.
/// One synced commit then serves every write that was waiting for it,
/// instead of each write waiting for all the syncs before its own.
async fn run_groups(
    pool: AnyPool,
    backend: Backend,
    writer: Option<Arc<Mutex<()>>>,
    mut asked: mpsc::UnboundedReceiver<oneshot::Sender<WriteTx>>,
) {
    while let Some(first) = asked.recv().await {
        let guard = match &writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        // The group's transaction, once it holds a write to keep.
        let mut kept: Option<Transaction<'static, Any>> = None;
        let mut committed = Vec::new();
        let mut next = Some(first);
        let mut failure = None;
        let mut taken = 0;
        while let Some(asker) = next.take() {
            // The first write of a transaction needs no savepoint: if it
            // gives up, the whole transaction is rolled back.
            let alone = kept.is_none();
            let opened = match kept.take() {
                Some(mut tx) => statement(&mut tx, "SAVEPOINT grouped_write").await.map(|()| tx),
                None => begin(&pool, backend).await,
            };
            let tx = match opened {
                Ok(tx) => tx,
                Err(e) => {
                    // The asker sees its lease dropped and reports an internal error.
                    failure = Some(e.to_string());
                    break;
                }
            };
            let (back, returned) = oneshot::channel();
            let lease = WriteTx { inner: Inner::Grouped(Lease { tx: Some(tx), back: Some(back) }), backend };
            // An asker gone meanwhile drops the lease, which comes back as a rollback.
            let _ = asker.send(lease);
            // A lease always sends its transaction back (`Lease::drop`).
            let Ok(Returned { tx: mut lent, committed: done }) = returned.await else {
                unreachable!("a write kept the group's transaction");
            };
            // A kept write's savepoint stays until the commit, which ends
            // them all: releasing each would cost a round trip per write.
            let end = match (&done, alone) {
                (Some(_), _) => Ok(()),
                (None, false) => match statement(&mut lent, "ROLLBACK TO SAVEPOINT grouped_write").await {
                    Ok(()) => statement(&mut lent, "RELEASE SAVEPOINT grouped_write").await,
                    Err(e) => Err(e),
                },
                (None, true) => {
                    // Nothing else in it: the next write starts afresh.
                    let _ = lent.rollback().await;
                    next = asked.try_recv().ok();
                    continue;
                }
            };
            kept = Some(lent);
            committed.extend(done);
            if let Err(e) = end {
                failure = Some(e.to_string());
                break;
            }
            taken += 1;
            if taken < GROUP_MAX {
                next = asked.try_recv().ok();
            }
        }
        let outcome = match (kept, failure) {
            (None, None) => Ok(()),
            (Some(tx), None) => tx.commit().await.map_err(|e| e.to_string()),
            (tx, Some(cause)) => {
                if let Some(tx) = tx {
                    let _ = tx.rollback().await;
                }
                Err(cause)
            }
        };
        match &outcome {
            Ok(()) if !committed.is_empty() => crate::server::meters::group_commit(committed.len()),
            Ok(()) => {}
            Err(cause) => {
                tracing::error!(error = %cause, writes = committed.len(), "group commit failed; none of its writes is kept")
            }
        }
        drop(guard);
        for done in committed {
            let _ = done.send(outcome.clone());
        }
    }
}

async fn statement(tx: &mut Transaction<'static, Any>, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut **tx).await.map(drop)
}

async fn begin(pool: &AnyPool, backend: Backend) -> Result<Transaction<'static, Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
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
            // An event after each connection acquired, with how long it took:
            // the server's log layer turns it into /metrics' pool wait
            // (server/src/logging.rs); filtered out of the log itself.
            .acquire_time_level(log::LevelFilter::Debug)
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
        Ok(Db { pool, backend, writer, group: Arc::default(), sqlite_file: sqlite_file(url) })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Brings the schema up to date, then what migrations cannot write
    /// (search keys are folded in Rust). Several processes starting at once
    /// take turns: on PostgreSQL under the migrator's advisory lock, on
    /// SQLite under a lock on a file beside the database's; the later ones
    /// find the migrations applied.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        let _turn = match self.sqlite_file.clone() {
            Some(file) => Some(migration_turn(file).await?),
            None => None,
        };
        self.migrator().run(&self.pool).await?;
        crate::server::store::search::fill_missing_keys(&self.pool).await?;
        Ok(())
    }

    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = begin(&self.pool, self.backend).await?;
        Ok(WriteTx { inner: Inner::Own { tx, _writer: guard }, backend: self.backend })
    }

    /// A write transaction committed together with the writes queued beside
    /// it (group commit): for short writes many people make at once, such
    /// as using a voucher at the counter. Within it, everything reads and
    /// writes as in `begin_write`; what it read may come from a write of the
    /// same group, so it must `commit` (and so wait for the group's commit)
    /// before telling anyone what it read, even when it wrote nothing.
    pub async fn begin_grouped(&self) -> Result<WriteTx, sqlx::Error> {
        let door = self.group.get_or_init(|| {
            let (door, asked) = mpsc::unbounded_channel();
            tokio::spawn(run_groups(self.pool.clone(), self.backend, self.writer.clone(), asked));
            door
        });
        let (lease, leased) = oneshot::channel();
        door.send(lease).map_err(|_| group_failed("the group commit stopped"))?;
        leased.await.map_err(|_| group_failed("the group could not open a transaction"))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Is the database answering? Used by the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        migrations(self.backend)
    }

    /// How many of this binary's migrations the database has not applied
    /// (0: the schema is the one this code expects). An error when the
    /// database does not answer.
    pub async fn pending_migrations(&self) -> Result<usize, sqlx::Error> {
        let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
        {
            Ok(applied) => applied,
            // No table yet: nothing applied.
            Err(sqlx::Error::Database(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(self.migrator().iter().filter(|m| !applied.contains(&m.version)).count())
    }

    /// A consistent copy of the whole database in the new file `to`, taken
    /// while the server serves (SQLite's `VACUUM INTO`: one read
    /// transaction, so the copy is the database as of one commit, and
    /// writers are not held up). PostgreSQL is copied with `pg_dump`.
    pub async fn backup(&self, to: &std::path::Path) -> Result<(), BackupError> {
        if self.backend != Backend::Sqlite {
            return Err(BackupError::UsePgDump);
        }
        if to.exists() {
            return Err(BackupError::Exists(to.display().to_string()));
        }
        let to = to.to_str().ok_or_else(|| BackupError::Exists(to.display().to_string()))?;
        sqlx::query("VACUUM INTO $1").bind(to).execute(&self.pool).await?;
        Ok(())
    }
}

/// This binary's migrations for `backend`.
pub fn migrations(backend: Backend) -> &'static sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// Why `Db::backup` made no copy.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "une base PostgreSQL se sauvegarde avec pg_dump, pendant que le service tourne : \
         pg_dump --format=custom --no-owner --no-privileges --file=bons.dump \"$DATABASE_URL\" \
         (voir docs/OPERATIONS.md)"
    )]
    UsePgDump,
    #[error("{0} existe déjà : une sauvegarde ne remplace jamais un fichier")]
    Exists(String),
    #[error("sauvegarde impossible : {0}")]
    Database(#[from] sqlx::Error),
}

/// Waits for this process's turn to migrate the SQLite database `file`: an
/// exclusive lock on `<file>-migrate.lock`, held until the guard drops (the
/// system releases it if the process dies).
async fn migration_turn(file: std::path::PathBuf) -> Result<std::fs::File, sqlx::migrate::MigrateError> {
    let mut name = file.into_os_string();
    name.push("-migrate.lock");
    tokio::task::spawn_blocking(move || {
        let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name)?;
        lock.lock()?;
        Ok(lock)
    })
    .await
    .map_err(|e| sqlx::migrate::MigrateError::Source(Box::new(e)))?
    .map_err(|e: std::io::Error| sqlx::migrate::MigrateError::Execute(sqlx::Error::Io(e)))
}

/// The file of a SQLite URL (`sqlite://data/bons.db?mode=rwc` →
/// `data/bons.db`); none for another database or one in memory.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// `sqlite://data/bons.db?mode=rwc` needs `data/` to exist.
fn ensure_sqlite_parent_dir(url: &str) {
    if let Some(parent) = sqlite_file(url).as_deref().and_then(std::path::Path::parent)
        && !parent.as_os_str().is_empty()
    {
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
