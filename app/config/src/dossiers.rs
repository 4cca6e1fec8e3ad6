//! `[dossiers]`: how many years a closed dossier is kept after the person's last activity (law
//! 09-08's retention period).

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DossiersSection {
    #[serde(default = "default_retention")]
    retention_years: Spanned<u16>,
}

impl Default for DossiersSection {
    fn default() -> Self {
        DossiersSection {
            retention_years: default_retention(),
        }
    }
}

fn default_retention() -> Spanned<u16> {
    Spanned::new(
        0..0,
        baom_domain::dossier::retention::DEFAULT_RETENTION_YEARS,
    )
}

impl DossiersSection {
    pub(crate) fn retention_years(&self, src: Source) -> Result<u16, ConfigError> {
        let years = *self.retention_years.get_ref();
        if !(1..=30).contains(&years) {
            return Err(src.error(
                self.retention_years.span(),
                "dossiers.retention_years",
                format!("{years}: between 1 and 30 years"),
            ));
        }
        Ok(years)
    }
}
