//! `[[douars]]`: the commune's douars and their number of households. A person's douar is one
//! of them; the census counts migrant households per douar against these numbers. The rules
//! ([`check_douars`]) are the file's and the LAN form's alike.

use crate::error::{ConfigError, Source};
use crate::office::OfficeError;
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Douar {
    pub name: String,
    pub households: u32,
}

/// Each douar has its own, non-empty name of at most 80 characters, and at most a million
/// households.
pub fn check_douars(douars: &[Douar]) -> Result<(), OfficeError> {
    for (i, douar) in douars.iter().enumerate() {
        let name = douar.name.trim();
        if name.is_empty()
            || name != douar.name
            || douar.name.chars().count() > 80
            || douar.name.chars().any(char::is_control)
            || douars[..i].iter().any(|o| o.name == douar.name)
        {
            return Err(OfficeError::new(
                format!("douars[{i}].name"),
                "douar_name",
                format!(
                    "{:?}: each douar needs its own name, one line of at most 80 characters",
                    douar.name
                ),
            ));
        }
        if douar.households > 1_000_000 {
            return Err(OfficeError::new(
                format!("douars[{i}].households"),
                "douar_households",
                format!("{}: at most 1000000 households", douar.households),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check(raw: &[Spanned<Douar>], src: Source) -> Result<Vec<Douar>, ConfigError> {
    let douars: Vec<Douar> = raw.iter().map(|d| d.get_ref().clone()).collect();
    check_douars(&douars).map_err(|e| {
        let i = e
            .field
            .trim_start_matches("douars[")
            .split(']')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        src.error(
            raw.get(i).map(|d| d.span()).unwrap_or(0..0),
            e.field,
            e.message,
        )
    })?;
    Ok(douars)
}
