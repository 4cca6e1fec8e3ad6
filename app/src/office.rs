//! The office's own settings as the service runs with them, and their changes on the LAN:
//! services (names, letters, documents, procedures, opening hours, target wait), desks and
//! douars, and the box's clock.
//!
//! The settings file is the first boot's source. Every change a supervisor makes is a row of
//! `queue.db`'s `office_changes` (who, when, what) holding the office's settings after it; the
//! newest such row overrides the file's services, desks and douars at every start, and since
//! backups carry `queue.db`, a restore carries them too. A change is checked by the settings
//! file's own rules (`baom_config::Settings::with_office`), then handed to the queue's writer,
//! which refuses it if today's queue still needs what it drops and otherwise commits its row
//! and takes the new catalogue at once: the kiosk's catalogue, new tickets and the lobby follow
//! it without a restart. Douars a person's dossier names cannot be removed.
//!
//! [`LiveSettings`] is the one place the current settings are read from (the file's, with the
//! office's laid over them); only [`Office`] replaces them. Changes are made one at a time.

use crate::dossiers::{DossierStoreError, Dossiers, census};
use crate::queue_service::{CatalogueSwapError, QueueService};
use crate::store::{self, StoreError};
use baom_config::{DeskEntry, Douar, OfficeError, OfficeSettings, ServiceEntry, Settings};
use baom_domain::Letter;
use baom_domain::queue::CatalogueChangeError;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The settings the service runs with now. Cheap to clone.
#[derive(Clone)]
pub struct LiveSettings(Arc<RwLock<Arc<Settings>>>);

impl LiveSettings {
    pub fn new(settings: Settings) -> LiveSettings {
        LiveSettings(Arc::new(RwLock::new(Arc::new(settings))))
    }

    /// The settings as they are now.
    pub fn get(&self) -> Arc<Settings> {
        match self.0.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, settings: Settings) {
        match self.0.write() {
            Ok(mut s) => *s = Arc::new(settings),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(settings),
        }
    }
}

/// One change a supervisor asks for.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Add a service (`was` none) or replace the service `was`, served at `desks`.
    Service {
        was: Option<Letter>,
        entry: ServiceEntry,
        desks: Vec<u16>,
    },
    RemoveService(Letter),
    /// Add a desk (`was` none) or replace the desk numbered `was`.
    Desk {
        was: Option<u16>,
        entry: DeskEntry,
    },
    RemoveDesk(u16),
    /// Add a douar (`was` none) or replace the douar named `was`.
    Douar {
        was: Option<String>,
        douar: Douar,
    },
    RemoveDouar(String),
}

impl Edit {
    /// The change as the office's log records it: an action and its subject.
    fn recorded(&self) -> (&'static str, String) {
        match self {
            Edit::Service {
                was: None, entry, ..
            } => ("service.add", entry.letter.to_string()),
            Edit::Service { entry, .. } => ("service.change", entry.letter.to_string()),
            Edit::RemoveService(l) => ("service.remove", l.to_string()),
            Edit::Desk { was: None, entry } => ("desk.add", entry.number.to_string()),
            Edit::Desk { entry, .. } => ("desk.change", entry.number.to_string()),
            Edit::RemoveDesk(n) => ("desk.remove", n.to_string()),
            Edit::Douar { was: None, douar } => ("douar.add", douar.name.clone()),
            Edit::Douar { douar, .. } => ("douar.change", douar.name.clone()),
            Edit::RemoveDouar(name) => ("douar.remove", name.clone()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OfficeChangeError {
    /// The settings file's rules refuse it.
    #[error(transparent)]
    Invalid(#[from] OfficeError),
    /// Today's queue still needs what it drops.
    #[error(transparent)]
    InUse(#[from] CatalogueChangeError),
    #[error(
        "the douar {douar:?} is the douar of {people} dossier(s): it cannot be removed or renamed"
    )]
    DouarInUse { douar: String, people: i64 },
    #[error("there is no {0} to change")]
    Unknown(String),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error("the change could not be saved: {0}")]
    Storage(String),
}

impl From<StoreError> for OfficeChangeError {
    fn from(e: StoreError) -> Self {
        OfficeChangeError::Storage(e.to_string())
    }
}

impl From<rusqlite::Error> for OfficeChangeError {
    fn from(e: rusqlite::Error) -> Self {
        OfficeChangeError::Storage(e.to_string())
    }
}

/// One line of the office's log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
}

/// The office's settings and their changes. Cheap to clone.
#[derive(Clone)]
pub struct Office {
    live: LiveSettings,
    db: PathBuf,
    queue: QueueService,
    dossiers: Dossiers,
    changing: Arc<tokio::sync::Mutex<()>>,
    /// Why the stored settings were not used at start, if they were not.
    pub problem: Option<String>,
}

/// The settings to start with: the file's, with the office's last saved settings laid over
/// them. Stored settings the rules now refuse (a newer program's) are left aside, loudly: the
/// kiosk must work. Returns the settings and why the stored ones were left, if they were.
pub fn load(queue_db: &Path, file: Settings) -> Result<(Settings, Option<String>), StoreError> {
    let conn = store::open_writer(queue_db)?;
    let stored: Option<String> = conn
        .query_row(
            "SELECT settings FROM office_changes WHERE settings IS NOT NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(stored) = stored else {
        return Ok((file, None));
    };
    let office = match serde_json::from_str::<OfficeSettings>(&stored) {
        Ok(office) => office,
        Err(e) => {
            let why = format!("the office's saved settings do not read back: {e}");
            tracing::error!(%why, "starting with the settings file's services, desks and douars");
            return Ok((file, Some(why)));
        }
    };
    match file.with_office(&office) {
        Ok(settings) => Ok((settings, None)),
        Err(e) => {
            let why = format!("the office's saved settings are refused: {e}");
            tracing::error!(%why, "starting with the settings file's services, desks and douars");
            Ok((file, Some(why)))
        }
    }
}

/// The time of the office's last recorded change (for the clock's floor).
pub fn last_change_at(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT max(at) FROM office_changes", [], |r| r.get(0))
}

fn record(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    (action, subject): (&str, &str),
    settings: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO office_changes (at, actor, action, subject, settings) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at.to_string(), actor, action, subject, settings],
    )?;
    Ok(())
}

impl Office {
    pub fn new(
        live: LiveSettings,
        queue_db: &Path,
        queue: QueueService,
        dossiers: Dossiers,
        problem: Option<String>,
    ) -> Office {
        Office {
            live,
            db: queue_db.to_owned(),
            queue,
            dossiers,
            changing: Arc::default(),
            problem,
        }
    }

    /// The settings as they are now.
    pub fn settings(&self) -> Arc<Settings> {
        self.live.get()
    }

    /// Makes one change, all or nothing: checked by the settings file's rules, refused if
    /// today's queue or a dossier still needs what it drops, recorded, then in force.
    pub async fn change(&self, actor: String, edit: Edit) -> Result<(), OfficeChangeError> {
        let _one_at_a_time = self.changing.lock().await;
        let current = self.live.get();
        let mut office = current.office();
        let dropped_douar = apply(&mut office, &edit)?;
        let next = current.with_office(&office)?;
        if let Some(douar) = dropped_douar {
            let (name, who) = (douar.clone(), actor.clone());
            let people = self
                .dossiers
                .run(move |db| census::douar_usage(db, &who, &name))
                .await?;
            if people > 0 {
                return Err(OfficeChangeError::DouarInUse { douar, people });
            }
        }
        let body = serde_json::to_string(&office)
            .map_err(|e| OfficeChangeError::Storage(e.to_string()))?;
        let (action, subject) = edit.recorded();
        let who = actor.clone();
        self.queue
            .replace_catalogue(
                Arc::new(next.catalogue.clone()),
                Box::new(move |tx, at| Ok(record(tx, at, &who, (action, &subject), Some(&body))?)),
            )
            .await
            .map_err(|e| match e {
                CatalogueSwapError::InUse(e) => OfficeChangeError::InUse(e),
                other => OfficeChangeError::Storage(other.to_string()),
            })?;
        self.live.set(next);
        tracing::info!(login = %actor, action, "office settings changed");
        Ok(())
    }

    /// Records a change made elsewhere (the clock, the directory) in the office's log.
    pub async fn log(
        &self,
        actor: String,
        action: &'static str,
        subject: String,
    ) -> Result<(), OfficeChangeError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = connect(&db)?;
            record(&conn, crate::clock::now(), &actor, (action, &subject), None)?;
            Ok(())
        })
        .await
    }

    /// The office's log, newest first.
    pub async fn history(&self, limit: usize) -> Result<Vec<Logged>, OfficeChangeError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = connect(&db)?;
            let mut stmt = conn.prepare(
                "SELECT at, actor, action, subject FROM office_changes ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt
                .query_map([limit as i64], |r| {
                    Ok(Logged {
                        at: r.get(0)?,
                        actor: r.get(1)?,
                        action: r.get(2)?,
                        subject: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// Sets the box's clock (see `crate::clock::set`), then records it in the office's log
    /// and, when the dossiers are open, in the audit log. Sessions keep the time they had left.
    pub async fn set_clock(
        &self,
        actor: String,
        target: Timestamp,
        accounts: crate::accounts::Accounts,
    ) -> Result<jiff::SignedDuration, crate::clock::ClockSetError> {
        let before = crate::clock::now();
        let moved = crate::clock::set(target).await?;
        let subject = format!("{} → {}", short(before), short(crate::clock::now()));
        if moved > jiff::SignedDuration::ZERO
            && let Err(e) = tokio::task::spawn_blocking(move || accounts.shift_sessions(moved))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
        {
            tracing::error!(error = %e, "sessions could not follow the clock");
        }
        if let Err(e) = self.log(actor.clone(), "clock.set", subject.clone()).await {
            tracing::error!(error = %e, "the clock's change could not be logged");
        }
        let detail = subject;
        match self
            .dossiers
            .run(move |db| db.log_event(&actor, "clock.set", &detail))
            .await
        {
            Ok(()) | Err(DossierStoreError::Locked) => {}
            Err(e) => tracing::error!(error = %e, "the clock's change is not in the audit log"),
        }
        Ok(moved)
    }
}

/// A time as the log shows it: to the second, UTC.
fn short(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%SZ").to_string()
}

fn connect(db: &Path) -> Result<Connection, OfficeChangeError> {
    let conn = Connection::open(db).map_err(StoreError::from)?;
    store::configure(&conn)?;
    Ok(conn)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, OfficeChangeError> + Send + 'static,
) -> Result<T, OfficeChangeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| OfficeChangeError::Storage(format!("task failed: {e}")))?
}

/// Applies `edit` to the settings; returns the douar it drops (removed, or renamed away), whose
/// dossiers must be checked.
fn apply(office: &mut OfficeSettings, edit: &Edit) -> Result<Option<String>, OfficeChangeError> {
    let unknown = |what: String| OfficeChangeError::Unknown(what);
    match edit {
        Edit::Service { was, entry, desks } => {
            match was {
                None => office.services.push(entry.clone()),
                Some(letter) => {
                    let slot = office
                        .services
                        .iter_mut()
                        .find(|s| s.letter == *letter)
                        .ok_or_else(|| unknown(format!("service {letter}")))?;
                    *slot = entry.clone();
                }
            }
            for desk in &mut office.desks {
                desk.services
                    .retain(|l| Some(*l) != *was && *l != entry.letter);
                if desks.contains(&desk.number) {
                    desk.services.push(entry.letter);
                    desk.services.sort();
                }
            }
            Ok(None)
        }
        Edit::RemoveService(letter) => {
            let before = office.services.len();
            office.services.retain(|s| s.letter != *letter);
            if office.services.len() == before {
                return Err(unknown(format!("service {letter}")));
            }
            for desk in &mut office.desks {
                desk.services.retain(|l| l != letter);
            }
            Ok(None)
        }
        Edit::Desk { was, entry } => {
            match was {
                None => office.desks.push(entry.clone()),
                Some(n) => {
                    let slot = office
                        .desks
                        .iter_mut()
                        .find(|d| d.number == *n)
                        .ok_or_else(|| unknown(format!("desk {n}")))?;
                    *slot = entry.clone();
                }
            }
            office.desks.sort_by_key(|d| d.number);
            Ok(None)
        }
        Edit::RemoveDesk(n) => {
            let before = office.desks.len();
            office.desks.retain(|d| d.number != *n);
            if office.desks.len() == before {
                return Err(unknown(format!("desk {n}")));
            }
            Ok(None)
        }
        Edit::Douar { was, douar } => match was {
            None => {
                office.douars.push(douar.clone());
                Ok(None)
            }
            Some(name) => {
                let slot = office
                    .douars
                    .iter_mut()
                    .find(|d| d.name == *name)
                    .ok_or_else(|| unknown(format!("douar {name}")))?;
                *slot = douar.clone();
                Ok((douar.name != *name).then(|| name.clone()))
            }
        },
        Edit::RemoveDouar(name) => {
            let before = office.douars.len();
            office.douars.retain(|d| d.name != *name);
            if office.douars.len() == before {
                return Err(unknown(format!("douar {name}")));
            }
            Ok(Some(name.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> OfficeSettings {
        baom_config::parse(Path::new("demo.toml"), baom_config::DEMO)
            .expect("demo")
            .office()
    }

    #[test]
    fn a_removed_service_leaves_its_desks_and_a_renamed_douar_is_checked() {
        let mut o = office();
        let a = o.services[0].letter;
        apply(&mut o, &Edit::RemoveService(a)).expect("removed");
        assert!(o.desks.iter().all(|d| !d.services.contains(&a)));
        let mut moved = o.services[0].clone();
        let b = moved.letter;
        moved.letter = "Q".parse().expect("letter");
        apply(
            &mut o,
            &Edit::Service {
                was: Some(b),
                entry: moved,
                desks: vec![1],
            },
        )
        .expect("changed");
        let q: Letter = "Q".parse().expect("letter");
        assert!(o.desks.iter().all(|d| !d.services.contains(&b)));
        assert_eq!(
            o.desks.iter().filter(|d| d.services.contains(&q)).count(),
            1
        );
        let name = o.douars[0].name.clone();
        let renamed = apply(
            &mut o,
            &Edit::Douar {
                was: Some(name.clone()),
                douar: Douar {
                    name: "Ailleurs".into(),
                    households: 3,
                },
            },
        )
        .expect("renamed");
        assert_eq!(renamed, Some(name));
        assert!(matches!(
            apply(&mut o, &Edit::RemoveDesk(99)),
            Err(OfficeChangeError::Unknown(_))
        ));
    }
}
