//! Searching as people type: « helene » finds « Hélène », « DUPONT » finds
//! « Dupont ». Both sides are folded by the same rule, here: lower case, the
//! accents of the Latin alphabets taken off, ligatures spelled out, every
//! run of spaces one space. The server stores each searchable row's folded
//! text (its search key) and the browser folds its table rows the same way.

/// How many words of a search are looked for; more are ignored.
pub const MAX_WORDS: usize = 6;

/// `text` in lower case without accents, its spaces collapsed:
/// « Œuvres de SAINT-ÉTIENNE » → « oeuvres de saint-etienne ».
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            if !folded.is_empty() && !folded.ends_with(' ') {
                folded.push(' ');
            }
            continue;
        }
        match base_letters(c) {
            Some(letters) => folded.push_str(letters),
            None => folded.push(c),
        }
    }
    if folded.ends_with(' ') {
        folded.pop();
    }
    folded
}

/// The search key of a row: its searchable texts folded, one space apart.
pub fn key(parts: &[&str]) -> String {
    fold(&parts.join(" "))
}

/// The words of a typed search, folded, at most `MAX_WORDS`. `%`, `_` and
/// `\` separate words (they mean something to SQL's LIKE and nothing in a
/// name or a number), so a word can go into a `LIKE '%word%'` as it is.
pub fn words(typed: &str) -> Vec<String> {
    fold(typed)
        .split([' ', '%', '_', '\\'])
        .filter(|word| !word.is_empty())
        .take(MAX_WORDS)
        .map(str::to_owned)
        .collect()
}

/// Whether every word of `typed` is in `text`, both folded.
pub fn matches(text: &str, typed: &str) -> bool {
    let text = fold(text);
    words(typed).iter().all(|word| text.contains(word.as_str()))
}

/// The letters an accented lower-case letter is written with once its
/// accent is off; None for a letter without one.
fn base_letters(c: char) -> Option<&'static str> {
    const FOLDS: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("çćĉċč", "c"),
        ("ďđ", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"),
        ("śŝşšș", "s"),
        ("ţťŧț", "t"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
        ("œ", "oe"),
        ("æ", "ae"),
        ("ß", "ss"),
        ("ð", "d"),
        ("þ", "th"),
        // The no-break spaces French typography puts before « : » and in
        // amounts are spaces.
        ("\u{a0}\u{202f}", " "),
    ];
    if c.is_ascii() {
        return None;
    }
    FOLDS.iter().find(|(accented, _)| accented.contains(c)).map(|(_, base)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold("Hélène"), "helene");
        assert_eq!(fold("  Œuvres de   SAINT-ÉTIENNE "), "oeuvres de saint-etienne");
        assert_eq!(fold("Ça coûte 1\u{202f}000 €"), "ca coute 1 000 €");
        assert_eq!(fold("Łódź Ærø Straße"), "lodz aero strasse");
        assert_eq!(fold("W2020.XX.442.00000123"), "w2020.xx.442.00000123");
    }

    #[test]
    fn a_search_is_its_folded_words() {
        assert_eq!(words(" Hélène  DUPONT "), vec!["helene", "dupont"]);
        assert_eq!(words("50%_off\\x"), vec!["50", "off", "x"]);
        assert_eq!(words("a b c d e f g h").len(), MAX_WORDS);
        assert!(words("   ").is_empty());
    }

    #[test]
    fn every_word_must_be_found_in_any_order() {
        assert!(matches("DUPONT Hélène", "helene dupont"));
        assert!(matches("Bois & Fils — Hélène", "BOIS helène"));
        assert!(!matches("DUPONT Hélène", "helene martin"));
        assert!(matches("anything", ""), "an empty search matches every row");
    }

    #[test]
    fn a_key_joins_its_parts() {
        assert_eq!(key(&["Durand Élise", "4400123B"]), "durand elise 4400123b");
    }
}
