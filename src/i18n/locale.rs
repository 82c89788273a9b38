//! The languages Usher speaks, as a type: parsed once from a cookie, an `Accept-Language`
//! header or the terminal's `LANG`, never carried around as a free-form tag.

use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    En,
    De,
    Fr,
    Es,
    Ja,
    Ar,
}

/// Which way text runs: `<html dir>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

impl Locale {
    /// In the order the language switcher lists them (`Locale as usize` indexes bundles).
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Es,
        Locale::Ja,
        Locale::Ar,
    ];

    /// BCP 47 tag: `<html lang>`, `Content-Language`, the cookie's value, `locales/<tag>/`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
        }
    }

    /// The language's name in itself, as a switcher shows it to someone who cannot read
    /// the current one.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Fr => "Français",
            Locale::Es => "Español",
            Locale::Ja => "日本語",
            Locale::Ar => "العربية",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Locale::Ar => Direction::Rtl,
            _ => Direction::Ltr,
        }
    }

    pub fn language_identifier(self) -> LanguageIdentifier {
        self.tag().parse().expect("a well-formed static tag")
    }

    /// A tag such as `de`, `de-AT`, `fr_CA.UTF-8` or `ES`: by its primary language
    /// subtag, as any regional variant of a language we speak reads the same catalogue.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .trim();
        Locale::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The best language for an `Accept-Language` header (RFC 9110 §12.5.4): entries in
    /// order of their `q` weight (ties keep the header's order), `q=0` meaning "not this
    /// one", the first we speak wins; English when none is.
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut ranges: Vec<(u16, &str)> = accept_language
            .split(',')
            .take(32) // a hostile header gets no more work than a generous browser's
            .filter_map(|entry| {
                let mut parts = entry.split(';');
                let range = parts.next()?.trim();
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), weight)?;
                (!range.is_empty() && weight > 0).then_some((weight, range))
            })
            .collect();
        ranges.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
        ranges
            .into_iter()
            .find_map(|(_, range)| Locale::parse(range))
            .unwrap_or(Locale::En)
    }

    /// The terminal's language: `LC_ALL`, then `LC_MESSAGES`, then `LANG` (POSIX order),
    /// with `LANGUAGE`'s first entry before them as GNU gettext reads it.
    pub fn from_env() -> Locale {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        let language = var("LANGUAGE").and_then(|v| v.split(':').next().map(str::to_string));
        [language, var("LC_ALL"), var("LC_MESSAGES"), var("LANG")]
            .into_iter()
            .flatten()
            .find(|v| v != "C" && v != "POSIX")
            .and_then(|v| Locale::parse(&v))
            .unwrap_or(Locale::En)
    }
}

/// `q` values are 0 to 1 with at most three decimals: as thousandths.
fn weight(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_weights_and_regions() {
        assert_eq!(Locale::negotiate("de-AT,de;q=0.9,en;q=0.8"), Locale::De);
        assert_eq!(Locale::negotiate("en;q=0.5, ja"), Locale::Ja);
        assert_eq!(Locale::negotiate("pt-BR, ar-EG;q=0.7"), Locale::Ar);
        assert_eq!(Locale::negotiate("fr;q=0, es;q=0.1"), Locale::Es);
        assert_eq!(Locale::negotiate("zh-CN"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("*"), Locale::En);
        assert_eq!(Locale::negotiate("de;q=abc, fr"), Locale::Fr);
        assert_eq!(Locale::parse("fr_CA.UTF-8"), Some(Locale::Fr));
        assert_eq!(Locale::parse("\0de"), None);
        assert_eq!(Locale::Ar.direction(), Direction::Rtl);
    }
}
