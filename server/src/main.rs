//! `bons`: web vouchers for a building cooperative.
//!
//!     bons serve     run the web server (migrations first)
//!     bons migrate   bring the database schema up to date
//!     bons demo      load the demo data (idempotent)
//!     bons expire    record issued vouchers past their last day as expired
//!     bons audit verify   recompute the audit journal's hash chain
//!     bons backup FILE    copy the SQLite database while it serves
//!     bons restore FILE   put a backup in place in an empty database
//!     bons migrate-data --from sqlite://data/bons.db --to postgres://…
//!                    copy a SQLite database whole into an empty PostgreSQL one
//!     bons api-key create --supplier-login ouest --label "Caisse 1"
//!                    a till's API key, printed once
//!     bons sirene import FILE.csv
//!                    load establishments from INSEE's StockEtablissement CSV
//!     bons secret rotate | retire N | list
//!                    the server key's versions (docs/OPERATIONS.md)

use app::server::audit::Verdict;
use clap::{Parser, Subcommand};
use server::config::Config;
use server::logging::LogFormat;
use server::ops::redact;
use tracing_subscriber::EnvFilter;

/// Pages are rendered on every worker thread at once, each allocating and
/// freeing thousands of small strings: mimalloc keeps that per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "bons", version, about = "Bons Castors Web: vouchers for a building cooperative")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load the demo agency, members, suppliers and logins (safe to run again).
    Demo {
        /// Also a few weeks of history for the demo member, made once:
        /// vouchers paid, invoiced and delivered, invoices (one with a
        /// flagged line), a payment batch and a statement. `make run` asks
        /// for it; the browser tests start without it.
        #[arg(long)]
        history: bool,
    },
    /// Record issued vouchers past their last valid day as 92-expiré (the
    /// server also does it every hour).
    Expire,
    /// Copy the whole database, consistently, into FILE while the server
    /// serves (SQLite; PostgreSQL is copied with pg_dump: the command says
    /// how). Keep the server secret with it: see docs/OPERATIONS.md.
    Backup {
        /// The new file, e.g. sauvegardes/bons-2026-12-07.db (never overwritten).
        file: std::path::PathBuf,
    },
    /// Put a backup made by `bons backup` in place as the database, which
    /// must be empty (a new file); then bring it up to date.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// Copy a SQLite database whole into a new, empty PostgreSQL database
    /// (the server stopped): both brought up to date, every row copied in
    /// one transaction, checked (rows counted, the audit journal verified)
    /// before it commits. Keep the same server secret: see
    /// docs/OPERATIONS.md.
    MigrateData {
        /// The SQLite database, e.g. sqlite://data/bons.db.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, created empty (createdb), e.g.
        /// postgres://bons@localhost/bons.
        #[arg(long)]
        to: String,
    },
    /// The audit journal.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// API keys of suppliers' tills (also created in the supplier space).
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// The SIRENE register (INSEE), which public structures are checked against.
    Sirene {
        #[command(subcommand)]
        action: SireneAction,
    },
    /// The server key's versions: secret codes and QR links are made with
    /// the newest, older ones still check what they made.
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
}

#[derive(Subcommand)]
enum SecretAction {
    /// Add a new key version, used for every code and link made after the
    /// servers restart with it (copy the secret file to each server first).
    Rotate,
    /// Remove an old key version; refused, with what still needs it, while
    /// a voucher or pass made with it is not paid.
    Retire {
        /// The version to remove, as `bons secret list` shows it.
        version: i64,
    },
    /// Each key version, the one in service, and what still depends on each.
    List,
}

#[derive(Subcommand)]
enum SireneAction {
    /// Load establishments from an INSEE `StockEtablissement` CSV file
    /// (columns found by name, others ignored; safe to run again). Lines
    /// that cannot be read are skipped and listed with their line number.
    Import {
        /// The CSV file, e.g. StockEtablissement_utf8.csv.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create a key for the supplier of a supplier login; the key alone is
    /// printed on standard output (it is stored hashed: note it now).
    Create {
        /// A supplier staff login, e.g. `ouest`.
        #[arg(long)]
        supplier_login: String,
        /// What the key is for, e.g. "Caisse 1".
        #[arg(long)]
        label: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Recompute the hash chain; name the first event that does not match
    /// (exit status 1), or print the last hash to note elsewhere.
    Verify,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to standard error: standard output carries what a command
    // answers (`bons api-key create` prints the key alone, for scripts).
    // lopdf's opinion of a supplier's PDF is no error of ours.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,lopdf=off"));
    let installed = LogFormat::from_env().and_then(|format| server::logging::install(format, filter, std::io::stderr));
    if let Err(e) = installed {
        eprintln!("bons: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bons: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let command = match cli.command {
        // Before anything opens (and so creates) the target database.
        Command::Restore { file } => {
            server::ops::restore(&file, &cli.config.database_url).await?;
            server::state_from_config(&cli.config).await?;
            println!("Sauvegarde {} restaurée dans {}", file.display(), redact(&cli.config.database_url));
            return Ok(());
        }
        // A copy of the database as it is: nothing migrated, and
        // PostgreSQL refused before anything is done to it.
        Command::Backup { file } => {
            let url = &cli.config.database_url;
            if let Some(missing) = app::server::db::sqlite_file(url).filter(|f| !f.exists()) {
                return Err(format!("aucune base à sauvegarder : {} n'existe pas", missing.display()).into());
            }
            let db = app::server::db::Db::connect(url).await?;
            let copied = db.backup(&file).await;
            db.close().await;
            copied?;
            println!("Base sauvegardée dans {} ; gardez le secret du serveur avec elle.", file.display());
            return Ok(());
        }
        // The keys themselves: no server state, the database only to count.
        Command::Secret { action } => {
            let outcome = match action {
                SecretAction::Rotate => server::secret::rotate(&cli.config)?,
                SecretAction::Retire { version } => server::secret::retire(&cli.config, version).await?,
                SecretAction::List => {
                    println!("{}", server::secret::list(&cli.config).await?);
                    return Ok(());
                }
            };
            eprintln!("{}", outcome.done);
            if let Some(value) = outcome.new_secret {
                println!("{value}");
            }
            return Ok(());
        }
        // Two databases named on the command line; no secret needed.
        Command::MigrateData { from, to } => {
            eprintln!("Migration de {} vers {}…", redact(&from), redact(&to));
            let summary = server::migrate_data::migrate_data(&from, &to, |line| eprintln!("  {line}")).await?;
            println!("Base {} copiée dans {} :", redact(&from), redact(&to));
            println!("{summary}");
            println!("Pointez DATABASE_URL sur {}, gardez le même secret du serveur, puis démarrez.", redact(&to));
            return Ok(());
        }
        command => command,
    };
    let state = server::state_from_config(&cli.config).await?;
    match command {
        Command::Restore { .. } | Command::Backup { .. } | Command::Secret { .. } | Command::MigrateData { .. } => {}
        Command::Migrate => println!("Base de données à jour : {}", redact(&cli.config.database_url)),
        Command::Demo { history: with_history } => {
            app::server::demo::load(&state.db).await?;
            let added = with_history && app::server::demo::history(&state).await?;
            use app::server::demo::*;
            println!("Données de démonstration chargées dans {}", redact(&cli.config.database_url));
            if added {
                println!(
                    "  Historique ajouté : bons payés, facturés, livrés ; une facture avec une ligne signalée ; un relevé ;"
                );
                println!("  une commande de pass de la Ville activée, trois pass encaissés chez Matériaux de l'Ouest");
            }
            if let Some((number, code)) = app::server::demo::pass_to_try(&state).await? {
                println!("  Pass à encaisser (Encaisser un pass, fournisseur) : {number}, code secret {code}");
            }
            println!("  Adhérent à jour de cotisation : {PAID_UP_MEMBER} / {DEMO_PASSWORD}");
            println!("  Adhérent pas à jour           : {UNPAID_MEMBER} / {DEMO_PASSWORD}");
            println!("  Fournisseur (Matériaux de l'Ouest) : {SUPPLIER_LOGIN} / {DEMO_PASSWORD}");
            println!("  Agence de Nantes              : {AGENCY_LOGIN} / {DEMO_PASSWORD}");
            println!("  Administrateur                : {ADMIN_LOGIN} / {DEMO_PASSWORD}");
            println!("  Commanditaire (Ville de Saint-Aubin-des-Castors) : {SPONSOR_LOGIN} / {DEMO_PASSWORD}");
            println!("  Commanditaire (CCAS)          : {OTHER_SPONSOR_LOGIN} / {DEMO_PASSWORD}");
            println!("  Commanditaire privé           : {PRIVATE_SPONSOR_LOGIN} / {DEMO_PASSWORD}");
        }
        Command::Expire => {
            let expired = app::server::services::vouchers::expire_overdue(&state, chrono::Utc::now()).await?;
            println!("{expired} bon(s) expiré(s) enregistré(s).");
        }
        Command::Audit { action: AuditAction::Verify } => match app::server::audit::verify(state.db.pool()).await? {
            Verdict::Intact { events, last_hash } => {
                println!("Journal d'audit intègre : {events} événement(s), dernier hachage {last_hash}");
            }
            Verdict::Broken { event, reason } => {
                return Err(format!("journal d'audit altéré à l'événement n° {event} : {reason}").into());
            }
        },
        Command::ApiKey { action: ApiKeyAction::Create { supplier_login, label } } => {
            let created = app::server::services::accounts::api_keys::create_for_login(
                &state,
                &supplier_login.trim().to_lowercase(),
                &label,
                chrono::Utc::now(),
            )
            .await?;
            eprintln!(
                "Clé API « {label} » créée pour {supplier_login} ({}…) : elle ne sera plus affichée.",
                created.prefix
            );
            println!("{}", created.key);
        }
        Command::Sirene { action: SireneAction::Import { file } } => {
            use app::server::services::structures::register;
            let opened = std::fs::File::open(&file).map_err(|e| format!("{} : {e}", file.display()))?;
            let report = register::import(&state.db, std::io::BufReader::new(opened), chrono::Utc::now()).await?;
            for (line, why) in &report.refusals {
                println!("ligne {line} refusée : {why}");
            }
            let untold = report.refused.saturating_sub(report.refusals.len() as u64);
            if untold > 0 {
                println!("… et {untold} autre(s) ligne(s) refusée(s).");
            }
            println!("{}", report.summary());
        }
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(cli.config.site_addr).await?;
            let addr = listener.local_addr()?;
            println!("bons écoute sur http://{addr}  (adresse publique : {})", state.settings.public_url);
            server::serve(listener, state.clone(), shutdown_signal()).await?;
            state.db.close().await;
            println!("bons arrêté proprement.");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
