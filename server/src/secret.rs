//! `bons secret`: the server key's versions. `rotate` adds a version, which
//! makes every code and QR link from the next start on; `retire` removes an
//! old version once nothing unpaid needs it; `list` tells what each version
//! still serves. The keys live in the secret file (or `BONS_SECRET`), never
//! in the database: with `BONS_SECRET` set, the commands print its new value
//! and write nothing.

use crate::config::{Config, ConfigError, replace_private};
use app::domain::Timestamp;
use app::server::codes::{MIN_KEY_BYTES, format_keyring};
use app::server::db::Db;
use app::server::store::key_versions::{self, Unpaid};

/// Why a `bons secret` command changed nothing. Read by the operator.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("aucun fichier de clés à {0} : vérifiez BONS_SECRET_FILE (le serveur le crée à son premier démarrage)")]
    NoFile(String),
    #[error("aucune clé version {0} : les versions sont {1}")]
    NoSuchVersion(i64, String),
    #[error(
        "la version {0} est la clé en service : faites d'abord « bons secret rotate », puis redémarrez les serveurs"
    )]
    InService(i64),
    #[error("la clé version {version} sert encore : {what}. Retirez-la quand ils auront été payés.")]
    StillNeeded { version: i64, what: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("fichier de clés : {0}")]
    Io(#[from] std::io::Error),
    #[error("base de données : {0}")]
    Database(#[from] sqlx::Error),
    #[error("base de données : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What a command did, for the operator: `done` on standard error, and the
/// new `BONS_SECRET` value alone on standard output when the keys live there.
pub struct Outcome {
    pub done: String,
    pub new_secret: Option<String>,
}

/// Adds a key version, one above the highest, from the operating system's
/// CSPRNG.
pub fn rotate(config: &Config) -> Result<Outcome, SecretError> {
    let mut versions = existing(config)?;
    let version = versions.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
    let key: [u8; MIN_KEY_BYTES] = rand::random();
    versions.push((version, key.to_vec()));
    let kept = versions.len() - 1;
    let done = format!(
        "Clé version {version} ajoutée : elle fera les codes secrets et liens de vérification des bons utilisés et \
         des pass produits après le redémarrage des serveurs ; les {kept} version(s) précédente(s) restent pour \
         vérifier ce qu'elles ont fait (« bons secret list » dit ce qui en dépend)."
    );
    save(config, &versions, done)
}

/// Removes key `version`, refused while anything unpaid depends on it (the
/// refusal says what) and for the version in service.
pub async fn retire(config: &Config, version: i64) -> Result<Outcome, SecretError> {
    let mut versions = existing(config)?;
    let current = versions.iter().map(|(v, _)| *v).max().unwrap_or(1);
    if !versions.iter().any(|(v, _)| *v == version) {
        let known: Vec<String> = versions.iter().map(|(v, _)| v.to_string()).collect();
        return Err(SecretError::NoSuchVersion(version, known.join(", ")));
    }
    if version == current {
        return Err(SecretError::InService(version));
    }
    let db = open(config).await?;
    let today = Timestamp::new(chrono::Utc::now()).paris_day();
    let checked = async {
        let unpaid = key_versions::unpaid(db.pool(), version, today).await?;
        let made = key_versions::made_with(db.pool(), version).await?;
        Ok::<_, sqlx::Error>((unpaid, made))
    }
    .await;
    db.close().await;
    let (unpaid, (vouchers, passes)) = checked?;
    if !unpaid.is_empty() {
        return Err(SecretError::StillNeeded { version, what: describe(&unpaid) });
    }
    versions.retain(|(v, _)| *v != version);
    let done = format!(
        "Clé version {version} retirée. Les codes des {vouchers} bon(s) et {passes} pass faits avec elle, tous payés, \
         ne pourront plus être recalculés ni vérifiés."
    );
    save(config, &versions, done)
}

/// Each version, the one in service, and what depends on each.
pub async fn list(config: &Config) -> Result<String, SecretError> {
    let versions = existing(config)?;
    let current = versions.iter().map(|(v, _)| *v).max().unwrap_or(1);
    let db = open(config).await?;
    let today = Timestamp::new(chrono::Utc::now()).paris_day();
    let mut lines = Vec::with_capacity(versions.len());
    let listed = async {
        for (version, _) in &versions {
            let (vouchers, passes) = key_versions::made_with(db.pool(), *version).await?;
            let unpaid = key_versions::unpaid(db.pool(), *version, today).await?;
            let role = if *version == current { " (en service)" } else { "" };
            let needs = if unpaid.is_empty() { "rien d'impayé n'en dépend".to_owned() } else { describe(&unpaid) };
            lines.push(format!("clé version {version}{role} : {vouchers} bon(s) et {passes} pass ; {needs}"));
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    db.close().await;
    listed?;
    Ok(lines.join("\n"))
}

/// The versions as configured; a missing secret file is an error here,
/// not a new key.
fn existing(config: &Config) -> Result<Vec<(i64, Vec<u8>)>, SecretError> {
    if config.secret.is_none() && !config.secret_file.exists() {
        return Err(SecretError::NoFile(config.secret_file.display().to_string()));
    }
    let versions = config.key_versions()?;
    Ok(versions)
}

/// Writes the versions where they came from: the secret file, replaced
/// whole; or, for `BONS_SECRET`, the value to give it.
fn save(config: &Config, versions: &[(i64, Vec<u8>)], done: String) -> Result<Outcome, SecretError> {
    let servers = "sur chaque serveur, puis redémarrez-les tous";
    if config.secret.is_some() {
        let value: Vec<String> = versions.iter().map(|(v, key)| format!("{v}:{}", hex::encode(key))).collect();
        return Ok(Outcome {
            done: format!(
                "{done}\nBONS_SECRET est défini : rien n'est écrit. Donnez-lui la valeur ci-dessous {servers}."
            ),
            new_secret: Some(value.join(",")),
        });
    }
    replace_private(&config.secret_file, &format_keyring(versions))?;
    let path = config.secret_file.display();
    Ok(Outcome { done: format!("{done}\nFichier {path} mis à jour : copiez-le {servers}."), new_secret: None })
}

async fn open(config: &Config) -> Result<Db, SecretError> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

/// « 3 bon(s) utilisé(s) non payé(s) (W2026…, …) et 2 pass … ».
fn describe(unpaid: &Unpaid) -> String {
    let mut parts = Vec::new();
    let examples = |shown: &[String], all: i64| {
        let more = if all > i64::try_from(shown.len()).unwrap_or(i64::MAX) { ", …" } else { "" };
        format!("{}{more}", shown.join(", "))
    };
    if unpaid.vouchers > 0 {
        parts.push(format!(
            "{} bon(s) utilisé(s) non payé(s) au fournisseur ({})",
            unpaid.vouchers,
            examples(&unpaid.voucher_examples, unpaid.vouchers)
        ));
    }
    if unpaid.passes > 0 {
        parts.push(format!(
            "{} pass non payé(s), encaissés ou encore valables ({})",
            unpaid.passes,
            examples(&unpaid.pass_examples, unpaid.passes)
        ));
    }
    parts.join(" et ")
}
