//! The `bons` binary as a child process: one-shot commands (`demo`,
//! `migrate`) and the server, started on a free port, killed with SIGKILL or
//! stopped with SIGTERM. The child is the binary itself, never a shell, so a
//! kill reaches the server and nothing else.

use crate::Result;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How to run `bons`: the same database, secret and site for every start.
#[derive(Debug, Clone)]
pub struct ServerSetup {
    pub bons: PathBuf,
    pub database_url: String,
    pub site_root: PathBuf,
    /// 64 hex digits; fixed across restarts so codes stay the same.
    pub secret: String,
    /// stdout and stderr of every `bons` process, appended.
    pub log: PathBuf,
    pub rust_log: String,
    /// Where the server's email goes (`BONS_MAIL_DIR`); its default otherwise.
    pub mail_dir: Option<PathBuf>,
    /// More settings, e.g. `("BONS_LEASE_SECONDS", "2")`.
    pub env: Vec<(String, String)>,
}

impl ServerSetup {
    pub fn new(bons: PathBuf, database_url: String, site_root: PathBuf, log: PathBuf) -> ServerSetup {
        ServerSetup {
            bons,
            database_url,
            site_root,
            secret: hex::encode(rand::random::<[u8; 32]>()),
            log,
            rust_log: "warn".into(),
            mail_dir: None,
            env: Vec::new(),
        }
    }

    fn command(&self, subcommand: &str, addr: SocketAddr) -> Result<Command> {
        let log = OpenOptions::new().create(true).append(true).open(&self.log)?;
        let mut command = Command::new(&self.bons);
        // Settings the caller's environment may hold must not change the server under test.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BONS_") {
                command.env_remove(name);
            }
        }
        command
            .arg(subcommand)
            .env("DATABASE_URL", &self.database_url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ROOT", &self.site_root)
            .env("LEPTOS_OUTPUT_NAME", "bons")
            .env("BONS_SECRET", &self.secret)
            .env("RUST_LOG", &self.rust_log)
            .envs(self.mail_dir.iter().map(|dir| ("BONS_MAIL_DIR", dir)))
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        Ok(command)
    }

    /// Runs `bons <subcommand>` (`demo`, `migrate`) to completion.
    pub async fn run(&self, subcommand: &str) -> Result<()> {
        self.run_with(subcommand, &[]).await
    }

    /// Runs `bons <subcommand> <args…>` (`demo --history`) to completion.
    pub async fn run_with(&self, subcommand: &str, args: &[&str]) -> Result<()> {
        let mut command = self.command(subcommand, "127.0.0.1:0".parse()?)?;
        command.args(args);
        let status = tokio::task::spawn_blocking(move || command.status()).await??;
        if !status.success() {
            return Err(format!("`bons {subcommand}` failed ({status}):\n{}", log_tail(&self.log, 20)).into());
        }
        Ok(())
    }

    /// Starts `bons serve` on a free port and waits until `/healthz` answers 200.
    pub async fn start(&self) -> Result<Server> {
        let addr = free_local_addr()?;
        let started = Instant::now();
        let child =
            self.command("serve", addr)?.spawn().map_err(|e| format!("cannot run {}: {e}", self.bons.display()))?;
        let mut server =
            Server { child: Some(child), addr, base: format!("http://{addr}"), ready_after: Duration::ZERO };
        let probe = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
        let deadline = started + Duration::from_secs(60);
        loop {
            if let Some(status) = server.exited()? {
                return Err(
                    format!("bons serve ended before it was ready ({status}):\n{}", log_tail(&self.log, 20)).into()
                );
            }
            let healthy = probe.get(format!("{}/healthz", server.base)).send().await;
            if healthy.is_ok_and(|r| r.status().is_success()) {
                server.ready_after = started.elapsed();
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(format!("bons serve was not ready within 60 s:\n{}", log_tail(&self.log, 20)).into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A running `bons serve`. Dropping it kills the process.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// From spawning the process to the first healthy answer.
    pub ready_after: Duration,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// The exit status if the process has ended on its own.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        match self.child.as_mut() {
            Some(child) => Ok(child.try_wait()?),
            None => Err("the server was already stopped".into()),
        }
    }

    /// SIGKILL, then waits for the process to be gone. The status says
    /// whether it died of the signal (`status.signal() == Some(9)`) or had
    /// ended by itself before.
    pub async fn kill(mut self) -> Result<ExitStatus> {
        let mut child = self.child.take().ok_or("the server was already stopped")?;
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        // std's Child::kill sends SIGKILL on Unix.
        child.kill()?;
        wait(child, Duration::from_secs(10)).await
    }

    /// SIGTERM, the way a service manager stops it; SIGKILL after `grace`.
    /// Returns the exit status and whether it stopped within `grace`.
    pub async fn stop(mut self, grace: Duration) -> Result<(ExitStatus, bool)> {
        let mut child = self.child.take().ok_or("the server was already stopped")?;
        if let Some(status) = child.try_wait()? {
            return Ok((status, true));
        }
        let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
        if !term.success() {
            return Err(format!("kill -TERM {} failed: {term}", child.id()).into());
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                return Ok((status, true));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill()?;
        Ok((wait(child, Duration::from_secs(10)).await?, false))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn wait(mut child: Child, limit: Duration) -> Result<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            return Err(format!("process {} still running {} s after being killed", child.id(), limit.as_secs()).into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A port nobody listens on right now. Another process could take it before
/// `bons` binds it; `start` would then fail with the server's own message.
pub fn free_local_addr() -> Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// The last `lines` lines of a log file, for error messages.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    let all: Vec<&str> = text.lines().collect();
    let tail = all[all.len().saturating_sub(lines)..].join("\n");
    if tail.is_empty() { format!("(nothing in {})", path.display()) } else { tail }
}
