//! The office's settings that supervisors change on the LAN without a technician: its
//! services (names, letters, documents, procedures, opening hours, target wait), its desks and
//! its douars ([`OfficeSettings`]). The settings file gives them at first boot; the service
//! keeps later versions in `queue.db` and lays them over the file's ([`Settings::with_office`]).
//!
//! Both go through the same rules: each section's own (`services.rs`, `desks.rs`,
//! `douars.rs`), then the domain's catalogue as a whole. A refusal is an [`OfficeError`] naming
//! the field (`services[2].names`), with a stable code for the page's sentence.

use crate::Settings;
use crate::desks::check_desk;
use crate::douars::{Douar, check_douars};
use crate::services::{Hours, check_service};
use baom_domain::catalogue::{Catalogue, CatalogueError};
use baom_domain::{CallOrder, CallRule, Document, Letter, Names};
use serde::{Deserialize, Serialize};

/// The parts of the settings the office changes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeSettings {
    pub services: Vec<ServiceEntry>,
    pub desks: Vec<DeskEntry>,
    #[serde(default)]
    pub douars: Vec<Douar>,
}

/// A service as the file and the form write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    pub letter: Letter,
    pub names: Names,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub procedures: Vec<String>,
    pub hours: Hours,
    #[serde(default)]
    pub target_wait_minutes: Option<u16>,
}

/// A desk as the file and the form write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskEntry {
    pub number: u16,
    pub name: String,
    pub services: Vec<Letter>,
    #[serde(default)]
    pub order: CallOrder,
    #[serde(default)]
    pub rules: Vec<CallRule>,
}

/// A refused setting: which field (`services[1].names`), a stable code (`letter_used`,
/// `name_missing`, `script`…) and the rule's sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct OfficeError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl OfficeError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> OfficeError {
        OfficeError {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error, its field placed under `prefix` (`services[2]`).
    pub fn under(self, prefix: &str) -> OfficeError {
        OfficeError {
            field: format!("{prefix}.{}", self.field),
            ..self
        }
    }
}

/// The field and code of a catalogue's cross-field error (indexes into the lists given).
pub(crate) fn catalogue_field(e: &CatalogueError) -> (String, &'static str) {
    match e {
        CatalogueError::NoServices => ("services".into(), "no_services"),
        CatalogueError::NoDesks => ("desks".into(), "no_desks"),
        CatalogueError::DuplicateLetter { index, .. } => {
            (format!("services[{index}].letter"), "letter_used")
        }
        CatalogueError::ServiceWithoutDesk { index, .. } => {
            (format!("services[{index}].letter"), "service_without_desk")
        }
        CatalogueError::DuplicateDesk { index, .. } => {
            (format!("desks[{index}].number"), "desk_number_used")
        }
        CatalogueError::DeskWithoutServices { index, .. } => {
            (format!("desks[{index}].services"), "desk_without_services")
        }
        CatalogueError::DeskServesUnknown { index, .. } => {
            (format!("desks[{index}].services"), "desk_serves_unknown")
        }
        CatalogueError::RuleUnknownService { index, .. } => {
            (format!("desks[{index}].rules"), "rule_unknown_service")
        }
        CatalogueError::RuleNotServed { index, .. } => {
            (format!("desks[{index}].rules"), "rule_not_served")
        }
        CatalogueError::RuleRepeated { index, .. } => {
            (format!("desks[{index}].rules"), "rule_repeated")
        }
        CatalogueError::RuleMinutes { index, .. } => {
            (format!("desks[{index}].rules"), "rule_minutes")
        }
        CatalogueError::ZeroPriorityStreak => ("queue.max_priority_streak".into(), "queue_rules"),
        CatalogueError::ZeroRecentWindow => ("queue".into(), "queue_rules"),
    }
}

impl Settings {
    /// The office's settings as they are in this configuration.
    pub fn office(&self) -> OfficeSettings {
        OfficeSettings {
            services: self
                .catalogue
                .services()
                .iter()
                .map(|s| ServiceEntry {
                    letter: s.letter,
                    names: s.names.clone(),
                    documents: s.documents.clone(),
                    procedures: s.procedures.clone(),
                    hours: Hours::of(&s.hours),
                    target_wait_minutes: s.target_wait_minutes,
                })
                .collect(),
            desks: self
                .catalogue
                .desks()
                .iter()
                .map(|d| DeskEntry {
                    number: d.number.0,
                    name: d.name.clone(),
                    services: d.services.clone(),
                    order: d.order,
                    rules: d.rules.clone(),
                })
                .collect(),
            douars: self.douars.clone(),
        }
    }

    /// This configuration with the office's settings `office` in place of its own, checked by
    /// the file's rules (the time zone and queue rules stay the file's).
    pub fn with_office(&self, office: &OfficeSettings) -> Result<Settings, OfficeError> {
        let services = office
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| check_service(s).map_err(|e| e.under(&format!("services[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let desks = office
            .desks
            .iter()
            .enumerate()
            .map(|(i, d)| check_desk(d).map_err(|e| e.under(&format!("desks[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        check_douars(&office.douars)?;
        let catalogue = Catalogue::new(
            services,
            desks,
            self.catalogue.time_zone().clone(),
            self.catalogue.rules().clone(),
        )
        .map_err(|e| {
            let (field, code) = catalogue_field(&e);
            OfficeError::new(field, code, e.to_string())
        })?;
        Ok(Settings {
            catalogue,
            douars: office.douars.clone(),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{DEMO, parse};
    use std::path::Path;

    #[test]
    fn the_office_settings_read_back_as_the_same_configuration() {
        let settings = parse(Path::new("demo.toml"), DEMO).expect("demo");
        let office = settings.office();
        let again = settings.with_office(&office).expect("the same");
        assert_eq!(again.office(), office);
        assert_eq!(again.catalogue.services(), settings.catalogue.services());
        let json = serde_json::to_string(&office).expect("json");
        let back: super::OfficeSettings = serde_json::from_str(&json).expect("back");
        assert_eq!(back, office);
    }

    #[test]
    fn each_rule_of_the_file_holds_on_the_lan_too() {
        let settings = parse(Path::new("demo.toml"), DEMO).expect("demo");
        let refused = |change: &dyn Fn(&mut super::OfficeSettings)| {
            let mut office = settings.office();
            change(&mut office);
            settings.with_office(&office).expect_err("refused")
        };
        let e = refused(&|o| o.services[1].letter = o.services[0].letter);
        assert_eq!(
            (e.field.as_str(), e.code),
            ("services[1].letter", "letter_used")
        );
        let e = refused(&|o| o.services[0].names.en = " ".into());
        assert_eq!(
            (e.field.as_str(), e.code),
            ("services[0].names", "name_missing")
        );
        let e = refused(&|o| o.services[0].names.zgh = "Asnubg".into());
        assert_eq!(e.code, "script");
        let e = refused(&|o| o.services[0].hours.open = "25:00".into());
        assert_eq!(e.field, "services[0].hours");
        let e = refused(&|o| o.services[0].target_wait_minutes = Some(0));
        assert_eq!(e.code, "target_wait");
        let e = refused(&|o| o.desks[0].services.clear());
        assert_eq!(e.code, "desk_without_services");
        let e = refused(&|o| o.desks[1].number = o.desks[0].number);
        assert_eq!(e.code, "desk_number_used");
        let e = refused(&|o| {
            o.douars.push(crate::Douar {
                name: "Tinfat".into(),
                households: 1,
            });
            o.douars.push(crate::Douar {
                name: "Tinfat".into(),
                households: 2,
            });
        });
        assert_eq!(e.code, "douar_name");
    }
}
