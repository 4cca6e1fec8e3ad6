//! The open `dossiers.db` and the one shape every dossier action takes ([`Db::act`]): one
//! transaction, the change, its audit lines, commit. An action that cannot write its audit line
//! fails whole, and nothing else in the service appends to the audit log.

use super::{audit, names};
use crate::accounts::Accounts;
use crate::store::{self, StoreError};
use crate::vault::DataKey;
use baom_domain::dossier::DossierError;
use baom_domain::names::NameIndex;
use baom_keys::Zeroizing;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

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
    /// The audit chain's key (derived from the data key).
    audit_key: Zeroizing<[u8; 32]>,
    /// Where the chain's head is anchored after every action (`accounts.db`); none in tests.
    anchor: Option<Accounts>,
}

/// An action under way, inside its transaction: what it may read and change, and the audit
/// lines it will leave.
pub struct Action<'a> {
    /// The transaction (a `Connection` for reads and writes; [`Db::act`] commits it).
    pub tx: &'a Connection,
    /// The name index as it was before the action (it changes after the commit).
    pub names: &'a NameIndex,
    /// Where sealed scans of dossiers are.
    pub scans_dir: &'a Path,
    lines: Vec<audit::Entry>,
}

impl Action<'_> {
    /// An audit line for this action: what was done, to which person and case, and numbers
    /// (never a name or a note) in `detail`.
    pub fn log(
        &mut self,
        action: &str,
        person: Option<i64>,
        case: Option<i64>,
        detail: impl Into<String>,
    ) {
        self.lines.push(audit::Entry {
            action: action.to_owned(),
            person,
            case,
            detail: detail.into(),
        });
    }
}

impl Db {
    /// Runs one dossier action: opens a transaction, lets `change` read and write and say what
    /// it did, appends those audit lines and commits. A refused change (an `Err`), or an audit
    /// line that cannot be written, rolls everything back. An action must leave a line.
    pub fn act<T>(
        &mut self,
        actor: &str,
        change: impl FnOnce(&mut Action<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction()?;
        let mut action = Action {
            tx: &tx,
            names: &self.names,
            scans_dir: &self.scans_dir,
            lines: Vec::new(),
        };
        let out = change(&mut action)?;
        let lines = std::mem::take(&mut action.lines);
        if lines.is_empty() {
            return Err(DossierStoreError::Unavailable(
                "an action left no line in the audit log".into(),
            ));
        }
        // The anchor moves only along the chain it anchored: were the line it points at no
        // longer the one anchored (the chain rewritten or cut with the key), moving it to the
        // new head would bless the forgery, so it stays for the next verification to report.
        let anchored_line_holds = match self.anchor.as_ref().map(Accounts::audit_anchor) {
            Some(Ok(Some((seq, hash)))) => audit::hash_at(&tx, seq)?.as_deref() == Some(&*hash),
            _ => true,
        };
        let mut head = None;
        for line in &lines {
            head = Some(audit::append(&tx, &self.audit_key, actor, line)?);
        }
        tx.commit()?;
        // Committed: the head goes outside the database. Should this fail, the anchor only lags
        // behind the chain, which a verification tolerates; it never runs ahead of it.
        if let (Some(anchor), Some(head)) = (&self.anchor, head) {
            if !anchored_line_holds {
                tracing::error!(
                    "the audit log no longer holds its anchored line: the anchor stays"
                );
            } else if let Err(e) = anchor.anchor_audit(head.seq, &head.hash) {
                tracing::error!(error = %e, "the audit log's head could not be anchored");
            }
        }
        Ok(out)
    }

    /// The chain verified against its anchor in `accounts.db` and any `more` (a printed head).
    pub fn verify_audit(&self, more: &[audit::Head]) -> Result<audit::Verification> {
        let mut anchors: Vec<audit::Head> = more.to_vec();
        if let Some(anchor) = &self.anchor
            && let Some((seq, hash)) = anchor
                .audit_anchor()
                .map_err(|e| DossierStoreError::Unavailable(e.to_string()))?
        {
            anchors.push(audit::Head { seq, hash });
        }
        Ok(audit::verify(&self.conn, &self.audit_key, &anchors)?)
    }

    /// An event that changes no dossier but must be in the audit log (a backup downloaded, the
    /// vault opened with the recovery key, a ticket's scan opened).
    pub fn log_event(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        self.act(actor, |a| {
            a.log(action, None, None, detail);
            Ok(())
        })
    }

    /// VACUUM and truncate the WAL, so removed rows are in no page of either file.
    pub fn compact(&self) -> Result<()> {
        self.conn.execute_batch("VACUUM;")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Opens (creating if needed) `dossiers.db` with the key, migrates it and builds the name
/// index; the audit chain's head is anchored in `anchor` (`accounts.db`).
pub fn open(
    path: &Path,
    key: &DataKey,
    scans_dir: PathBuf,
    anchor: Option<Accounts>,
) -> Result<Db> {
    store::rollback::restore_if_rolled_back(
        path,
        super::schema::MIGRATIONS.len() as i64,
        "dossiers",
    )?;
    let mut conn = open_keyed(path, key)?;
    store::migrations::apply(&mut conn, super::schema::MIGRATIONS, "dossiers")?;
    let names = names::build(&conn)?;
    Ok(Db {
        conn,
        names,
        scans_dir,
        audit_key: key.audit_key(),
        anchor,
    })
}

/// A connection to `dossiers.db` (or a backup of it) with the key set and checked.
pub fn open_keyed(path: &Path, key: &DataKey) -> Result<Connection> {
    let conn = Connection::open(path).map_err(StoreError::from)?;
    conn.execute_batch(&key.sqlcipher_pragma())?;
    // A wrong key shows here: SQLCipher cannot read the first page.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| DossierStoreError::Unavailable(format!("{}: {e}", path.display())))?;
    store::configure(&conn)?;
    // Every page read is decrypted: a 32 MB page cache (filled only as far as the file goes)
    // keeps a year's figures and the case list from decrypting the same pages again.
    conn.execute_batch("PRAGMA cache_size = -32000;")?;
    // Deleted rows are overwritten, not left in free pages (erasure, retention).
    conn.execute_batch("PRAGMA secure_delete = ON;")?;
    Ok(conn)
}
