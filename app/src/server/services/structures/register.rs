//! The SIRENE register, offline: INSEE's `StockEtablissement` CSV imported
//! by `bons sirene import FILE.csv` (and by `bons demo`, from its extract),
//! and SIRETs whose state staff record by hand when the extract lacks them.
//!
//! The file is read record by record and written by batches, each in its
//! own transaction: a file of millions of establishments never sits in
//! memory. Columns are found by their header names, the others ignored.
//! Importing the same file again changes nothing.

use super::parse_siret;
use crate::domain::{RegisterSource, RegisterState, Siret, Timestamp};
use crate::error::AppError;
use crate::model::structures::Establishment;
use crate::server::audit::{Actor, Entity};
use crate::server::db::Db;
use crate::server::error::ServerError;
use crate::server::services::journal;
use crate::server::store::structures::{self as store, EstablishmentRow};
use crate::server::{AppState, auth::Staff};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// Establishments written per transaction.
pub const BATCH: usize = 1000;
/// Refused lines told one by one; beyond, only counted.
pub const MAX_REPORTED: usize = 100;

/// The columns read, by their names in INSEE's header.
pub const SIRET: &str = "siret";
pub const STATE: &str = "etatAdministratifEtablissement";
pub const NAME: &str = "denominationUsuelleEtablissement";
pub const SIGN: &str = "enseigne1Etablissement";
pub const POSTCODE: &str = "codePostalEtablissement";
pub const CITY: &str = "libelleCommuneEtablissement";

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterImport {
    /// Establishment lines read (the header aside).
    pub read: u64,
    /// New in the register, or changed.
    pub written: u64,
    /// Already known as they are.
    pub unchanged: u64,
    /// Lines refused, and the first `MAX_REPORTED` of them: (line in the
    /// file, the header being line 1; why).
    pub refused: u64,
    pub refusals: Vec<(u64, String)>,
}

impl RegisterImport {
    fn refuse(&mut self, line: u64, why: String) {
        self.refused += 1;
        if self.refusals.len() < MAX_REPORTED {
            self.refusals.push((line, why));
        }
    }

    /// The summary a person reads after an import.
    pub fn summary(&self) -> String {
        format!(
            "{} ligne(s) lue(s) : {} établissement(s) ajouté(s) ou modifié(s), {} déjà à jour, {} ligne(s) refusée(s).",
            self.read, self.written, self.unchanged, self.refused
        )
    }
}

/// Where each column read sits in a record.
#[derive(Debug)]
struct Columns {
    siret: usize,
    state: usize,
    name: Option<usize>,
    sign: Option<usize>,
    postcode: Option<usize>,
    city: Option<usize>,
}

impl Columns {
    fn of_header(header: &csv::ByteRecord) -> Result<Columns, String> {
        let names: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                format!(
                    "La colonne « {name} » manque à l'en-tête du fichier : est-ce bien un fichier StockEtablissement de l'INSEE ?"
                )
            })
        };
        Ok(Columns {
            siret: required(SIRET)?,
            state: required(STATE)?,
            name: find(NAME),
            sign: find(SIGN),
            postcode: find(POSTCODE),
            city: find(CITY),
        })
    }

    /// One record, or why it is refused.
    fn read(&self, record: &csv::ByteRecord) -> Result<EstablishmentRow, String> {
        let cell = |i: usize| -> Result<Option<String>, String> {
            match record.get(i) {
                None => Ok(None),
                Some(bytes) => std::str::from_utf8(bytes)
                    .map(|s| Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
                    .map_err(|_| "texte illisible (le fichier doit être en UTF-8)".to_owned()),
            }
        };
        let optional = |i: Option<usize>| i.map(cell).transpose().map(Option::flatten);
        let siret = cell(self.siret)?.ok_or("SIRET absent")?;
        let siret = Siret::parse(&siret).map_err(|e| format!("SIRET « {siret} » : {e}"))?;
        let state = cell(self.state)?.unwrap_or_default();
        let state = RegisterState::from_code(&state)
            .ok_or_else(|| format!("état administratif « {state} » inconnu (A ou F attendu)"))?;
        Ok(EstablishmentRow {
            siret: siret.as_str().to_owned(),
            state,
            name: optional(self.name)?.or(optional(self.sign)?),
            postcode: optional(self.postcode)?,
            city: optional(self.city)?,
        })
    }
}

/// Imports a `StockEtablissement` CSV read from `input`, by batches of
/// `BATCH` establishments, each batch in its own transaction. A line that
/// cannot be read is skipped and reported with its line number; a file
/// without the columns `siret` and `etatAdministratifEtablissement` is
/// refused as a whole, before anything is written.
pub async fn import(db: &Db, input: impl std::io::Read, now: DateTime<Utc>) -> Result<RegisterImport, ServerError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let header = reader.byte_headers().map_err(|e| AppError::Invalid(format!("En-tête illisible : {e}")))?.clone();
    let columns = Columns::of_header(&header).map_err(AppError::Invalid)?;
    let mut report = RegisterImport::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                report.read += 1;
                let line = record.position().map_or(line, csv::Position::line);
                match columns.read(&record) {
                    Ok(row) => batch.push(row),
                    Err(why) => report.refuse(line, why),
                }
            }
            Err(e) => {
                report.read += 1;
                let line = e.position().map_or(line, csv::Position::line);
                let why = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("{len} colonne(s) au lieu de {expected_len}")
                    }
                    _ => format!("ligne illisible ({e})"),
                };
                report.refuse(line, why);
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }) {
                    // Reading further would go on from an unknown place.
                    break;
                }
            }
        }
        if batch.len() == BATCH {
            write_batch(db, &mut batch, &mut report, now).await?;
        }
    }
    write_batch(db, &mut batch, &mut report, now).await?;
    tracing::info!(read = report.read, written = report.written, refused = report.refused, "SIRENE import");
    Ok(report)
}

async fn write_batch(
    db: &Db,
    batch: &mut Vec<EstablishmentRow>,
    report: &mut RegisterImport,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    if batch.is_empty() {
        return Ok(());
    }
    // A SIRET twice in one statement would be updated twice: the last line wins.
    let mut seen = std::collections::HashMap::with_capacity(batch.len());
    for (i, row) in batch.iter().enumerate() {
        seen.insert(row.siret.clone(), i);
    }
    let rows: Vec<EstablishmentRow> =
        batch.drain(..).enumerate().filter(|(i, row)| seen.get(&row.siret) == Some(i)).map(|(_, row)| row).collect();
    let mut tx = db.begin_write().await?;
    let written = store::upsert_establishments(tx.conn(), &rows, RegisterSource::Register, Timestamp::new(now)).await?;
    tx.commit().await?;
    report.written += written;
    report.unchanged += rows.len() as u64 - written;
    Ok(())
}

/// What the register says of a SIRET; a SIRET it does not know is refused
/// with a sentence saying so.
pub async fn known(conn: &mut AnyConnection, siret: &Siret) -> Result<Establishment, ServerError> {
    store::find_establishment(conn, siret.as_str()).await?.ok_or_else(|| unknown(siret))
}

pub(crate) fn unknown(siret: &Siret) -> ServerError {
    AppError::Invalid(format!(
        "Le SIRET {siret} est inconnu de la base SIRENE : vérifiez-le, ou demandez à votre agence Castors d'enregistrer son état."
    ))
    .into()
}

/// Staff record a SIRET's state by hand (a SIRET the imported extract
/// lacks, or newer news than it); journaled.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn record_state(
    state: &AppState,
    staff: &Staff,
    siret: &str,
    register_state: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Establishment, ServerError> {
    let siret = parse_siret(siret)?;
    let register_state = RegisterState::from_code(register_state.trim().to_uppercase().as_str())
        .ok_or_else(|| AppError::field("state", "Choisissez l'état du SIRET : A (active) ou F (fermée)."))?;
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::field("name", "Le nom de l'établissement compte au plus 200 caractères.").into());
    }
    let mut tx = state.db.begin_write().await?;
    let before = store::find_establishment(tx.conn(), siret.as_str()).await?;
    let row = EstablishmentRow {
        siret: siret.as_str().to_owned(),
        state: register_state,
        name: Some(name.to_owned()).filter(|n| !n.is_empty()).or_else(|| before.as_ref().and_then(|b| b.name.clone())),
        postcode: before.as_ref().and_then(|b| b.postcode.clone()),
        city: before.as_ref().and_then(|b| b.city.clone()),
    };
    let changed = store::upsert_establishments(tx.conn(), &[row], RegisterSource::Staff, Timestamp::new(now)).await?;
    if changed > 0 {
        let id: i64 = siret.as_str().parse().map_err(|_| AppError::Internal)?;
        let before = match &before {
            Some(b) => json!({ "siret": siret.as_str(), "state": b.state.code(), "source": b.source.code() }),
            None => json!({}),
        };
        let after = json!({ "siret": siret.as_str(), "state": register_state.code(), "source": "staff" });
        journal(&mut tx, &Actor::staff(staff), Entity::Establishment, id, "record_state", before, after, now).await?;
    }
    let recorded = store::find_establishment(tx.conn(), siret.as_str()).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(header: &[&str]) -> Result<Columns, String> {
        Columns::of_header(&csv::ByteRecord::from(header.to_vec()))
    }

    #[test]
    fn columns_are_found_by_name_and_the_others_ignored() {
        let c =
            columns(&["siren", "nic", "siret", "etatAdministratifEtablissement", "enseigne1Etablissement"]).unwrap();
        assert_eq!((c.siret, c.state, c.sign, c.name), (2, 3, Some(4), None));
        let row = c
            .read(&csv::ByteRecord::from(vec!["214490013", "00015", "21449001300015", "A", "Services techniques"]))
            .unwrap();
        assert_eq!(row.name.as_deref(), Some("Services techniques"));
        assert_eq!(row.state, RegisterState::Open);
        assert!(columns(&["siret", "etat"]).unwrap_err().contains("etatAdministratifEtablissement"));
        assert!(columns(&["\u{feff}siret", STATE]).is_ok(), "a byte-order mark is no part of the name");
    }

    #[test]
    fn a_bad_siret_or_state_is_told() {
        let c = columns(&[SIRET, STATE]).unwrap();
        let bad = |cells: Vec<&str>| c.read(&csv::ByteRecord::from(cells)).unwrap_err();
        assert!(bad(vec!["21449001300016", "A"]).contains("SIRET invalide"));
        assert!(bad(vec!["2144900130001", "A"]).contains("14 chiffres"));
        assert!(bad(vec!["21449001300015", "X"]).contains("A ou F"));
        assert!(bad(vec!["", "A"]).contains("SIRET absent"));
    }
}
