//! The directory of bodies and partners an office refers people to: the CNSS agency, the civil
//! registry, ANAPEC, the CRI, UNHCR, the associations of the regional migration committee,
//! consulates, courts… with their address, phone, opening hours, contact person, the languages
//! spoken there and the procedures of the reference they handle.
//!
//! Shared, not personal (a contact person is named as the body's public contact), and
//! exchanged between communes as a TOML file with a format version, like the reference. This
//! module holds its shape and its rules ([`DirectoryFile::check`]); the service stores it.

use crate::changes::Entry;
use crate::dossier::Body;
use crate::language::Language;
use crate::script::check_language_script;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The version of the file format this program reads and writes.
pub const FORMAT: u32 = 1;

/// A shared file of partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryFile {
    pub format: u32,
    #[serde(default)]
    pub partners: Vec<Partner>,
}

/// One body or partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// A stable slug (`cnss-taroudant`).
    pub id: String,
    /// What kind of body it is (the referral's body).
    pub kind: Body,
    /// Its name in Latin script, as it writes it.
    pub name: String,
    /// Its name in Arabic script, if it has one.
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    /// When it receives people, as a sentence ("lun.–ven. 8h30–16h30").
    #[serde(default)]
    pub hours: String,
    /// Whom to ask for there.
    #[serde(default)]
    pub contact: String,
    /// The languages spoken there.
    #[serde(default)]
    pub languages: Vec<Language>,
    /// Ids of the reference's procedures it handles.
    #[serde(default)]
    pub procedures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct DirectoryError {
    /// Where: `partners[2].phone`.
    pub place: String,
    /// Which field, for the form (`phone`, `name`…).
    pub field: &'static str,
    pub message: String,
}

fn err(place: &str, field: &'static str, message: impl Into<String>) -> DirectoryError {
    DirectoryError {
        place: if place.is_empty() {
            field.to_owned()
        } else {
            format!("{place}.{field}")
        },
        field,
        message: message.into(),
    }
}

/// An id: lowercase letters, digits and '-', 1 to 64.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_length(
    place: &str,
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<(), DirectoryError> {
    let n = text.chars().count();
    if n > max {
        return Err(err(place, field, format!("{n} characters; at most {max}")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(err(place, field, "holds control characters"));
    }
    Ok(())
}

impl Partner {
    /// Checks one partner; `place` prefixes the error's location (empty for a form).
    pub fn check(&self, place: &str) -> Result<(), DirectoryError> {
        if !is_slug(&self.id) {
            return Err(err(
                place,
                "id",
                format!(
                    "{:?} is not an id: lowercase letters, digits and '-', at most 64",
                    self.id
                ),
            ));
        }
        if self.name.trim().is_empty() {
            return Err(err(place, "name", "is empty: a partner needs its name"));
        }
        check_length(place, "name", &self.name, 120)?;
        check_language_script(Language::French, &self.name).map_err(|m| err(place, "name", m))?;
        check_length(place, "name_ar", &self.name_ar, 120)?;
        if !self.name_ar.trim().is_empty() {
            check_language_script(Language::Arabic, &self.name_ar)
                .map_err(|m| err(place, "name_ar", m))?;
        }
        check_length(place, "address", &self.address, 300)?;
        check_length(place, "hours", &self.hours, 200)?;
        check_length(place, "contact", &self.contact, 120)?;
        let phone_chars = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if self.phone.len() > 40 || !self.phone.chars().all(phone_chars) {
            return Err(err(
                place,
                "phone",
                format!(
                    "{:?} is not a phone number: digits, spaces and + - ( ) . only, at most 40",
                    self.phone
                ),
            ));
        }
        if self
            .languages
            .iter()
            .enumerate()
            .any(|(i, l)| self.languages[..i].contains(l))
        {
            return Err(err(place, "languages", "a language is listed twice"));
        }
        let mut seen = HashSet::new();
        for p in &self.procedures {
            if !is_slug(p) || !seen.insert(p.as_str()) {
                return Err(err(
                    place,
                    "procedures",
                    format!("{p:?}: each procedure once, by its id"),
                ));
            }
        }
        Ok(())
    }

    /// Whether it handles the procedure `id`.
    pub fn handles(&self, id: &str) -> bool {
        self.procedures.iter().any(|p| p == id)
    }
}

impl Entry for Partner {
    fn id(&self) -> &str {
        &self.id
    }

    fn differences(&self, other: &Self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut differ = |field, same: bool| {
            if !same {
                fields.push(field);
            }
        };
        differ("kind", self.kind == other.kind);
        differ("name", self.name == other.name);
        differ("name_ar", self.name_ar == other.name_ar);
        differ("address", self.address == other.address);
        differ("phone", self.phone == other.phone);
        differ("hours", self.hours == other.hours);
        differ("contact", self.contact == other.contact);
        differ("languages", self.languages == other.languages);
        differ("procedures", self.procedures == other.procedures);
        fields
    }
}

impl DirectoryFile {
    /// Checks the format version, each partner, and that ids are unique.
    pub fn check(&self) -> Result<(), DirectoryError> {
        if self.format != FORMAT {
            return Err(err(
                "",
                "format",
                format!(
                    "format {} is not known; this program reads format {FORMAT}",
                    self.format
                ),
            ));
        }
        if self.partners.len() > 1000 {
            return Err(err("", "partners", "at most 1000 partners"));
        }
        let mut seen = HashSet::new();
        for (i, p) in self.partners.iter().enumerate() {
            let place = format!("partners[{i}]");
            p.check(&place)?;
            if !seen.insert(p.id.as_str()) {
                return Err(err(&place, "id", format!("partner {:?} twice", p.id)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cnss() -> Partner {
        Partner {
            id: "cnss-taroudant".into(),
            kind: Body::Cnss,
            name: "CNSS, agence de Taroudant".into(),
            name_ar: "الصندوق الوطني للضمان الاجتماعي".into(),
            address: "Avenue Mohammed V, Taroudant".into(),
            phone: "+212 528 85 00 00".into(),
            hours: "lun.–ven. 8h30–16h30".into(),
            contact: "Accueil".into(),
            languages: vec![Language::Arabic, Language::French],
            procedures: vec!["survivor-pension-france".into()],
        }
    }

    #[test]
    fn a_good_file_passes_and_each_mistake_is_placed() {
        let good = DirectoryFile {
            format: FORMAT,
            partners: vec![cnss()],
        };
        assert_eq!(good.check(), Ok(()));
        type Change = fn(&mut DirectoryFile);
        let cases: [(Change, &str); 9] = [
            (|f| f.format = 9, "format"),
            (|f| f.partners[0].id = "CNSS".into(), "partners[0].id"),
            (|f| f.partners.push(f.partners[0].clone()), "partners[1].id"),
            (|f| f.partners[0].name = " ".into(), "partners[0].name"),
            (|f| f.partners[0].name = "الضمان".into(), "partners[0].name"),
            (
                |f| f.partners[0].name_ar = "CNSS".into(),
                "partners[0].name_ar",
            ),
            (
                |f| f.partners[0].phone = "call me".into(),
                "partners[0].phone",
            ),
            (
                |f| f.partners[0].languages.push(Language::French),
                "partners[0].languages",
            ),
            (
                |f| f.partners[0].procedures.push("Not An Id".into()),
                "partners[0].procedures",
            ),
        ];
        for (change, place) in cases {
            let mut f = good.clone();
            change(&mut f);
            assert_eq!(f.check().unwrap_err().place, place);
        }
        let mut other = cnss();
        other.phone = "0528".into();
        assert_eq!(cnss().differences(&other), vec!["phone"]);
        assert!(cnss().handles("survivor-pension-france"));
    }
}
