//! The reference of procedures ("référentiel des démarches"): for each common need, the steps,
//! the documents to bring, the body in charge, a typical delay and where to refer.
//!
//! It is shared data, not personal data: the kiosk's "bring these papers" lists and the officer's
//! case steps come from it, and communes exchange it as a file. This module holds its shape and
//! its rules ([`ReferenceFile::check`]); the service stores its versions and reads the file.

use crate::catalogue::{Document, Names};
use crate::changes::Entry;
use crate::dossier::{Body, Profile};
use crate::language::Language;
use crate::script::check_language_script;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The version of the file format this program reads and writes.
pub const FORMAT: u32 = 1;

/// A shared file of procedures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    pub format: u32,
    #[serde(default)]
    pub procedures: Vec<Procedure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// A stable slug (`child-birth-registration`): cases and services refer to it.
    pub id: String,
    /// A starting point the commune has not checked with the body yet.
    #[serde(default)]
    pub to_be_checked: bool,
    pub body: Body,
    pub typical_delay_days: u16,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    pub names: Names,
    pub refer_to: Names,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub names: Names,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ReferenceError {
    /// Where: `procedures[2].steps[0].id`, or the procedure's id.
    pub place: String,
    pub message: String,
}

fn err(place: impl Into<String>, message: impl Into<String>) -> ReferenceError {
    ReferenceError {
        place: place.into(),
        message: message.into(),
    }
}

fn check_slug(place: &str, id: &str) -> Result<(), ReferenceError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(err(
            place,
            format!("{id:?} is not an id: lowercase letters, digits and '-', at most 64"),
        ))
    }
}

/// Each language's text: present, not too long, and in its own script.
fn check_names(place: &str, names: &Names, max_chars: usize) -> Result<(), ReferenceError> {
    for language in Language::ALL {
        let (lang, text) = (language.code(), names.get(language));
        let n = text.trim().chars().count();
        if n == 0 {
            return Err(err(
                format!("{place}.{lang}"),
                "is empty: every language is needed",
            ));
        }
        if n > max_chars {
            return Err(err(
                format!("{place}.{lang}"),
                format!("{n} characters; at most {max_chars}"),
            ));
        }
        check_language_script(language, text).map_err(|m| err(format!("{place}.{lang}"), m))?;
    }
    Ok(())
}

impl Procedure {
    /// Checks one procedure; `place` prefixes the error's location.
    pub fn check(&self, place: &str) -> Result<(), ReferenceError> {
        check_slug(&format!("{place}.id"), &self.id)?;
        if !(1..=365).contains(&self.typical_delay_days) {
            return Err(err(
                format!("{place}.typical_delay_days"),
                format!("{} days: between 1 and 365", self.typical_delay_days),
            ));
        }
        check_names(&format!("{place}.names"), &self.names, 120)?;
        check_names(&format!("{place}.refer_to"), &self.refer_to, 400)?;
        if self.steps.is_empty() {
            return Err(err(
                format!("{place}.steps"),
                "a procedure has at least one step",
            ));
        }
        if self.steps.len() > 30 || self.documents.len() > 30 {
            return Err(err(place, "at most 30 steps and 30 documents"));
        }
        let mut seen = HashSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            let at = format!("{place}.steps[{i}]");
            check_slug(&format!("{at}.id"), &step.id)?;
            if !seen.insert(step.id.as_str()) {
                return Err(err(format!("{at}.id"), format!("step {:?} twice", step.id)));
            }
            check_names(&format!("{at}.names"), &step.names, 200)?;
        }
        let mut seen = HashSet::new();
        for (i, doc) in self.documents.iter().enumerate() {
            let at = format!("{place}.documents[{i}]");
            check_slug(&format!("{at}.id"), &doc.id)?;
            if !seen.insert(doc.id.as_str()) {
                return Err(err(
                    format!("{at}.id"),
                    format!("document {:?} twice", doc.id),
                ));
            }
            check_names(&format!("{at}.names"), &doc.names, 200)?;
        }
        Ok(())
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }
}

impl Entry for Procedure {
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
        differ("to_be_checked", self.to_be_checked == other.to_be_checked);
        differ("body", self.body == other.body);
        differ(
            "typical_delay_days",
            self.typical_delay_days == other.typical_delay_days,
        );
        differ("profiles", self.profiles == other.profiles);
        differ("names", self.names == other.names);
        differ("refer_to", self.refer_to == other.refer_to);
        differ("steps", self.steps == other.steps);
        differ("documents", self.documents == other.documents);
        fields
    }
}

impl ReferenceFile {
    /// Checks the format version, each procedure, and that ids are unique.
    pub fn check(&self) -> Result<(), ReferenceError> {
        if self.format != FORMAT {
            return Err(err(
                "format",
                format!(
                    "format {} is not known; this program reads format {FORMAT}",
                    self.format
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, p) in self.procedures.iter().enumerate() {
            let place = format!("procedures[{i}]");
            p.check(&place)?;
            if !seen.insert(p.id.as_str()) {
                return Err(err(
                    format!("{place}.id"),
                    format!("procedure {:?} twice", p.id),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Names {
        Names {
            ar: format!("{s} عربي"),
            zgh: format!("{s} ⵜⴰⵎⴰⵣⵉⵖⵜ"),
            fr: format!("{s} fr"),
            en: format!("{s} en"),
        }
    }

    fn procedure() -> Procedure {
        Procedure {
            id: "birth".into(),
            to_be_checked: true,
            body: Body::CivilRegistry,
            typical_delay_days: 30,
            profiles: vec![Profile::Foreigner],
            names: names("Birth"),
            refer_to: names("Registry"),
            steps: vec![Step {
                id: "declare".into(),
                names: names("Declare"),
            }],
            documents: vec![Document {
                id: "birth-notice".into(),
                names: names("Notice"),
            }],
        }
    }

    #[test]
    fn a_good_file_passes_and_each_mistake_is_placed() {
        let good = ReferenceFile {
            format: 1,
            procedures: vec![procedure()],
        };
        assert_eq!(good.check(), Ok(()));
        type Change = fn(&mut ReferenceFile);
        let cases: [(Change, &str); 9] = [
            (
                |f| f.procedures[0].names.ar = "Birth".into(),
                "procedures[0].names.ar",
            ),
            (
                |f| f.procedures[0].steps[0].names.fr = "تصريح".into(),
                "procedures[0].steps[0].names.fr",
            ),
            (|f| f.format = 2, "format"),
            (
                |f| f.procedures[0].id = "Birth Reg".into(),
                "procedures[0].id",
            ),
            (
                |f| f.procedures.push(f.procedures[0].clone()),
                "procedures[1].id",
            ),
            (|f| f.procedures[0].steps.clear(), "procedures[0].steps"),
            (
                |f| f.procedures[0].names.zgh = " ".into(),
                "procedures[0].names.zgh",
            ),
            (
                |f| f.procedures[0].typical_delay_days = 0,
                "procedures[0].typical_delay_days",
            ),
            (
                |f| {
                    let d = f.procedures[0].documents[0].clone();
                    f.procedures[0].documents.push(d)
                },
                "procedures[0].documents[1].id",
            ),
        ];
        for (change, place) in cases {
            let mut f = good.clone();
            change(&mut f);
            assert_eq!(f.check().unwrap_err().place, place);
        }
    }
}
