//! A person as an officer records them: names in Arabic and Latin script, sex, a birth date that
//! may be only a year, nationality, profile, douar, phone and the languages they speak.
//!
//! [`PersonInput::check`] turns what a form or a file sent into a [`Person`] or says which field
//! is wrong. Names are checked for their script: an Arabic name holds Arabic letters only, a
//! Latin name Latin letters only (a mix is nearly always a keyboard left in the wrong layout).

use super::DossierError;
use crate::script::{is_arabic_letter, is_latin_letter};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The four profiles of visitors (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Moroccans living abroad.
    Abroad,
    /// Returnees, often retired workers.
    Returnee,
    /// Widows and children of migrants who never emigrated.
    Dependant,
    /// Third-country nationals.
    Foreigner,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Abroad,
        Profile::Returnee,
        Profile::Dependant,
        Profile::Foreigner,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Abroad => "abroad",
            Profile::Returnee => "returnee",
            Profile::Dependant => "dependant",
            Profile::Foreigner => "foreigner",
        }
    }
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
    pub fn parse(s: &str) -> Option<Sex> {
        match s {
            "female" => Some(Sex::Female),
            "male" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// A birth date as known: often only the year (many elderly visitors' papers say "1948"),
/// sometimes the month too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

impl BirthDate {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, not before 1900 and not after `today`.
    pub fn parse(text: &str, today: Date) -> Result<BirthDate, DossierError> {
        let bad = |why: String| DossierError::new("invalid_date", "birth_date", why);
        let shape = || {
            bad(format!(
                "{text:?} is not a date: write the year (1957), the year and month (1957-03) or the full date (1957-03-12)"
            ))
        };
        let number = |s: &str, len: usize| -> Result<i16, DossierError> {
            if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| shape())
            } else {
                Err(shape())
            }
        };
        let parts: Vec<&str> = text.trim().split('-').collect();
        if parts.len() > 3 {
            return Err(shape());
        }
        let year = number(parts[0], 4)?;
        let month = parts.get(1).map(|m| number(m, 2)).transpose()?;
        let day = parts.get(2).map(|d| number(d, 2)).transpose()?;
        if year < 1900 || year > today.year() {
            return Err(bad(format!(
                "the year {year} is impossible: between 1900 and {}",
                today.year()
            )));
        }
        let month = match month {
            None => None,
            Some(m @ 1..=12) => Some(m as i8),
            Some(m) => return Err(bad(format!("month {m} does not exist"))),
        };
        let day = day.map(|d| d.clamp(0, 99) as i8);
        if let Some(m) = month {
            let first = Date::new(year, m, 1).map_err(|e| bad(e.to_string()))?;
            if first > today {
                return Err(bad(format!("{text} is in the future")));
            }
        }
        if let (Some(m), Some(d)) = (month, day) {
            let full = Date::new(year, m, d)
                .map_err(|_| bad(format!("{text} does not exist in the calendar")))?;
            if full > today {
                return Err(bad(format!("{text} is in the future")));
            }
        }
        Ok(BirthDate { year, month, day })
    }

    /// The age on `today`, when it can be told (year only: the age reached this year).
    pub fn age_on(&self, today: Date) -> i16 {
        let mut age = today.year() - self.year;
        if let (Some(m), Some(d)) = (self.month, self.day)
            && (today.month(), today.day()) < (m, d)
        {
            age -= 1;
        }
        age.max(0)
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// Languages a person may be recorded as speaking (ISO 639 codes, plus `other`).
pub const SPOKEN_LANGUAGES: &[&str] = &[
    "ary", "zgh", "ar", "fr", "en", "es", "de", "nl", "it", "wo", "bm", "ff", "ln", "other",
];

/// What a form or a file sends to create or correct a person.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonInput {
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub name_latin: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    /// ISO 3166 alpha-2 (`MA`, `SN`, `FR`…). Sensitive: needs a recorded consent.
    #[serde(default)]
    pub nationality: String,
    #[serde(default)]
    pub profile: String,
    /// A douar of the commune's settings, by name.
    #[serde(default)]
    pub douar: String,
    #[serde(default)]
    pub phone: String,
    /// Where letters reach the person (a house in a douar, an address abroad), as written.
    #[serde(default)]
    pub address: String,
    /// Comma- or space-separated codes of [`SPOKEN_LANGUAGES`].
    #[serde(default)]
    pub languages: String,
}

/// A checked person, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name_ar: Option<String>,
    pub name_latin: Option<String>,
    pub sex: Sex,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<String>,
    pub profile: Profile,
    pub douar: Option<String>,
    /// Digits only, with a leading `+` for an international number.
    pub phone: Option<String>,
    /// Where letters reach the person, as written (at most [`ADDRESS_MAX`] characters).
    #[serde(default)]
    pub address: Option<String>,
    pub languages: Vec<String>,
}

/// The longest address kept.
pub const ADDRESS_MAX: usize = 300;

impl Person {
    /// The fields that need a consent for sensitive data before they are kept.
    pub fn sensitive_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.nationality.is_some() {
            fields.push("nationality");
        }
        fields
    }

    /// The name to show: Latin and Arabic when both are known.
    pub fn display_name(&self) -> String {
        match (&self.name_latin, &self.name_ar) {
            (Some(l), Some(a)) => format!("{l} · {a}"),
            (Some(l), None) => l.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => String::new(),
        }
    }
}

impl PersonInput {
    /// Checks every field; `douars` are the commune's, `today` bounds the birth date.
    pub fn check(&self, douars: &[String], today: Date) -> Result<Person, DossierError> {
        let name_ar = check_name("name_ar", &self.name_ar, Script::Arabic)?;
        let name_latin = check_name("name_latin", &self.name_latin, Script::Latin)?;
        if name_ar.is_none() && name_latin.is_none() {
            return Err(DossierError::new(
                "missing_field",
                "name",
                "a name is needed, in Arabic or Latin script (both is best)",
            ));
        }
        let sex = Sex::parse(self.sex.trim())
            .ok_or_else(|| DossierError::new("invalid_field", "sex", "choose female or male"))?;
        let birth_date = match self.birth_date.trim() {
            "" => None,
            text => Some(BirthDate::parse(text, today)?),
        };
        let nationality = match self.nationality.trim() {
            "" => None,
            code if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(code.to_ascii_uppercase())
            }
            other => {
                return Err(DossierError::new(
                    "invalid_field",
                    "nationality",
                    format!("{other:?} is not a country code: use two letters (MA, SN, CI, FR…)"),
                ));
            }
        };
        let profile = Profile::parse(self.profile.trim()).ok_or_else(|| {
            DossierError::new(
                "invalid_field",
                "profile",
                "choose abroad, returnee, dependant or foreigner",
            )
        })?;
        let douar = match self.douar.trim() {
            "" => None,
            name => match douars.iter().find(|d| d.as_str() == name) {
                Some(d) => Some(d.clone()),
                None => {
                    return Err(DossierError::new(
                        "unknown_douar",
                        "douar",
                        format!("{name:?} is not a douar of this commune's settings"),
                    ));
                }
            },
        };
        let phone = match self.phone.trim() {
            "" => None,
            text => Some(normalise_phone(text)?),
        };
        let address = self.address.replace("\r\n", "\n");
        let address = match address.trim() {
            "" => None,
            text if text.chars().count() > ADDRESS_MAX => {
                return Err(DossierError::new(
                    "invalid_field",
                    "address",
                    format!("an address is at most {ADDRESS_MAX} characters"),
                ));
            }
            text if text.chars().any(|c| c.is_control() && c != '\n') => {
                return Err(DossierError::new(
                    "invalid_field",
                    "address",
                    "an address is text, on a few lines",
                ));
            }
            text => Some(text.to_owned()),
        };
        let mut languages = Vec::new();
        for code in self
            .languages
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            if !SPOKEN_LANGUAGES.contains(&code) {
                return Err(DossierError::new(
                    "invalid_field",
                    "languages",
                    format!("{code:?} is not one of {}", SPOKEN_LANGUAGES.join(", ")),
                ));
            }
            if !languages.iter().any(|l| l == code) {
                languages.push(code.to_owned());
            }
        }
        Ok(Person {
            name_ar,
            name_latin,
            sex,
            birth_date,
            nationality,
            profile,
            douar,
            phone,
            address,
            languages,
        })
    }
}

/// A phone number as digits (and a leading `+`), 6 to 15 digits; spaces, dots, dashes and
/// brackets are dropped; `00` becomes `+`; a Moroccan number written internationally
/// (`+212 6…`, `00212 6…`) is kept as it is dialled at home (`06…`), so both forms are one.
pub fn normalise_phone(text: &str) -> Result<String, DossierError> {
    let bad = || {
        DossierError::new(
            "invalid_phone",
            "phone",
            format!("{text:?} is not a phone number: 6 to 15 digits, + for abroad"),
        )
    };
    let mut out = String::new();
    for (i, c) in text.trim().chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            // Arabic-Indic digits, as typed on an Arabic keyboard.
            '\u{0660}'..='\u{0669}' => {
                out.push(char::from(b'0' + (c as u32 - 0x0660) as u8));
            }
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    if let Some(rest) = out.strip_prefix("00") {
        out = format!("+{rest}");
    }
    if let Some(national) = out.strip_prefix("+212")
        && national.len() == 9
    {
        out = format!("0{national}");
    }
    let digits = out.trim_start_matches('+').len();
    if !(6..=15).contains(&digits) {
        return Err(bad());
    }
    Ok(out)
}

/// Every form a stored number may have for the number `normalised` (its international form as
/// well, for numbers recorded before both were made one).
pub fn phone_forms(normalised: &str) -> Vec<String> {
    match normalised.strip_prefix('0') {
        Some(national) if national.len() == 9 && !national.starts_with('0') => {
            vec![normalised.to_owned(), format!("+212{national}")]
        }
        _ => vec![normalised.to_owned()],
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Latin,
}

/// A name in one script: letters of that script, spaces, hyphens and apostrophes; at most 100
/// characters. Empty means "not known".
fn check_name(
    field: &'static str,
    text: &str,
    script: Script,
) -> Result<Option<String>, DossierError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > 100 {
        return Err(DossierError::new(
            "too_long",
            field,
            "a name has at most 100 characters",
        ));
    }
    let (wanted, other, other_name) = match script {
        Script::Arabic => (
            is_arabic_letter as fn(char) -> bool,
            is_latin_letter as fn(char) -> bool,
            "Latin",
        ),
        Script::Latin => (
            is_latin_letter as fn(char) -> bool,
            is_arabic_letter as fn(char) -> bool,
            "Arabic",
        ),
    };
    for c in name.chars() {
        if wanted(c) || matches!(c, ' ' | '-' | '\'' | '’' | '.') {
            continue;
        }
        let why = if other(c) {
            format!(
                "{c:?} is a letter of the {other_name} script: write the name in each script in its own field"
            )
        } else if c.is_numeric() {
            format!("{c:?}: a name has no digits")
        } else {
            format!("{c:?} (U+{:04X}) does not belong in a name", c as u32)
        };
        return Err(DossierError::new("mixed_script", field, why));
    }
    if !name.chars().any(wanted) {
        return Err(DossierError::new(
            "invalid_field",
            field,
            "a name needs letters",
        ));
    }
    Ok(Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn input() -> PersonInput {
        PersonInput {
            name_ar: "  محمد   أيت  علي ".into(),
            name_latin: "Mohamed Aït Ali".into(),
            sex: "male".into(),
            birth_date: "1948".into(),
            nationality: "ma".into(),
            profile: "returnee".into(),
            douar: "Tinfat".into(),
            phone: "06 12-34.56 78".into(),
            address: "Douar Tinfat\r\nTaliouine".into(),
            languages: "ary, zgh fr".into(),
        }
    }

    #[test]
    fn an_address_is_kept_as_written_within_its_bounds() {
        let p = input().check(&["Tinfat".into()], TODAY).unwrap();
        assert_eq!(p.address.as_deref(), Some("Douar Tinfat\nTaliouine"));
        let mut long = input();
        long.address = "x".repeat(ADDRESS_MAX + 1);
        assert_eq!(
            long.check(&["Tinfat".into()], TODAY).unwrap_err().field,
            "address"
        );
        let mut control = input();
        control.address = "rue\u{7}".into();
        assert_eq!(
            control.check(&["Tinfat".into()], TODAY).unwrap_err().field,
            "address"
        );
    }

    #[test]
    fn a_good_person_is_normalised() {
        let p = input().check(&["Tinfat".into()], TODAY).expect("valid");
        assert_eq!(p.name_ar.as_deref(), Some("محمد أيت علي"));
        assert_eq!(p.birth_date.map(|b| b.to_string()), Some("1948".into()));
        assert_eq!(p.nationality.as_deref(), Some("MA"));
        assert_eq!(p.phone.as_deref(), Some("0612345678"));
        assert_eq!(p.languages, ["ary", "zgh", "fr"]);
        assert_eq!(p.sensitive_fields(), ["nationality"]);
    }

    #[test]
    fn birth_dates_may_be_partial_but_never_impossible() {
        for ok in ["1948", "1957-03", "1957-03-12", "2024-02-29", "2026-11-24"] {
            assert!(BirthDate::parse(ok, TODAY).is_ok(), "{ok}");
        }
        for bad in [
            "1899",
            "2027",
            "1957-13",
            "1957-00-01",
            "2023-02-29",
            "1957-04-31",
            "2026-12",
            "2026-11-25",
            "57",
            "1957/03/12",
            "",
            "abcd",
            "1957-3-1",
            "١٩٥٧",
        ] {
            let e = BirthDate::parse(bad, TODAY).expect_err(bad);
            assert_eq!(e.code, "invalid_date", "{bad}");
        }
        let b = BirthDate::parse("1957-12-31", TODAY).expect("date");
        assert_eq!(b.age_on(TODAY), 68);
        assert_eq!(
            BirthDate::parse("1957", TODAY).expect("y").age_on(TODAY),
            69
        );
    }

    #[test]
    fn names_keep_to_their_script() {
        let douars = ["Tinfat".to_string()];
        let mut p = input();
        p.name_ar = "محمد Ali".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "mixed_script");
        let mut p = input();
        p.name_latin = "Mohamed علي".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().field, "name_latin");
        let mut p = input();
        p.name_latin = "Mohamed 2".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "mixed_script");
        let mut p = input();
        p.name_latin = "Ouédraogo N’Diaye-Koné".into();
        p.name_ar = String::new();
        assert!(p.check(&douars, TODAY).is_ok());
        let mut p = input();
        p.name_ar = String::new();
        p.name_latin = " ".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "missing_field");
        let mut p = input();
        p.name_latin = "---".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "invalid_field");
        let mut p = input();
        p.name_latin = "a".repeat(101);
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "too_long");
        // Right-to-left marks and zero-width joiners are not letters.
        let mut p = input();
        p.name_ar = "محمد\u{200F}".into();
        assert_eq!(p.check(&douars, TODAY).unwrap_err().code, "mixed_script");
    }

    #[test]
    fn fields_with_a_closed_list_say_what_is_allowed() {
        let douars = ["Tinfat".to_string()];
        type Change = fn(&mut PersonInput);
        let cases: [(Change, &str); 6] = [
            (|p| p.douar = "Atlantis".into(), "unknown_douar"),
            (|p| p.sex = "x".into(), "invalid_field"),
            (|p| p.profile = "tourist".into(), "invalid_field"),
            (|p| p.nationality = "Maroc".into(), "invalid_field"),
            (|p| p.phone = "12ab".into(), "invalid_phone"),
            (|p| p.languages = "klingon".into(), "invalid_field"),
        ];
        for (change, code) in cases {
            let mut p = input();
            change(&mut p);
            assert_eq!(p.check(&douars, TODAY).unwrap_err().code, code);
        }
    }

    #[test]
    fn phones_keep_digits_and_the_international_prefix() {
        assert_eq!(
            normalise_phone("+33 6 12 34 56 78").as_deref(),
            Ok("+33612345678")
        );
        assert_eq!(
            normalise_phone("0033 612345678").as_deref(),
            Ok("+33612345678")
        );
        assert_eq!(normalise_phone("٠٦١٢٣٤٥٦٧٨").as_deref(), Ok("0612345678"));
        // A Moroccan number written internationally is the same number.
        for international in ["+212612345678", "+212 6 12 34 56 78", "00212612345678"] {
            assert_eq!(normalise_phone(international).as_deref(), Ok("0612345678"));
        }
        assert_eq!(
            phone_forms("0612345678"),
            vec!["0612345678".to_owned(), "+212612345678".to_owned()]
        );
        assert_eq!(phone_forms("+33612345678"), vec!["+33612345678".to_owned()]);
        assert!(normalise_phone("12345").is_err());
        assert!(normalise_phone("1234567890123456").is_err());
        assert!(normalise_phone("06+12345678").is_err());
    }
}
