//! Dossiers: people, households, consents, cases, referrals, visits and sealed scans, in
//! `dossiers.db`, encrypted with SQLCipher under a key derived from the vault's data key.
//!
//! The database opens when the vault does (the first login of an officer or supervisor after a
//! boot); until then every call answers [`DossierStoreError::Locked`] and the queue works as
//! ever. One connection behind a mutex is the only writer (and reader: an office has a few
//! officers); every action is one transaction with its audit line ([`audit`]). The rules come
//! from `baom_domain::dossier`; this module stores them. Name search keeps an in-memory index
//! (`baom_domain::names`) built at opening and kept in step with every change.

pub mod audit;
pub mod cases;
pub mod people;
pub mod retention;
pub mod scans;
pub mod schema;
#[cfg(test)]
mod tests;

use crate::store::{self, StoreError};
use crate::vault::{DataKey, Vault};
use baom_domain::dossier::DossierError;
use baom_domain::names::NameIndex;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum DossierStoreError {
    #[error(
        "the dossiers are locked: they open when an officer or supervisor who holds the key logs in"
    )]
    Locked,
    #[error("the dossiers could not be opened: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Invalid(#[from] DossierError),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("scans: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
}

impl From<rusqlite::Error> for DossierStoreError {
    fn from(e: rusqlite::Error) -> Self {
        DossierStoreError::Store(StoreError::Sqlite(e))
    }
}

pub type Result<T, E = DossierStoreError> = std::result::Result<T, E>;

/// The open database and what is kept beside it.
pub struct Db {
    pub conn: Connection,
    pub names: NameIndex,
    pub scans_dir: PathBuf,
}

enum State {
    Locked,
    Open(Box<Db>),
    Failed(String),
}

/// The dossiers, as the service holds them. Cheap to clone.
#[derive(Clone)]
pub struct Dossiers {
    state: Arc<Mutex<State>>,
    /// The commune's douars, by name (a person's douar must be one of them).
    pub douars: Arc<Vec<String>>,
    pub retention_years: u16,
}

impl Dossiers {
    /// Ties the dossiers to the vault: the database opens (and is created, the first time) the
    /// moment the vault does.
    pub fn new(
        data_dir: &Path,
        vault: Arc<Vault>,
        douars: Vec<String>,
        retention_years: u16,
    ) -> Dossiers {
        let dossiers = Dossiers {
            state: Arc::new(Mutex::new(State::Locked)),
            douars: Arc::new(douars),
            retention_years,
        };
        let state = dossiers.state.clone();
        let path = data_dir.join("dossiers.db");
        let scans_dir = data_dir.join("scans").join("dossiers");
        vault.on_unlock(move |key| {
            let opened = open(&path, key, scans_dir.clone());
            let Ok(mut slot) = state.lock() else { return };
            *slot = match opened {
                Ok(db) => {
                    tracing::info!(people = db.names.len(), "dossiers opened");
                    State::Open(Box::new(db))
                }
                Err(e) => {
                    tracing::error!(error = %e, "dossiers.db does not open with this box's key");
                    State::Failed(e.to_string())
                }
            };
        });
        dossiers
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state.lock().as_deref(), Ok(State::Open(_)))
    }

    /// Runs `f` on the open database, off the async threads.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Db) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = state
                .lock()
                .map_err(|_| DossierStoreError::Unavailable("lock poisoned".into()))?;
            match &mut *guard {
                State::Open(db) => f(db),
                State::Locked => Err(DossierStoreError::Locked),
                State::Failed(why) => Err(DossierStoreError::Unavailable(why.clone())),
            }
        })
        .await
        .map_err(|e| DossierStoreError::Unavailable(format!("task failed: {e}")))?
    }
}

/// Opens (creating if needed) `dossiers.db` with the key, migrates it and builds the name index.
pub fn open(path: &Path, key: &DataKey, scans_dir: PathBuf) -> Result<Db> {
    let mut conn = open_keyed(path, key)?;
    store::migrations::apply(&mut conn, schema::MIGRATIONS, "dossiers")?;
    let names = people::build_index(&conn)?;
    Ok(Db {
        conn,
        names,
        scans_dir,
    })
}

/// A connection to `dossiers.db` (or a backup of it) with the key set and checked.
pub fn open_keyed(path: &Path, key: &DataKey) -> Result<Connection> {
    let conn = Connection::open(path).map_err(StoreError::from)?;
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_pragma()))?;
    // A wrong key shows here: SQLCipher cannot read the first page.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| DossierStoreError::Unavailable(format!("{}: {e}", path.display())))?;
    store::configure(&conn)?;
    // Deleted rows are overwritten, not left in free pages (erasure, retention).
    conn.execute_batch("PRAGMA secure_delete = ON;")?;
    Ok(conn)
}
