//! The four languages a visitor may choose, and what the interface needs to know of each.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language of the office. The codes are BCP 47: `ar` (Arabic, read by Darija speakers too),
/// `zgh` (Standard Moroccan Tamazight, in Tifinagh), `fr`, `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "ar", alias = "ary")]
    Arabic,
    #[serde(rename = "zgh", alias = "tzm", alias = "shi", alias = "ber")]
    Tamazight,
    #[serde(rename = "fr")]
    French,
    #[serde(rename = "en")]
    English,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::Arabic,
        Language::Tamazight,
        Language::French,
        Language::English,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::Arabic => "ar",
            Language::Tamazight => "zgh",
            Language::French => "fr",
            Language::English => "en",
        }
    }

    /// Arabic is written right to left; the interface mirrors its layout.
    pub fn is_rtl(self) -> bool {
        self == Language::Arabic
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {0:?}: expected one of ar, zgh, fr, en")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// Accepts the codes and the aliases a client may reasonably send (`ary` for Darija;
    /// `tzm`, `shi`, `ber` for Tamazight/Tachelhit).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ar" | "ary" => Ok(Language::Arabic),
            "zgh" | "tzm" | "shi" | "ber" => Ok(Language::Tamazight),
            "fr" => Ok(Language::French),
            "en" => Ok(Language::English),
            other => Err(UnknownLanguage(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_aliases_parse() {
        for lang in Language::ALL {
            assert_eq!(lang.code().parse::<Language>(), Ok(lang));
        }
        assert_eq!("shi".parse::<Language>(), Ok(Language::Tamazight));
        assert!("de".parse::<Language>().is_err());
        assert!(Language::Arabic.is_rtl() && !Language::Tamazight.is_rtl());
    }
}
