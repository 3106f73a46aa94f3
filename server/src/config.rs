//! Settings from the command line or the environment, validated at start: a
//! bad value stops the server with a message rather than surprising a member.

use app::server::codes::{Keyring, KeyringError, parse_keyring};
use app::server::{Settings, mail::Mailer};
use clap::Args;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Where the data lives: `sqlite://path?mode=rwc` (embedded) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/bons.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub site_addr: SocketAddr,

    /// The built site (WASM, CSS, icons), as written by `cargo leptos build`.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: String,

    /// The address people use to reach the server; QR codes link to it.
    /// Defaults to `http://<site-addr>`. Cookies are `Secure` when it is https.
    #[arg(long, env = "BONS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The server secret, hex (at least 32 bytes), or its versions after a
    /// rotation: `1:<hex>,2:<hex>` (the highest signs new codes). Secret
    /// codes and QR links are derived from it; it never enters the database.
    #[arg(long, env = "BONS_SECRET", hide_env_values = true, global = true)]
    pub secret: Option<String>,

    /// Where to keep the secret when `BONS_SECRET` is not set; created with a
    /// CSPRNG on first start, one line per key version after `bons secret rotate`.
    #[arg(long, env = "BONS_SECRET_FILE", default_value = "data/secret.key", global = true)]
    pub secret_file: PathBuf,

    /// How long a login lasts, in days.
    #[arg(long, env = "BONS_SESSION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365), global = true)]
    pub session_days: u32,
    /// Sends email (statements) through this SMTP server, e.g.
    /// `smtps://user:password@smtp.example.org:465`. Without it, each message
    /// is written as an `.eml` file in `BONS_MAIL_DIR`.
    #[arg(long, env = "BONS_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// Where messages are written when no SMTP server is set.
    #[arg(long, env = "BONS_MAIL_DIR", default_value = "data/mail", global = true)]
    pub mail_dir: PathBuf,

    /// The sender of the cooperative's email.
    #[arg(long, env = "BONS_MAIL_FROM", default_value = "Castors de l'Ouest <releves@castors.invalid>", global = true)]
    pub mail_from: String,

    /// Set when bons runs behind a reverse proxy (nginx, Caddy…): client
    /// addresses are then read from the last `X-Forwarded-For` entry.
    #[arg(long, env = "BONS_TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// Serves `/metrics` (Prometheus) to whoever sends
    /// `Authorization: Bearer <token>`; without it, `/metrics` does not exist.
    #[arg(long, env = "BONS_METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,

    /// How long a server's hold on a background job (the hourly sweep, a
    /// statement run) lasts without renewal, in seconds: when a server
    /// dies, another takes its jobs up after this long. Renewed every third.
    #[arg(long, env = "BONS_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub lease_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("BONS_SECRET: {0}")]
    BadSecret(KeyringError),
    #[error("the secret file {path}: {why}")]
    BadSecretFile { path: PathBuf, why: KeyringError },
    #[error("cannot read or create the secret file {path}: {source}")]
    SecretFile { path: PathBuf, source: std::io::Error },
    #[error("cannot create the mail folder {path}: {source}")]
    MailDir { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        Ok(Settings {
            public_url: self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.site_addr)),
            session_days: self.session_days,
            trust_proxy: self.trust_proxy,
            metrics_token: self.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        })
    }

    /// The background jobs' lease.
    pub fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lease_seconds)
    }

    /// SMTP when configured, `.eml` files otherwise.
    pub fn mailer(&self) -> Result<Mailer, ConfigError> {
        let from = self
            .mail_from
            .parse()
            .map_err(|e| ConfigError::Invalid(format!("BONS_MAIL_FROM is not an email address: {e}")))?;
        match &self.smtp_url {
            Some(url) => Mailer::smtp(url, from).map_err(ConfigError::Invalid),
            None => Mailer::to_files(&self.mail_dir, from)
                .map_err(|source| ConfigError::MailDir { path: self.mail_dir.clone(), source }),
        }
    }

    /// The server keys: from `BONS_SECRET`, or from the secret file, made
    /// on first run with one key (version 1).
    pub fn keyring(&self) -> Result<Keyring, ConfigError> {
        let versions = self.key_versions()?;
        Keyring::from_versions(&versions).map_err(|why| match self.secret {
            Some(_) => ConfigError::BadSecret(why),
            None => ConfigError::BadSecretFile { path: self.secret_file.clone(), why },
        })
    }

    /// The keys by version, as `BONS_SECRET` or the secret file hold them.
    pub fn key_versions(&self) -> Result<Vec<(i64, Vec<u8>)>, ConfigError> {
        if let Some(text) = &self.secret {
            return parse_keyring(text).map_err(ConfigError::BadSecret);
        }
        read_or_create_secret(&self.secret_file)
    }
}

fn read_or_create_secret(path: &Path) -> Result<Vec<(i64, Vec<u8>)>, ConfigError> {
    let err = |source| ConfigError::SecretFile { path: path.to_owned(), source };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_keyring(&text).map_err(|why| ConfigError::BadSecretFile { path: path.to_owned(), why }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(err)?;
            }
            let secret: [u8; 32] = rand::random();
            write_private(path, &hex::encode(secret)).map_err(err)?;
            tracing::info!(path = %path.display(), "created a new server secret");
            Ok(vec![(1, secret.to_vec())])
        }
        Err(e) => Err(err(e)),
    }
}

/// Replaces the file at `path` with `contents`, readable by its owner only,
/// whole or not at all (a temporary file beside it, then renamed).
pub fn replace_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, contents)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })?;
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The rename itself survives a power cut once its folder is synced.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_secret_file_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secret.key");
        let first = read_or_create_secret(&path).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].0, first[0].1.len()), (1, 32));
        assert_eq!(read_or_create_secret(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    fn with_secret(secret: &str) -> Config {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        Cli::parse_from(["bons", "--secret", secret]).config
    }

    #[test]
    fn short_or_garbled_secrets_are_refused() {
        for bad in ["abcd", &"zz".repeat(32), "", "1:abcd", &format!("0:{}", "ab".repeat(32))] {
            assert!(matches!(with_secret(bad).keyring(), Err(ConfigError::BadSecret(_))), "{bad:?}");
        }
        let one = with_secret(&"ab".repeat(32)).keyring().unwrap();
        assert_eq!(one.current_version(), 1);
        let two = with_secret(&format!("1:{},2:{}", "ab".repeat(32), "cd".repeat(32))).keyring().unwrap();
        assert_eq!(two.versions().collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn a_key_never_shows_in_an_error() {
        let key = "ab".repeat(31);
        let error = with_secret(&format!("1:{key}")).keyring().unwrap_err().to_string();
        assert!(!error.contains(&key), "{error}");
        assert!(error.contains("1:…"), "{error}");
    }

    #[test]
    fn a_rewritten_secret_file_stays_private_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        read_or_create_secret(&path).unwrap();
        replace_private(&path, "1:00\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1:00\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
