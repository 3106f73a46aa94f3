//! Calendar days and months as people type them in forms: `23/11/2026`
//! (French), or `2026-11-23` (what a date field sends).

use chrono::{Datelike, NaiveDate};

/// A day typed in a form.
pub fn parse_day(input: &str) -> Result<NaiveDate, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Indiquez une date, par exemple 23/11/2026.".into());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=9999).contains(&d.year()))
        .ok_or_else(|| format!("Date invalide : « {s} ». Écrivez-la comme 23/11/2026."))
}

/// A month typed in a form (`2026-11` or `11/2026`): its first and last days.
pub fn parse_month(input: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let s = input.trim();
    let (year, month) = match (s.split_once('-'), s.split_once('/')) {
        (Some((y, m)), _) => (y, m),
        (None, Some((m, y))) => (y, m),
        _ => return Err(format!("Mois invalide : « {s} ». Écrivez-le comme 11/2026.")),
    };
    let first = year
        .parse::<i32>()
        .ok()
        .zip(month.parse::<u32>().ok())
        .filter(|(y, _)| (1900..=9999).contains(y))
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
        .ok_or_else(|| format!("Mois invalide : « {s} ». Écrivez-le comme 11/2026."))?;
    Ok((first, last_day_of_month(first)))
}

pub fn last_day_of_month(day: NaiveDate) -> NaiveDate {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// `23/11/2026`.
pub fn french(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_french_or_iso_form() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(parse_day("23/11/2026"), Ok(d));
        assert_eq!(parse_day(" 2026-11-23 "), Ok(d));
        for bad in ["", "31/02/2026", "2026-13-01", "demain", "23/11/26x"] {
            assert!(parse_day(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn months_give_their_first_and_last_days() {
        let (first, last) = parse_month("2026-02").unwrap();
        assert_eq!((first.to_string(), last.to_string()), ("2026-02-01".into(), "2026-02-28".into()));
        assert_eq!(parse_month("12/2026").unwrap().1.to_string(), "2026-12-31");
        for bad in ["", "2026", "13/2026", "2026-00", "novembre"] {
            assert!(parse_month(bad).is_err(), "{bad:?}");
        }
    }
}
