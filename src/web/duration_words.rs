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

/// A moment as a date and time (UTC).
pub fn date_time(unix_secs: i64) -> String {
    crate::i18n::date_time(locale(), unix_secs)
}
