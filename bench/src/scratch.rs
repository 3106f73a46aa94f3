//! A database of its own for one run: a SQLite file in a temporary directory,
//! or a uniquely named PostgreSQL database created on the given server and
//! dropped at the end. The temporary directory also holds the server's log.

use crate::Result;
use sqlx::{Connection, Executor, PgConnection};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

pub struct Scratch {
    pub backend: Backend,
    /// What `bons` gets as `DATABASE_URL`; the checks connect with it too.
    pub database_url: String,
    dir: Option<TempDir>,
    /// PostgreSQL only: the server's URL (without a database) and our database's name.
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// A fresh SQLite file, `bons.db`, in a new temporary directory.
    pub fn sqlite() -> Result<Scratch> {
        let dir = tempfile::Builder::new().prefix("bons-bench-").tempdir()?;
        let database_url = format!("sqlite://{}?mode=rwc", dir.path().join("bons.db").display());
        Ok(Scratch { backend: Backend::Sqlite, database_url, dir: Some(dir), postgres: None })
    }

    /// A fresh database on the PostgreSQL server at `server`
    /// (`postgres://user@host:port`, no database name).
    pub async fn postgres(server: &str) -> Result<Scratch> {
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("bons_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
        let mut admin = admin_connection(&server).await?;
        admin.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await?;
        admin.close().await?;
        let dir = tempfile::Builder::new().prefix("bons-bench-").tempdir()?;
        let database_url = format!("{server}/{name}");
        Ok(Scratch { backend: Backend::Postgres, database_url, dir: Some(dir), postgres: Some((server, name)) })
    }

    /// The temporary directory: the SQLite file, the server's log.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map(TempDir::path).expect("the directory lives as long as the scratch")
    }

    /// The SQLite file, on that backend.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        (self.backend == Backend::Sqlite).then(|| self.dir().join("bons.db"))
    }

    /// The URL to show: PostgreSQL passwords are never printed.
    pub fn describe(&self) -> String {
        match (&self.postgres, self.sqlite_file()) {
            (Some((server, name)), _) => format!("database {name} on {}", redact(server)),
            (None, Some(file)) => file.display().to_string(),
            (None, None) => String::new(),
        }
    }

    /// Removes the directory and drops the PostgreSQL database; with `keep`,
    /// leaves both in place and says where they are.
    pub async fn finish(mut self, keep: bool) -> Result<()> {
        let described = self.describe();
        let dir = self.dir.take().expect("finished once");
        if keep {
            eprintln!("kept for inspection: {} ({described})", dir.keep().display());
            return Ok(());
        }
        dir.close()?;
        if let Some((server, name)) = self.postgres.take() {
            let mut admin = admin_connection(&server).await?;
            admin.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await?;
            admin.close().await?;
        }
        Ok(())
    }
}

async fn admin_connection(server: &str) -> Result<PgConnection> {
    PgConnection::connect(&format!("{server}/postgres"))
        .await
        .map_err(|e| format!("cannot reach PostgreSQL at {}: {e}", redact(server)).into())
}

/// `postgres://user:secret@host` → `postgres://user:…@host`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}://{user}:…@{}", &url[..scheme], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_and_the_rest_kept() {
        assert_eq!(redact("postgres://postgres@127.0.0.1:5432"), "postgres://postgres@127.0.0.1:5432");
        assert_eq!(redact("postgres://bons:s3cret@db:5432"), "postgres://bons:…@db:5432");
    }
}
