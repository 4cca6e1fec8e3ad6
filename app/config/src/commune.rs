//! `[commune]`: the commune's names (Arabic and Latin script, each checked for its script), its
//! province, region and code (for the pooled figures), and the languages the kiosk offers.

use crate::error::{ConfigError, Source};
use baom_domain::Language;
use baom_domain::script::check_language_script;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commune {
    /// The commune's name in Arabic script, as on its seal.
    pub name_ar: String,
    /// The commune's name in Latin script.
    pub name_latin: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub region: String,
    /// The commune's code, as the province's registry and DHIS2 name it (its organisation
    /// unit): the pooled figures carry it. Empty until the province gives one.
    #[serde(default)]
    pub code: String,
    /// The languages the kiosk offers, in order (all four by default).
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Where the office is and its phone, for the papers it hands out (empty: not printed).
    #[serde(default)]
    pub office_address: String,
    #[serde(default)]
    pub office_phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommuneSection {
    name_ar: Spanned<String>,
    name_latin: Spanned<String>,
    #[serde(default)]
    province: String,
    #[serde(default)]
    region: String,
    #[serde(default = "no_code")]
    code: Spanned<String>,
    #[serde(default = "all_languages")]
    languages: Spanned<Vec<Language>>,
    #[serde(default)]
    office_address: String,
    #[serde(default)]
    office_phone: String,
}

fn no_code() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

fn all_languages() -> Spanned<Vec<Language>> {
    Spanned::new(0..0, Language::ALL.to_vec())
}

impl CommuneSection {
    pub(crate) fn check(&self, src: Source) -> Result<Commune, ConfigError> {
        for (field, language, value) in [
            ("commune.name_ar", Language::Arabic, &self.name_ar),
            ("commune.name_latin", Language::French, &self.name_latin),
        ] {
            if value.get_ref().trim().is_empty() {
                return Err(src.error(value.span(), field, "is empty"));
            }
            check_language_script(language, value.get_ref())
                .map_err(|m| src.error(value.span(), field, m))?;
        }
        let code = self.code.get_ref();
        if !code.is_empty()
            && (code.len() > 32
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(src.error(
                self.code.span(),
                "commune.code",
                "letters, digits, - and _ only, at most 32 (the province's code for the commune)",
            ));
        }
        let languages = self.languages.get_ref().clone();
        if languages.is_empty()
            || languages
                .iter()
                .enumerate()
                .any(|(i, l)| languages[..i].contains(l))
        {
            return Err(src.error(
                self.languages.span(),
                "commune.languages",
                "list each of ar, zgh, fr, en at most once, and at least one",
            ));
        }
        let phone = self.office_phone.trim();
        if phone.len() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(src.error(
                0..0,
                "commune.office_phone",
                "digits, spaces and + - ( ) . only, at most 30",
            ));
        }
        let address = self.office_address.trim();
        if address.chars().count() > 200 || address.chars().any(char::is_control) {
            return Err(src.error(
                0..0,
                "commune.office_address",
                "one line of at most 200 characters",
            ));
        }
        Ok(Commune {
            name_ar: self.name_ar.get_ref().clone(),
            name_latin: self.name_latin.get_ref().clone(),
            province: self.province.clone(),
            region: self.region.clone(),
            code: code.clone(),
            languages,
            office_address: address.to_owned(),
            office_phone: phone.to_owned(),
        })
    }
}
