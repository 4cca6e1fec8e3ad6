//! The reference of procedures, as the service keeps it: every version of every procedure in
//! `queue.db` (shared data, no personal data, so the kiosk's document lists work before any
//! login), the current versions in memory, the starter set (`app/reference/procedures.toml`)
//! loaded on first start, and the TOML file communes exchange (export, and import: previewed
//! first, with what it adds, changes and removes, then applied only if the reference is still
//! the one previewed). A removed procedure gets a last version marked retired: cases that
//! followed it keep their version.
//!
//! Edits are rare (a supervisor's), so this module has its own short-lived connection and
//! relies on SQLite's lock beside the queue's writer.

use baom_domain::changes::{Changes, diff};
use baom_domain::reference::{Procedure, ReferenceError, ReferenceFile};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The starter set every new box begins with; each entry is marked "to be checked".
pub const STARTER: &str = include_str!("../reference/procedures.toml");

/// The largest reference file accepted.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_set_is_a_valid_reference() {
        let file = parse(STARTER).expect("starter");
        assert!(file.procedures.len() >= 10);
        assert!(file.procedures.iter().all(|p| p.to_be_checked));
    }

    #[test]
    fn mistakes_in_a_shared_file_are_placed() {
        let e = parse("format = 1\n[[procedures]]\nid = 3\n").expect_err("bad");
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = parse(&STARTER.replacen("body = \"civil_registry\"", "body = \"nasa\"", 1))
            .expect_err("bad body");
        assert!(e.to_string().contains("nasa"), "{e}");
        let e = parse(&STARTER.replacen("typical_delay_days = 30", "typical_delay_days = 0", 1))
            .expect_err("bad delay");
        assert!(e.to_string().contains("typical_delay_days"), "{e}");
        assert!(matches!(
            parse(&"#".repeat(MAX_FILE_BYTES + 1)),
            Err(ReferenceStoreError::TooLarge(_))
        ));
    }

    #[test]
    fn versions_follow_edits_and_imports_and_documents_merge() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("queue.db");
        crate::store::open_writer(&db).expect("queue.db");
        let r = Reference::open(&db).expect("open");
        let mut p = r
            .get("child-birth-registration")
            .expect("starter")
            .procedure;
        assert_eq!(r.get(&p.id).map(|v| v.version), Some(1));
        assert_eq!(r.save_now(p.clone(), "youssef").expect("same"), 0);
        p.typical_delay_days = 45;
        assert_eq!(r.save_now(p.clone(), "youssef").expect("edit"), 1);
        assert_eq!(
            r.get(&p.id).map(|v| (v.version, v.edited_by)),
            Some((2, "youssef".into()))
        );
        assert_eq!(r.version(&p.id, 1).map(|p| p.typical_delay_days), Some(30));
        // The export reads back on another box as the same reference.
        let exported = r.export();
        let dir2 = tempfile::tempdir().expect("dir");
        let db2 = dir2.path().join("queue.db");
        crate::store::open_writer(&db2).expect("queue.db");
        let other = Reference::open(&db2).expect("open");
        assert_eq!(
            other
                .import_now(&exported, None, false, "karim")
                .expect("import"),
            1
        );
        assert_eq!(
            other.get(&p.id).map(|v| v.procedure.typical_delay_days),
            Some(45)
        );
        // A broken file changes nothing.
        assert!(
            other
                .import_now("format = 1\n[[procedures]]\n", None, true, "karim")
                .is_err()
        );
        assert_eq!(other.current().len(), r.current().len());
        // A file with one procedure only: previewed, it would remove the others; applied with
        // removal, they are retired (their history stays) and the rest is as in the file.
        let one = format!(
            "format = 1\n{}",
            toml::to_string_pretty(&ReferenceFile {
                format: 1,
                procedures: vec![p.clone()]
            })
            .expect("toml")
            .replacen("format = 1\n", "", 1)
        );
        let preview = other.preview(&one).expect("preview");
        assert!(preview.changes.added.is_empty() && preview.changes.changed.is_empty());
        assert_eq!(preview.changes.removed.len(), other.current().len() - 1);
        let kept = other.current().len();
        other
            .save_now(
                {
                    let mut q = p.clone();
                    q.typical_delay_days = 50;
                    q
                },
                "karim",
            )
            .expect("edit after the preview");
        assert!(matches!(
            other.import_now(&one, Some(preview.base), true, "karim"),
            Err(ReferenceStoreError::Stale)
        ));
        assert_eq!(other.current().len(), kept);
        let preview = other.preview(&one).expect("preview");
        other
            .import_now(&one, Some(preview.base), true, "karim")
            .expect("import");
        assert_eq!(other.current().len(), 1);
        let gone = preview.changes.removed[0].id.clone();
        assert!(other.get(&gone).is_none());
        assert!(other.history_now(&gone).expect("history")[0].retired);
        assert_eq!(
            other.followed(Some(&gone), Some(1)).map(|p| p.id),
            Some(gone)
        );
        let docs = r.documents_for(&[], &["child-birth-registration".into(), "nope".into()]);
        assert!(docs.iter().any(|d| d.id == "birth-notice"));
    }
}

/// Where the reference stands: its newest row (every edit, import and removal adds one).
fn state_of(conn: &Connection) -> Result<i64, ReferenceStoreError> {
    Ok(
        conn.query_row("SELECT coalesce(max(rowid), 0) FROM procedures", [], |r| {
            r.get(0)
        })?,
    )
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ReferenceStoreError> + Send + 'static,
) -> Result<T, ReferenceStoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ReferenceStoreError::Store(crate::store::StoreError::Corrupt(format!(
            "task failed: {e}"
        )))
    })?
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceStoreError {
    #[error("the file is not a reference of procedures: {0}")]
    Syntax(String),
    #[error("{0}")]
    Invalid(#[from] ReferenceError),
    #[error("the file is too large ({0} bytes; at most {MAX_FILE_BYTES})")]
    TooLarge(usize),
    #[error("no procedure {0:?}")]
    Unknown(String),
    #[error("a procedure {0:?} already exists")]
    Exists(String),
    #[error("the reference changed since this preview: preview the file again")]
    Stale,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<rusqlite::Error> for ReferenceStoreError {
    fn from(e: rusqlite::Error) -> Self {
        ReferenceStoreError::Store(e.into())
    }
}

/// A procedure with its version number.
#[derive(Debug, Clone)]
pub struct Versioned {
    pub version: i64,
    pub procedure: Procedure,
    pub edited_by: String,
    pub edited_at: String,
    /// This version removed the procedure (an import without it).
    pub retired: bool,
}

/// A previewed import: what it would change, and the state of the reference it would change.
#[derive(Debug, Clone)]
pub struct Preview {
    pub changes: Changes<Procedure>,
    pub base: i64,
}

/// The reference, as the service holds it. Cheap to clone.
#[derive(Clone)]
pub struct Reference {
    db: PathBuf,
    current: Arc<RwLock<Arc<BTreeMap<String, Versioned>>>>,
}

/// Parses and checks a reference file (TOML), with the place of any mistake.
pub fn parse(text: &str) -> Result<ReferenceFile, ReferenceStoreError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ReferenceStoreError::TooLarge(text.len()));
    }
    let file: ReferenceFile = toml::from_str(text)
        .map_err(|e| ReferenceStoreError::Syntax(e.to_string().trim().to_owned()))?;
    file.check()?;
    Ok(file)
}

/// Parses one procedure as its own TOML table (the supervisor's edit form).
pub fn parse_one(text: &str) -> Result<Procedure, ReferenceStoreError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(ReferenceStoreError::TooLarge(text.len()));
    }
    let p: Procedure = toml::from_str(text)
        .map_err(|e| ReferenceStoreError::Syntax(e.to_string().trim().to_owned()))?;
    p.check("procedure")?;
    Ok(p)
}

/// One procedure as the TOML an editor shows.
pub fn to_toml(procedure: &Procedure) -> String {
    toml::to_string_pretty(procedure).unwrap_or_default()
}

impl Reference {
    /// Loads the current versions; on a box with none, stores the starter set as version 1.
    pub fn open(queue_db: &Path) -> Result<Reference, ReferenceStoreError> {
        let reference = Reference {
            db: queue_db.to_owned(),
            current: Arc::new(RwLock::new(Arc::new(BTreeMap::new()))),
        };
        let conn = reference.connect()?;
        let empty: bool =
            conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM procedures)", [], |r| {
                r.get(0)
            })?;
        drop(conn);
        if empty {
            let starter = parse(STARTER)?;
            reference.save_all(&starter.procedures, "starter set")?;
        }
        reference.reload()?;
        Ok(reference)
    }

    fn connect(&self) -> Result<Connection, ReferenceStoreError> {
        let conn = Connection::open(&self.db).map_err(crate::store::StoreError::from)?;
        crate::store::configure(&conn)?;
        Ok(conn)
    }

    fn reload(&self) -> Result<(), ReferenceStoreError> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare(
            "SELECT p.id, p.version, p.body, p.edited_by, p.edited_at FROM procedures p
             WHERE p.version = (SELECT max(version) FROM procedures q WHERE q.id = p.id)
               AND NOT p.retired",
        )?;
        let mut map = BTreeMap::new();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (id, version, body, edited_by, edited_at) = row?;
            match serde_json::from_str::<Procedure>(&body) {
                Ok(procedure) => {
                    map.insert(
                        id,
                        Versioned {
                            version,
                            procedure,
                            edited_by,
                            edited_at,
                            retired: false,
                        },
                    );
                }
                Err(e) => {
                    tracing::error!(%id, version, error = %e, "a stored procedure does not read back")
                }
            }
        }
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(map);
        }
        Ok(())
    }

    /// Stores each procedure that differs from its current version as a new version, in one
    /// transaction; returns how many changed.
    fn save_all(&self, procedures: &[Procedure], by: &str) -> Result<usize, ReferenceStoreError> {
        self.save_changes(procedures, &[], by, None)
    }

    /// Stores each procedure that differs from its current version as a new version and
    /// retires those named in `retire`, in one transaction, if the reference is still at
    /// `base` (when given); returns how many changed.
    fn save_changes(
        &self,
        procedures: &[Procedure],
        retire: &[String],
        by: &str,
        base: Option<i64>,
    ) -> Result<usize, ReferenceStoreError> {
        let mut conn = self.connect()?;
        // Immediate: this transaction reads then writes beside the queue's writer; taking the
        // write lock first makes it wait its turn instead of failing on a stale snapshot.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(base) = base
            && state_of(&tx)? != base
        {
            return Err(ReferenceStoreError::Stale);
        }
        let now = crate::clock::now().to_string();
        let mut changed = 0;
        for p in procedures {
            let body =
                serde_json::to_string(p).map_err(|e| ReferenceStoreError::Syntax(e.to_string()))?;
            let (version, same): (i64, bool) = tx.query_row(
                "SELECT coalesce(max(version), 0),
                        coalesce((SELECT body = ?2 AND NOT retired FROM procedures WHERE id = ?1 ORDER BY version DESC LIMIT 1), 0)
                 FROM procedures WHERE id = ?1",
                params![p.id, body],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if same {
                continue;
            }
            tx.execute(
                "INSERT INTO procedures (id, version, body, edited_by, edited_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.id, version + 1, body, by, now],
            )?;
            changed += 1;
        }
        for id in retire {
            let n = tx.execute(
                "INSERT INTO procedures (id, version, body, edited_by, edited_at, retired)
                 SELECT id, version + 1, body, ?2, ?3, 1 FROM procedures
                 WHERE id = ?1 AND NOT retired ORDER BY version DESC LIMIT 1",
                params![id, by, now],
            )?;
            changed += n;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The current versions, by id.
    pub fn current(&self) -> Arc<BTreeMap<String, Versioned>> {
        self.current.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn get(&self, id: &str) -> Option<Versioned> {
        self.current().get(id).cloned()
    }

    /// A supervisor's edit of one procedure (a new version if it changed); returns how many
    /// procedures changed.
    pub async fn save(
        &self,
        procedure: Procedure,
        by: String,
    ) -> Result<usize, ReferenceStoreError> {
        let me = self.clone();
        blocking(move || me.save_now(procedure, &by)).await
    }

    /// A new procedure (its id must be new, or a retired one's).
    pub async fn create(
        &self,
        procedure: Procedure,
        by: String,
    ) -> Result<usize, ReferenceStoreError> {
        if self.get(&procedure.id).is_some() {
            return Err(ReferenceStoreError::Exists(procedure.id));
        }
        self.save(procedure, by).await
    }

    /// What importing `text` would change; nothing is applied.
    pub fn preview(&self, text: &str) -> Result<Preview, ReferenceStoreError> {
        let file = parse(text)?;
        let current: Vec<Procedure> = self
            .current()
            .values()
            .map(|v| v.procedure.clone())
            .collect();
        let base = {
            let conn = self.connect()?;
            state_of(&conn)?
        };
        Ok(Preview {
            changes: diff(&current, &file.procedures),
            base,
        })
    }

    /// Applies a previewed file (see [`Reference::import_now`]) if the reference is still at
    /// `base`.
    pub async fn import(
        &self,
        text: String,
        base: i64,
        remove: bool,
        by: String,
    ) -> Result<usize, ReferenceStoreError> {
        let me = self.clone();
        blocking(move || me.import_now(&text, Some(base), remove, &by)).await
    }

    /// What a visitor should bring for a service of the commune: its own list, and the
    /// documents of the procedures the settings give it (`procedures = [...]`).
    pub fn service_documents(&self, service: &baom_domain::Service) -> Vec<baom_domain::Document> {
        self.documents_for(&service.documents, &service.procedures)
    }

    /// Every version of one procedure, newest first.
    pub async fn history(&self, id: String) -> Result<Vec<Versioned>, ReferenceStoreError> {
        let me = self.clone();
        blocking(move || me.history_now(&id)).await
    }

    fn save_now(&self, procedure: Procedure, by: &str) -> Result<usize, ReferenceStoreError> {
        let n = self.save_all(std::slice::from_ref(&procedure), by)?;
        self.reload()?;
        Ok(n)
    }

    /// Imports a shared file: every procedure in it becomes a new version where it differs;
    /// procedures not in the file are retired if `remove`, else stay. All or nothing.
    fn import_now(
        &self,
        text: &str,
        base: Option<i64>,
        remove: bool,
        by: &str,
    ) -> Result<usize, ReferenceStoreError> {
        let file = parse(text)?;
        let retire: Vec<String> = if remove {
            self.current()
                .keys()
                .filter(|id| !file.procedures.iter().any(|p| &p.id == *id))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let n = self.save_changes(&file.procedures, &retire, by, base)?;
        self.reload()?;
        Ok(n)
    }

    /// The current reference as a shareable file.
    pub fn export(&self) -> String {
        let file = ReferenceFile {
            format: baom_domain::reference::FORMAT,
            procedures: self
                .current()
                .values()
                .map(|v| v.procedure.clone())
                .collect(),
        };
        let body = toml::to_string_pretty(&file).unwrap_or_default();
        format!(
            "# Reference of procedures exported by a BAOM box on {}.\n# Import it on another box from the supervisor's reference page.\n{body}",
            crate::clock::now().strftime("%Y-%m-%d")
        )
    }

    /// What a visitor should bring for a service: its own documents, then those of the
    /// procedures it lists (each document once). An unknown procedure adds nothing.
    pub fn documents_for(
        &self,
        own: &[baom_domain::Document],
        procedures: &[String],
    ) -> Vec<baom_domain::Document> {
        let current = self.current();
        let mut out: Vec<baom_domain::Document> = own.to_vec();
        for id in procedures {
            if let Some(v) = current.get(id) {
                for d in &v.procedure.documents {
                    if !out.iter().any(|o| o.id == d.id) {
                        out.push(d.clone());
                    }
                }
            }
        }
        out
    }

    fn history_now(&self, id: &str) -> Result<Vec<Versioned>, ReferenceStoreError> {
        let conn = self.connect()?;
        let mut stmt = conn.prepare("SELECT version, body, edited_by, edited_at, retired FROM procedures WHERE id = ?1 ORDER BY version DESC")?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (version, body, edited_by, edited_at, retired) = row?;
            if let Ok(procedure) = serde_json::from_str(&body) {
                out.push(Versioned {
                    version,
                    procedure,
                    edited_by,
                    edited_at,
                    retired,
                });
            }
        }
        if out.is_empty() {
            return Err(ReferenceStoreError::Unknown(id.to_owned()));
        }
        Ok(out)
    }

    /// The procedure a case follows: at the version it began with, or the current one when the
    /// case kept no version. Blocking (an older version is read from disk).
    pub fn followed(&self, id: Option<&str>, version: Option<i64>) -> Option<Procedure> {
        let id = id?;
        match version {
            Some(v) => self.version(id, v),
            None => self.get(id).map(|v| v.procedure),
        }
    }

    /// A procedure as it was at a version (what an older case followed). Blocking.
    pub fn version(&self, id: &str, version: i64) -> Option<Procedure> {
        self.history_now(id)
            .ok()?
            .into_iter()
            .find(|v| v.version == version)
            .map(|v| v.procedure)
    }
}
