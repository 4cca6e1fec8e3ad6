//! `[[desks]]`: each desk's number, its name and the services it serves. The rules of one desk
//! ([`check_desk`]) are the file's and the LAN form's alike.

use crate::office::{DeskEntry, OfficeError};
use baom_domain::{Desk, DeskNo, Letter};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeskSection {
    pub(crate) number: Spanned<u16>,
    name: String,
    pub(crate) services: Spanned<Vec<Letter>>,
}

impl DeskSection {
    pub(crate) fn entry(&self) -> DeskEntry {
        DeskEntry {
            number: *self.number.get_ref(),
            name: self.name.clone(),
            services: self.services.get_ref().clone(),
        }
    }
}

/// One desk's own rules: a number from 1 to 999 and a name of at most 60 characters (its
/// services are checked against the services with the catalogue).
pub fn check_desk(entry: &DeskEntry) -> Result<Desk, OfficeError> {
    if !(1..=999).contains(&entry.number) {
        return Err(OfficeError::new(
            "number",
            "desk_number",
            format!("{}: a desk's number is 1 to 999", entry.number),
        ));
    }
    if entry.name.chars().count() > 60 || entry.name.chars().any(char::is_control) {
        return Err(OfficeError::new(
            "name",
            "desk_name",
            "a desk's name is one line of at most 60 characters",
        ));
    }
    Ok(Desk {
        number: DeskNo(entry.number),
        name: entry.name.clone(),
        services: entry.services.clone(),
    })
}
