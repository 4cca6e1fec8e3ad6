//! The province's store of batches: a folder holding each accepted file as it came, byte for
//! byte (`batches/<batch id>.json`). Importing a file checks it whole first (format,
//! signature, the commune in the registry and its key, the batch's own checks, and what the
//! store already holds); only then is it written, under a temporary name, synced and renamed:
//! a file is in the store entirely or not at all.
//!
//! What makes a replay: the same batch id again (the same file changes nothing and is said so;
//! another file under that id is refused). A commune's period is its newest batch (by when the
//! box made it): a correction names the batch it replaces and is kept when it is newer, in
//! whatever order files arrive; an older one is refused as superseded; a second batch of a
//! commune and period that names none is refused. A batch's id is
//! `<code>-<period>-<random>` (the format requires it), so the batches of a commune and period
//! are found by their files' names.

use crate::registry::Registry;
use baom_pooling::{Batch, Signed};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a file is refused, in words that name the reason.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("cannot be read: {0}")]
    Io(String),
    #[error("{0}")]
    Format(#[from] baom_pooling::PoolError),
    #[error("commune {0:?} is not in the registry")]
    UnknownCommune(String),
    #[error("signed by another key than commune {code}'s in the registry ({key}…)")]
    ForeignKey { code: String, key: String },
    #[error("replayed: batch {0} was imported already (nothing changed)")]
    Replayed(String),
    #[error("another file with the batch id {0} was imported already")]
    SameIdOtherFile(String),
    #[error(
        "commune {code} already has batch {current} for {period}; a correction names the batch it replaces"
    )]
    NotACorrection {
        code: String,
        period: String,
        current: String,
    },
    #[error("batch {newer}, made later for the same commune and period, is there already")]
    Superseded { newer: String },
}

impl Refused {
    pub fn code(&self) -> &'static str {
        match self {
            Refused::Io(_) => "unreadable",
            Refused::Format(e) => e.code(),
            Refused::UnknownCommune(_) => "unknown_commune",
            Refused::ForeignKey { .. } => "foreign_key",
            Refused::Replayed(_) => "replayed",
            Refused::SameIdOtherFile(_) => "same_id_other_file",
            Refused::NotACorrection { .. } => "not_a_correction",
            Refused::Superseded { .. } => "superseded",
        }
    }
}

pub struct Store {
    dir: PathBuf,
}

/// A file of the store, read and checked again.
pub struct Held {
    pub signed: Signed,
    pub path: PathBuf,
}

impl Store {
    pub fn open(dir: &Path) -> std::io::Result<Store> {
        std::fs::create_dir_all(dir.join("batches"))?;
        Ok(Store {
            dir: dir.to_owned(),
        })
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join("batches").join(format!("{id}.json"))
    }

    /// Every file of the store, each checked again against the registry (a file changed in
    /// the store since is an error naming it).
    pub fn all(&self, registry: &Registry) -> anyhow::Result<Vec<Held>> {
        let mut out = Vec::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.join("batches"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        for path in names {
            let bytes = std::fs::read(&path)?;
            let signed = verify(&bytes, registry, true)
                .map_err(|e| anyhow::anyhow!("{} in the store: {e}", path.display()))?;
            out.push(Held { signed, path });
        }
        Ok(out)
    }

    /// The files of a commune and period (a box names its batches `<code>-<period>-…`: only
    /// those files are read, so an import does not read the whole store again).
    fn of(&self, code: &str, period: &str, registry: &Registry) -> anyhow::Result<Vec<Held>> {
        let prefix = format!("{code}-{period}-");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.dir.join("batches"))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !(name.starts_with(&prefix) && name.ends_with(".json")) {
                continue;
            }
            let signed = verify(&std::fs::read(&path)?, registry, true)
                .map_err(|e| anyhow::anyhow!("{} in the store: {e}", path.display()))?;
            if signed.batch.org_unit == code && signed.batch.period == period {
                out.push(Held { signed, path });
            }
        }
        Ok(out)
    }

    /// Checks `bytes` and, if nothing refuses them, writes them into the store.
    pub fn import(&self, bytes: &[u8], registry: &Registry) -> Result<Signed, Refused> {
        let signed = check(bytes, registry)?;
        let b = &signed.batch;
        let target = self.path(&b.batch);
        match std::fs::read(&target) {
            Ok(held) if held == bytes => return Err(Refused::Replayed(b.batch.clone())),
            Ok(_) => return Err(Refused::SameIdOtherFile(b.batch.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Refused::Io(e.to_string())),
        }
        let held = self
            .of(&b.org_unit, &b.period, registry)
            .map_err(|e| Refused::Io(e.to_string()))?;
        let same: Vec<&Batch> = held.iter().map(|h| &h.signed.batch).collect();
        // The newest of a commune's period is its figures: a correction made later replaces
        // it (whatever came in between, in whatever order); an older batch changes nothing.
        if let Some(newest) = current(&same).first() {
            if newest.made_at >= b.made_at {
                return Err(Refused::Superseded {
                    newer: newest.batch.clone(),
                });
            }
            if b.replaces.is_none() {
                return Err(Refused::NotACorrection {
                    code: b.org_unit.clone(),
                    period: b.period.clone(),
                    current: newest.batch.clone(),
                });
            }
        }
        let tmp = target.with_extension("json.part");
        let write = || -> std::io::Result<()> {
            std::fs::write(&tmp, bytes)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &target)?;
            std::fs::File::open(self.dir.join("batches"))?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Refused::Io(e.to_string())
        })?;
        Ok(signed)
    }
}

/// A file's format, signature and batch, and its commune and key against the registry.
/// A file already in the store may be signed by a commune's earlier key (its box was replaced
/// since); a new file only by the current one.
pub fn check(bytes: &[u8], registry: &Registry) -> Result<Signed, Refused> {
    verify(bytes, registry, false)
}

fn verify(bytes: &[u8], registry: &Registry, held: bool) -> Result<Signed, Refused> {
    let signed = baom_pooling::open(bytes)?;
    let code = &signed.batch.org_unit;
    let commune = registry
        .get(code)
        .ok_or_else(|| Refused::UnknownCommune(code.clone()))?;
    let known = |k: &String| k.trim().eq_ignore_ascii_case(&signed.key);
    if !(known(&commune.public_key) || held && commune.previous_keys.iter().any(known)) {
        return Err(Refused::ForeignKey {
            code: code.clone(),
            key: signed.key.chars().take(16).collect(),
        });
    }
    Ok(signed)
}

/// The current batch of each commune and period: the one made last.
pub fn current<'a>(batches: &[&'a Batch]) -> Vec<&'a Batch> {
    let mut out: BTreeMap<(&str, &str), &Batch> = BTreeMap::new();
    for b in batches {
        let slot = out.entry((&b.org_unit, &b.period)).or_insert(b);
        if (b.made_at.as_str(), b.batch.as_str()) > (slot.made_at.as_str(), slot.batch.as_str()) {
            *slot = b;
        }
    }
    out.into_values().collect()
}
