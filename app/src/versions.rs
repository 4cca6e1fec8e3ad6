//! A shared list kept whole, version after version, in `queue.db`: the directory of partners
//! and the letters' templates are each one. Every change stores the whole list as the next
//! version, with its line in the office's log, in one transaction, and only if the list is
//! still at the version the change started from (an import previewed against version 7 is not
//! applied over version 8). The newest version is held in memory.
//!
//! Edits are rare, so each list has its own short-lived connection beside the queue's writer.

use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// A list as it is now.
#[derive(Debug, Clone)]
pub struct Current<T> {
    /// 0 before the first change.
    pub version: i64,
    pub items: Vec<T>,
    pub edited_by: String,
    pub edited_at: String,
}

impl<T> Default for Current<T> {
    fn default() -> Self {
        Current {
            version: 0,
            items: Vec::new(),
            edited_by: String::new(),
            edited_at: String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VersionsError {
    #[error("it changed since: look at it again")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for VersionsError {
    fn from(e: rusqlite::Error) -> Self {
        VersionsError::Store(e.into())
    }
}

/// A list's versions in the table `table` (`version`, `body` as JSON, `edited_by`,
/// `edited_at`). Cheap to clone.
pub struct Versions<T> {
    db: PathBuf,
    table: &'static str,
    current: Arc<RwLock<Arc<Current<T>>>>,
}

impl<T> Clone for Versions<T> {
    fn clone(&self) -> Self {
        Versions {
            db: self.db.clone(),
            table: self.table,
            current: self.current.clone(),
        }
    }
}

impl<T: Serialize + DeserializeOwned + Clone> Versions<T> {
    /// Loads the newest version (the schema is the queue writer's, already migrated).
    pub fn open(queue_db: &Path, table: &'static str) -> Result<Versions<T>, StoreError> {
        let v = Versions {
            db: queue_db.to_owned(),
            table,
            current: Arc::new(RwLock::new(Arc::new(Current::default()))),
        };
        v.reload()?;
        Ok(v)
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open(&self.db)?;
        crate::store::configure(&conn)?;
        Ok(conn)
    }

    fn reload(&self) -> Result<(), StoreError> {
        let conn = self.connect()?;
        let row = conn
            .query_row(
                &format!(
                    "SELECT version, body, edited_by, edited_at FROM {} ORDER BY version DESC LIMIT 1",
                    self.table
                ),
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        let current = match row {
            None => Current::default(),
            Some((version, body, edited_by, edited_at)) => Current {
                version,
                items: serde_json::from_str(&body).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "{} version {version} does not read back: {e}",
                        self.table
                    ))
                })?,
                edited_by,
                edited_at,
            },
        };
        if let Ok(mut slot) = self.current.write() {
            *slot = Arc::new(current);
        }
        Ok(())
    }

    /// The list now.
    pub fn current(&self) -> Arc<Current<T>> {
        self.current
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|_| Arc::new(Current::default()))
    }

    /// Stores `items` as the next version if the list is still at `base`, with the line
    /// `(action, subject)` by `by` in the office's log, in one transaction.
    pub fn store(
        &self,
        base: i64,
        items: &[T],
        by: &str,
        (action, subject): (&str, &str),
    ) -> Result<(), VersionsError> {
        let body = serde_json::to_string(items)
            .map_err(|e| StoreError::Corrupt(format!("a list that does not serialise: {e}")))?;
        let mut conn = self.connect()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row(
            &format!("SELECT coalesce(max(version), 0) FROM {}", self.table),
            [],
            |r| r.get(0),
        )?;
        if now != base {
            return Err(VersionsError::Stale);
        }
        let at = crate::clock::now().to_string();
        tx.execute(
            &format!(
                "INSERT INTO {} (version, body, edited_by, edited_at) VALUES (?1, ?2, ?3, ?4)",
                self.table
            ),
            params![base + 1, body, by, at],
        )?;
        tx.execute(
            "INSERT INTO office_changes (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4)",
            params![at, by, action, subject],
        )?;
        tx.commit()?;
        Ok(self.reload()?)
    }

    /// Stores `items` as version 1 if the list has no version yet (what a new box starts
    /// with: not a change anyone made, so no line in the office's log).
    pub fn seed(&self, items: &[T]) -> Result<(), StoreError> {
        let body = serde_json::to_string(items)
            .map_err(|e| StoreError::Corrupt(format!("a list that does not serialise: {e}")))?;
        let conn = self.connect()?;
        conn.execute(
            &format!(
                "INSERT INTO {} (version, body, edited_by, edited_at)
                 SELECT 1, ?1, 'baom', ?2 WHERE NOT EXISTS (SELECT 1 FROM {})",
                self.table, self.table
            ),
            params![body, crate::clock::now().to_string()],
        )?;
        self.reload()
    }
}
