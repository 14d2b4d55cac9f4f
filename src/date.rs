//! Dates: one type, [`Date`] (`jiff::civil::Date`, a calendar day without a time zone), for
//! exception expiry, `--date`, and commit days. "Today" is resolved once, in `cli`, and passed
//! down as a value, so nothing below it reads the clock.
//!
//! May depend on: nothing in the crate.
pub use jiff::civil::Date;

/// A date written `YYYY-MM-DD` (exactly that form: four-digit year, two-digit month and day), or
/// `None` when it is not one or not a real day.
pub fn parse(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    s.parse().ok()
}

/// The UTC day of a Unix time.
pub fn of_unix(secs: i64) -> Date {
    let days = secs.div_euclid(86_400);
    Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap_or(Date::MAX)
}

/// Today (UTC) by the system clock.
pub fn today_utc() -> Date {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    of_unix(secs)
}

/// `date` plus `days` (saturating at the ends of the calendar).
pub fn plus_days(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days)).unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_and_real() {
        assert_eq!(parse("1970-01-01"), Some(Date::constant(1970, 1, 1)));
        assert_eq!(parse("2000-02-29").map(|d| d.to_string()).as_deref(), Some("2000-02-29"));
        assert_eq!(parse("2001-02-29"), None);
        assert_eq!(parse("2027-1-31"), None);
        assert_eq!(parse("-027-01-31"), None);
        assert_eq!(parse("2027-01-31 "), None);
        assert_eq!(of_unix(0).to_string(), "1970-01-01");
        assert_eq!(of_unix(1_700_000_000).to_string(), "2023-11-14");
        assert_eq!(of_unix(951_782_400).to_string(), "2000-02-29");
        assert_eq!(plus_days(Date::constant(2026, 11, 22), 10).to_string(), "2026-12-02");
    }
}
