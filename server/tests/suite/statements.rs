//! Members' statements: made by staff for a member and a period, or for a
//! whole agency and month in one run; kept as PDF and CSV, emailed through
//! the file transport (one `.eml` per message, read back here), and listed
//! in the member's space. On a real database (SQLite, or PostgreSQL with
//! BONS_TEST_DATABASE_URL).

use crate::common;

use app::domain::InvoiceLineInput;
use app::server::services::invoices::{self, InvoiceInput, Submitter};
use chrono::Utc;
use common::{Browser, PAID_UP, TestApp, UNPAID, mails, message, pdf_text, today, used_voucher_at};
use reqwest::StatusCode;

const OUEST: &str = "Matériaux de l'Ouest";

fn this_month() -> String {
    today()[..7].to_owned()
}

/// An attachment of a raw message, decoded from base64 or quoted-printable
/// (the mail library picks the shorter for a text file).
fn attachment(mail: &str, file_suffix: &str) -> Vec<u8> {
    use base64::Engine;
    let start = mail.find(file_suffix).expect("attachment named");
    let part_start = mail[..start].rfind("\r\n--").unwrap_or(0);
    let rest = &mail[start..];
    let headers = &mail[part_start..start + rest.find("\r\n\r\n").expect("part body")];
    let body = &rest[rest.find("\r\n\r\n").expect("part body") + 4..];
    let end = body.find("\r\n--").unwrap_or(body.len());
    let body = &body[..end];
    if headers.contains("quoted-printable") {
        let mut out = Vec::new();
        let mut bytes = body.replace("=\r\n", "").into_bytes().into_iter();
        while let Some(b) = bytes.next() {
            if b == b'=' {
                let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).expect("=XX"));
            } else {
                out.push(b);
            }
        }
        return out;
    }
    if !headers.contains("base64") {
        return body.as_bytes().to_vec();
    }
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).expect("base64 attachment")
}

async fn set_email(app: &TestApp, member: &str, email: &str) {
    app.update_row_with("UPDATE members SET email = $2 WHERE number = $1", member, email).await;
}

async fn staff(app: &TestApp) -> Browser {
    app.logged_in("agence.nantes").await
}

/// Staff issue and send Camille's statement from the first of this month to today.
async fn send_this_months_statement(desk: &Browser) -> (StatusCode, serde_json::Value) {
    let from = format!("{}-01", this_month());
    desk.call("issue_statement", &[("member", PAID_UP), ("from", &from), ("to", &today()), ("send", "1")]).await
}

#[tokio::test]
async fn a_statement_lists_the_vouchers_with_their_invoices_as_pdf_and_csv_and_reaches_the_member() {
    let app = TestApp::spawn().await;
    set_email(&app, PAID_UP, "camille.martin@exemple.fr").await;
    let phone = app.logged_in(PAID_UP).await;
    let (_, n1, c1) = used_voucher_at(&app, &phone, OUEST, "42").await;
    let (_, n2, _) = used_voucher_at(&app, &phone, "Bois & Charpente 44", "18").await;
    // The first voucher is invoiced (41,50 €) and the invoice accepted.
    let ouest = app.supplier_user("ouest").await;
    let input = InvoiceInput {
        number: "F-2026-118".into(),
        date: today(),
        amount: "41,50".into(),
        lines: vec![InvoiceLineInput { voucher_number: n1.clone(), code: c1, amount: "41,50".into() }],
    };
    let invoice = invoices::submit_invoice(&app.state, &Submitter::user(&ouest), &input, Utc::now()).await.unwrap();
    let desk = staff(&app).await;
    let (status, answer) = desk.call("accept_invoice", &[("id", &invoice.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (status, row) = send_this_months_statement(&desk).await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["voucher_count"], 2);
    assert_eq!(row["total"], 6_000);
    assert_eq!(row["invoiced"], 4_150);
    assert_eq!(row["emailed_to"], "camille.martin@exemple.fr");
    let id = row["id"].as_i64().unwrap();

    // The PDF, as the member downloads it again from their space.
    let pdf = phone.client.get(format!("{}/releves/{id}/pdf", phone.base)).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().await.unwrap().to_vec();
    let text = pdf_text(&pdf);
    for expected in
        [n1.as_str(), n2.as_str(), "Camille Martin", PAID_UP, "F-2026-118", "60", "41,50", "Relevé de bons Castors Web"]
    {
        assert!(text.contains(expected), "the PDF shows «{expected}»: {text}");
    }
    // The CSV: a row per voucher, then the totals.
    let csv = phone.client.get(format!("{}/releves/{id}/csv", phone.base)).send().await.unwrap().text().await.unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(rows[1].contains(&n1) && rows[1].contains("F-2026-118") && rows[1].ends_with("41,50"), "{csv}");
    assert!(rows[2].contains(&n2) && rows[2].contains("11-livré"), "{csv}");
    assert_eq!(rows[3], "Total des bons utilisés;2;;60,00;;;;");
    assert_eq!(rows[4], "Total facturé;;;;;;;41,50");

    // The email: to the member, with the same PDF attached.
    let sent = mails(&app.dir.path().join("mail"));
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert!(mail.contains("To: camille.martin@exemple.fr"), "{mail}");
    assert!(mail.contains("Subject:"), "{mail}");
    assert_eq!(attachment(mail, ".pdf\""), pdf, "the attachment is the statement kept");

    // Listed in the member's space; nobody else's statement is.
    let (_, mine) = phone.call("my_statements", &[]).await;
    assert_eq!(mine[0]["id"], id);
    let other = app.logged_in(UNPAID).await;
    let (_, theirs) = other.call("my_statements", &[]).await;
    assert_eq!(theirs, serde_json::json!([]));
    let refused = other.client.get(format!("{}/releves/{id}/pdf", other.base)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let page = phone.get("/releves").await;
    assert!(page.contains(&format!("/releves/{id}/pdf")), "the member's page links the PDF");
}

#[tokio::test]
async fn bad_periods_and_unknown_members_are_refused_in_french_and_store_nothing() {
    let app = TestApp::spawn().await;
    let desk = staff(&app).await;
    let cases = [
        (PAID_UP, "2026-11-30", "2026-11-01", "précède"),
        (PAID_UP, "31/02/2026", "2026-11-01", "Début de la période"),
        (PAID_UP, "2024-01-01", "2026-11-01", "au plus un an"),
        ("", "2026-11-01", "2026-11-30", "n° d'adhérent"),
        ("44999999Z", "2026-11-01", "2026-11-30", "Adhérent introuvable"),
    ];
    for (member, from, to, expected) in cases {
        let (status, refused) = desk.call("issue_statement", &[("member", member), ("from", from), ("to", to)]).await;
        assert!(status.is_client_error(), "{member} {from} {to}: {refused}");
        assert!(message(&refused).contains(expected), "{expected}: {refused}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM statements").await, 0);
    let rennes = common::agency::rennes_staff(&app).await;
    let (status, _) =
        rennes.call("issue_statement", &[("member", PAID_UP), ("from", "2026-11-01"), ("to", "2026-11-30")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another agency's member is unknown");
}

#[tokio::test]
async fn a_run_for_the_month_sends_one_statement_per_member_with_progress_and_never_twice() {
    let app = TestApp::spawn().await;
    set_email(&app, PAID_UP, "camille.martin@exemple.fr").await;
    let desk = staff(&app).await;
    let (status, refused) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&refused).contains("aucun adhérent"), "{refused}");

    // Two members used vouchers this month; one has no email address.
    let camille = app.logged_in(PAID_UP).await;
    used_voucher_at(&app, &camille, OUEST, "42").await;
    used_voucher_at(&app, &camille, OUEST, "8").await;
    let page = desk
        .submit(
            "/agence/adherents/nouveau",
            "/api/create_member",
            &[("number", "44000777C"), ("name", "Alix Moreau"), ("email", ""), ("fee_paid_until", "2099-12-31")],
        )
        .await;
    assert!(page.status.is_redirection() || page.status.is_success(), "member created");
    let alix = {
        app.update_row(
            "UPDATE accounts SET password_hash = $1 WHERE login = '44000777C'",
            app::server::auth::hash_password(common::PASSWORD),
        )
        .await;
        app.logged_in("44000777C").await
    };
    used_voucher_at(&app, &alix, OUEST, "15").await;

    let (status, run) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["total"], 2);
    let id = run["id"].to_string();
    let mut progress = Vec::new();
    let finished = loop {
        let (_, run) = desk.call("statement_run", &[("id", &id)]).await;
        progress.push(run["done"].as_i64().unwrap());
        if run["finished"] == true {
            break run;
        }
        assert!(progress.len() < 400, "the run finishes: {progress:?}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "progress only grows: {progress:?}");
    assert_eq!(
        (finished["done"].as_i64(), finished["emailed"].as_i64(), finished["no_email"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    let sent = mails(&app.dir.path().join("mail"));
    assert_eq!(sent.len(), 1, "one email, to the member with an address");
    assert!(sent[0].contains("To: camille.martin@exemple.fr"));
    let (_, rows) = alix.call("my_statements", &[]).await;
    assert_eq!(rows[0]["email_error"], "Pas d'adresse e-mail", "{rows}");
    assert_eq!(rows[0]["total"], 1_500);

    // Started again with no address for Alix: nothing to send, and no
    // second statement made.
    let (status, refused) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(message(&refused).contains("attendent l'adresse e-mail"), "{refused}");
    // Once staff know her address, her kept statement goes to it, the same
    // one: still one statement, now emailed.
    set_email(&app, "44000777C", "alix.moreau@exemple.fr").await;
    let again = run_to_the_end(&desk, &this_month()).await;
    assert_eq!((again["total"].as_i64(), again["emailed"].as_i64()), (Some(1), Some(1)), "{again}");
    let (_, rows) = alix.call("my_statements", &[]).await;
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "still one statement: {rows}");
    assert_eq!(rows[0]["emailed_to"], "alix.moreau@exemple.fr", "{rows}");
    assert!(rows[0]["emailed_at"].is_string() && rows[0]["email_error"].is_null(), "{rows}");
    let sent = mails(&app.dir.path().join("mail"));
    assert!(sent.iter().any(|m| m.contains("To: alix.moreau@exemple.fr")), "sent to her new address");
    assert_eq!(sent.len(), 2);
    // A month that has not begun, or nonsense, is refused.
    let (status, refused) = desk.call("start_statement_run", &[("month", "2099-01")]).await;
    assert_eq!(status.as_u16(), 422, "{refused}");
    let (status, refused) = desk.call("start_statement_run", &[("month", "novembre")]).await;
    assert_eq!(status.as_u16(), 422);
    assert!(message(&refused).contains("Mois invalide"), "{refused}");
}

#[tokio::test]
async fn the_demo_history_fills_every_screen_once() {
    let app = TestApp::spawn().await;
    // As `make run` asks for it.
    let out = app.bons(&["demo", "--history"]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.contains("Historique ajouté"),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = |sql: &'static str| app.count(sql);
    assert!(count("SELECT COUNT(*) FROM vouchers WHERE status = 31").await >= 2, "paid vouchers");
    assert!(count("SELECT COUNT(*) FROM vouchers WHERE status = 21").await >= 1, "invoiced vouchers");
    assert!(count("SELECT COUNT(*) FROM vouchers WHERE status = 11").await >= 1, "delivered vouchers");
    assert!(count("SELECT COUNT(*) FROM vouchers WHERE status = 1").await >= 1, "an issued voucher");
    assert_eq!(count("SELECT COUNT(*) FROM invoice_lines WHERE flag IS NOT NULL").await, 1, "one flagged line");
    assert_eq!(count("SELECT COUNT(*) FROM payment_batches WHERE paid_on IS NOT NULL").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM invoices WHERE status = 'accepted'").await, 1);
    assert_eq!(count("SELECT COUNT(*) FROM statements").await, 1);
    // The town's order, activated; three of its passes spent at the Ouest.
    assert_eq!(count("SELECT COUNT(*) FROM passes WHERE status = 'active'").await, 17);
    assert_eq!(count("SELECT COUNT(*) FROM passes WHERE status = 'used'").await, 3);
    // It prints one of the others, number and code, to try at the counter.
    let line = printed.lines().find(|l| l.contains("Pass à encaisser")).expect("a pass to try");
    let (number, code) = line.rsplit_once(" : ").unwrap().1.split_once(", code secret ").unwrap();
    assert_eq!(app.state.keys.current().pass_code(number, 2_000).reveal(), code, "{line}");
    let status: String = app
        .value_of(
            "SELECT status FROM passes WHERE sequence = $1",
            number.rsplit('.').next().unwrap().parse::<i64>().unwrap(),
        )
        .await;
    assert_eq!(status, "active");
    let vouchers = count("SELECT COUNT(*) FROM vouchers").await;
    assert!(!app::server::demo::history(&app.state).await.expect("history again"), "made once");
    assert_eq!(count("SELECT COUNT(*) FROM vouchers").await, vouchers);
    let verdict = app::server::audit::verify(app.db.pool()).await.expect("journal");
    assert!(matches!(verdict, app::server::audit::Verdict::Intact { .. }), "journal chain intact: {verdict:?}");
}

/// `count` members of Nantes numbered `47000000L`…, member i with an
/// address `membre{i}@exemple.fr` and `vouchers(i)` vouchers used today at
/// the Ouest supplier, worth 100 × (i + 1) cents each.
async fn members_with_uses(app: &TestApp, count: usize, vouchers: fn(usize) -> usize) {
    let pool = app.db.pool();
    let (agency, supplier): (i64, i64) = sqlx::query_as(
        "SELECT a.id, s.id FROM agencies a JOIN suppliers s ON s.agency_id = a.id WHERE a.code = 'NA' AND s.name = $1",
    )
    .bind(OUEST)
    .fetch_one(pool)
    .await
    .unwrap();
    let now = app::server::clock::stamp(Utc::now());
    let year = app::server::clock::paris_year(Utc::now());
    let mut seq = 0;
    for i in 0..count {
        let member: i64 = sqlx::query_scalar(
            "INSERT INTO members (agency_id, number, name, email, fee_paid_until, active, created_at)
             VALUES ($1, $2, $3, $4, '2099-12-31', 1, $5) RETURNING id",
        )
        .bind(agency)
        .bind(format!("47{i:06}L"))
        .bind(format!("Membre {i}"))
        .bind(format!("membre{i}@exemple.fr"))
        .bind(&now)
        .fetch_one(pool)
        .await
        .unwrap();
        for _ in 0..vouchers(i) {
            seq += 1;
            sqlx::query(
                "INSERT INTO vouchers (member_id, supplier_id, agency_id, status, amount_cents, requested_at, valid_until,
                                       used_at, number_year, number_seq, number, code_length)
                 VALUES ($1, $2, $3, 11, $4, $5, '2099-12-31', $5, $6, $7, $8, 4)",
            )
            .bind(member)
            .bind(supplier)
            .bind(agency)
            .bind(i64::try_from(100 * (i + 1)).unwrap())
            .bind(&now)
            .bind(year)
            .bind(seq)
            .bind(format!("W{year}.NA.442.{:08}", 50_000 + seq))
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

#[tokio::test]
async fn a_run_longer_than_one_batch_gives_each_member_their_own_vouchers() {
    let app = TestApp::spawn().await;
    let pool = app.db.pool();
    // 230 members (more than a batch of 200), member i with i % 3 + 1 vouchers.
    members_with_uses(&app, 230, |i| i % 3 + 1).await;
    let desk = staff(&app).await;
    let (status, run) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["total"], 230);
    let id = run["id"].to_string();
    let finished = loop {
        let (_, run) = desk.call("statement_run", &[("id", &id)]).await;
        if run["finished"] == true {
            break run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert_eq!((finished["done"].as_i64(), finished["emailed"].as_i64()), (Some(230), Some(230)), "{finished}");
    // Each statement holds its member's vouchers and theirs only.
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT m.number, st.voucher_count, st.total_cents FROM statements st JOIN members m ON m.id = st.member_id
          WHERE m.number LIKE '47%' ORDER BY m.number",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 230);
    for (i, (number, count, total)) in rows.into_iter().enumerate() {
        let i = i64::try_from(i).unwrap();
        assert_eq!(number, format!("47{i:06}L"));
        assert_eq!((count, total), (i % 3 + 1, (i % 3 + 1) * 100 * (i + 1)), "member {number}");
    }
    // Each email goes to its member and carries that member's statement.
    let sent = mails(&app.dir.path().join("mail"));
    assert_eq!(sent.len(), 230);
    for mail in &sent {
        let to = mail.lines().find_map(|l| l.strip_prefix("To: ")).expect("a recipient");
        let i: usize = to.trim_start_matches("membre").trim_end_matches("@exemple.fr").parse().expect("membreN");
        assert!(mail.contains(&format!("releve-47{i:06}L-")), "the email to {to} carries its member's statement");
    }
    let verdict = app::server::audit::verify(pool).await.expect("journal");
    assert!(matches!(verdict, app::server::audit::Verdict::Intact { .. }), "journal chain intact: {verdict:?}");
}

/// Staff start the month's run and wait for its end.
async fn run_to_the_end(desk: &Browser, month: &str) -> serde_json::Value {
    let (status, run) = desk.call("start_statement_run", &[("month", month)]).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let id = run["id"].to_string();
    for _ in 0..400 {
        let (_, run) = desk.call("statement_run", &[("id", &id)]).await;
        if run["finished"] == true {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the run does not finish");
}

#[tokio::test]
async fn a_run_stopped_before_its_emails_sends_the_kept_statements_when_started_again() {
    let app = TestApp::spawn().await;
    set_email(&app, PAID_UP, "camille.martin@exemple.fr").await;
    let camille = app.logged_in(PAID_UP).await;
    used_voucher_at(&app, &camille, OUEST, "42").await;
    let desk = staff(&app).await;
    let mail = app.dir.path().join("mail");

    let first = run_to_the_end(&desk, &this_month()).await;
    assert_eq!((first["done"].as_i64(), first["emailed"].as_i64()), (Some(1), Some(1)), "{first}");
    assert_eq!(mails(&mail).len(), 1);
    let first_pdf = attachment(&mails(&mail)[0], ".pdf\"");
    // What a server stopped before a run's last email leaves: the
    // statement made and kept, its email not yet sent.
    sqlx::query("UPDATE statements SET emailed_at = NULL").execute(app.db.pool()).await.unwrap();
    let (_, rows) = camille.call("my_statements", &[]).await;
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["emailed_at"], serde_json::Value::Null, "{rows}");

    // Started again: the kept statement is emailed, not made a second time.
    let again = run_to_the_end(&desk, &this_month()).await;
    assert_eq!(
        (again["total"].as_i64(), again["done"].as_i64(), again["emailed"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    let (_, rows) = camille.call("my_statements", &[]).await;
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "still one statement: {rows}");
    assert!(rows[0]["emailed_at"].is_string(), "now emailed: {rows}");
    // Sent again under the statement's own Message-ID: the same message,
    // one file in the folder, as one message in the member's mailbox.
    let sent = mails(&mail);
    assert_eq!(sent.len(), 1, "the same message, sent again");
    assert_eq!(attachment(&sent[0], ".pdf\""), first_pdf, "the same PDF");

    // Emailed now: a third run has nothing to send.
    let (status, refused) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(message(&refused).contains("déjà reçu"), "{refused}");
}

/// A mail server on loopback that takes messages over SMTP but answers none
/// until it is opened: a mail server at its slowest. Refuses the recipients
/// `refuse…`; keeps the messages it accepted.
struct HeldMailServer {
    port: u16,
    open: tokio::sync::watch::Sender<bool>,
    accepted: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl HeldMailServer {
    async fn start() -> HeldMailServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (open, gate) = tokio::sync::watch::channel(false);
        let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Self::session(stream, gate.clone(), kept.clone()));
            }
        });
        HeldMailServer { port, open, accepted }
    }

    /// One SMTP session: every command is accepted; each message's final
    /// answer waits for the gate.
    async fn session(
        stream: tokio::net::TcpStream,
        mut gate: tokio::sync::watch::Receiver<bool>,
        accepted: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    ) -> std::io::Result<()> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
        stream.set_nodelay(true)?;
        let (read, mut write) = stream.into_split();
        let mut lines = tokio::io::BufReader::new(read).lines();
        write.write_all(b"220 held.invalid ESMTP\r\n").await?;
        while let Some(line) = lines.next_line().await? {
            let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" | "HELO" => write.write_all(b"250-held.invalid\r\n250 8BITMIME\r\n").await?,
                "RCPT" if line.contains("<refuse") => write.write_all(b"550 5.1.1 no such mailbox\r\n").await?,
                "DATA" => {
                    write.write_all(b"354 end with a dot\r\n").await?;
                    let mut message = String::new();
                    while let Some(line) = lines.next_line().await? {
                        if line == "." {
                            break;
                        }
                        message.push_str(&line);
                        message.push('\n');
                    }
                    if gate.wait_for(|open| *open).await.is_err() {
                        return Ok(());
                    }
                    accepted.lock().unwrap().push(message);
                    write.write_all(b"250 2.0.0 queued\r\n").await?;
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => write.write_all(b"250 ok\r\n").await?,
            }
        }
        Ok(())
    }

    fn open(&self) {
        self.open.send_replace(true);
    }

    /// The recipients of the messages accepted, one per message.
    fn recipients(&self) -> Vec<String> {
        let accepted = self.accepted.lock().unwrap();
        accepted.iter().map(|m| m.lines().find_map(|l| l.strip_prefix("To: ")).unwrap_or_default().to_owned()).collect()
    }
}

#[tokio::test]
async fn a_slow_mail_server_holds_back_the_emails_never_the_statements() {
    let mail_server = HeldMailServer::start().await;
    let smtp = format!("smtp://127.0.0.1:{}", mail_server.port);
    let app = TestApp::spawn_with(|config| config.smtp_url = Some(smtp)).await;
    // 450 members: three batches, more than the run's mail task holds. The
    // mail server refuses one member's address.
    members_with_uses(&app, 450, |_| 1).await;
    sqlx::query("UPDATE members SET email = 'refuse@exemple.fr' WHERE number = '47000321L'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let desk = staff(&app).await;
    let (status, run) = desk.call("start_statement_run", &[("month", &this_month())]).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let id = run["id"].to_string();
    let poll = async |until: fn(&serde_json::Value) -> bool| {
        for _ in 0..2400 {
            let (_, run) = desk.call("statement_run", &[("id", &id)]).await;
            if until(&run) {
                return run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the run never got there");
    };

    // The mail server answers nothing: every statement is made and kept all
    // the same, and the members find theirs in « Mes relevés ».
    let made = poll(|run| run["done"] == 450).await;
    assert_eq!((made["emailed"].as_i64(), made["finished"].as_bool()), (Some(0), Some(false)), "{made}");
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statements st JOIN members m ON m.id = st.member_id
          WHERE m.number LIKE '47%' AND st.emailed_at IS NULL AND st.email_error IS NULL",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(kept, 450, "every statement kept, none emailed yet");
    assert!(mail_server.recipients().is_empty());

    // Once it answers, every member gets one email, and only one; the
    // refused address is recorded against its own statement.
    mail_server.open();
    let finished = poll(|run| run["finished"] == true).await;
    assert_eq!(
        (finished["done"].as_i64(), finished["emailed"].as_i64(), finished["failed"].as_i64()),
        (Some(450), Some(449), Some(1)),
        "{finished}"
    );
    let mut recipients = mail_server.recipients();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 449, "one email to each member");
    assert_eq!(mail_server.recipients().len(), 449, "and no member twice");
    assert!(!recipients.contains(&"membre321@exemple.fr".to_owned()));
    let failed: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT m.number, st.emailed_at FROM statements st JOIN members m ON m.id = st.member_id
          WHERE st.email_error IS NOT NULL",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(failed, vec![("47000321L".to_owned(), None)], "the refused address's statement, and it alone");
    assert!(mails(&app.dir.path().join("mail")).is_empty(), "SMTP, not the file transport");
}

/// A cell a spreadsheet would run as a formula: it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return, and is not a plain number.
fn runs_as_formula(cell: &str) -> bool {
    let plain_number = cell.trim_start_matches('-').replace(',', "").bytes().all(|b| b.is_ascii_digit())
        && cell.trim_start_matches('-').chars().next().is_some_and(|c| c.is_ascii_digit());
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !plain_number
}

/// The cells of a CSV file the app wrote, as a spreadsheet reads them.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8").trim_start_matches('\u{feff}').to_owned();
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

/// Text others typed (a supplier's name, an invoice number, a member's name)
/// reaches nobody's spreadsheet as a formula: not in the statement's CSV,
/// downloaded or emailed, nor in the supplier's delivered vouchers CSV. Each
/// such cell opens as the text that was typed, behind a `'`.
#[tokio::test]
async fn formulas_typed_by_others_open_as_text_in_every_csv() {
    let app = TestApp::spawn().await;
    set_email(&app, PAID_UP, "camille.martin@exemple.fr").await;
    app.other_supplier().await;
    sqlx::query("UPDATE suppliers SET active = 1 WHERE name = 'Négoce Fermé'").execute(app.db.pool()).await.unwrap();
    let phone = app.logged_in(PAID_UP).await;
    let invoice_numbers = ["=HYPERLINK(\"//ev.il/x\",\"Cliquez\")", "+1+1", "-2+3", "@A1"];
    let ouest = app.supplier_user("ouest").await;
    for number in invoice_numbers {
        let (_, voucher, code) = used_voucher_at(&app, &phone, OUEST, "10").await;
        let input = InvoiceInput {
            number: number.into(),
            date: today(),
            amount: "10".into(),
            lines: vec![InvoiceLineInput { voucher_number: voucher, code, amount: "10".into() }],
        };
        invoices::submit_invoice(&app.state, &Submitter::user(&ouest), &input, Utc::now()).await.unwrap();
    }
    // Accepted, the invoices appear on the member's statement.
    let desk = staff(&app).await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM invoices").fetch_all(app.db.pool()).await.unwrap();
    for id in ids {
        let (status, answer) = desk.call("accept_invoice", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    used_voucher_at(&app, &phone, "Bois & Charpente 44", "10").await;
    used_voucher_at(&app, &phone, "Négoce Fermé", "10").await;
    // Names as staff could have typed them, or as they reached the database.
    for (old, new) in
        [(OUEST, "@SUM(1+1)*cmd|' /C calc'!A0"), ("Bois & Charpente 44", "\t=1+1"), ("Négoce Fermé", "\r=2+2")]
    {
        app.update_row_with("UPDATE suppliers SET name = $2 WHERE name = $1", old, new).await;
    }
    app.update_row("UPDATE members SET name = '=Camille -Martin' WHERE number = $1", PAID_UP).await;

    let (status, row) = send_this_months_statement(&desk).await;
    assert_eq!(status, StatusCode::OK, "{row}");
    let id = row["id"].as_i64().unwrap();
    let downloaded = phone.client.get(format!("{}/releves/{id}/csv", phone.base)).send().await.unwrap();
    let downloaded = downloaded.bytes().await.unwrap().to_vec();
    let sent = mails(&app.dir.path().join("mail"));
    assert_eq!(sent.len(), 1);
    assert_eq!(attachment(&sent[0], ".csv\""), downloaded, "the CSV emailed is the one kept");
    let statement = cells(&downloaded);
    let column = |rows: &[Vec<String>], i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
    let suppliers = column(&statement, 2);
    for expected in ["'@SUM(1+1)*cmd|' /C calc'!A0", "'\t=1+1", "'\r=2+2"] {
        assert!(suppliers.iter().any(|s| s == expected), "{expected:?} in {suppliers:?}");
    }
    let invoiced = column(&statement, 5);
    for number in invoice_numbers {
        assert!(invoiced.contains(&format!("'{number}")), "{number} in {invoiced:?}");
    }

    let counter = app.logged_in("ouest").await;
    let (status, _, delivered) = counter.download("/fournisseur/bons.csv?du=&au=&statut=").await;
    assert_eq!(status, StatusCode::OK);
    let delivered = cells(&delivered);
    assert!(column(&delivered, 4).iter().skip(1).all(|m| m == "'=. -."), "the member's initials: {delivered:?}");
    let invoices = column(&delivered, 5);
    for number in invoice_numbers {
        assert!(invoices.contains(&format!("'{number} (acceptée)")), "{number} in {invoices:?}");
    }

    for (file, rows) in [("statement", &statement), ("delivered vouchers", &delivered)] {
        let formulas: Vec<&String> = rows.iter().flatten().filter(|c| runs_as_formula(c)).collect();
        assert!(formulas.is_empty(), "the {file} CSV runs {formulas:?}");
    }
    // Amounts are still numbers for the spreadsheet.
    assert!(statement.iter().any(|r| r.get(3).is_some_and(|a| a == "10,00")), "{statement:?}");
}
