//! `[[desks]]`: each desk's number, its name and the services it serves.

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
    /// The desk (its services are checked against the services with the catalogue).
    pub(crate) fn desk(&self) -> Desk {
        Desk {
            number: DeskNo(*self.number.get_ref()),
            name: self.name.clone(),
            services: self.services.get_ref().clone(),
        }
    }
}
