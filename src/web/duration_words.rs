//! Durations in words in the page's language ("2 minutes ago", "9 minutes"): the
//! catalogue's messages (`i18n::when`) with the language `web::lang` chose.

use super::lang::locale;

/// How long ago something happened, `secs` seconds before now.
pub fn ago(secs: i64) -> String {
    crate::i18n::ago(locale(), secs)
}

/// Time left, rounded down so it never promises more than there is.
pub fn remaining(secs: i64) -> String {
    crate::i18n::remaining(locale(), secs)
}

/// A wait in whole minutes, rounded up so people do not come back before the pause ends
/// ("8 minutes"), as every lock-out page says it.
pub fn minutes_up(secs: i64) -> String {
    let minutes = (secs.max(1) + 59) / 60;
    crate::i18n::remaining(locale(), minutes * 60)
}

/// A moment as a date and time (UTC).
pub fn date_time(unix_secs: i64) -> String {
    crate::i18n::date_time(locale(), unix_secs)
}
