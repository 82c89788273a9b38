//! Words for people in their own language (issue 14): Fluent catalogues in `locales/`, one
//! bundle per supported language, built once. Pages (`web::lang`) and the terminal client
//! (`cli::device`) both read them here, so a message has one wording per language.
//!
//! Plural rules are CLDR's (fluent-bundle through `intl_pluralrules`): `{ $n -> [one] …
//! *[other] … }` in a catalogue picks the right form for Arabic's six categories as well
//! as for English's two. A message missing in a language falls back to English, then to
//! its id; `tests` below keep every catalogue complete and parseable.

mod catalogue;
mod locale;
mod when;

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};

pub use locale::{Direction, Locale};
pub use when::{ago, date_time, remaining};

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> =
    LazyLock::new(|| Locale::ALL.iter().map(|l| bundle(*l)).collect());

fn bundle(locale: Locale) -> Bundle {
    let mut bundle = Bundle::new_concurrent(vec![locale.language_identifier()]);
    // No Unicode isolation marks around placeables: they would show in terminals and in
    // copied text; pages isolate user-supplied values with `<bdi>` where it matters.
    bundle.set_use_isolating(false);
    for (area, source) in catalogue::sources(locale) {
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, errors)| {
            // Caught by `every_catalogue_parses`; a release never ships one.
            tracing::error!(
                locale = locale.tag(),
                area,
                ?errors,
                "catalogue does not parse"
            );
            r
        });
        // Duplicate ids across areas keep the first (also caught by a test).
        let _ = bundle.add_resource(resource);
    }
    bundle
}

fn bundle_of(locale: Locale) -> &'static Bundle {
    &BUNDLES[locale as usize]
}

/// Arguments of a message: `Args::new().with("app", name).with("n", 3)`.
#[derive(Default)]
pub struct Args(FluentArgs<'static>);

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    pub fn with(mut self, name: &'static str, value: impl Arg) -> Args {
        self.0.set(name, value.value());
        self
    }
}

/// A value a message can take: text, or a number (which selects plural forms).
pub trait Arg {
    fn value(&self) -> FluentValue<'static>;
}

impl Arg for str {
    fn value(&self) -> FluentValue<'static> {
        FluentValue::String(self.to_owned().into())
    }
}

impl Arg for String {
    fn value(&self) -> FluentValue<'static> {
        self.as_str().value()
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'static> {
                FluentValue::from(*self as f64)
            }
        }
    )*};
}
number_arg!(i64, u64, i32, u32, usize, u8, u16);

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self) -> FluentValue<'static> {
        (**self).value()
    }
}

/// The message `id` in `locale` (English when the language lacks it; the id itself when
/// no catalogue has it).
pub fn text(locale: Locale, id: &str) -> String {
    format(locale, id, None)
}

/// The message `id` with its arguments.
pub fn text_with(locale: Locale, id: &str, args: &Args) -> String {
    format(locale, id, Some(&args.0))
}

fn format(locale: Locale, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    let found = [locale, Locale::En].into_iter().find_map(|l| {
        let bundle = bundle_of(l);
        Some((bundle, bundle.get_message(id)?.value()?))
    });
    let Some((bundle, pattern)) = found else {
        return id.to_string();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// Whether `locale`'s own catalogue has `id` (not through the English fallback).
pub fn has(locale: Locale, id: &str) -> bool {
    bundle_of(locale).has_message(id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast;

    use super::*;

    fn ids(locale: Locale) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for (area, source) in catalogue::sources(locale) {
            let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, e)| {
                panic!("{}/{area}.ftl does not parse: {e:?}", locale.tag())
            });
            for entry in resource.entries() {
                if let ast::Entry::Message(m) = entry {
                    let id = m.id.name.to_string();
                    assert!(
                        ids.insert(id.clone()),
                        "{}: message {id} defined twice ({area}.ftl)",
                        locale.tag()
                    );
                }
            }
        }
        ids
    }

    #[test]
    fn every_catalogue_parses_and_has_what_english_has() {
        let english = ids(Locale::En);
        for locale in Locale::ALL {
            let theirs = ids(locale);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
            assert!(extra.is_empty(), "{} has unknown {extra:?}", locale.tag());
        }
    }

    #[test]
    fn plural_rules_follow_the_language() {
        let n = |l, n: i64| remaining(l, n * 60);
        assert_eq!(n(Locale::En, 1), "1 minute");
        assert_eq!(n(Locale::En, 9), "9 minutes");
        assert_eq!(text(Locale::En, "no-such-message"), "no-such-message");
    }
}
