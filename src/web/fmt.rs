//! Dates and times as people in Norway read them: instants are stored in UTC and shown in
//! Europe/Oslo.

use chrono::NaiveDateTime;
use chrono_tz::Europe::Oslo;

pub fn datetime(utc: NaiveDateTime) -> String {
    utc.and_utc()
        .with_timezone(&Oslo)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// The instant for machines: the `datetime` attribute of `<time>`, a valid HTML global date
/// and time in UTC to the second (`2026-11-28T14:03:09Z`), without the database's microseconds.
pub fn machine(utc: &NaiveDateTime) -> String {
    utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A `tel:` link to a phone number as people write it ("411 25 159", "+47 411-25-159"): only
/// the digits and a leading `+`, since a `tel:` URI (RFC 3966) allows no spaces.
pub fn tel(phone: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}

pub fn date(utc: NaiveDateTime) -> String {
    utc.and_utc()
        .with_timezone(&Oslo)
        .format("%d.%m.%Y")
        .to_string()
}
