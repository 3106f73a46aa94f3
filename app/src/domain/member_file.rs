//! A members' file as staff upload it: a spreadsheet saved as CSV, its
//! columns found by their titles however a spreadsheet spelled them. Pure:
//! what the import then does with each line is `services::members::import`.

/// The file's columns, in the template's order.
pub const IMPORT_HEADER: [&str; 4] = ["N° d'adhérent", "Nom", "Email", "Cotisation à jour jusqu'au"];

/// What became of one line of an imported file; stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
    Refused,
}

impl ImportOutcome {
    pub const ALL: [ImportOutcome; 4] =
        [ImportOutcome::Created, ImportOutcome::Updated, ImportOutcome::Unchanged, ImportOutcome::Refused];

    pub const fn code(self) -> &'static str {
        match self {
            ImportOutcome::Created => "created",
            ImportOutcome::Updated => "updated",
            ImportOutcome::Unchanged => "unchanged",
            ImportOutcome::Refused => "refused",
        }
    }

    pub fn from_code(code: &str) -> Option<ImportOutcome> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub const fn label(self) -> &'static str {
        match self {
            ImportOutcome::Created => "créé",
            ImportOutcome::Updated => "mis à jour",
            ImportOutcome::Unchanged => "inchangé",
            ImportOutcome::Refused => "refusé",
        }
    }
}

/// Larger files are refused: a few thousand members fit in a few hundred kB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Lines of members one file may carry.
pub const MAX_LINES: usize = 10_000;

#[cfg(feature = "ssr")]
pub use reader::*;

/// Reading needs the `csv` crate: the server's alone.
#[cfg(feature = "ssr")]
mod reader {
    use super::{IMPORT_HEADER, MAX_FILE_BYTES, MAX_LINES};
    use std::collections::HashMap;

    /// One line of the file, cells as written (trimmed). `email` and `fee` are
    /// None when the file has no such column.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FileLine {
        /// Its line in the file; the header is line 1.
        pub line: i64,
        pub number: String,
        pub name: String,
        pub email: Option<String>,
        pub fee: Option<String>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Column {
        Number,
        Name,
        Email,
        Fee,
    }

    impl Column {
        /// The header as the template writes it.
        fn title(self) -> &'static str {
            let [number, name, email, fee] = IMPORT_HEADER;
            match self {
                Column::Number => number,
                Column::Name => name,
                Column::Email => email,
                Column::Fee => fee,
            }
        }

        /// Which column a header names, however a spreadsheet spelled it
        /// ("N° d'adhérent", "numero adherent", "NOM", "E-mail", "Cotisation…").
        fn of_header(header: &str) -> Option<Column> {
            let folded: String = header
                .to_lowercase()
                .chars()
                .map(|c| match c {
                    'à' | 'â' | 'ä' => 'a',
                    'é' | 'è' | 'ê' | 'ë' => 'e',
                    'î' | 'ï' => 'i',
                    'ô' | 'ö' => 'o',
                    'ù' | 'û' | 'ü' => 'u',
                    'ç' => 'c',
                    c => c,
                })
                .filter(char::is_ascii_alphanumeric)
                .collect();
            if folded.starts_with("nom") || folded == "name" {
                Some(Column::Name)
            } else if folded.contains("adherent") || folded.starts_with("numero") || folded == "n" {
                Some(Column::Number)
            } else if folded.contains("mail") || folded.contains("courriel") {
                Some(Column::Email)
            } else if folded.contains("cotisation") {
                Some(Column::Fee)
            } else {
                None
            }
        }
    }

    /// Reads the file into lines; a file that cannot be read as a whole gets
    /// the sentence saying why.
    pub fn read_file(bytes: &[u8]) -> Result<Vec<FileLine>, String> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!("Le fichier dépasse {} Mo : découpez-le en plusieurs fichiers.", MAX_FILE_BYTES >> 20));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|_| {
            "Le fichier n'est pas enregistré en UTF-8 : dans votre tableur, enregistrez-le au format « CSV UTF-8 »."
                .to_owned()
        })?;
        let header_line = text.lines().next().unwrap_or_default();
        if text.trim().is_empty() {
            return Err("Le fichier est vide.".into());
        }
        let delimiter = if header_line.matches(';').count() >= header_line.matches(',').count() { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(header)) => header,
            _ => return Err("La première ligne du fichier (les titres des colonnes) est illisible.".into()),
        };
        let mut columns: HashMap<usize, Column> = HashMap::new();
        for (i, title) in header.iter().enumerate() {
            if let Some(column) = Column::of_header(title) {
                if columns.values().any(|c| *c == column) {
                    return Err(format!(
                        "La colonne « {} » apparaît deux fois dans la première ligne.",
                        column.title()
                    ));
                }
                columns.insert(i, column);
            }
        }
        let expected = IMPORT_HEADER.join(";");
        for required in [Column::Number, Column::Name] {
            if !columns.values().any(|c| *c == required) {
                return Err(format!(
                    "La colonne « {} » manque : la première ligne du fichier doit être « {expected} » (téléchargez le modèle).",
                    required.title()
                ));
            }
        }
        let has = |column| columns.values().any(|c| *c == column);
        let (has_email, has_fee) = (has(Column::Email), has(Column::Fee));

        let mut lines = Vec::new();
        for record in records {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or_default();
                format!("La ligne {line} du fichier est illisible : vérifiez ses guillemets.")
            })?;
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            if lines.len() == MAX_LINES {
                return Err(format!(
                    "Le fichier compte plus de {MAX_LINES} adhérents : découpez-le en plusieurs fichiers."
                ));
            }
            let mut line = FileLine {
                line: record.position().map(|p| line_at(text, p.byte())).unwrap_or_default(),
                number: String::new(),
                name: String::new(),
                email: has_email.then(String::new),
                fee: has_fee.then(String::new),
            };
            for (i, cell) in record.iter().enumerate() {
                let cell = cell.trim().to_owned();
                match columns.get(&i) {
                    Some(Column::Number) => line.number = cell,
                    Some(Column::Name) => line.name = cell,
                    Some(Column::Email) => line.email = Some(cell),
                    Some(Column::Fee) => line.fee = Some(cell),
                    None => {}
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            return Err("Le fichier ne contient aucun adhérent sous la ligne des titres.".into());
        }
        Ok(lines)
    }

    /// The line (from 1) a record starting at `byte` is on. The csv reader's
    /// own line count skips blank lines and stops short of `\r\n`, and its
    /// offset points at the end of the line before: step over line ends first.
    fn line_at(text: &str, byte: u64) -> i64 {
        let at = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        let before = text.as_bytes()[..at].iter().filter(|b| **b == b'\n').count();
        let skipped =
            text.as_bytes()[at..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
        i64::try_from(before + skipped + 1).unwrap_or(i64::MAX)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn lines(file: &str) -> Vec<FileLine> {
            read_file(file.as_bytes()).unwrap()
        }

        #[test]
        fn semicolons_commas_and_the_byte_order_mark_are_all_read() {
            let expected = FileLine {
                line: 2,
                number: "44000200A".into(),
                name: "Jeanne Martin".into(),
                email: Some("j@exemple.fr".into()),
                fee: Some("31/12/2026".into()),
            };
            let semi = "N° d'adhérent;Nom;Email;Cotisation à jour jusqu'au\n44000200A; Jeanne Martin ;j@exemple.fr;31/12/2026\n";
            assert_eq!(lines(semi), std::slice::from_ref(&expected));
            let comma = "\u{feff}N° d'adhérent,Nom,Email,Cotisation à jour jusqu'au\r\n44000200A,\"Jeanne Martin\",j@exemple.fr,31/12/2026\r\n";
            assert_eq!(lines(comma), std::slice::from_ref(&expected));
            let header_only = format!("{}\n", IMPORT_HEADER.join(";"));
            assert_eq!(
                read_file(header_only.as_bytes()).unwrap_err(),
                "Le fichier ne contient aucun adhérent sous la ligne des titres."
            );
        }

        #[test]
        fn columns_are_found_by_their_title_in_any_order_and_empty_lines_skipped() {
            let file =
                "NOM;Cotisation;numero adherent\nJeanne Martin;;44000200A\n;;\n\nPaul Durand;2026-12-31;44000201A\n";
            let read = lines(file);
            assert_eq!(read.len(), 2);
            assert_eq!((read[1].line, read[1].name.as_str(), read[1].number.as_str()), (5, "Paul Durand", "44000201A"));
            assert_eq!(read[1].email, None, "no email column");
            assert_eq!(read[0].fee.as_deref(), Some(""));
        }

        #[test]
        fn line_numbers_are_those_a_text_editor_shows() {
            let file = "N° d'adhérent;Nom\r\n44000200A;Jeanne\r\n\r\n;\r\n44000201A;Paul\r\n";
            assert_eq!(lines(file).iter().map(|l| l.line).collect::<Vec<_>>(), [2, 5]);
            let file = "N° d'adhérent;Nom\n\n\n44000200A;\"Jeanne\nsur deux lignes\"\n44000201A;Paul";
            assert_eq!(lines(file).iter().map(|l| l.line).collect::<Vec<_>>(), [4, 6]);
        }

        #[test]
        fn unreadable_files_are_refused_with_a_reason() {
            assert!(read_file(b"").unwrap_err().contains("vide"));
            assert!(read_file(b"N\xB0 d'adh\xE9rent;Nom\n1;2\n").unwrap_err().contains("UTF-8"));
            assert!(
                read_file("Nom;Email\nJeanne;j@x.fr\n".as_bytes()).unwrap_err().contains("« N° d'adhérent » manque")
            );
            assert!(read_file("N° d'adhérent;Nom;Nom\n".as_bytes()).unwrap_err().contains("deux fois"));
            assert!(read_file(&vec![b'a'; MAX_FILE_BYTES + 1]).unwrap_err().contains("Mo"));
        }
    }
}
