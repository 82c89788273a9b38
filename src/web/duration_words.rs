//! Durations in words for the consent page ("2 minutes ago", "9 minutes").

/// How long ago something happened, `secs` seconds before now.
pub fn ago(secs: i64) -> String {
    if secs < 60 {
        return "less than a minute ago".to_string();
    }
    format!("{} ago", amount(secs))
}

/// Time left, rounded down so it never promises more than there is.
pub fn remaining(secs: i64) -> String {
    if secs < 60 {
        return "less than a minute".to_string();
    }
    amount(secs)
}

fn amount(secs: i64) -> String {
    let (count, unit) = match secs {
        ..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_durations() {
        assert_eq!(ago(0), "less than a minute ago");
        assert_eq!(ago(59), "less than a minute ago");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(125), "2 minutes ago");
        assert_eq!(ago(7200), "2 hours ago");
        assert_eq!(remaining(599), "9 minutes");
        assert_eq!(remaining(30), "less than a minute");
        assert_eq!(remaining(3600), "1 hour");
    }
}
