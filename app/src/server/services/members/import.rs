//! Members imported from a CSV file exported by a spreadsheet: `;` or `,`
//! separated, UTF-8 with or without its byte-order mark, a header row
//! naming the columns (N° d'adhérent; Nom; Email; Cotisation à jour
//! jusqu'au). Each line creates or updates one member of the agency, or is
//! refused with its reasons; the run and its line-by-line report are stored,
//! so the report can be read again later. A line that matches what is stored
//! changes nothing: importing the same file twice changes nothing the
//! second time.

use crate::domain::contact::{parse_email, parse_name};
use crate::domain::member_file::{FileLine, IMPORT_HEADER, ImportOutcome};
pub use crate::domain::member_file::{MAX_FILE_BYTES, read_file};
use crate::domain::{MemberNumber, Role, Timestamp};
use crate::error::AppError;
use crate::model::agency::{ImportPage, ImportReport};
use crate::server::audit::{Actor, Entity};
use crate::server::error::ServerError;
use crate::server::services::accounts::invitations;
use crate::server::services::agencies::{self, changed_fields};
use crate::server::services::journal;
use crate::server::services::members::{CheckedMember, login_json, member_json, parse_fee_day};
use crate::server::store::accounts::{self, NewAccount, links};
use crate::server::store::members::imports::{self as member_imports, NewImport};
use crate::server::store::members::{self, MemberFile, NewMember};
use crate::server::{AppState, auth::Staff, codes::sha256_hex};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Runs listed on the import page.
const RECENT_RUNS: i64 = 10;

/// A file as it came from the upload form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A line checked on its own: the member number and what to store, or why not.
struct CheckedLine {
    line: i64,
    number: MemberNumber,
    member: CheckedMember,
    /// Empty cells leave what is stored as it is.
    email_given: bool,
    fee_given: bool,
}

fn check_line(l: &FileLine) -> Result<CheckedLine, Vec<String>> {
    let number = l.number.parse::<MemberNumber>().map_err(|e| e.to_string());
    let name = parse_name(&l.name, "le nom de l'adhérent");
    let email = parse_email(l.email.as_deref().unwrap_or_default());
    let fee = parse_fee_day(l.fee.as_deref().unwrap_or_default());
    match (number, name, email, fee) {
        (Ok(number), Ok(name), Ok(email), Ok(fee_paid_until)) => Ok(CheckedLine {
            line: l.line,
            number,
            email_given: email.is_some(),
            fee_given: fee_paid_until.is_some(),
            member: CheckedMember { name, email, fee_paid_until },
        }),
        (n, na, e, f) => Err([n.err(), na.err(), e.err(), f.err()].into_iter().flatten().collect()),
    }
}

/// What an import will do with one line.
enum Plan {
    Refused(String),
    Create(CheckedLine),
    Update { line: CheckedLine, member: Box<MemberFile>, changed: Vec<&'static str> },
    Unchanged,
}

impl Plan {
    fn outcome(&self) -> ImportOutcome {
        match self {
            Plan::Refused(_) => ImportOutcome::Refused,
            Plan::Create(_) => ImportOutcome::Created,
            Plan::Update { .. } => ImportOutcome::Updated,
            Plan::Unchanged => ImportOutcome::Unchanged,
        }
    }

    fn detail(&self) -> String {
        match self {
            Plan::Refused(why) => why.clone(),
            Plan::Create(_) => {
                "Adhérent créé avec son identifiant ; générez son mot de passe provisoire depuis sa fiche.".into()
            }
            Plan::Update { changed, .. } => format!("Modifié : {}.", changed.join(", ")),
            Plan::Unchanged => "Déjà à jour.".into(),
        }
    }
}

/// Decides each line against the members already stored (`existing`, by
/// number, any agency) and the logins taken.
fn plan(
    agency_id: i64,
    lines: &[FileLine],
    existing: &HashMap<String, MemberFile>,
    taken_logins: &HashSet<String>,
) -> Vec<(i64, String, Plan)> {
    let mut first_seen: HashMap<String, i64> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let written: String = l.number.chars().take(40).collect();
            let plan = match check_line(l) {
                Err(reasons) => Plan::Refused(reasons.join(" ")),
                Ok(checked) => {
                    let number = checked.number.as_str().to_owned();
                    if let Some(first) = first_seen.get(&number) {
                        Plan::Refused(format!(
                            "Ce n° d'adhérent figure déjà ligne {first} du fichier : cette ligne est ignorée."
                        ))
                    } else {
                        first_seen.insert(number.clone(), checked.line);
                        match existing.get(&number) {
                            Some(m) if m.agency_id != agency_id => {
                                Plan::Refused("Ce n° est celui d'un adhérent d'une autre agence.".into())
                            }
                            Some(m) => {
                                let c = &checked.member;
                                let mut changed = Vec::new();
                                if c.name != m.name {
                                    changed.push("nom");
                                }
                                if checked.email_given && c.email != m.email {
                                    changed.push("e-mail");
                                }
                                if checked.fee_given && c.fee_paid_until != m.fee_paid_until {
                                    changed.push("cotisation");
                                }
                                if changed.is_empty() {
                                    Plan::Unchanged
                                } else {
                                    Plan::Update { line: checked, member: Box::new(m.clone()), changed }
                                }
                            }
                            None if taken_logins.contains(&number) => {
                                Plan::Refused("Ce n° est déjà l'identifiant d'un autre compte.".into())
                            }
                            None => Plan::Create(checked),
                        }
                    }
                }
            };
            (l.line, written, plan)
        })
        .collect()
}

/// Imports a file for the staff member's agency (an administrator names
/// it); returns the run's id, whose report the import page shows. A file
/// that cannot be read is recorded as refused, and changes no member.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn import(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<i64, ServerError> {
    let agency_id = staff.agency_for_new(agencies::pick(state, staff, asked).await?)?;
    let file_name = clean_file_name(&upload.file_name);
    let sha256 = sha256_hex(&upload.bytes);
    let stamp = Timestamp::new(now);
    let run = |refusal, counts| NewImport {
        agency_id,
        imported_at: stamp,
        account_id: staff.account_id,
        imported_by: &staff.login,
        file_name: &file_name,
        sha256: &sha256,
        refusal,
        counts,
    };

    let lines = match read_file(&upload.bytes) {
        Ok(lines) => lines,
        Err(refusal) => {
            let mut tx = state.db.begin_write().await?;
            let id = member_imports::insert(tx.conn(), &run(Some(&refusal), [0; 4])).await?;
            tx.commit().await?;
            tracing::info!(import = id, %refusal, "member import refused");
            return Ok(id);
        }
    };
    // Members created here get a login whose password nobody knows (one
    // random password, hashed once for the whole file): those with an email
    // address are invited to choose theirs, staff print the others' letters
    // from their pages. A real hash keeps the login's timing the same as
    // for any account.
    let unusable_hash = crate::server::services::accounts::logins::unusable_hash().await?;
    let mut to_invite = Vec::new();

    let mut tx = state.db.begin_write().await?;
    let numbers: Vec<String> =
        lines.iter().filter_map(|l| l.number.parse::<MemberNumber>().ok()).map(|n| n.to_string()).collect();
    let existing: HashMap<String, MemberFile> =
        members::find_by_numbers(tx.conn(), &numbers).await?.into_iter().map(|m| (m.number.clone(), m)).collect();
    let taken: HashSet<String> = accounts::taken_logins(tx.conn(), &numbers).await?.into_iter().collect();
    let plans = plan(agency_id, &lines, &existing, &taken);
    let mut counts = [0i64; 4];
    for (_, _, p) in &plans {
        let slot = ImportOutcome::ALL.iter().position(|o| *o == p.outcome()).unwrap_or(3);
        counts[slot] += 1;
    }
    let import_id = member_imports::insert(tx.conn(), &run(None, counts)).await?;
    let actor = Actor::staff(staff);
    for (line, written, p) in &plans {
        member_imports::insert_line(tx.conn(), import_id, *line, written, p.outcome(), &p.detail()).await?;
        match p {
            Plan::Create(c) => {
                let m = &c.member;
                let new = NewMember {
                    agency_id,
                    number: c.number.as_str(),
                    name: &m.name,
                    email: m.email.as_deref(),
                    fee_paid_until: m.fee_paid_until,
                    created_at: stamp,
                };
                let id = members::insert(tx.conn(), &new).await?;
                let account = NewAccount {
                    login: c.number.as_str(),
                    password_hash: &unusable_hash,
                    role: Role::Member,
                    member_id: Some(id),
                    supplier_id: None,
                    agency_id: Some(agency_id),
                    created_at: stamp,
                };
                let account = accounts::insert_account(tx.conn(), &account).await?;
                if m.email.is_some() {
                    to_invite.push(account);
                }
                let mut after = member_json(&m.name, m.email.as_deref(), m.fee_paid_until);
                after["number"] = json!(c.number.as_str());
                after["import"] = json!(import_id);
                journal(&mut tx, &actor, Entity::Member, id, "create", json!({}), after, now).await?;
                let after = login_json(c.number.as_str(), id, agency_id);
                journal(&mut tx, &actor, Entity::Account, account, "create", json!({}), after, now).await?;
            }
            Plan::Update { line, member, .. } => {
                let c = &line.member;
                let email = if line.email_given { c.email.as_deref() } else { member.email.as_deref() };
                let fee = if line.fee_given { c.fee_paid_until } else { member.fee_paid_until };
                members::update(tx.conn(), member, &c.name, email, fee).await?;
                let before = member_json(&member.name, member.email.as_deref(), member.fee_paid_until);
                let (before, mut after) = changed_fields(&before, &member_json(&c.name, email, fee));
                after["import"] = json!(import_id);
                journal(&mut tx, &actor, Entity::Member, member.id, "update", before, after, now).await?;
            }
            Plan::Refused(_) | Plan::Unchanged => {}
        }
    }
    tx.commit().await?;
    tracing::info!(import = import_id, agency = agency_id, ?counts, "members imported");
    // The invitations go after the answer: a file of thousands of members
    // is not held up by as many emails.
    let state = state.clone();
    tokio::spawn(async move {
        let mut sent = 0;
        for account in to_invite {
            let invited: Result<bool, ServerError> = async {
                let mut conn = state.db.pool().acquire().await?;
                let Some(reachable) = links::reachable(&mut conn, account).await? else { return Ok(false) };
                drop(conn);
                invitations::invite(&state, &actor, &reachable, now).await
            }
            .await;
            match invited {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(account, error = ?e, "invitation of an imported member not sent"),
            }
        }
        tracing::info!(import = import_id, sent, "imported members invited");
    });
    Ok(import_id)
}

/// The name the file had on the staff member's computer, for the report.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() { "adherents.csv".into() } else { cleaned.trim().to_owned() }
}

/// The import page: the latest runs and, when asked, one run's report.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn page(
    state: &AppState,
    staff: &Staff,
    report: Option<&str>,
    asked: Option<&str>,
) -> Result<ImportPage, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let pool = state.db.pool();
    let recent = member_imports::recent(pool, staff.scope(chosen), RECENT_RUNS).await?;
    let report = match report.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(id) => {
            let not_found = || AppError::NotFound("Import".into());
            let id = id.parse::<i64>().map_err(|_| not_found())?;
            let run =
                member_imports::find(pool, id).await?.filter(|r| staff.covers(r.agency_id)).ok_or_else(not_found)?;
            let lines = member_imports::lines(pool, id).await?;
            Some(ImportReport { summary: run, lines })
        }
    };
    Ok(ImportPage { desk: agencies::desk(state, staff, chosen).await?, recent, report })
}

/// The template offered for download: the header row, UTF-8 with its
/// byte-order mark so that spreadsheets open the accents right.
pub fn template() -> Vec<u8> {
    let mut file = crate::server::spreadsheet::Csv::new();
    file.row(IMPORT_HEADER);
    file.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(file: &str) -> Vec<FileLine> {
        read_file(file.as_bytes()).unwrap()
    }

    #[test]
    fn each_refused_line_says_why() {
        let file = "N° d'adhérent;Nom;Email;Cotisation à jour jusqu'au
4400020A;Jeanne Martin;;
44000201A;;;
44000202A;Paul Durand;paul@;
44000203A;Luc Petit;;31/02/2026
44000204A;Ana Roy;;
44000204A;Ana Roy bis;;
44000205A;Léa Blanc;;
";
        let plans = plan(1, &lines(file), &HashMap::new(), &HashSet::from(["44000205A".to_owned()]));
        let details: Vec<(i64, ImportOutcome, String)> =
            plans.iter().map(|(line, _, p)| (*line, p.outcome(), p.detail())).collect();
        assert!(details[0].2.starts_with("N° d'adhérent invalide"), "{details:?}");
        assert!(details[1].2.contains("Indiquez le nom"), "{details:?}");
        assert!(details[2].2.starts_with("Adresse e-mail invalide"), "{details:?}");
        assert!(details[3].2.starts_with("Cotisation à jour jusqu'au : Date invalide"), "{details:?}");
        assert_eq!(details[4].1, ImportOutcome::Created);
        assert_eq!(details[5].2, "Ce n° d'adhérent figure déjà ligne 6 du fichier : cette ligne est ignorée.");
        assert_eq!(details[6].2, "Ce n° est déjà l'identifiant d'un autre compte.");
        assert_eq!(details.iter().filter(|d| d.1 == ImportOutcome::Refused).count(), 6);
    }

    #[test]
    fn file_names_are_kept_short_and_without_paths() {
        assert_eq!(clean_file_name("C:\\Users\\agence\\adhérents.csv"), "adhérents.csv");
        assert_eq!(clean_file_name(""), "adherents.csv");
        assert_eq!(clean_file_name(&"a".repeat(300)).len(), 100);
    }
}
