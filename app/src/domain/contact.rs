//! Names, email addresses, phone numbers and postal addresses as staff type
//! them in the back office's forms (or as a CSV file carries them). Each
//! parser trims what it reads and names the mistake in French.

/// The longest name (of a member, a supplier, a contact) we keep.
pub const MAX_NAME: usize = 100;
/// The longest postal address we keep.
pub const MAX_ADDRESS: usize = 300;

/// A required name: spaces collapsed, no control characters. `what` names
/// the field in the message ("le nom de l'adhérent").
pub fn parse_name(input: &str, what: &str) -> Result<String, String> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(format!("Indiquez {what}."));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(format!("{} s'écrit sur une ligne, en {MAX_NAME} caractères au plus.", capitalised(what)));
    }
    Ok(name)
}

/// An optional name: empty is None.
pub fn parse_optional_name(input: &str, what: &str) -> Result<Option<String>, String> {
    if input.trim().is_empty() { Ok(None) } else { parse_name(input, what).map(Some) }
}

/// An optional email address: empty is None. Checked for its shape only
/// (`nom@domaine.fr`): whether it reaches someone, only an email can tell.
pub fn parse_email(input: &str) -> Result<Option<String>, String> {
    let email = input.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let bad = || format!("Adresse e-mail invalide : « {email} ». Écrivez-la comme nom@exemple.fr.");
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2 && labels.iter().all(|l| label_ok(l));
    if email.len() > 254 || !local_ok || !domain_ok {
        return Err(bad());
    }
    Ok(Some(format!("{local}@{}", domain.to_lowercase())))
}

/// An optional phone number: empty is None. Digits with spaces, dots,
/// dashes or brackets between them, a leading + for an international
/// number; 8 to 15 digits. Kept as typed (spaces collapsed).
pub fn parse_phone(input: &str) -> Result<Option<String>, String> {
    let phone = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if phone.is_empty() {
        return Ok(None);
    }
    let body = phone.strip_prefix('+').unwrap_or(&phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let allowed = body.chars().all(|c| c.is_ascii_digit() || " .-()".contains(c));
    if !allowed || !(8..=15).contains(&digits) {
        return Err(format!("Téléphone invalide : « {phone} ». Écrivez-le comme 02 40 12 34 56 ou +33 2 40 12 34 56."));
    }
    Ok(Some(phone))
}

/// An optional postal address, on several lines: empty is None.
pub fn parse_address(input: &str) -> Result<Option<String>, String> {
    let lines: Vec<String> =
        input.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return Ok(None);
    }
    let address = lines.join("\n");
    if address.chars().count() > MAX_ADDRESS || address.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("L'adresse compte au plus {MAX_ADDRESS} caractères."));
    }
    Ok(Some(address))
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(parse_name("  Camille   Martin ", "le nom").unwrap(), "Camille Martin");
        assert_eq!(parse_name(" ", "le nom de l'adhérent").unwrap_err(), "Indiquez le nom de l'adhérent.");
        assert!(parse_name(&"a".repeat(101), "le nom").unwrap_err().starts_with("Le nom s'écrit sur une ligne"));
        assert!(parse_name("a\u{7}b", "le nom").is_err());
        assert_eq!(parse_optional_name("", "le contact"), Ok(None));
    }

    #[test]
    fn emails_have_a_local_part_and_a_domain() {
        assert_eq!(parse_email(" Camille.Martin@Exemple.FR "), Ok(Some("Camille.Martin@exemple.fr".into())));
        assert_eq!(parse_email(""), Ok(None));
        assert!(parse_email("élise@société.fr").is_ok());
        for bad in [
            "camille",
            "camille@",
            "@exemple.fr",
            "camille@exemple",
            "ca mille@exemple.fr",
            "a@@b.fr",
            "a@b..fr",
            ".a@b.fr",
            "a@-b.fr",
            "a;b@c.fr",
        ] {
            let err = parse_email(bad).unwrap_err();
            assert!(err.starts_with("Adresse e-mail invalide"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn phones_have_eight_to_fifteen_digits() {
        assert_eq!(parse_phone(" 02 40  12 34 56 "), Ok(Some("02 40 12 34 56".into())));
        assert!(parse_phone("+33 (0)2.40.12.34.56").is_ok());
        assert_eq!(parse_phone(""), Ok(None));
        for bad in ["0240", "02 40 12 34 56 78 90 12", "appelez-moi", "+33+2401234567"] {
            assert!(parse_phone(bad).unwrap_err().starts_with("Téléphone invalide"), "{bad:?}");
        }
    }

    #[test]
    fn addresses_keep_their_lines() {
        assert_eq!(
            parse_address(" 12 rue des Castors \r\n\n 44000  Nantes "),
            Ok(Some("12 rue des Castors\n44000 Nantes".into()))
        );
        assert_eq!(parse_address("  \n "), Ok(None));
        assert!(parse_address(&"x".repeat(301)).is_err());
    }
}
