//! Durations and times in words ("2 minutes ago", "9 minutes", "7 Dec 2026, 14:05 UTC"),
//! each a whole message per language: "vor 2 Tagen" is not "vor" + "2 Tage".

use super::{Args, Locale, text, text_with};

/// How long ago something happened, `secs` seconds before now.
pub fn ago(locale: Locale, secs: i64) -> String {
    amount(locale, "ago", secs)
}

/// Time left, rounded down so it never promises more than there is.
pub fn remaining(locale: Locale, secs: i64) -> String {
    amount(locale, "remaining", secs)
}

fn amount(locale: Locale, kind: &str, secs: i64) -> String {
    let (count, unit) = match secs {
        ..60 => return text(locale, &format!("{kind}-less-than-minute")),
        60..3600 => (secs / 60, "minutes"),
        3600..86_400 => (secs / 3600, "hours"),
        _ => (secs / 86_400, "days"),
    };
    text_with(
        locale,
        &format!("{kind}-{unit}"),
        &Args::new().with("n", count),
    )
}

/// A moment as a date and time in UTC (the server does not know the reader's zone, so it
/// says which one it uses).
pub fn date_time(locale: Locale, unix_secs: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix_secs) else {
        return String::new();
    };
    let month = text(locale, &format!("month-{}", u8::from(at.month())));
    let args = Args::new()
        .with("day", at.day().to_string())
        .with("month", month)
        .with("month-number", u8::from(at.month()).to_string())
        .with("year", at.year().to_string())
        .with("time", format!("{:02}:{:02}", at.hour(), at.minute()));
    text_with(locale, "date-time", &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_for_durations_and_times() {
        let en = Locale::En;
        assert_eq!(ago(en, 0), "less than a minute ago");
        assert_eq!(ago(en, 59), "less than a minute ago");
        assert_eq!(ago(en, 60), "1 minute ago");
        assert_eq!(ago(en, 125), "2 minutes ago");
        assert_eq!(ago(en, 7200), "2 hours ago");
        assert_eq!(remaining(en, 599), "9 minutes");
        assert_eq!(remaining(en, 30), "less than a minute");
        assert_eq!(remaining(en, 3600), "1 hour");
        assert_eq!(date_time(en, 1_796_601_900), "7 Dec 2026, 00:05 UTC");
    }

    #[test]
    fn other_languages_pick_their_own_plural_forms() {
        assert_eq!(ago(Locale::De, 2 * 86_400), "vor 2 Tagen");
        assert_eq!(remaining(Locale::De, 86_400), "1 Tag");
        assert_eq!(remaining(Locale::Fr, 60), "1 minute");
        assert_eq!(remaining(Locale::Ja, 180), "3分");
        // Arabic: one, two, few (3–10), many (11–99).
        assert_eq!(remaining(Locale::Ar, 60), "دقيقة واحدة");
        assert_eq!(remaining(Locale::Ar, 120), "دقيقتان");
        assert_eq!(remaining(Locale::Ar, 5 * 60), "5 دقائق");
        assert_eq!(remaining(Locale::Ar, 11 * 60), "11 دقيقة");
        assert_eq!(
            date_time(Locale::Ja, 1_796_601_900),
            "2026年12月7日 00:05 UTC"
        );
    }
}
