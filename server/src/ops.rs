//! What an operator runs beside the server: restoring a backup
//! (`bons restore`; `bons backup` is `Db::backup`; `bons migrate-data` is
//! `crate::migrate_data`).

use app::server::db::{Backend, sqlite_file};
use sqlx::{Connection, sqlite::SqliteConnectOptions};
use std::path::Path;

/// Why a restore wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(
        "une base PostgreSQL se restaure avec pg_restore dans une base vide : \
         createdb bons && pg_restore --no-owner --no-privileges --dbname=\"$DATABASE_URL\" bons.dump \
         (voir docs/OPERATIONS.md)"
    )]
    UsePgRestore,
    #[error("la base cible {0} n'est pas vide : une restauration ne remplace jamais des données")]
    NotEmpty(String),
    #[error("{0} n'est pas une sauvegarde de bons lisible : {1}")]
    NotABackup(String, String),
    #[error("restauration impossible : {0}")]
    Io(#[from] std::io::Error),
    #[error("restauration impossible : {0}")]
    Database(#[from] sqlx::Error),
}

/// Puts the backup `file` (made by `bons backup`) in place as the database
/// of `database_url`, which must not exist or hold no table. The backup is
/// checked whole first (`PRAGMA integrity_check`, a bons schema); it is
/// copied beside the target, then renamed onto it, so a restore cut short
/// leaves no half database. Migrations run after, at the next start.
pub async fn restore(file: &Path, database_url: &str) -> Result<(), RestoreError> {
    if Backend::from_url(database_url)? != Backend::Sqlite {
        return Err(RestoreError::UsePgRestore);
    }
    let target = sqlite_file(database_url).ok_or_else(|| RestoreError::NotEmpty(database_url.to_owned()))?;
    let shown = file.display().to_string();
    let not_a_backup = |why: String| RestoreError::NotABackup(shown.clone(), why);
    let mut backup = sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file).read_only(true))
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut backup)
        .await
        .map_err(|e| not_a_backup(e.to_string()))?;
    if check != "ok" {
        return Err(not_a_backup(check));
    }
    let migrations: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut backup)
        .await
        .map_err(|_| not_a_backup("aucune migration de bons n'y est enregistrée".into()))?;
    if migrations == 0 {
        return Err(not_a_backup("aucune migration de bons n'y est enregistrée".into()));
    }
    backup.close().await?;
    if target.exists() && has_tables(&target).await? {
        return Err(RestoreError::NotEmpty(target.display().to_string()));
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let partial = target.with_extension("restauration");
    std::fs::copy(file, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    // An empty target's journal files would be read as the restored
    // database's.
    for stale in ["-wal", "-shm"] {
        let mut name = target.clone().into_os_string();
        name.push(stale);
        let _ = std::fs::remove_file(name);
    }
    std::fs::rename(&partial, &target)?;
    Ok(())
}

async fn has_tables(file: &Path) -> Result<bool, sqlx::Error> {
    let mut conn = sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file)).await?;
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(tables > 0)
}

/// A database URL fit to print: never its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
