//! The catalogue files, compiled into the binary (one file to deploy). Each area is one
//! `.ftl` file per language under `locales/<tag>/`; ids are unique across areas.

use super::Locale;

macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        /// The `(area, source)` pairs of `locale`'s catalogue.
        pub fn sources(locale: Locale) -> &'static [(&'static str, &'static str)] {
            match locale {
                Locale::En => &[$(($area, include_str!(concat!("../../locales/en/", $area, ".ftl")))),*],
                Locale::De => &[$(($area, include_str!(concat!("../../locales/de/", $area, ".ftl")))),*],
                Locale::Fr => &[$(($area, include_str!(concat!("../../locales/fr/", $area, ".ftl")))),*],
                Locale::Es => &[$(($area, include_str!(concat!("../../locales/es/", $area, ".ftl")))),*],
                Locale::Ja => &[$(($area, include_str!(concat!("../../locales/ja/", $area, ".ftl")))),*],
                Locale::Ar => &[$(($area, include_str!(concat!("../../locales/ar/", $area, ".ftl")))),*],
            }
        }
    };
}

// common: the frame of every page and words shared by several (durations, dates);
// the rest by the pages (and the terminal client) that use them.
areas!(
    "common", "signin", "device", "display", "messages", "account", "cli",
);
