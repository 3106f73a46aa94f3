//! Outgoing email: statements to members. SMTP in production; by default
//! (and in tests) each message is written as an `.eml` file in a folder,
//! where a person or a test can open it.
//!
//! A file is named after its message's `Message-ID`: a message sent again
//! with the same id (a statement whose server died between sending it and
//! recording it sent) replaces its file, as a mail client shows one message
//! per id.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};

/// Messages sent side by side over SMTP (lettre's pool keeps up to 10
/// connections).
const SMTP_AT_ONCE: usize = 8;

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Files { dir: PathBuf },
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.transport {
            Transport::Files { dir, .. } => write!(f, "Mailer(files in {})", dir.display()),
            Transport::Smtp(_) => f.write_str("Mailer(smtp)"),
        }
    }
}

impl Mailer {
    /// Messages become `<id>.eml` files in `dir` (created if missing).
    pub fn to_files(dir: &Path, from: Mailbox) -> std::io::Result<Mailer> {
        std::fs::create_dir_all(dir)?;
        Ok(Mailer { from, transport: Transport::Files { dir: dir.to_owned() } })
    }

    /// `smtps://user:password@host:465` or `smtp://host:587?tls=required`
    /// (lettre's URL form).
    pub fn smtp(url: &str, from: Mailbox) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("BONS_SMTP_URL is not a usable SMTP address: {e}"))?
            .build();
        Ok(Mailer { from, transport: Transport::Smtp(Box::new(transport)) })
    }

    /// The sender of every message.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Where `.eml` files go, with the file transport.
    pub fn folder(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Files { dir, .. } => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Sends several messages; one answer per message, in their order.
    /// Files are written by one blocking task for the lot (a task per file
    /// costs more than the writing, and each pool thread it wakes keeps
    /// memory). SMTP sends `SMTP_AT_ONCE` at a time over the transport's
    /// pooled connections: lettre does not set `TCP_NODELAY`, so a message
    /// waits about 40 ms for the server's delayed acknowledgement before its
    /// last bytes leave, and messages one after the other add those waits up
    /// (5,000 statements: over three minutes).
    pub async fn send_all(&self, messages: Vec<Message>) -> Vec<Result<(), String>> {
        let answers = self.send_all_unmetered(messages).await;
        for answer in &answers {
            crate::server::meters::email(if answer.is_ok() { "sent" } else { "failed" });
        }
        answers
    }

    async fn send_all_unmetered(&self, messages: Vec<Message>) -> Vec<Result<(), String>> {
        match &self.transport {
            Transport::Files { dir } => {
                let count = messages.len();
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || messages.iter().map(|m| write_eml(&dir, m)).collect())
                    .await
                    .unwrap_or_else(|e| vec![Err(format!("writing the messages stopped: {e}")); count])
            }
            Transport::Smtp(transport) => {
                let mut answers = vec![Err("sending stopped".to_owned()); messages.len()];
                let mut sending = tokio::task::JoinSet::new();
                for (i, message) in messages.into_iter().enumerate() {
                    if sending.len() >= SMTP_AT_ONCE
                        && let Some(Ok((i, answer))) = sending.join_next().await
                    {
                        answers[i] = answer;
                    }
                    let transport = transport.clone();
                    sending.spawn(
                        async move { (i, transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())) },
                    );
                }
                while let Some(done) = sending.join_next().await {
                    if let Ok((i, answer)) = done {
                        answers[i] = answer;
                    }
                }
                answers
            }
        }
    }

    /// Sends a plain-text email from us to `to`: the address refused or the
    /// sending failed is said in the error, for the log.
    pub async fn send_text(&self, to: &str, subject: String, body: String) -> Result<(), String> {
        let to = to.parse().map_err(|e| format!("adresse refusée ({to}) : {e}"))?;
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.send(message).await
    }

    /// Sends one message; the error is for the log and for staff ("not sent: …").
    pub async fn send(&self, message: Message) -> Result<(), String> {
        let sent = match &self.transport {
            Transport::Files { dir } => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || write_eml(&dir, &message))
                    .await
                    .unwrap_or_else(|e| Err(format!("writing the message stopped: {e}")))
            }
            Transport::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        };
        crate::server::meters::email(if sent.is_ok() { "sent" } else { "failed" });
        sent
    }
}

/// Writes a message as `<Message-ID>.eml` in `dir`, whole or not at all (a
/// temporary file renamed): a reader never sees half a message.
fn write_eml(dir: &Path, message: &Message) -> Result<(), String> {
    let id = message.headers().get_raw("Message-ID").map(file_name).unwrap_or_default();
    let id = if id.is_empty() { hex::encode(rand::random::<[u8; 16]>()) } else { id };
    let path = dir.join(format!("{id}.eml"));
    let partial = dir.join(format!(".{id}.eml.part"));
    std::fs::write(&partial, message.formatted())
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A Message-ID as a file name: `<a.b@host>` gives `a.b@host`, anything
/// but letters, digits, `.`, `-`, `_` and `@` replaced by `_`.
fn file_name(message_id: &str) -> String {
    message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') { c } else { '_' })
        .collect()
}
