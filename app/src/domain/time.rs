//! Instants and days as the rows keep them and as the screens show them.
//!
//! Rows keep instants in UTC (`Timestamp`, stored as fixed-width RFC 3339
//! text, sortable as text on every backend) and days as ISO text (`Day`).
//! Screens show instants in Europe/Paris: a `ParisTime` carries the instant
//! together with Paris's offset at that instant, worked out on the server,
//! so the browser formats it without a time-zone database.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant as a row keeps it: UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn new(at: DateTime<Utc>) -> Timestamp {
        Timestamp(at)
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    /// The stored form, also what the till's API answers:
    /// `2026-11-23T13:15:11.123456Z`.
    pub fn rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// Reads the stored form (or any RFC 3339 instant).
    pub fn parse(stored: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(stored).ok().map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    /// The same instant with its wall time in Paris, for a screen.
    pub fn paris(self) -> ParisTime {
        let offset = self.0.with_timezone(&Paris).offset().fix().local_minus_utc();
        ParisTime { utc_micros: self.0.timestamp_micros(), offset_seconds: offset }
    }

    /// The calendar day in Paris: what "valid until" and "year of use" mean.
    pub fn paris_day(self) -> Day {
        Day(self.0.with_timezone(&Paris).date_naive())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Timestamp {
        Timestamp(at)
    }
}

use chrono::Offset as _;

/// An instant as a screen shows it: `06/08/2020 15:09`, Paris time. It
/// still is the instant (`utc`), so one value serves a page and the till.
/// On the wire it is RFC 3339 with Paris's offset,
/// `2020-08-06T15:09:00.000000+02:00`: the instant and the wall time in one
/// string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ParisTime {
    utc_micros: i64,
    offset_seconds: i32,
}

impl ParisTime {
    pub fn utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.utc_micros).unwrap_or_default()
    }

    /// The wall clock in Paris at that instant.
    fn local(self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset_seconds).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap());
        self.utc().with_timezone(&offset)
    }

    /// `06/08/2020`, the day in Paris.
    pub fn day(self) -> Day {
        Day(self.local().date_naive())
    }

    /// The till's form: RFC 3339 in UTC, as stored.
    pub fn rfc3339(self) -> String {
        Timestamp(self.utc()).rfc3339()
    }
}

/// `06/08/2020 15:09`, as on the seed's code screen. Written field by field:
/// a list page shows hundreds, and `format` would read a pattern each time.
impl fmt::Display for ParisTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.local();
        write!(f, "{} {:02}:{:02}", Day(t.date_naive()), t.hour(), t.minute())
    }
}

impl From<Timestamp> for ParisTime {
    fn from(at: Timestamp) -> ParisTime {
        at.paris()
    }
}

// The wire form is written and read field by field: chrono's RFC 3339
// formatter and parser (its pattern machinery) would weigh some 20 KB in
// the phone's WASM bundle, which reads one of these on every voucher card.
impl ParisTime {
    /// `2020-08-06T15:09:00.000000+02:00`.
    fn wire(self) -> String {
        let t = self.local().naive_local();
        let (sign, offset) =
            if self.offset_seconds < 0 { ('-', -self.offset_seconds) } else { ('+', self.offset_seconds) };
        format!(
            "{}T{:02}:{:02}:{:02}.{:06}{sign}{:02}:{:02}",
            Day(t.date()).iso(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1000 % 1_000_000,
            offset / 3600,
            offset / 60 % 60,
        )
    }

    /// RFC 3339: a day, `T`, a time of day (with a fraction of a second or
    /// not), then `Z` or the offset.
    fn from_wire(wire: &str) -> Option<ParisTime> {
        let (date, rest) = wire.split_once('T')?;
        let day = Day::parse_iso(date)?;
        let (clock, offset_seconds) = match rest.strip_suffix('Z') {
            Some(clock) => (clock, 0),
            None => {
                let (clock, offset) = rest.split_at(rest.rfind(['+', '-'])?);
                let sign = if offset.starts_with('-') { -1 } else { 1 };
                let (hours, minutes) = offset[1..].split_once(':')?;
                (clock, sign * (two_digits(hours)? as i32 * 3600 + two_digits(minutes)? as i32 * 60))
            }
        };
        let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
        let mut fields = hms.split(':');
        let (h, m, sec) = (two_digits(fields.next()?)?, two_digits(fields.next()?)?, two_digits(fields.next()?)?);
        if fields.next().is_some() || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let micros =
            fraction.bytes().chain(std::iter::repeat(b'0')).take(6).fold(0, |n, b| n * 10 + u32::from(b - b'0'));
        let local = day.0.and_hms_micro_opt(h, m, sec, micros)?;
        let utc_micros = local.and_utc().timestamp_micros() - i64::from(offset_seconds) * 1_000_000;
        Some(ParisTime { utc_micros, offset_seconds })
    }
}

/// `07`: two digits, nothing else.
fn two_digits(text: &str) -> Option<u32> {
    (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

travels_as_text!(ParisTime, ParisTime::wire, ParisTime::from_wire, "an RFC 3339 instant");

/// A calendar day: stored as ISO `2026-11-23`, shown as `23/11/2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Day(NaiveDate);

impl Day {
    pub fn new(day: NaiveDate) -> Day {
        Day(day)
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// `2026-11-23`: the stored form, a date field's value, the till's form.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.0.year(), self.0.month(), self.0.day())
    }

    /// `2026-11-23` and nothing else (read field by field: see `ParisTime`'s wire).
    pub fn parse_iso(stored: &str) -> Option<Day> {
        let (year, rest) = stored.split_once('-')?;
        let (month, day) = rest.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        NaiveDate::from_ymd_opt(year.parse().ok()?, two_digits(month)?, two_digits(day)?).map(Day)
    }

    /// The instant this day begins in Paris: the bound of "used between day
    /// A and day B".
    pub fn paris_midnight(self) -> Timestamp {
        use chrono::TimeZone;
        let midnight = Paris.from_local_datetime(&self.0.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
        Timestamp(midnight.map(|t| t.with_timezone(&Utc)).unwrap_or_default())
    }

    /// The day after (the same day at the end of the calendar).
    pub fn next(self) -> Day {
        Day(self.0.succ_opt().unwrap_or(self.0))
    }
}

impl From<NaiveDate> for Day {
    fn from(day: NaiveDate) -> Day {
        Day(day)
    }
}

/// `23/11/2026`.
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{}", self.0.day(), self.0.month(), self.0.year())
    }
}

// On the wire a day is its ISO form, as a date field and the till write it.
travels_as_text!(Day, Day::iso, Day::parse_iso, "an ISO day");

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Timestamp(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap())
    }

    #[test]
    fn an_instant_shows_in_paris_summer_and_winter_time() {
        assert_eq!(utc(2020, 8, 6, 13, 9).paris().to_string(), "06/08/2020 15:09");
        assert_eq!(utc(2026, 11, 23, 14, 9).paris().to_string(), "23/11/2026 15:09");
        // The night the clocks go back: 00:30 and 01:30 UTC are both 02:30 in Paris.
        assert_eq!(utc(2026, 10, 25, 0, 30).paris().to_string(), "25/10/2026 02:30");
        assert_eq!(utc(2026, 10, 25, 1, 30).paris().to_string(), "25/10/2026 02:30");
        // Late evening UTC on the 31st is already the 1st in Paris.
        assert_eq!(utc(2026, 12, 31, 23, 30).paris().day().to_string(), "01/01/2027");
        assert_eq!(utc(2026, 12, 31, 23, 30).paris_day().iso(), "2027-01-01");
    }

    #[test]
    fn a_paris_time_is_still_the_instant_and_travels_whole() {
        let at = Timestamp::parse("2026-11-23T13:15:11.123456Z").unwrap();
        let shown = at.paris();
        assert_eq!(shown.rfc3339(), "2026-11-23T13:15:11.123456Z");
        assert_eq!(shown.utc(), at.utc());
        let wire = serde_json::to_string(&shown).unwrap();
        assert_eq!(wire, "\"2026-11-23T14:15:11.123456+01:00\"");
        assert_eq!(serde_json::from_str::<ParisTime>(&wire).unwrap(), shown);
        assert_eq!(shown.to_string(), "23/11/2026 14:15");
    }

    #[test]
    fn a_paris_day_begins_at_its_midnight_in_paris() {
        let day = Day::parse_iso("2026-11-23").unwrap();
        assert_eq!(day.paris_midnight().rfc3339(), "2026-11-22T23:00:00.000000Z");
        assert_eq!(Day::parse_iso("2026-07-01").unwrap().paris_midnight().rfc3339(), "2026-06-30T22:00:00.000000Z");
        assert_eq!(day.next().iso(), "2026-11-24");
    }

    #[test]
    fn a_day_is_stored_in_iso_and_shown_in_french() {
        let day = Day::parse_iso("2026-12-23").unwrap();
        assert_eq!(day.iso(), "2026-12-23");
        assert_eq!(day.to_string(), "23/12/2026");
        assert_eq!(Day::parse_iso("2026-02-31"), None);
        let wire = serde_json::to_string(&day).unwrap();
        assert_eq!(wire, "\"2026-12-23\"");
        assert_eq!(serde_json::from_str::<Day>(&wire).unwrap(), day);
        assert!(serde_json::from_str::<Day>("\"2026-02-31\"").is_err());
        for bad in ["2026-1-23", "26-11-23", "2026-11-23x", "2026/11/23", "+2026-11-23", ""] {
            assert_eq!(Day::parse_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_wire_form_of_an_instant_is_what_rfc_3339_says() {
        let summer = utc(2020, 8, 6, 13, 9).paris();
        assert_eq!(String::from(summer), "2020-08-06T15:09:00.000000+02:00");
        for (wire, utc_text) in [
            ("2020-08-06T15:09:00.000000+02:00", "2020-08-06T13:09:00.000000Z"),
            ("2020-08-06T15:09:00+02:00", "2020-08-06T13:09:00.000000Z"),
            ("2020-08-06T13:09:00.5Z", "2020-08-06T13:09:00.500000Z"),
            ("2026-11-23T01:15:11.123456789-03:30", "2026-11-23T04:45:11.123456Z"),
        ] {
            let at = ParisTime::try_from(wire.to_owned()).unwrap();
            assert_eq!(at.rfc3339(), utc_text, "{wire}");
            // What chrono's own parser makes of it, to the microsecond.
            let chrono = DateTime::parse_from_rfc3339(wire).unwrap();
            assert_eq!(at.utc().timestamp_micros(), chrono.timestamp_micros(), "{wire}");
        }
        for bad in
            ["2020-08-06 15:09:00+02:00", "2020-08-06T15:09+02:00", "2020-08-06T15:09:00", "2020-08-06T25:09:00Z"]
        {
            assert!(ParisTime::try_from(bad.to_owned()).is_err(), "{bad:?}");
        }
    }
}
