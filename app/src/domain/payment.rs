//! Paying suppliers: what staff type when a payment batch's transfers left.

use super::{Day, day::parse_day};

/// The longest transfer reference kept.
pub const MAX_REFERENCE: usize = 80;

/// The day the transfers left, as staff type it: a real day, not in the
/// future.
pub fn transfer_day(typed: &str, today: Day) -> Result<Day, String> {
    let day = Day::new(parse_day(typed).map_err(|e| format!("Date des virements : {e}"))?);
    if day > today {
        return Err("La date des virements ne peut pas être dans le futur.".into());
    }
    Ok(day)
}

/// Nor before the batch was prepared (checked once the batch is read).
pub fn transfers_after_batch(day: Day, prepared: Day) -> Result<(), String> {
    if day < prepared {
        return Err("Les virements ne peuvent pas précéder la préparation du lot.".into());
    }
    Ok(())
}

/// The transfer's reference as it is kept: one line of words, none when
/// left empty.
pub fn transfer_reference(typed: &str) -> Result<Option<String>, String> {
    let reference = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if reference.chars().count() > MAX_REFERENCE {
        return Err(format!("La référence compte au plus {MAX_REFERENCE} caractères."));
    }
    Ok((!reference.is_empty()).then_some(reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(iso: &str) -> Day {
        Day::parse_iso(iso).unwrap()
    }

    #[test]
    fn transfers_leave_between_the_batch_and_today() {
        let (prepared, today) = (day("2026-11-20"), day("2026-11-23"));
        assert_eq!(transfer_day("23/11/2026", today), Ok(today));
        assert!(transfer_day("2026-11-24", today).unwrap_err().contains("futur"));
        assert!(transfer_day("", today).unwrap_err().starts_with("Date des virements : "));
        assert_eq!(transfers_after_batch(prepared, prepared), Ok(()));
        assert!(transfers_after_batch(day("2026-11-19"), prepared).unwrap_err().contains("précéder"));
    }

    #[test]
    fn a_reference_is_one_line_and_may_be_left_empty() {
        assert_eq!(transfer_reference("  VIR \n 2026-11 "), Ok(Some("VIR 2026-11".into())));
        assert_eq!(transfer_reference("   "), Ok(None));
        assert!(transfer_reference(&"x".repeat(MAX_REFERENCE + 1)).unwrap_err().contains("au plus 80"));
    }
}
