//! What officers and the lobby read, in the office's four languages (Fluent files in `app/i18n/`).
//! A key missing in one language falls back to French, then to the key itself, so a page never
//! breaks; a test keeps every language complete.

use baom_domain::language::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

const SOURCES: [(Language, &str); 4] = [
    (Language::Arabic, include_str!("../i18n/ar.ftl")),
    (Language::Tamazight, include_str!("../i18n/zgh.ftl")),
    (Language::French, include_str!("../i18n/fr.ftl")),
    (Language::English, include_str!("../i18n/en.ftl")),
];

struct Catalogues {
    bundles: Vec<(Language, FluentBundle<FluentResource>)>,
}

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| Catalogues {
        bundles: SOURCES
            .iter()
            .map(|(language, source)| {
                // The sources are part of the binary and checked by the tests below.
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
                let id: unic_langid::LanguageIdentifier =
                    language.code().parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // The pages isolate right-to-left text with <bdi> themselves.
                bundle.set_use_isolating(false);
                let _ = bundle.add_resource(resource);
                (*language, bundle)
            })
            .collect(),
    })
}

/// The text for `key` in `language`, with `args` as `(name, value)` pairs.
pub fn text(language: Language, key: &str, args: &[(&str, &str)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(*value));
    }
    format(language, key, &fluent_args)
}

/// The text for `key` with one number, so that the language's plural rules choose the form
/// (Arabic has six: "دقيقة واحدة", "دقيقتان", "3 دقائق", "11 دقيقة"…).
pub fn text_n(language: Language, key: &str, name: &str, n: i64) -> String {
    let mut fluent_args = FluentArgs::new();
    fluent_args.set(name, FluentValue::from(n));
    format(language, key, &fluent_args)
}

fn format(language: Language, key: &str, fluent_args: &FluentArgs) -> String {
    let catalogues = catalogues();
    for lang in [language, Language::French] {
        let Some((_, bundle)) = catalogues.bundles.iter().find(|(l, _)| *l == lang) else {
            continue;
        };
        if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(fluent_args), &mut errors)
                .into_owned();
        }
    }
    key.to_owned()
}

/// A translator bound to one language, for templates.
#[derive(Clone, Copy)]
pub struct Tr(pub Language);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        text(self.0, key, &[])
    }

    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        text(self.0, key, &[(name, value)])
    }

    pub fn t2(&self, key: &str, a: &str, a_value: &str, b: &str, b_value: &str) -> String {
        text(self.0, key, &[(a, a_value), (b, b_value)])
    }

    /// With any number of `(name, value)` arguments.
    pub fn ta(&self, key: &str, args: &[(&str, &str)]) -> String {
        text(self.0, key, args)
    }

    /// A text with a count: the plural form is the language's.
    pub fn tn(&self, key: &str, name: &str, n: i64) -> String {
        text_n(self.0, key, name, n)
    }

    pub fn language(&self) -> Language {
        self.0
    }

    pub fn dir(&self) -> &'static str {
        if self.0.is_rtl() { "rtl" } else { "ltr" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .collect()
    }

    #[test]
    fn every_language_has_every_key_and_parses() {
        let french = keys(SOURCES[2].1);
        assert!(french.len() > 50);
        for (language, source) in SOURCES {
            FluentResource::try_new(source.to_string())
                .unwrap_or_else(|(_, e)| panic!("{language}: {e:?}"));
            let theirs = keys(source);
            for key in &french {
                assert!(theirs.contains(key), "{language} lacks {key}");
            }
        }
    }

    #[test]
    fn arguments_are_filled_and_unknown_keys_fall_back() {
        assert_eq!(
            text(Language::French, "desk-number", &[("n", "2")]),
            "Guichet 2"
        );
        assert_eq!(
            text(Language::Arabic, "desk-number", &[("n", "2")]),
            "الشباك 2"
        );
        assert_eq!(text(Language::English, "no-such-key", &[]), "no-such-key");
        assert_eq!(Tr(Language::Arabic).dir(), "rtl");
    }

    #[test]
    fn counts_take_the_languages_plural_forms() {
        let ar = Tr(Language::Arabic);
        assert_eq!(ar.tn("desk-wait-min", "m", 1), "دقيقة واحدة");
        assert_eq!(ar.tn("desk-wait-min", "m", 2), "دقيقتان");
        assert_eq!(ar.tn("desk-wait-min", "m", 4), "4 دقائق");
        assert_eq!(ar.tn("desk-wait-min", "m", 25), "25 دقيقة");
        assert_eq!(Tr(Language::French).tn("desk-wait-min", "m", 4), "4 min");
    }
}
