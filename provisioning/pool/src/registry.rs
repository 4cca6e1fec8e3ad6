//! The province's registry of communes: each commune's code (its org unit), name, province,
//! region and the public key its box signs with (from the box's handover sheet). A TOML file
//! the province keeps and can read:
//!
//! ```toml
//! [[commune]]
//! code = "TALIOUINE"
//! name = "Taliouine"
//! province = "Taroudant"
//! region = "Souss-Massa"
//! public_key = "8a88e3dd…"   # 64 hexadecimal digits
//! ```

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub province: String,
    pub region: String,
    pub public_key: String,
    /// Keys of the commune's earlier boxes: the files they signed stay in the store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_keys: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    #[serde(default, rename = "commune")]
    pub communes: Vec<Commune>,
}

impl Registry {
    /// Reads the registry (none yet is an empty one).
    pub fn load(path: &Path) -> Result<Registry> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Registry::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let registry: Registry = toml::from_str(&text)
            .with_context(|| format!("{} is not a registry", path.display()))?;
        for c in &registry.communes {
            check(c).with_context(|| format!("{}: commune {:?}", path.display(), c.code))?;
        }
        Ok(registry)
    }

    /// Writes the registry (atomically: a new file, then renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string(self)?;
        let tmp = path.with_extension("toml.part");
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn get(&self, code: &str) -> Option<&Commune> {
        self.communes.iter().find(|c| c.code == code)
    }

    /// Adds a commune, or changes it (a new box has a new key).
    pub fn put(&mut self, c: Commune) -> Result<()> {
        check(&c)?;
        match self.communes.iter_mut().find(|x| x.code == c.code) {
            Some(x) => {
                let mut previous = std::mem::take(&mut x.previous_keys);
                if x.public_key != c.public_key && !previous.contains(&x.public_key) {
                    previous.push(x.public_key.clone());
                }
                *x = Commune {
                    previous_keys: previous,
                    ..c
                };
            }
            None => self.communes.push(c),
        }
        Ok(())
    }
}

fn check(c: &Commune) -> Result<()> {
    if c.code.is_empty()
        || !c
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        bail!("the code is letters, digits, - and _ (as the box's [commune] code)");
    }
    for (what, v) in [
        ("name", &c.name),
        ("province", &c.province),
        ("region", &c.region),
    ] {
        if v.trim().is_empty() {
            bail!("the {what} is empty");
        }
    }
    baom_pooling::file::read_public_key(&c.public_key)
        .map_err(|e| anyhow::anyhow!("the public key: {e}"))?;
    Ok(())
}
