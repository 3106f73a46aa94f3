//! A supplier's invoice to the cooperative: its statuses, and why one of its
//! lines may not match the voucher it names.

use super::{Money, VoucherNumber, parse_typed_code};
use serde::{Deserialize, Serialize};

/// Where an invoice stands, as the supplier and the agency read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Sent by the supplier, waiting for the agency.
    Received,
    /// Sent back by the agency with a reason; the supplier corrects and resends it.
    ToCorrect,
    /// Every line matches its voucher (or staff overrode it): it will be paid.
    Accepted,
    /// Paid with a payment batch, on the batch's day.
    Paid,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 4] =
        [InvoiceStatus::Received, InvoiceStatus::ToCorrect, InvoiceStatus::Accepted, InvoiceStatus::Paid];

    /// The stored form.
    pub const fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Received => "received",
            InvoiceStatus::ToCorrect => "to_correct",
            InvoiceStatus::Accepted => "accepted",
            InvoiceStatus::Paid => "paid",
        }
    }

    pub fn from_code(code: &str) -> Option<InvoiceStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            InvoiceStatus::Received => "reçue",
            InvoiceStatus::ToCorrect => "à corriger",
            InvoiceStatus::Accepted => "acceptée",
            InvoiceStatus::Paid => "payée",
        }
    }

    /// The supplier may change its lines only while it is sent back.
    pub const fn can_be_corrected(self) -> bool {
        matches!(self, InvoiceStatus::ToCorrect)
    }
}

/// Why an invoice line does not match its voucher. A line is checked in this
/// order and carries the first reason that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineFlag {
    /// No voucher has this number.
    UnknownVoucher,
    /// The voucher was issued for another supplier.
    OtherSupplier,
    /// The voucher has not been used (or its use was undone).
    NotUsed,
    /// The secret code does not match (or the voucher is locked after too many wrong codes).
    CodeMismatch,
    /// The voucher is already on another invoice, or earlier on this one.
    AlreadyInvoiced,
    /// The line asks for more than the voucher is worth.
    AmountExceeds,
}

impl LineFlag {
    pub const ALL: [LineFlag; 6] = [
        LineFlag::UnknownVoucher,
        LineFlag::OtherSupplier,
        LineFlag::NotUsed,
        LineFlag::CodeMismatch,
        LineFlag::AlreadyInvoiced,
        LineFlag::AmountExceeds,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            LineFlag::UnknownVoucher => "unknown_voucher",
            LineFlag::OtherSupplier => "other_supplier",
            LineFlag::NotUsed => "not_used",
            LineFlag::CodeMismatch => "code_mismatch",
            LineFlag::AlreadyInvoiced => "already_invoiced",
            LineFlag::AmountExceeds => "amount_exceeds",
        }
    }

    pub fn from_code(code: &str) -> Option<LineFlag> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Staff may accept such a line anyway, with a reason, only when the
    /// voucher itself is this supplier's, used, and claimed by no other
    /// invoice: accepting it can then never pay a voucher twice, nor pay one
    /// that was not used. The others go back to the supplier to correct.
    pub const fn staff_may_override(self) -> bool {
        matches!(self, LineFlag::CodeMismatch | LineFlag::AmountExceeds)
    }

    /// What the supplier and staff read next to the line.
    pub const fn label(self) -> &'static str {
        match self {
            LineFlag::UnknownVoucher => "Bon inconnu",
            LineFlag::OtherSupplier => "Bon émis pour un autre fournisseur",
            LineFlag::NotUsed => "Bon non utilisé",
            LineFlag::CodeMismatch => "Code secret incorrect",
            LineFlag::AlreadyInvoiced => "Bon déjà facturé",
            LineFlag::AmountExceeds => "Montant supérieur à la valeur du bon",
        }
    }
}

/// One line of an invoice as typed or sent: the strings are checked by the
/// server, which answers each mistake with its line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineInput {
    pub voucher_number: String,
    pub code: String,
    pub amount: String,
}

/// An invoice line's number in its canonical form: a voucher's
/// (`W2026.NA.442.00000123`) or a Pass Castors' (`P2026.NA.442.00000001`).
pub fn parse_line_number(typed: &str) -> Result<String, String> {
    if typed.trim_start().starts_with(['P', 'p']) {
        typed.parse::<super::pass::PassNumber>().map(|n| n.to_string()).map_err(|e| e.to_string())
    } else {
        typed.parse::<VoucherNumber>().map(|n| n.to_string()).map_err(|e| e.to_string())
    }
}

/// Most lines one invoice may carry.
pub const MAX_INVOICE_LINES: usize = 500;

/// An invoice's lines as the supplier typed or pasted them, one voucher per
/// line: "numéro ; code ; montant". Read by the form's live preview and by
/// the server, with the same answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypedLines {
    /// The lines that read well: number in its canonical form, code as digits.
    pub lines: Vec<InvoiceLineInput>,
    /// The sum of those lines.
    pub total: Money,
    /// One sentence per mistake, naming the line of the text it is on.
    pub errors: Vec<String>,
}

impl TypedLines {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && !self.lines.is_empty()
    }
}

/// Reads the lines box. A line holds three values separated by `;` or a
/// tab (what a spreadsheet pastes), or by spaces when no value has one
/// inside it. Blank lines are skipped, and so is a first line of column
/// headings (its first value has no digit). The same voucher twice is a
/// mistake: it would be paid once and flagged on the second line.
pub fn parse_invoice_lines(text: &str) -> TypedLines {
    let mut typed = TypedLines::default();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut first = true;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let cells = cells(raw);
        let is_header = first && !cells.first().is_some_and(|c| c.chars().any(|ch| ch.is_ascii_digit()));
        first = false;
        if is_header {
            continue;
        }
        let [number, code, amount] = cells.as_slice() else {
            typed.errors.push(format!(
                "Ligne {n} : trois valeurs attendues, le numéro du bon, son code secret et le montant, séparés par « ; »."
            ));
            continue;
        };
        let number = parse_line_number(number).map_err(|e| format!("Ligne {n} : {e}"));
        let code = parse_typed_code(code).map_err(|e| format!("Ligne {n} : {e}"));
        let amount = Money::parse(amount).map_err(|e| format!("Ligne {n} : montant — {e}"));
        match (number, code, amount) {
            (Ok(number), Ok(code), Ok(amount)) => {
                if let Some((_, at)) = seen.iter().find(|(seen, _)| *seen == number) {
                    typed.errors.push(format!("Ligne {n} : le bon {number} figure déjà ligne {at}."));
                    continue;
                }
                seen.push((number.clone(), n));
                match typed.total.cents().checked_add(amount.cents()) {
                    Some(total) => typed.total = Money::from_cents(total),
                    None => typed.errors.push(format!("Ligne {n} : le total des lignes est trop grand.")),
                }
                typed.lines.push(InvoiceLineInput { voucher_number: number, code, amount: amount.decimal_fr() });
            }
            (number, code, amount) => {
                typed.errors.extend([number.err(), code.err(), amount.err()].into_iter().flatten())
            }
        }
    }
    if typed.lines.len() > MAX_INVOICE_LINES {
        typed.errors.push(format!(
            "Une facture compte au plus {MAX_INVOICE_LINES} lignes : répartissez les bons sur plusieurs factures."
        ));
    }
    typed
}

/// The values of one typed line; trailing empty values (a spreadsheet's
/// extra separators) are dropped.
fn cells(line: &str) -> Vec<&str> {
    let mut cells: Vec<&str> = if line.contains(';') {
        line.split(';').map(str::trim).collect()
    } else if line.contains('\t') {
        line.split('\t').map(str::trim).collect()
    } else {
        line.split_whitespace().collect()
    };
    while cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    cells
}

/// One line of the box, as the correction form shows it again. Codes are
/// never stored, so a line comes back without its code.
pub fn typed_line(number: &str, code: &str, amount: Money) -> String {
    format!("{number} ; {code} ; {}", amount.decimal_fr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_flags_round_trip_through_their_stored_codes() {
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::from_code(s.code()), Some(s));
        }
        for f in LineFlag::ALL {
            assert_eq!(LineFlag::from_code(f.code()), Some(f));
        }
        assert_eq!(InvoiceStatus::from_code("lost"), None);
        assert_eq!(LineFlag::from_code(""), None);
    }

    #[test]
    fn pasted_lines_are_read_whatever_the_separator() {
        let text = "N° du bon\tCode\tMontant\r\n\
                    W2026.NA.442.00000001\t5312\t42,00 €\r\n\
                    \n\
                    w2026.na.442.00000002 ; 53 12 ; 1 234,5 ;;\n\
                    W2026.NA.442.00000003 0007 8.5\n";
        let typed = parse_invoice_lines(text);
        assert_eq!(typed.errors, Vec::<String>::new());
        assert!(typed.is_ok());
        let numbers: Vec<&str> = typed.lines.iter().map(|l| l.voucher_number.as_str()).collect();
        assert_eq!(numbers, ["W2026.NA.442.00000001", "W2026.NA.442.00000002", "W2026.NA.442.00000003"]);
        assert_eq!(typed.lines[1].code, "5312");
        assert_eq!(typed.total, Money::from_cents(4_200 + 123_450 + 850));
        // What the parser hands on reads back to the same amount.
        assert_eq!(Money::parse(&typed.lines[1].amount), Ok(Money::from_cents(123_450)));
    }

    #[test]
    fn a_pass_spent_at_the_counter_is_a_line_like_a_voucher() {
        let typed = parse_invoice_lines("p2026.na.442.00000007 ; 123 456 ; 20\nW2026.NA.442.00000001;5312;42\n");
        assert_eq!(typed.errors, Vec::<String>::new());
        let numbers: Vec<&str> = typed.lines.iter().map(|l| l.voucher_number.as_str()).collect();
        assert_eq!(numbers, ["P2026.NA.442.00000007", "W2026.NA.442.00000001"]);
        assert_eq!(typed.lines[0].code, "123456");
        let typed = parse_invoice_lines("P2026.NA.442.0007;123456;20\n");
        assert_eq!(typed.lines.len(), 0);
        assert!(typed.errors[0].starts_with("Ligne 1 : "), "{:?}", typed.errors);
    }

    #[test]
    fn each_mistake_names_the_line_of_the_text() {
        let text = "W2026.NA.442.00000001;5312;42\n\
                    \n\
                    W2026.NA.442.0001;5312;42\n\
                    W2026.NA.442.00000003;12;-1\n\
                    W2026.NA.442.00000004 1234 5678 42\n\
                    W2026.NA.442.00000001;5312;42\n";
        let typed = parse_invoice_lines(text);
        assert_eq!(typed.lines.len(), 1);
        assert_eq!(typed.total, Money::from_cents(4_200));
        let errors = typed.errors.join("\n");
        assert!(errors.contains("Ligne 3 : Numéro de bon invalide"), "{errors}");
        assert!(errors.contains("Ligne 4 : Le code secret"), "{errors}");
        assert!(errors.contains("Ligne 4 : montant"), "{errors}");
        assert!(errors.contains("Ligne 5 : trois valeurs attendues"), "{errors}");
        assert!(errors.contains("Ligne 6 : le bon W2026.NA.442.00000001 figure déjà ligne 1."), "{errors}");
        assert!(!typed.is_ok());
    }

    #[test]
    fn an_empty_box_or_too_many_lines_is_not_an_invoice() {
        assert!(!parse_invoice_lines("  \n\n").is_ok());
        let many: String = (1..=MAX_INVOICE_LINES + 1).map(|i| format!("W2026.NA.442.{i:08};1234;1\n")).collect();
        let typed = parse_invoice_lines(&many);
        assert!(typed.errors.iter().any(|e| e.contains("au plus 500 lignes")), "{:?}", typed.errors.last());
    }

    #[test]
    fn a_typed_line_reads_back_without_its_code() {
        let line = typed_line("W2026.NA.442.00000001", "", Money::from_cents(123_450));
        let typed = parse_invoice_lines(&line);
        assert!(typed.errors[0].contains("code secret"), "{:?}", typed.errors);
        let typed = parse_invoice_lines(&typed_line("W2026.NA.442.00000001", "5312", Money::from_cents(123_450)));
        assert_eq!(typed.total, Money::from_cents(123_450));
    }
}
