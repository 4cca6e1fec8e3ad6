//! The directory of bodies and partners as the service keeps it (the rules are
//! `baom_domain::directory`): every version of the whole directory in `queue.db` (shared, not
//! personal), the current one in memory, a supervisor's edits one partner at a time, and the
//! TOML file communes exchange. An imported file is previewed first (what it adds, changes and
//! removes) and applied only if the directory is still the one previewed; each change is a line
//! of the office's log. A referral picks its body from here.
//!
//! The versions themselves are `crate::versions` (table `directory_versions`).

use crate::versions::{Versions, VersionsError};
use baom_domain::changes::{Changes, diff};
use baom_domain::directory::{DirectoryError, DirectoryFile, FORMAT, Partner};
use std::path::Path;
use std::sync::Arc;

/// The largest directory file accepted.
pub const MAX_FILE_BYTES: usize = 512 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryStoreError {
    #[error("the file is not a directory of partners: {0}")]
    Syntax(String),
    #[error(transparent)]
    Invalid(#[from] DirectoryError),
    #[error("the file is too large ({0} bytes; at most {MAX_FILE_BYTES})")]
    TooLarge(usize),
    #[error("a partner {0:?} already exists")]
    Exists(String),
    #[error("no partner {0:?}")]
    Unknown(String),
    #[error("the directory changed since this preview: preview the file again")]
    Stale,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<VersionsError> for DirectoryStoreError {
    fn from(e: VersionsError) -> Self {
        match e {
            VersionsError::Stale => DirectoryStoreError::Stale,
            VersionsError::Store(e) => DirectoryStoreError::Store(e),
        }
    }
}

/// The directory as it is now (`items`: the partners).
pub type Current = crate::versions::Current<Partner>;

/// A previewed import: what it would change, and the version it would change.
#[derive(Debug, Clone)]
pub struct Preview {
    pub changes: Changes<Partner>,
    pub base: i64,
}

/// The directory, as the service holds it. Cheap to clone.
#[derive(Clone)]
pub struct Directory {
    versions: Versions<Partner>,
}

/// Parses and checks a directory file (TOML).
pub fn parse(text: &str) -> Result<DirectoryFile, DirectoryStoreError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(DirectoryStoreError::TooLarge(text.len()));
    }
    let file: DirectoryFile = toml::from_str(text)
        .map_err(|e| DirectoryStoreError::Syntax(e.to_string().trim().to_owned()))?;
    file.check()?;
    Ok(file)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, DirectoryStoreError> + Send + 'static,
) -> Result<T, DirectoryStoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        DirectoryStoreError::Store(crate::store::StoreError::Corrupt(format!(
            "task failed: {e}"
        )))
    })?
}

impl Directory {
    /// Loads the current version (the schema is the queue writer's, already migrated).
    pub fn open(queue_db: &Path) -> Result<Directory, DirectoryStoreError> {
        Ok(Directory {
            versions: Versions::open(queue_db, "directory_versions")?,
        })
    }

    /// The directory now.
    pub fn current(&self) -> Arc<Current> {
        self.versions.current()
    }

    pub fn get(&self, id: &str) -> Option<Partner> {
        self.current().items.iter().find(|p| p.id == id).cloned()
    }

    /// Stores `partners` as the next version of the directory if it is still at `base`, with
    /// its line in the office's log, in one transaction.
    fn store(
        &self,
        base: i64,
        partners: &[Partner],
        by: &str,
        line: (&str, &str),
    ) -> Result<(), DirectoryStoreError> {
        DirectoryFile {
            format: FORMAT,
            partners: partners.to_vec(),
        }
        .check()?;
        Ok(self.versions.store(base, partners, by, line)?)
    }

    /// Adds a partner (`was` none) or replaces the partner `was`.
    pub async fn save(
        &self,
        was: Option<String>,
        partner: Partner,
        by: String,
    ) -> Result<(), DirectoryStoreError> {
        let me = self.clone();
        blocking(move || {
            partner.check("")?;
            let current = me.current();
            let mut partners = current.items.clone();
            let taken = partners
                .iter()
                .any(|p| p.id == partner.id && Some(&p.id) != was.as_ref());
            if taken {
                return Err(DirectoryStoreError::Exists(partner.id));
            }
            let action = match &was {
                None => {
                    partners.push(partner.clone());
                    "partner.add"
                }
                Some(id) => {
                    let slot = partners
                        .iter_mut()
                        .find(|p| &p.id == id)
                        .ok_or_else(|| DirectoryStoreError::Unknown(id.clone()))?;
                    *slot = partner.clone();
                    "partner.change"
                }
            };
            partners.sort_by(|a, b| a.id.cmp(&b.id));
            me.store(current.version, &partners, &by, (action, &partner.id))
        })
        .await
    }

    /// Removes a partner (referrals already sent keep the name they were sent to).
    pub async fn remove(&self, id: String, by: String) -> Result<(), DirectoryStoreError> {
        let me = self.clone();
        blocking(move || {
            let current = me.current();
            let mut partners = current.items.clone();
            let before = partners.len();
            partners.retain(|p| p.id != id);
            if partners.len() == before {
                return Err(DirectoryStoreError::Unknown(id));
            }
            me.store(current.version, &partners, &by, ("partner.remove", &id))
        })
        .await
    }

    /// What importing `text` would change; nothing is applied.
    pub fn preview(&self, text: &str) -> Result<Preview, DirectoryStoreError> {
        let file = parse(text)?;
        let current = self.current();
        Ok(Preview {
            changes: diff(&current.items, &file.partners),
            base: current.version,
        })
    }

    /// Applies a previewed file as the whole directory (its additions, changes and removals),
    /// if the directory is still at `base`. All or nothing.
    pub async fn import(
        &self,
        text: String,
        base: i64,
        by: String,
    ) -> Result<usize, DirectoryStoreError> {
        let me = self.clone();
        blocking(move || {
            let file = parse(&text)?;
            let changes = diff(&me.current().items, &file.partners);
            let n = changes.added.len() + changes.changed.len() + changes.removed.len();
            let mut partners = file.partners;
            partners.sort_by(|a, b| a.id.cmp(&b.id));
            me.store(base, &partners, &by, ("directory.import", &n.to_string()))?;
            Ok(n)
        })
        .await
    }

    /// A referral's body and its detail: those of the partner `partner` when one is picked
    /// (the detail typed, if any, after its name), else the body chosen and the detail typed.
    pub fn pick(
        &self,
        partner: &str,
        body: &str,
        detail: &str,
    ) -> Result<(baom_domain::dossier::Body, String), baom_domain::dossier::DossierError> {
        let detail = detail.trim();
        if partner.is_empty() {
            return Ok((baom_domain::dossier::Body::parse(body)?, detail.to_owned()));
        }
        let p = self.get(partner).ok_or_else(|| {
            baom_domain::dossier::DossierError::new(
                "invalid_field",
                "body",
                format!("{partner:?} is not in the directory"),
            )
        })?;
        let named = if detail.is_empty() {
            p.name
        } else {
            format!("{} — {detail}", p.name)
        };
        Ok((p.kind, named))
    }

    /// The directory as a shareable file.
    pub fn export(&self) -> String {
        let file = DirectoryFile {
            format: FORMAT,
            partners: self.current().items.clone(),
        };
        let body = toml::to_string_pretty(&file).unwrap_or_default();
        format!(
            "# Directory of partners exported by a BAOM box on {}.\n# Import it on another box from the supervisor's directory page.\n{body}",
            crate::clock::now().strftime("%Y-%m-%d")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baom_domain::dossier::Body;

    fn partner(id: &str) -> Partner {
        Partner {
            id: id.into(),
            kind: Body::Anapec,
            name: "ANAPEC Taroudant".into(),
            name_ar: String::new(),
            address: String::new(),
            phone: "0528 00 00 00".into(),
            hours: String::new(),
            contact: String::new(),
            languages: vec![],
            procedures: vec![],
        }
    }

    #[tokio::test]
    async fn edits_imports_and_stale_previews() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("queue.db");
        crate::store::open_writer(&db).expect("queue.db");
        let d = Directory::open(&db).expect("open");
        assert_eq!(d.current().version, 0);
        d.save(None, partner("anapec"), "youssef".into())
            .await
            .expect("add");
        assert!(matches!(
            d.save(None, partner("anapec"), "youssef".into()).await,
            Err(DirectoryStoreError::Exists(_))
        ));
        let file = d.export();
        let other = tempfile::tempdir().expect("dir");
        let db2 = other.path().join("queue.db");
        crate::store::open_writer(&db2).expect("queue.db");
        let d2 = Directory::open(&db2).expect("open");
        d2.save(None, partner("local"), "karim".into())
            .await
            .expect("add");
        let preview = d2.preview(&file).expect("preview");
        assert_eq!(preview.changes.added.len(), 1);
        assert_eq!(preview.changes.removed.len(), 1);
        // Something changed since the preview: nothing is applied.
        d2.save(None, partner("late"), "karim".into())
            .await
            .expect("add");
        assert!(matches!(
            d2.import(file.clone(), preview.base, "karim".into()).await,
            Err(DirectoryStoreError::Stale)
        ));
        assert_eq!(d2.current().items.len(), 2);
        let preview = d2.preview(&file).expect("preview");
        assert_eq!(
            d2.import(file, preview.base, "karim".into())
                .await
                .expect("import"),
            3
        );
        assert_eq!(d2.current().items, vec![partner("anapec")]);
        assert!(d2.preview("format = 1\n[[partners]]\nid = 3\n").is_err());
    }
}
