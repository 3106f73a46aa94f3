//! The one CSV writer of every file the app hands out (statements, delivered
//! vouchers, the members' import template): `;` between cells, CRLF, UTF-8
//! with a byte-order mark, as spreadsheets in France open them.
//!
//! Cells carry text others typed (a supplier's name or invoice number, a
//! member's name): a cell a spreadsheet would run as a formula is written as
//! text instead (OWASP's rule for CSV injection).

/// A CSV file being written, one row at a time.
pub struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Self {
        Csv::new()
    }
}

impl Csv {
    pub fn new() -> Csv {
        Csv::with_capacity(256)
    }

    pub fn with_capacity(bytes: usize) -> Csv {
        let mut out = String::with_capacity(bytes);
        out.push('\u{feff}');
        Csv { out }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (i, text) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(';');
            }
            write_cell(text.as_ref(), &mut self.out);
        }
        self.out.push_str("\r\n");
    }

    pub fn into_string(self) -> String {
        self.out
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Appends one cell. A cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (spreadsheets then show it as text),
/// unless it is a plain number such as `-12,50`, which no spreadsheet runs
/// and which must stay a number. A cell holding a separator of any common
/// kind (`;`, `,`, tab), a quote or a line break is quoted, so that no part
/// of it starts a cell of its own whatever separator the reader picks (a
/// number's decimal comma aside).
fn write_cell(text: &str, out: &mut String) {
    let number = is_plain_number(text);
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number;
    let quoted = text.contains([';', '"', '\t', '\r', '\n']) || (text.contains(',') && !number);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

/// `12`, `-3`, `1234,50`: an optional minus, digits, and decimals after a comma.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, decimals) = digits.split_once(',').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> String {
        let mut csv = Csv::new();
        csv.row(cells);
        csv.into_string().trim_start_matches('\u{feff}').to_owned()
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        assert_eq!(
            line(&["=HYPERLINK(\"//ev.il/x\",\"Cliquez\")"]),
            "\"'=HYPERLINK(\"\"//ev.il/x\"\",\"\"Cliquez\"\")\"\r\n"
        );
        assert_eq!(line(&["@SUM(1+1)*cmd|' /C calc'!A0"]), "'@SUM(1+1)*cmd|' /C calc'!A0\r\n");
        assert_eq!(line(&["+33 6", "-A.B.", "=1+1"]), "'+33 6;'-A.B.;'=1+1\r\n");
        assert_eq!(line(&["\tx", "\ry"]), "\"'\tx\";\"'\ry\"\r\n");
        assert_eq!(line(&["-2+3"]), "'-2+3\r\n", "an operation is not a plain number");
    }

    #[test]
    fn numbers_and_plain_text_stay_as_they_are() {
        assert_eq!(
            line(&["12,50", "-12,50", "3", "W2026.NA.442.00000001", "M.C.", ""]),
            "12,50;-12,50;3;W2026.NA.442.00000001;M.C.;\r\n"
        );
        assert_eq!(
            line(&["Bois; Charpente", "a,b", "dit \"le\""]),
            "\"Bois; Charpente\";\"a,b\";\"dit \"\"le\"\"\"\r\n"
        );
    }

    #[test]
    fn a_file_starts_with_a_byte_order_mark() {
        let mut csv = Csv::new();
        csv.row(["a", "b"]);
        assert_eq!(csv.into_bytes(), "\u{feff}a;b\r\n".as_bytes());
    }
}
