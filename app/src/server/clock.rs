//! Time is stored in UTC as fixed-width RFC 3339 text (sortable as text, the
//! same on every backend) and shown in Europe/Paris.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};
use chrono_tz::Europe::Paris;

/// The stored form of an instant: `2026-11-23T13:15:11.123456Z`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_stamp(stored: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stored).ok().map(|t| t.with_timezone(&Utc))
}

/// The calendar day in Paris, which is what "valid until" and "year of use" mean.
pub fn paris_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Paris).date_naive()
}

pub fn paris_year(at: DateTime<Utc>) -> i32 {
    paris_date(at).year()
}

/// Stored days are ISO `YYYY-MM-DD`.
pub fn iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// `06/08/2020 15:09`, as on the seed's code screen.
pub fn display_datetime(stored: &str) -> String {
    match parse_stamp(stored) {
        // Written field by field: a list page shows hundreds of these, and
        // `format` reads its pattern again for each one.
        Some(t) => {
            let t = t.with_timezone(&Paris);
            format!("{:02}/{:02}/{} {:02}:{:02}", t.day(), t.month(), t.year(), t.hour(), t.minute())
        }
        None => stored.to_owned(),
    }
}

/// `2026-12-23` → `23/12/2026`.
pub fn display_day(iso: &str) -> String {
    match iso.parse::<NaiveDate>() {
        Ok(d) => display_date(d),
        Err(_) => iso.to_owned(),
    }
}

/// A day as the screens show it: `23/12/2026`. Written field by field: a
/// list page shows hundreds, and `format` would read its pattern each time.
pub fn display_date(day: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", day.day(), day.month(), day.year())
}

/// The instant a Paris calendar day begins, in stored form: the bound of
/// "used between day A and day B" queries.
pub fn paris_midnight(day: NaiveDate) -> String {
    use chrono::TimeZone;
    Paris
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| stamp(t.with_timezone(&Utc)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_instants_round_trip_and_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 10, 2, 3, 4, 5).unwrap();
        assert_eq!(stamp(a), "2026-01-02T03:04:05.000000Z");
        assert_eq!(parse_stamp(&stamp(a)), Some(a));
        assert!(stamp(a) < stamp(b));
    }

    #[test]
    fn screens_show_paris_time_summer_and_winter() {
        assert_eq!(display_datetime("2020-08-06T13:09:00.000000Z"), "06/08/2020 15:09");
        assert_eq!(display_datetime("2026-01-15T13:09:00.000000Z"), "15/01/2026 14:09");
    }

    #[test]
    fn new_year_in_paris_comes_before_new_year_in_utc() {
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(paris_year(t), 2027);
        assert_eq!(iso_day(paris_date(t)), "2027-01-01");
        assert_eq!(display_day("2027-01-01"), "01/01/2027");
        assert_eq!(display_day("2026-12-23"), "23/12/2026");
        assert_eq!(display_day("pas une date"), "pas une date", "shown as stored rather than hidden");
        assert_eq!(display_datetime("2027-01-01T08:05:00.000000Z"), "01/01/2027 09:05");
    }
}
