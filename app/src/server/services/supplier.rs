//! The supplier's space, shared by its pages and the till's API: the
//! counter check, the delivered vouchers (list and CSV), invoices typed in
//! a form, the invoice's PDF.

use super::{
    invoices::{self, InvoiceInput, Submitter},
    journal,
    vouchers::{self, Checker},
};
use crate::{
    domain::{
        InvoiceLineInput, InvoiceStatus, Money, VoucherNumber, VoucherStatus,
        day::parse_day,
        invoice::{parse_invoice_lines, typed_line},
        member::initials,
    },
    error::AppError,
    model::supplier::{
        CounterCheck, DeliveredList, DeliveredVoucher, InvoiceClaim, SINCE_LAST_MONTH, StatusTotal,
        SupplierInvoiceView, SupplierOverview,
    },
    server::{
        AppState,
        audit::{Actor, Entity},
        auth::{Staff, SupplierUser},
        clock,
        codes::sha256_hex,
        db::internal,
        pdf,
        spreadsheet::Csv,
        store::{
            self,
            delivered::{DeliveredQuery, DeliveredRecord},
            invoices::NewFile,
        },
    },
};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde_json::json;

/// The largest invoice PDF we keep.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;
/// Line mistakes named at once in one answer; more would bury the first ones.
const MAX_ERRORS_SHOWN: usize = 8;

pub async fn home(state: &AppState, user: &SupplierUser, now: DateTime<Utc>) -> Result<SupplierOverview, AppError> {
    let figures = store::delivered::home_figures(state.db.pool(), user.supplier_id)
        .await
        .map_err(internal("supplier home figures"))?;
    Ok(SupplierOverview {
        supplier: user.supplier_name.clone(),
        login: user.login.clone(),
        today: clock::iso_day(clock::paris_date(now)),
        to_invoice: figures.to_invoice,
        to_invoice_amount: Money::from_cents(figures.to_invoice_cents),
        invoices_to_correct: figures.invoices_to_correct,
        active_keys: figures.active_keys,
    })
}

/// A supplier's staff checking at the counter: charged like any logged-in
/// account, per address and per account.
pub fn checker(user: &SupplierUser, address: &str) -> Checker {
    Checker::new(Actor::supplier(user), Some(user.supplier_id), address)
}

/// The counter check: `vouchers::verify_code` (its budgets, its single
/// answer for every failure, its lock after five wrong codes), then what
/// the supplier needs to decide whether to deliver and invoice.
pub async fn counter_check(
    state: &AppState,
    checker: &Checker,
    supplier_id: i64,
    number: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CounterCheck, AppError> {
    let v = vouchers::verify_code(state, checker, number, code, now).await?;
    describe(state, supplier_id, v).await
}

/// The answer page after a check: the signed proof stands for the code
/// that was typed right, so showing the answer again charges nothing. A
/// link without a valid proof shows no answer (None).
pub async fn checked_by_proof(
    state: &AppState,
    supplier_id: i64,
    number: &str,
    proof: &str,
) -> Result<Option<CounterCheck>, AppError> {
    let Ok(number) = number.parse::<VoucherNumber>() else {
        return Ok(None);
    };
    let number = number.to_string();
    if !state.keys.verify_code_checked(&number, proof) {
        return Ok(None);
    }
    let found =
        store::vouchers::find_by_number(state.db.pool(), &number).await.map_err(internal("find checked voucher"))?;
    match found {
        Some(v) => describe(state, supplier_id, v).await.map(Some),
        None => Ok(None),
    }
}

/// What a supplier who typed the right number and code learns. Of another
/// supplier's voucher, exactly what the public check page shows to anyone
/// holding the number (genuine, for whom, value, status, date of use, the
/// member's initials) — enough to refuse to deliver on it — and nothing of
/// that supplier's invoicing.
async fn describe(
    state: &AppState,
    supplier_id: i64,
    v: store::vouchers::VoucherRecord,
) -> Result<CounterCheck, AppError> {
    let own = v.supplier_id == supplier_id;
    let invoice = if own {
        store::delivered::claim(state.db.pool(), supplier_id, v.id)
            .await
            .map_err(internal("find voucher's invoice"))?
            .map(|(id, number, status)| InvoiceClaim { id, number, status })
    } else {
        None
    };
    let used_at = v.used_at.clone().unwrap_or_default();
    Ok(CounterCheck {
        number: v.number.clone().unwrap_or_default(),
        supplier: v.supplier_name,
        own,
        amount: Money::from_cents(v.amount_cents),
        status: v.status,
        used_at: clock::display_datetime(&used_at),
        used_at_utc: used_at,
        member_initials: initials(&v.member_name),
        invoice,
    })
}

/// Which delivered vouchers to list: Paris days of use (both included) and a status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveredFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<VoucherStatus>,
}

/// The statuses a used voucher can have.
pub const DELIVERED_STATUSES: [VoucherStatus; 4] =
    [VoucherStatus::Delivered, VoucherStatus::Invoiced, VoucherStatus::Paid, VoucherStatus::Cancelled];

impl DeliveredFilter {
    /// From what the page's form says; empty means no bound.
    pub fn parse(from: Option<&str>, to: Option<&str>, status: Option<&str>) -> Result<DeliveredFilter, AppError> {
        Self::parse_named(from, to, status, ["Date de début (du)", "Date de fin (au)"])
    }

    /// The same, naming the two days as the caller's fields are named.
    pub fn parse_named(
        from: Option<&str>,
        to: Option<&str>,
        status: Option<&str>,
        [from_name, to_name]: [&str; 2],
    ) -> Result<DeliveredFilter, AppError> {
        let day = |s: Option<&str>, which: &str| -> Result<Option<NaiveDate>, AppError> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => parse_day(s).map(Some).map_err(|e| AppError::Invalid(format!("{which} : {e}"))),
            }
        };
        let (from, to) = (day(from, from_name)?, day(to, to_name)?);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(AppError::Invalid(format!(
                "La date de début ({from_name}) doit précéder la date de fin ({to_name})."
            )));
        }
        let status = match status.map(str::trim).filter(|s| !s.is_empty() && *s != "tous") {
            None => None,
            Some(s) => {
                let code = s.split('-').next().unwrap_or_default().trim();
                let found = code.parse::<i64>().ok().and_then(VoucherStatus::from_code);
                match found.filter(|s| DELIVERED_STATUSES.contains(s)) {
                    Some(status) => Some(status),
                    None => {
                        return Err(AppError::Invalid(format!(
                            "Statut inconnu : « {s} ». Choisissez 11-livré, 21-facturé, 31-payé ou 91-annulé."
                        )));
                    }
                }
            }
        };
        Ok(DeliveredFilter { from, to, status })
    }

    /// The page's and the CSV's filter: with `du` = `SINCE_LAST_MONTH` (the
    /// page's address names no day), the list starts on the first day of
    /// last month, what a supplier invoicing monthly wants. A missing or
    /// empty `du` is no start day.
    pub fn from_form(
        from: Option<&str>,
        to: Option<&str>,
        status: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<DeliveredFilter, AppError> {
        let default_start = from.is_some_and(|f| f.trim() == SINCE_LAST_MONTH);
        let from = from.filter(|_| !default_start);
        let mut filter = DeliveredFilter::parse(from, to, status)?;
        if default_start {
            let this_month = clock::paris_date(now).with_day(1).ok_or(AppError::Internal)?;
            let last_month = this_month.pred_opt().and_then(|d| d.with_day(1)).ok_or(AppError::Internal)?;
            filter.from = Some(last_month);
            if filter.to.is_some_and(|to| to < last_month) {
                filter.from = filter.to;
            }
        }
        Ok(filter)
    }

    /// `[from, until)` as stored UTC instants: Paris midnight of the first
    /// day, Paris midnight after the last.
    fn bounds(&self) -> (Option<String>, Option<String>) {
        let midnight = |day: NaiveDate| {
            Paris
                .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| clock::stamp(t.with_timezone(&Utc)))
        };
        (self.from.and_then(midnight), self.to.and_then(|d| d.checked_add_days(Days::new(1))).and_then(midnight))
    }
}

/// The supplier's used vouchers in one query, newest use first.
pub async fn delivered_records(
    state: &AppState,
    supplier_id: i64,
    filter: &DeliveredFilter,
) -> Result<Vec<DeliveredVoucher>, AppError> {
    let (from, until) = filter.bounds();
    let query = DeliveredQuery { supplier_id, from: from.as_deref(), until: until.as_deref(), status: filter.status };
    let rows = store::delivered::list(state.db.pool(), &query).await.map_err(internal("list delivered vouchers"))?;
    rows.into_iter().map(delivered_view).collect()
}

fn delivered_view(r: DeliveredRecord) -> Result<DeliveredVoucher, AppError> {
    let invoice = match (r.invoice_id, r.invoice_number, r.invoice_status) {
        (Some(id), Some(number), Some(status)) => Some(InvoiceClaim { id, number, status }),
        _ => None,
    };
    Ok(DeliveredVoucher {
        number: r.number,
        used_at: clock::display_datetime(&r.used_at),
        used_at_utc: r.used_at,
        amount: Money::from_cents(r.amount_cents),
        status: r.status,
        member_initials: initials(&r.member_name),
        invoice,
        paid_on: r.paid_on,
    })
}

/// The page: rows and totals. A use undone (91-annulé) is listed, and left
/// out of the total: it will not be paid.
pub async fn delivered(
    state: &AppState,
    supplier_id: i64,
    filter: &DeliveredFilter,
) -> Result<DeliveredList, AppError> {
    let vouchers = delivered_records(state, supplier_id, filter).await?;
    let (count, total, by_status) = totals(&vouchers);
    Ok(DeliveredList {
        from: filter.from.map(clock::iso_day).unwrap_or_default(),
        to: filter.to.map(clock::iso_day).unwrap_or_default(),
        status: filter.status.map(|s| s.code().to_string()).unwrap_or_default(),
        vouchers,
        count,
        total,
        by_status,
    })
}

/// Count, value to be paid, and per-status subtotals of a list.
pub fn totals(vouchers: &[DeliveredVoucher]) -> (i64, Money, Vec<StatusTotal>) {
    let mut by_status: Vec<StatusTotal> =
        DELIVERED_STATUSES.iter().map(|&status| StatusTotal { status, count: 0, amount: Money::ZERO }).collect();
    let mut total = 0i64;
    for v in vouchers {
        if let Some(t) = by_status.iter_mut().find(|t| t.status == v.status) {
            t.count += 1;
            t.amount = Money::from_cents(t.amount.cents().saturating_add(v.amount.cents()));
        }
        if v.status != VoucherStatus::Cancelled {
            total = total.saturating_add(v.amount.cents());
        }
    }
    by_status.retain(|t| t.count > 0);
    (i64::try_from(vouchers.len()).unwrap_or(i64::MAX), Money::from_cents(total), by_status)
}

/// The list as a spreadsheet Excel opens in France as it is: UTF-8 with a
/// byte-order mark, `;` between values, decimal commas, French headings.
pub fn delivered_csv(vouchers: &[DeliveredVoucher]) -> Vec<u8> {
    let mut csv = Csv::with_capacity(64 + vouchers.len() * 96);
    csv.row(["N° du bon", "Date d'utilisation", "Valeur du bon (€)", "Statut", "Adhérent", "Facture", "Payé le"]);
    for v in vouchers {
        let invoice = v.invoice.as_ref().map(|i| format!("{} ({})", i.number, i.status.label())).unwrap_or_default();
        csv.row([
            v.number.as_str(),
            v.used_at.as_str(),
            &plain_amount(v.amount),
            v.status.label(),
            v.member_initials.as_str(),
            &invoice,
            &v.paid_on.as_deref().map(clock::display_day).unwrap_or_default(),
        ]);
    }
    csv.into_bytes()
}

/// `1234,50`: no thousands separator, which a spreadsheet would read as text.
pub fn plain_amount(amount: Money) -> String {
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

/// An invoice typed in the form: the lines box is read by the same function
/// as the form's live preview; any mistake is named with its line.
pub fn typed_invoice(number: String, date: String, amount: String, lines: &str) -> Result<InvoiceInput, AppError> {
    let typed = parse_invoice_lines(lines);
    if !typed.errors.is_empty() {
        return Err(AppError::Invalid(some_errors(typed.errors)));
    }
    Ok(InvoiceInput { number, date, amount, lines: typed.lines })
}

fn some_errors(mut errors: Vec<String>) -> String {
    let more = errors.len().saturating_sub(MAX_ERRORS_SHOWN);
    errors.truncate(MAX_ERRORS_SHOWN);
    if more > 0 {
        errors.push(format!("… et {more} autre(s) erreur(s)."));
    }
    errors.join("\n")
}

/// The same voucher twice on one invoice is refused before anything is
/// written: it would be paid once, and the second line would only be
/// flagged for the agency to sort out.
fn refuse_repeated_vouchers(lines: &[InvoiceLineInput]) -> Result<(), AppError> {
    let mut seen: Vec<(String, usize)> = Vec::with_capacity(lines.len());
    let mut errors = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Ok(number) = line.voucher_number.parse::<VoucherNumber>() else {
            continue; // named by the invoice check with its line
        };
        let number = number.to_string();
        match seen.iter().find(|(n, _)| *n == number) {
            Some((_, first)) => errors.push(format!("Ligne {} : le bon {number} figure déjà ligne {first}.", i + 1)),
            None => seen.push((number, i + 1)),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(some_errors(errors))) }
}

/// Sends an invoice (from the form or the till): one transaction, all or nothing.
pub async fn submit_invoice(
    state: &AppState,
    by: &Submitter,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    refuse_repeated_vouchers(&input.lines)?;
    invoices::submit_invoice(state, by, input, now).await
}

pub async fn correct_invoice(
    state: &AppState,
    by: &Submitter,
    id: i64,
    input: &InvoiceInput,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    refuse_repeated_vouchers(&input.lines)?;
    invoices::correct_invoice(state, by, id, input, now).await
}

/// Invoice ids come from URLs and forms; anything else is an invoice we do not know.
pub fn parse_invoice_id(id: &str) -> Result<i64, AppError> {
    id.trim().parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::NotFound("Facture".into()))
}

/// An invoice's page: its detail, and its lines as the correction form shows them.
pub async fn invoice(state: &AppState, supplier_id: i64, id: &str) -> Result<SupplierInvoiceView, AppError> {
    let id = parse_invoice_id(id)?;
    let record = store::invoices::find(state.db.pool(), id)
        .await
        .map_err(internal("find invoice"))?
        .filter(|i| i.supplier_id == supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let invoice_date_iso = record.invoice_date.clone();
    let detail = invoices::detail(state, record).await?;
    let lines_text =
        detail.lines.iter().map(|l| typed_line(&l.voucher_number, "", l.amount)).collect::<Vec<_>>().join("\n");
    Ok(SupplierInvoiceView { detail, invoice_date_iso, lines_text })
}

/// The supplier's invoices as stored, newest first (the till's API shows
/// ISO dates where the pages show French ones).
pub async fn invoice_records(
    state: &AppState,
    supplier_id: i64,
) -> Result<Vec<store::invoices::InvoiceRecord>, AppError> {
    store::invoices::list_for_supplier(state.db.pool(), supplier_id).await.map_err(internal("list invoices"))
}

/// One of the supplier's invoices with its lines, as stored.
pub async fn invoice_record(
    state: &AppState,
    supplier_id: i64,
    id: &str,
) -> Result<(store::invoices::InvoiceRecord, Vec<store::invoices::LineRecord>), AppError> {
    let id = parse_invoice_id(id)?;
    let record = store::invoices::find(state.db.pool(), id)
        .await
        .map_err(internal("find invoice"))?
        .filter(|i| i.supplier_id == supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let lines = store::invoices::lines(state.db.pool(), id).await.map_err(internal("invoice lines"))?;
    Ok((record, lines))
}

/// Keeps the invoice's PDF (replacing an earlier one) while the agency has
/// not accepted the invoice. The file must really be a PDF.
pub async fn attach_pdf(
    state: &AppState,
    user: &SupplierUser,
    id: i64,
    file_name: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if content.is_empty() {
        return Err(AppError::Invalid("Choisissez le fichier PDF de la facture.".into()));
    }
    if content.len() > MAX_PDF_BYTES {
        return Err(AppError::Invalid("Le fichier dépasse 10 Mo : envoyez un PDF plus léger.".into()));
    }
    // Reading a file of up to 10 MB is work for a blocking thread.
    let bytes = content.to_vec();
    let readable = tokio::task::spawn_blocking(move || pdf::is_readable_pdf(&bytes)).await.unwrap_or(false);
    if !readable {
        return Err(AppError::Invalid("Ce fichier n'est pas un PDF : envoyez la facture au format PDF.".into()));
    }
    let file_name = pdf_file_name(file_name);
    let mut tx = state.db.begin_write().await.map_err(internal("begin pdf"))?;
    let invoice = store::invoices::find_for_update(tx.conn(), id, state.db.lock_rows())
        .await
        .map_err(internal("find invoice for pdf"))?
        .filter(|i| i.supplier_id == user.supplier_id)
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let status = invoice.status;
    if matches!(status, InvoiceStatus::Accepted | InvoiceStatus::Paid) {
        return Err(AppError::Conflict(format!(
            "Cette facture est {} : son PDF ne peut plus être remplacé.",
            status.label()
        )));
    }
    let sha256 = sha256_hex(content);
    let file =
        NewFile { invoice_id: id, file_name: &file_name, sha256: &sha256, content, uploaded_at: &clock::stamp(now) };
    store::invoices::put_pdf(tx.conn(), &file).await.map_err(internal("store pdf"))?;
    let before = json!({ "pdf": invoice.has_pdf > 0 });
    let after = json!({ "pdf": true, "file_name": file_name, "sha256": sha256, "size_bytes": content.len() });
    journal(&mut tx, &Actor::supplier(user), Entity::Invoice, id, "attach_pdf", before, after, now).await?;
    tx.commit().await.map_err(internal("commit pdf"))?;
    tracing::info!(invoice = id, bytes = content.len(), "invoice PDF stored");
    Ok(())
}

/// The name the browser gave the file, reduced to something safe to show
/// and to put in a download header.
fn pdf_file_name(given: &str) -> String {
    let base = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .take(100)
        .collect::<String>()
        .trim()
        .to_owned();
    if cleaned.is_empty() { "facture.pdf".into() } else { cleaned }
}

/// Who may download an invoice's PDF: the supplier who sent it, and agency
/// staff covering its agency (an administrator covers every agency).
pub enum PdfReader {
    Supplier(SupplierUser),
    Staff(Staff),
}

/// The PDF of an invoice: its download name and bytes. An invoice the
/// reader may not see is as unknown as a missing one.
pub async fn invoice_pdf(state: &AppState, reader: &PdfReader, id: &str) -> Result<(String, Vec<u8>), AppError> {
    let id = parse_invoice_id(id)?;
    let invoice = store::invoices::find(state.db.pool(), id)
        .await
        .map_err(internal("find invoice for download"))?
        .filter(|i| match reader {
            PdfReader::Supplier(user) => i.supplier_id == user.supplier_id,
            PdfReader::Staff(staff) => staff.covers(i.agency_id),
        })
        .ok_or_else(|| AppError::NotFound("Facture".into()))?;
    let (_, content) = store::invoices::pdf(state.db.pool(), id)
        .await
        .map_err(internal("read invoice pdf"))?
        .ok_or_else(|| AppError::NotFound("Le PDF de cette facture est".into()))?;
    let safe: String = invoice
        .number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    Ok((format!("facture-{safe}.pdf"), content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher(status: VoucherStatus, cents: i64) -> DeliveredVoucher {
        DeliveredVoucher {
            number: "W2026.NA.442.00000001".into(),
            used_at: "23/11/2026 15:09".into(),
            used_at_utc: "2026-11-23T14:09:00.000000Z".into(),
            amount: Money::from_cents(cents),
            status,
            member_initials: "C. M.".into(),
            invoice: None,
            paid_on: None,
        }
    }

    #[test]
    fn filters_read_french_or_iso_days_and_status_codes_or_labels() {
        let f = DeliveredFilter::parse(Some("01/11/2026"), Some("2026-11-30"), Some("21-facturé")).unwrap();
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(f.status, Some(VoucherStatus::Invoiced));
        assert_eq!(DeliveredFilter::parse(Some(""), None, Some("")).unwrap(), DeliveredFilter::default());
        let refused = |from, to, status| match DeliveredFilter::parse(from, to, status) {
            Err(AppError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(refused(Some("2026-12-01"), Some("2026-11-01"), None).contains("Date de début (du)) doit précéder"));
        assert!(refused(Some("hier"), None, None).contains("Date de début"));
        assert!(refused(None, None, Some("1")).contains("Statut inconnu"), "issued vouchers are not delivered");
        assert!(refused(None, None, Some("x")).contains("Statut inconnu"));
    }

    #[test]
    fn days_are_paris_days_summer_and_winter() {
        let f = DeliveredFilter::parse(Some("2026-07-01"), Some("2026-12-31"), None).unwrap();
        assert_eq!(
            f.bounds(),
            (Some("2026-06-30T22:00:00.000000Z".into()), Some("2026-12-31T23:00:00.000000Z".into()))
        );
    }

    #[test]
    fn the_page_starts_on_the_first_of_last_month_unless_told() {
        let now = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(DeliveredFilter::from_form(None, None, None, now).unwrap().from, None);
        let asked = DeliveredFilter::from_form(Some(SINCE_LAST_MONTH), None, None, now).unwrap();
        assert_eq!(asked.from, NaiveDate::from_ymd_opt(2025, 12, 1));
        assert_eq!(DeliveredFilter::from_form(Some(""), None, None, now).unwrap().from, None);
    }

    #[test]
    fn totals_leave_undone_uses_out_of_what_will_be_paid() {
        let list = [
            voucher(VoucherStatus::Delivered, 4_200),
            voucher(VoucherStatus::Delivered, 800),
            voucher(VoucherStatus::Cancelled, 10_000),
            voucher(VoucherStatus::Paid, 1_000),
        ];
        let (count, total, by_status) = totals(&list);
        assert_eq!((count, total), (4, Money::from_cents(6_000)));
        let statuses: Vec<(VoucherStatus, i64, i64)> =
            by_status.iter().map(|t| (t.status, t.count, t.amount.cents())).collect();
        assert_eq!(
            statuses,
            [
                (VoucherStatus::Delivered, 2, 5_000),
                (VoucherStatus::Paid, 1, 1_000),
                (VoucherStatus::Cancelled, 1, 10_000)
            ]
        );
    }

    #[test]
    fn amounts_in_the_csv_have_a_decimal_comma_and_no_grouping() {
        assert_eq!(plain_amount(Money::from_cents(123_450)), "1234,50");
        assert_eq!(plain_amount(Money::from_cents(7)), "0,07");
    }

    #[test]
    fn the_same_voucher_twice_is_refused_with_both_lines() {
        let line = |n: &str| InvoiceLineInput { voucher_number: n.into(), code: "1234".into(), amount: "1".into() };
        let lines = [line("W2026.NA.442.00000001"), line("x"), line(" w2026.na.442.00000001 ")];
        match refuse_repeated_vouchers(&lines) {
            Err(AppError::Invalid(m)) => assert_eq!(m, "Ligne 3 : le bon W2026.NA.442.00000001 figure déjà ligne 1."),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(pdf_file_name("C:\\factures\\F-001.pdf"), "F-001.pdf");
        assert_eq!(pdf_file_name("../../etc/\"x\";.pdf"), "x.pdf");
        assert_eq!(pdf_file_name(" \n"), "facture.pdf");
    }
}
