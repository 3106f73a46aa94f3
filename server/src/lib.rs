//! The `bons` server: configuration, the HTTP router, and the serve loop. The
//! binary in `main.rs` is a thin command line over this library, and the
//! integration tests start the same server on port 0.

pub mod config;
pub mod http;
pub mod logging;
pub mod ops;

use app::server::{AppState, codes::Keys, db::Db};
use axum::serve::{ListenerExt, TapIo};
use config::Config;
use leptos::config::LeptosOptions;
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::net::{TcpListener, TcpStream};

/// Connects to the database, runs its migrations, and assembles the state.
pub async fn state_from_config(config: &Config) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let settings = config.settings()?;
    let keys = Keys::from_secret(&config.secret()?);
    let mailer = config.mailer()?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let leptos_options = LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "bons".into()))
        .site_root(config.site_root.as_str())
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(config.site_addr)
        // cargo-leptos hashes the bundle's file names and says so next to the binary.
        .hash_files(app::site::hash_file().is_some())
        .build();
    Ok(AppState { leptos_options, db, settings: Arc::new(settings), keys: Arc::new(keys), mailer: Arc::new(mailer) })
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A statement run is worked through by the server that started it: one
    // a stopped server left unfinished is closed, and may be started again
    // (it skips the members already emailed).
    let at = app::domain::Timestamp::new(chrono::Utc::now());
    match app::server::store::statements::close_abandoned_runs(state.db.pool(), at).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(runs = n, "statement runs left unfinished by a stopped server closed"),
        Err(e) => tracing::error!(error = %e, "closing abandoned statement runs"),
    }
    // Overdue vouchers are recorded expired before the first request is
    // answered, then every hour.
    expire_overdue(&state).await;
    let expiry = tokio::spawn(expire_every_hour(state.clone()));
    let app = http::router(state);
    // The peer's address reaches handlers: attempt budgets count per address.
    let served = axum::serve(without_nagle(listener), app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    expiry.abort();
    served
}

/// Accepted connections send every write at once (`TCP_NODELAY`). A static
/// file leaves as two writes, headers then body: with Nagle's algorithm the
/// body waited for the phone's delayed ACK, about 40 ms per file on a
/// kept-alive connection.
pub fn without_nagle(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    fn no_delay(connection: &mut TcpStream) {
        if let Err(e) = connection.set_nodelay(true) {
            tracing::warn!(error = %e, "TCP_NODELAY not set on an accepted connection");
        }
    }
    listener.tap_io(no_delay)
}

/// Records expired vouchers, sends the reminders of the sponsors' orders'
/// overdue steps and the reports of the passes whose validity ended, every
/// hour. Several servers on one database may
/// all do it: each voucher expires once (the status update is conditional)
/// and each reminder is noted once, so the journal gets one event each.
async fn expire_every_hour(state: AppState) {
    let hour = std::time::Duration::from_secs(3600);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + hour, hour);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        expire_overdue(&state).await;
    }
}

async fn expire_overdue(state: &AppState) {
    if let Err(e) = app::server::services::vouchers::expire_overdue(state, chrono::Utc::now()).await {
        tracing::error!(error = %e, "expiring overdue vouchers");
    }
    if let Err(e) = app::server::services::shop::way::remind_overdue(state, chrono::Utc::now()).await {
        tracing::error!(error = %e, "reminding the orders' overdue steps");
    }
    if let Err(e) = app::server::services::shop::year_end::send_due(state, chrono::Utc::now()).await {
        tracing::error!(error = %e, "sending the passes' year-end reports");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_send_each_write_without_waiting_for_an_ack() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut listener = without_nagle(listener);
        let _phone = TcpStream::connect(address).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap(), "Nagle's algorithm is still on for the accepted connection");
    }
}
