//! A supplier's delivered vouchers: the filter of the list, the list, its
//! totals and its spreadsheet (pages and the till's API alike).

use crate::domain::voucher::{DELIVERED_STATUSES, SINCE_LAST_MONTH};
use crate::domain::{Money, Timestamp, VoucherStatus, day::parse_day};
use crate::error::AppError;
use crate::model::passes::SpentPass;
use crate::model::supplier::{DeliveredList, DeliveredVoucher, StatusTotal};
use crate::server::error::ServerError;
use crate::server::store::{self, vouchers::delivered::DeliveredQuery};
use crate::server::{AppState, clock, spreadsheet::Csv};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// Which delivered vouchers to list: Paris days of use (both included) and a status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveredFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<VoucherStatus>,
}

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

    /// `[from, until)` as instants: Paris midnight of the first day, Paris
    /// midnight after the last.
    fn bounds(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        let midnight = |day: NaiveDate| {
            Paris
                .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| Timestamp::new(t.with_timezone(&Utc)))
        };
        (self.from.and_then(midnight), self.to.and_then(|d| d.checked_add_days(Days::new(1))).and_then(midnight))
    }
}

/// The supplier's used vouchers in one query, newest use first.
#[tracing::instrument(skip_all, fields(supplier = supplier_id))]
pub async fn delivered_records(
    state: &AppState,
    supplier_id: i64,
    filter: &DeliveredFilter,
) -> Result<Vec<DeliveredVoucher>, ServerError> {
    let (from, until) = filter.bounds();
    let query = DeliveredQuery { supplier_id, from, until, status: filter.status };
    Ok(store::vouchers::delivered::list(state.db.pool(), &query).await?)
}

/// The page: rows and totals. A use undone (91-annulé) is listed, and left
/// out of the total: it will not be paid.
#[tracing::instrument(skip_all, fields(supplier = supplier_id))]
pub async fn delivered(
    state: &AppState,
    supplier_id: i64,
    filter: &DeliveredFilter,
) -> Result<DeliveredList, ServerError> {
    let vouchers = delivered_records(state, supplier_id, filter).await?;
    let (count, total, by_status) = totals(&vouchers);
    let passes = spent_passes(state, supplier_id, filter).await?;
    let unpaid = passes.iter().filter(|p| p.paid_on.is_none());
    let passes_total = Money::from_cents(unpaid.map(|p| p.face_value.cents()).sum());
    Ok(DeliveredList {
        passes,
        passes_total,
        from: filter.from.map(clock::iso_day).unwrap_or_default(),
        to: filter.to.map(clock::iso_day).unwrap_or_default(),
        status: filter.status.map(|s| s.code().to_string()).unwrap_or_default(),
        vouchers,
        count,
        total,
        by_status,
    })
}

/// The passes the supplier spent on the filter's days, read like its
/// vouchers' statuses: spent and not invoiced yet (« livré »), claimed by an
/// accepted invoice (« facturé »), paid; a pass is never « annulé » once
/// spent.
pub async fn spent_passes(
    state: &AppState,
    supplier_id: i64,
    filter: &DeliveredFilter,
) -> Result<Vec<SpentPass>, ServerError> {
    let (from, until) = filter.bounds();
    let rows = store::passes::spent_by_supplier(state.db.pool(), supplier_id, from, until).await?;
    let shown = |row: &store::passes::SpentRow| match filter.status {
        None => true,
        Some(VoucherStatus::Delivered) => row.invoice_number.is_none(),
        Some(VoucherStatus::Invoiced) => row.invoice_number.is_some() && row.paid_on.is_none(),
        Some(VoucherStatus::Paid) => row.paid_on.is_some(),
        Some(_) => false,
    };
    rows.into_iter()
        .filter(shown)
        .map(|row| {
            let number = row.number().ok_or(AppError::Internal)?;
            Ok(SpentPass {
                number,
                face_value: row.face_value,
                sponsor: row.sponsor,
                spent_at: row.used_at.paris(),
                invoice: row.invoice_number,
                paid_on: row.paid_on,
            })
        })
        .collect()
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
/// The passes spent follow the vouchers, their sponsor in the member's
/// column.
pub fn delivered_csv(vouchers: &[DeliveredVoucher], passes: &[SpentPass]) -> Vec<u8> {
    let mut csv = Csv::with_capacity(64 + (vouchers.len() + passes.len()) * 96);
    csv.row(["N° du bon", "Date d'utilisation", "Valeur du bon (€)", "Statut", "Adhérent", "Facture", "Payé le"]);
    for v in vouchers {
        let invoice = v.invoice.as_ref().map(|i| format!("{} ({})", i.number, i.status.label())).unwrap_or_default();
        csv.row([
            v.number.to_string().as_str(),
            v.used_at.to_string().as_str(),
            &plain_amount(v.amount),
            v.status.label(),
            v.member_initials.as_str(),
            &invoice,
            &v.paid_on.map(|day| day.to_string()).unwrap_or_default(),
        ]);
    }
    for p in passes {
        csv.row([
            p.number.to_string().as_str(),
            p.spent_at.to_string().as_str(),
            &plain_amount(p.face_value),
            p.status_label(),
            p.sponsor.as_str(),
            p.invoice.as_deref().unwrap_or_default(),
            &p.paid_on.map(|day| day.to_string()).unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn voucher(status: VoucherStatus, cents: i64) -> DeliveredVoucher {
        DeliveredVoucher {
            number: "W2026.NA.442.00000001".parse().unwrap(),
            used_at: Timestamp::parse("2026-11-23T14:09:00.000000Z").unwrap().paris(),
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
        let (from, until) = f.bounds();
        assert_eq!(
            (from.map(Timestamp::rfc3339), until.map(Timestamp::rfc3339)),
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
}
