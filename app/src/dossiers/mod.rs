//! Dossiers: people, households, consents, cases, referrals, visits and sealed scans, in
//! `dossiers.db`, encrypted with SQLCipher under a key derived from the vault's data key.
//!
//! The database opens when the vault does (the first login of an officer or supervisor after a
//! boot); until then every call answers [`DossierStoreError::Locked`] and the queue works as
//! ever. One connection behind a mutex is the only writer (and reader: an office has a few
//! officers); every action is one transaction with its audit lines ([`Db::act`], the only way
//! to the audit log). The rules come from `baom_domain::dossier`; these modules store them.
//! Name search keeps an in-memory index (`baom_domain::names`, [`names`]) built at opening and
//! kept in step with every change.
//!
//! A new kind of dossier data gets its own module here (its rows, and its actions through
//! `Db::act`), called by the pages through [`Dossiers::run`].

pub mod audit;
pub mod case_list;
pub mod cases;
pub mod census;
mod db;
pub mod diaspora;
pub mod merge;
pub mod names;
pub mod oversight;
pub mod people;
pub mod record;
pub mod register;
pub mod retention;
pub mod scans;
pub mod schema;
#[cfg(test)]
mod tests;

pub use db::{Action, Db, DossierStoreError, Result, open, open_keyed};

use crate::vault::Vault;
use std::sync::{Arc, Mutex};

enum State {
    Locked,
    Open(Box<Db>),
    Failed(String),
}

/// The dossiers, as the service holds them. Cheap to clone.
#[derive(Clone)]
pub struct Dossiers {
    state: Arc<Mutex<State>>,
    /// The settings as they are now (the douars change on the LAN).
    settings: crate::office::LiveSettings,
    pub retention_years: u16,
}

impl Dossiers {
    /// Ties the dossiers to the vault: the database opens (and is created, the first time) the
    /// moment the vault does.
    pub fn new(
        data: &baom_config::DataDir,
        vault: Arc<Vault>,
        anchor: crate::accounts::Accounts,
        settings: crate::office::LiveSettings,
        retention_years: u16,
    ) -> Dossiers {
        let dossiers = Dossiers {
            state: Arc::new(Mutex::new(State::Locked)),
            settings,
            retention_years,
        };
        let state = dossiers.state.clone();
        let path = data.dossiers_db();
        let scans_dir = data.dossier_scans_dir();
        vault.on_unlock(move |key| {
            let opened = open(&path, key, scans_dir.clone(), Some(anchor.clone()));
            let Ok(mut slot) = state.lock() else { return };
            *slot = match opened {
                Ok(db) => {
                    tracing::info!(people = db.names.len(), "dossiers opened");
                    // Nothing is dated before the audit log's last line.
                    if let Ok(Some(at)) = audit::last_at(&db.conn) {
                        crate::clock::raise_floor(at);
                    }
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

    /// The commune's douars, by name, as they are now (a person's douar must be one of them).
    pub fn douars(&self) -> Arc<Vec<String>> {
        Arc::new(
            self.settings
                .get()
                .douars
                .iter()
                .map(|d| d.name.clone())
                .collect(),
        )
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state.lock().as_deref(), Ok(State::Open(_)))
    }

    /// Opens the dossiers with the recovery key (a supervisor who lost every password), typed
    /// as printed on the handover sheet. The opening is a line in the audit log.
    pub async fn unlock_with_recovery(
        &self,
        vault: Arc<Vault>,
        typed: String,
        actor: String,
    ) -> Result<()> {
        tokio::task::spawn_blocking(move || {
            let key =
                crate::vault::RecoveryKey::parse(&typed).map_err(crate::vault::VaultError::from)?;
            vault.unlock_with_recovery(&key)
        })
        .await
        .map_err(|e| DossierStoreError::Unavailable(format!("task failed: {e}")))??;
        tracing::warn!(login = %actor, "dossiers opened with the recovery key");
        self.run(move |db| db.log_event(&actor, "vault.recovery", ""))
            .await
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
