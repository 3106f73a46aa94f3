//! A statement as the member receives it: the vouchers of the period with
//! their invoices and totals, written as PDF and as CSV.

use crate::domain::{Day, Money, Period};
use crate::server::pdf::{self, BOTTOM, MARGIN, Page, TOP};
use crate::server::{spreadsheet::Csv, store::statements::StatementLine};

/// A statement's content, before it is written as PDF and CSV.
#[derive(Debug, Clone)]
pub struct Statement {
    pub agency_name: String,
    pub member_number: String,
    pub member_name: String,
    pub period: Period,
    pub issued_on: Day,
    pub lines: Vec<StatementLine>,
    /// What the vouchers were worth.
    pub total: Money,
    /// What the suppliers invoiced for them (accepted invoices).
    pub invoiced: Money,
}

/// The Paris day the voucher was used.
pub(super) fn used_on(line: &StatementLine) -> String {
    line.used_at.map(|t| t.day().to_string()).unwrap_or_default()
}

pub(super) fn invoice_text(line: &StatementLine) -> String {
    match (&line.invoice_number, &line.invoice_date) {
        (Some(n), Some(d)) => format!("n° {n} du {d}"),
        (Some(n), None) => format!("n° {n}"),
        _ => "pas encore facturé".to_owned(),
    }
}

/// The statement as a PDF: a header naming the cooperative, the agency, the
/// member and the period; one row per voucher; the totals.
#[allow(clippy::float_arithmetic)] // positions on the page, in points; amounts are text
pub fn pdf_of(s: &Statement) -> Vec<u8> {
    const ROW: f32 = 14.0;
    let cols = [MARGIN, 98.0, 210.0, 330.0, 382.0, 555.0];
    let header = |page: &mut Page, y: f32| {
        page.bold(cols[0], y, 8.0, "Utilisé le");
        page.bold(cols[1], y, 8.0, "N° du bon");
        page.bold(cols[2], y, 8.0, "Fournisseur");
        page.right(cols[3] + 40.0, y, 8.0, true, "Valeur");
        page.bold(cols[4], y, 8.0, "Facture fournisseur");
        page.right(cols[5], y, 8.0, true, "Facturé");
        page.rule(y - 4.0);
    };

    let mut pages = Vec::new();
    let mut page = Page::default();
    let mut y = TOP;
    page.bold(MARGIN, y, 16.0, "Relevé de bons Castors Web");
    y -= 22.0;
    page.text(MARGIN, y, 10.0, format!("Castors de l'Ouest — {}", s.agency_name));
    y -= 16.0;
    page.text(MARGIN, y, 10.0, format!("Adhérent : {} — {}", s.member_number, s.member_name));
    y -= 14.0;
    page.text(MARGIN, y, 10.0, format!("Période : {}", s.period));
    y -= 14.0;
    page.text(MARGIN, y, 10.0, format!("Établi le {}", s.issued_on));
    y -= 26.0;
    header(&mut page, y);
    y -= ROW + 2.0;
    if s.lines.is_empty() {
        page.text(MARGIN, y, 9.0, "Aucun bon utilisé sur la période.");
        y -= ROW;
    }
    for line in &s.lines {
        if y < BOTTOM + 3.0 * ROW {
            pages.push(std::mem::take(&mut page));
            y = TOP;
            header(&mut page, y);
            y -= ROW + 2.0;
        }
        page.text(cols[0], y, 8.0, used_on(line));
        page.text(cols[1], y, 8.0, line.number.clone().unwrap_or_default());
        page.text(cols[2], y, 8.0, pdf::clip(&line.supplier_name, 24));
        page.right(cols[3] + 40.0, y, 8.0, false, line.amount.to_string());
        page.text(cols[4], y, 8.0, pdf::clip(&invoice_text(line), 30));
        let invoiced = line.invoiced.map(|m| m.to_string()).unwrap_or_else(|| "—".into());
        page.right(cols[5], y, 8.0, false, invoiced);
        y -= ROW;
    }
    page.rule(y + ROW - 4.0);
    y -= 6.0;
    page.bold(MARGIN, y, 10.0, format!("Total des bons utilisés ({}) :", s.lines.len()));
    page.right(cols[5], y, 10.0, true, s.total.to_string());
    y -= 16.0;
    page.bold(MARGIN, y, 10.0, "Total facturé par les fournisseurs :");
    page.right(cols[5], y, 10.0, true, s.invoiced.to_string());
    y -= 24.0;
    page.text(
        MARGIN,
        y,
        8.0,
        "Les bons « pas encore facturés » figureront avec leur facture sur un prochain relevé s'ils sont facturés.",
    );
    pages.push(page);
    pdf::render(&format!("Relevé {} — {}", s.member_number, s.period), &pages)
}

/// The statement as CSV (`;`, UTF-8 with a byte-order mark, as spreadsheets
/// in France open it), with the totals on the last two lines.
pub fn csv_of(s: &Statement) -> String {
    let mut csv = Csv::with_capacity(256 + s.lines.len() * 120);
    csv.row([
        "Utilisé le",
        "N° du bon",
        "Fournisseur",
        "Valeur du bon (€)",
        "Statut",
        "Facture fournisseur",
        "Date de facture",
        "Montant facturé (€)",
    ]);
    for l in &s.lines {
        csv.row([
            used_on(l),
            l.number.clone().unwrap_or_default(),
            l.supplier_name.clone(),
            l.amount.decimal_fr(),
            l.status.label().to_owned(),
            l.invoice_number.clone().unwrap_or_default(),
            l.invoice_date.map(|d| d.to_string()).unwrap_or_default(),
            l.invoiced.map(Money::decimal_fr).unwrap_or_default(),
        ]);
    }
    let count = s.lines.len().to_string();
    csv.row(["Total des bons utilisés", &count, "", &s.total.decimal_fr(), "", "", "", ""]);
    csv.row(["Total facturé", "", "", "", "", "", "", &s.invoiced.decimal_fr()]);
    csv.into_string()
}

/// A statement's files are named after the member and the period:
/// `releve-44000123B-20261101-20261130`.
pub(super) fn file_stem(member_number: &str, period: Period) -> String {
    let compact = |day: Day| day.iso().replace('-', "");
    format!("releve-{member_number}-{}-{}", compact(period.from), compact(period.to))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::Timestamp;

    fn day(iso: &str) -> Day {
        Day::parse_iso(iso).unwrap()
    }

    fn line(number: &str, cents: i64, invoiced: Option<i64>) -> StatementLine {
        StatementLine {
            member_id: 1,
            voucher_id: 1,
            number: Some(number.into()),
            used_at: Timestamp::parse("2026-11-03T09:15:00.000000Z").map(Timestamp::paris),
            amount: Money::from_cents(cents),
            status: if invoiced.is_some() {
                crate::domain::VoucherStatus::Invoiced
            } else {
                crate::domain::VoucherStatus::Delivered
            },
            supplier_name: "Matériaux de l'Ouest".into(),
            invoice_number: invoiced.map(|_| "F-2026-118".into()),
            invoice_date: invoiced.map(|_| day("2026-11-20")),
            invoiced: invoiced.map(Money::from_cents),
        }
    }

    fn statement(lines: Vec<StatementLine>) -> Statement {
        Statement {
            agency_name: "Agence de Nantes".into(),
            member_number: "44000123B".into(),
            member_name: "Camille Martin".into(),
            period: Period { from: day("2026-11-01"), to: day("2026-11-30") },
            issued_on: day("2026-12-02"),
            total: Money::from_cents(lines.iter().map(|l| l.amount.cents()).sum()),
            invoiced: Money::from_cents(lines.iter().filter_map(|l| l.invoiced.map(Money::cents)).sum()),
            lines,
        }
    }

    #[test]
    fn the_csv_has_a_row_per_voucher_and_the_totals() {
        let s = statement(vec![
            line("W2026.NA.442.00000001", 4_200, Some(4_150)),
            line("W2026.NA.442.00000002", 1_000, None),
        ]);
        let csv = csv_of(&s);
        let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(rows.len(), 5, "{csv}");
        assert_eq!(
            rows[1],
            "03/11/2026;W2026.NA.442.00000001;Matériaux de l'Ouest;42,00;21-facturé;F-2026-118;20/11/2026;41,50"
        );
        assert_eq!(rows[2], "03/11/2026;W2026.NA.442.00000002;Matériaux de l'Ouest;10,00;11-livré;;;");
        assert_eq!(rows[3], "Total des bons utilisés;2;;52,00;;;;");
        assert_eq!(rows[4], "Total facturé;;;;;;;41,50");
    }

    #[test]
    fn a_long_statement_runs_over_several_pages() {
        let many: Vec<StatementLine> = (1..=120).map(|i| line(&format!("W2026.NA.442.{i:08}"), 100, None)).collect();
        let pdf = pdf_of(&statement(many));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 3"), "120 rows take three pages");
        let empty = pdf_of(&statement(vec![]));
        assert!(String::from_utf8_lossy(&empty).contains("/Count 1"));
    }
}
