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

pub fn date(utc: NaiveDateTime) -> String {
    utc.and_utc()
        .with_timezone(&Oslo)
        .format("%d.%m.%Y")
        .to_string()
}
