//! `[[douars]]`: the commune's douars and their number of households. A person's douar is one
//! of them; the census counts migrant households per douar against these numbers.

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Douar {
    pub name: String,
    pub households: u32,
}

pub(crate) fn check(raw: &[Spanned<Douar>], src: Source) -> Result<Vec<Douar>, ConfigError> {
    let mut douars: Vec<Douar> = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let douar = d.get_ref();
        if douar.name.trim().is_empty() || douars.iter().any(|o| o.name == douar.name) {
            return Err(src.error(
                d.span(),
                format!("douars[{i}].name"),
                format!("{:?}: each douar needs its own, non-empty name", douar.name),
            ));
        }
        douars.push(douar.clone());
    }
    Ok(douars)
}
