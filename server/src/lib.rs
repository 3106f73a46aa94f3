//! The `bons` server: configuration, the HTTP router, and the serve loop. The
//! binary in `main.rs` is a thin command line over this library, and the
//! integration tests start the same server on port 0.

pub mod config;
pub mod http;
pub mod logging;
pub mod migrate_data;
pub mod ops;
pub mod secret;

use app::server::{AppState, db::Db, jobs, store::key_versions};
use axum::serve::{ListenerExt, TapIo};
use config::Config;
use leptos::config::LeptosOptions;
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::net::{TcpListener, TcpStream};

/// Connects to the database, runs its migrations, and assembles the state.
pub async fn state_from_config(config: &Config) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let settings = config.settings()?;
    let keys = config.keyring()?;
    let mailer = config.mailer()?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    // A server without the newest key in use could check none of its codes.
    let in_use = key_versions::highest_in_use(db.pool()).await?;
    if in_use > keys.current_version() {
        db.close().await;
        return Err(format!(
            "the database holds codes made with server key version {in_use}, which this server does not have \
             (its newest is {}): copy the secret file (or BONS_SECRET) from where `bons secret rotate` ran",
            keys.current_version()
        )
        .into());
    }
    let leptos_options = LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "bons".into()))
        .site_root(config.site_root.as_str())
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(config.site_addr)
        // cargo-leptos hashes the bundle's file names and says so next to the binary.
        .hash_files(app::site::hash_file().is_some())
        .build();
    Ok(AppState {
        leptos_options,
        db,
        settings: Arc::new(settings),
        keys: Arc::new(keys),
        mailer: Arc::new(mailer),
        jobs: Arc::new(jobs::Worker::new(config.lease())),
    })
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Background jobs (app::server::jobs): the hourly sweep runs before the
    // first request is answered when it is due (overdue vouchers recorded
    // expired); runs another server left are taken up; then every beat.
    jobs::scan(&state, true).await;
    let scanning = tokio::spawn(jobs::keep_scanning(state.clone()));
    let (worker, pool) = (state.jobs.clone(), state.db.pool().clone());
    let app = http::router(state);
    // The peer's address reaches handlers: attempt budgets count per address.
    let served = axum::serve(without_nagle(listener), app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    // The requests are answered: the jobs under way stop at their next step
    // and are handed back, for another server to take up at once.
    worker.stop(&pool).await;
    scanning.abort();
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
