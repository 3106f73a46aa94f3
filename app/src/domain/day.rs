//! Calendar days and months as people type them in forms: `23/11/2026`
//! (French), or `2026-11-23` (what a date field sends).

use super::Day;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

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

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A calendar month: stored, typed and sent as `2026-11`, shown as
/// `novembre 2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Month(NaiveDate);

impl Month {
    /// The month `day` is in.
    pub fn of(day: Day) -> Month {
        let day = day.date();
        Month(day.with_day(1).unwrap_or(day))
    }

    /// A month typed in a form (`2026-11` or `11/2026`).
    pub fn parse(input: &str) -> Result<Month, String> {
        parse_month(input).map(|(first, _)| Month(first))
    }

    /// The stored form, `2026-11`.
    pub fn parse_iso(stored: &str) -> Option<Month> {
        let (year, month) = stored.split_once('-')?;
        NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1).map(Month)
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.0.year(), self.0.month())
    }

    pub fn first(self) -> Day {
        Day::new(self.0)
    }

    pub fn last(self) -> Day {
        Day::new(last_day_of_month(self.0))
    }

    /// The month before: what a statement run proposes by default.
    pub fn next(self) -> Month {
        Month(last_day_of_month(self.0).succ_opt().unwrap_or(self.0))
    }

    /// `11/2026`, for a chart's axis.
    pub fn short(self) -> String {
        format!("{:02}/{}", self.0.month(), self.0.year())
    }

    pub fn previous(self) -> Month {
        Month::of(Day::new(self.0.pred_opt().unwrap_or(self.0)))
    }

    /// Every day of the month.
    pub fn period(self) -> Period {
        Period { from: self.first(), to: self.last() }
    }
}

/// `novembre 2026`.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", MONTHS[self.0.month0() as usize], self.0.year())
    }
}

travels_as_text!(Month, Month::iso, Month::parse_iso, "an ISO month");

/// The longest period one statement covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The days a statement covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    /// A period typed in the form: two days, in order, a year at most. A
    /// mistake comes back with the field it is in (`from`, `to`).
    pub fn parse(from: &str, to: &str) -> Result<Period, (&'static str, String)> {
        let from = parse_day(from).map_err(|e| ("from", format!("Début de la période : {e}")))?;
        let to = parse_day(to).map_err(|e| ("to", format!("Fin de la période : {e}")))?;
        if to < from {
            return Err(("to", "La fin de la période précède son début.".into()));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(("to", "Un relevé couvre au plus un an.".into()));
        }
        Ok(Period { from: Day::new(from), to: Day::new(to) })
    }
}

/// `du 01/11/2026 au 30/11/2026`.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "du {} au {}", self.from, self.to)
    }
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

    #[test]
    fn a_month_is_stored_in_iso_and_named_in_french() {
        let november = Month::parse("11/2026").unwrap();
        assert_eq!(november.iso(), "2026-11");
        assert_eq!(november.to_string(), "novembre 2026");
        assert_eq!(Month::parse_iso("2026-11"), Some(november));
        assert_eq!(Month::parse_iso("2026-13"), None);
        assert_eq!(november.period().to_string(), "du 01/11/2026 au 30/11/2026");
        let january = Month::parse("2027-01").unwrap();
        assert_eq!(january.previous().to_string(), "décembre 2026");
        assert_eq!(Month::of(Day::parse_iso("2027-01-31").unwrap()), january);
        assert_eq!(serde_json::to_string(&november).unwrap(), "\"2026-11\"");
    }

    #[test]
    fn a_period_is_two_days_in_order_a_year_at_most() {
        let p = Period::parse("2026-11-01", "30/11/2026").unwrap();
        assert_eq!(p.to_string(), "du 01/11/2026 au 30/11/2026");
        let refused = |from, to| Period::parse(from, to).unwrap_err();
        assert!(matches!(refused("2026-11-30", "2026-11-01"), ("to", e) if e.contains("précède")));
        assert!(matches!(refused("2025-01-01", "2026-11-30"), ("to", e) if e.contains("au plus un an")));
        assert!(Period::parse("2025-11-30", "2026-11-29").is_ok(), "365 days");
        assert!(matches!(refused("", "2026-11-30"), ("from", e) if e.contains("Début de la période")));
        assert!(matches!(refused("2026-11-01", "demain"), ("to", e) if e.contains("Fin de la période")));
    }
}
