//! Document scanning through SANE, for the ticket the kiosk just issued and at the desk.
//!
//! The kiosk asks for a scan with the ticket's token; the service runs `scanimage` on the
//! configured device (the SANE `test` device in the demo and the tests), checks that what came
//! back is a PNG, seals it to the vault's public key (see `vault`: the kiosk needs no login to
//! seal, only an open vault can read) and stores it under `<data>/scans/<ticket id>/<n>.sealed`,
//! mode 0600 in a 0700 folder. The kiosk's preview comes from a short-lived copy in memory; the
//! officer lists and opens them (each opening is a line in the dossiers' audit log), and keeps
//! them in a dossier. A page no officer keeps within 30 days is deleted.
//!
//! Refusals are [`ScanError`]s (the HTTP answers they become are `web::error`'s).

use crate::dossiers::{DossierStoreError, Dossiers};
use crate::vault::VaultError;
use baom_config::ScannerSettings;
use baom_domain::queue::{Ticket, TicketId, TicketState};
use jiff::civil::Date;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The most pages one ticket may carry: a visitor's papers, not a photocopier.
pub const MAX_SCANS_PER_TICKET: u32 = 20;
/// The largest image accepted from the scanner.
pub const MAX_SCAN_BYTES: usize = 32 * 1024 * 1024;

/// How long the kiosk can show back a page it just scanned.
const PREVIEW_FOR: Duration = Duration::from_secs(15 * 60);
/// How many recent pages are kept in memory for the kiosk's preview.
const PREVIEWS_KEPT: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("this office has no scanner configured")]
    NotConfigured,
    #[error("the scanner is scanning another page; try again in a moment")]
    Busy,
    /// The device failed, timed out or returned no image.
    #[error("{0}")]
    Failed(String),
    #[error("scans attach only to a ticket of today that is not finished")]
    TicketClosed,
    #[error("a ticket carries at most {MAX_SCANS_PER_TICKET} scanned pages")]
    TooMany,
    #[error("there is no such scan")]
    Unknown,
    #[error("scans: {0}")]
    Storage(#[from] std::io::Error),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
}

/// A page just scanned, kept for the kiosk's preview: `(ticket, scan, when, png)`.
type Preview = (TicketId, u32, std::time::Instant, Vec<u8>);

/// The scanner and where scans go. One scan at a time.
pub struct Scanner {
    settings: ScannerSettings,
    root: PathBuf,
    busy: tokio::sync::Mutex<()>,
    vault: Arc<crate::vault::Vault>,
    /// `(ticket, scan, when, png)` of the last pages, for the kiosk's preview only.
    previews: std::sync::Mutex<std::collections::VecDeque<Preview>>,
}

/// A stored scan, as the officer lists it.
#[derive(Debug, serde::Serialize)]
pub struct ScanInfo {
    pub id: u32,
    pub bytes: u64,
    pub scanned_at: Option<jiff::Timestamp>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ScanError> + Send + 'static,
) -> Result<T, ScanError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ScanError::Storage(std::io::Error::other(format!("task failed: {e}"))))?
}

impl Scanner {
    pub fn new(
        settings: ScannerSettings,
        root: PathBuf,
        vault: Arc<crate::vault::Vault>,
    ) -> Scanner {
        Scanner {
            settings,
            root,
            busy: tokio::sync::Mutex::new(()),
            vault,
            previews: std::sync::Mutex::new(std::collections::VecDeque::new()),
        }
    }

    pub fn is_configured(&self) -> bool {
        self.settings.device.is_some()
    }

    fn folder(&self, ticket: TicketId) -> PathBuf {
        self.root.join(ticket.0.to_string())
    }

    fn file(&self, ticket: TicketId, id: u32) -> PathBuf {
        self.folder(ticket).join(format!("{id}.sealed"))
    }

    /// The scans of a ticket, in order (blocking: reads the folder).
    fn list_now(&self, ticket: TicketId) -> std::io::Result<Vec<ScanInfo>> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(self.folder(ticket)) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(id) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".sealed"))
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue; // a half-written `.tmp`, or something a person put there
            };
            let meta = entry.metadata()?;
            let scanned_at = meta
                .modified()
                .ok()
                .and_then(|t| jiff::Timestamp::try_from(t).ok());
            out.push(ScanInfo {
                id,
                bytes: meta.len(),
                scanned_at,
            });
        }
        out.sort_by_key(|s| s.id);
        Ok(out)
    }

    /// The scans of a ticket, in order.
    pub async fn list(self: &Arc<Self>, ticket: TicketId) -> Result<Vec<ScanInfo>, ScanError> {
        let me = self.clone();
        blocking(move || Ok(me.list_now(ticket)?)).await
    }

    /// Scans one page onto `ticket` (the kiosk's, whose token it holds) and stores it sealed;
    /// returns its id and size. Only a ticket of `today` still waiting or at a desk takes scans.
    pub async fn scan_onto(
        self: &Arc<Self>,
        ticket: &Ticket,
        today: Date,
    ) -> Result<(u32, usize), ScanError> {
        let open = ticket.day == today
            && matches!(
                ticket.state,
                TicketState::Waiting | TicketState::Called | TicketState::Serving
            );
        if !open {
            return Err(ScanError::TicketClosed);
        }
        let ticket = ticket.id;
        let _guard = self.busy.try_lock().map_err(|_| ScanError::Busy)?;
        let existing = self.list(ticket).await?;
        if existing.len() as u32 >= MAX_SCANS_PER_TICKET {
            return Err(ScanError::TooMany);
        }
        let id = existing.last().map_or(1, |s| s.id + 1);
        let png = self.capture().await?;
        let sealed = self.vault.seal(&png)?;
        let path = self.file(ticket, id);
        let bytes = png.len();
        blocking(move || Ok(baom_config::write_private(&path, &sealed)?)).await?;
        if let Ok(mut previews) = self.previews.lock() {
            previews.retain(|(_, _, at, _)| at.elapsed() < PREVIEW_FOR);
            if previews.len() >= PREVIEWS_KEPT {
                previews.pop_front();
            }
            previews.push_back((ticket, id, std::time::Instant::now(), png));
        }
        tracing::info!(ticket = ticket.0, scan = id, bytes, "page scanned");
        Ok((id, bytes))
    }

    /// The technician's check: one page scanned and thrown away. Answers its width and height
    /// in pixels and its size, never the image (technicians see no visitor's paper).
    pub async fn test_scan(&self) -> Result<(u32, u32, usize), ScanError> {
        let _guard = self.busy.try_lock().map_err(|_| ScanError::Busy)?;
        let png = self.capture().await?;
        let be = |at: usize| {
            png.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes)
                .unwrap_or(0)
        };
        tracing::info!(bytes = png.len(), "test scan");
        Ok((be(16), be(20), png.len()))
    }

    /// Runs `scanimage` once and checks that a PNG came back.
    async fn capture(&self) -> Result<Vec<u8>, ScanError> {
        let Some(device) = self.settings.device.clone() else {
            return Err(ScanError::NotConfigured);
        };
        let mut command = tokio::process::Command::new(&self.settings.program);
        command
            .arg("-d")
            .arg(&device)
            .arg("--format=png")
            .arg("--resolution")
            .arg(self.settings.resolution.to_string())
            .args(&self.settings.options)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let run = tokio::time::timeout(
            Duration::from_secs(self.settings.timeout_seconds),
            command.output(),
        );
        let failed = ScanError::Failed;
        let output = run
            .await
            .map_err(|_| {
                failed(format!(
                    "the scanner did not finish within {} s",
                    self.settings.timeout_seconds
                ))
            })?
            .map_err(|e| {
                failed(format!(
                    "cannot run {}: {e}",
                    self.settings.program.display()
                ))
            })?;
        if !output.status.success() {
            let why = String::from_utf8_lossy(&output.stderr);
            let why = why.lines().last().unwrap_or("no message").trim().to_owned();
            return Err(failed(format!(
                "scanner {device:?} failed ({}): {why}",
                output.status
            )));
        }
        let png = output.stdout;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") || png.len() > MAX_SCAN_BYTES {
            return Err(failed(format!(
                "scanner {device:?} returned {} bytes that are not a PNG image",
                png.len()
            )));
        }
        Ok(png)
    }

    /// The kiosk's preview of a page it scanned a moment ago.
    pub fn preview(&self, ticket: TicketId, id: u32) -> Result<Vec<u8>, ScanError> {
        let previews = self
            .previews
            .lock()
            .map_err(|_| ScanError::Storage(std::io::Error::other("previews lock poisoned")))?;
        previews
            .iter()
            .find(|(t, n, at, _)| *t == ticket && *n == id && at.elapsed() < PREVIEW_FOR)
            .map(|(_, _, _, png)| png.clone())
            .ok_or(ScanError::Unknown)
    }

    /// The sealed bytes of a ticket's scan, as stored (blocking).
    fn read_sealed(&self, ticket: TicketId, id: u32) -> Result<Vec<u8>, ScanError> {
        match std::fs::read(self.file(ticket, id)) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ScanError::Unknown),
            Err(e) => Err(ScanError::Storage(e)),
        }
    }

    /// An officer opens a ticket's scan: the PNG (the vault must be open), and a line in the
    /// dossiers' audit log (no person: the ticket's number).
    pub async fn open(
        self: &Arc<Self>,
        dossiers: &Dossiers,
        actor: String,
        ticket: TicketId,
        id: u32,
    ) -> Result<Vec<u8>, ScanError> {
        let me = self.clone();
        let png = blocking(move || Ok(me.vault.unseal(&me.read_sealed(ticket, id)?)?)).await?;
        let detail = format!("ticket={} scan={id}", ticket.0);
        dossiers
            .run(move |db| db.log_event(&actor, "scan.read", &detail))
            .await?;
        Ok(png)
    }

    /// Moves a ticket's scan into a person's dossier (it leaves the ticket once kept). Returns
    /// the dossier scan's id.
    pub async fn keep_in_dossier(
        self: &Arc<Self>,
        dossiers: &Dossiers,
        actor: String,
        person: i64,
        ticket: TicketId,
        id: u32,
    ) -> Result<i64, ScanError> {
        let me = self.clone();
        let sealed = blocking(move || me.read_sealed(ticket, id)).await?;
        let kept = dossiers
            .run(move |db| {
                crate::dossiers::scans::attach(db, &actor, person, &sealed, Some(ticket.0))
            })
            .await?;
        if let Err(e) = self.remove(ticket, id) {
            tracing::error!(error = %e, "a kiosk scan kept in a dossier could not be removed from its ticket");
        }
        Ok(kept)
    }

    /// Scans a page at the officer's desk straight into a person's dossier (sealed on arrival).
    pub async fn scan_into_dossier(
        &self,
        dossiers: &Dossiers,
        actor: String,
        person: i64,
    ) -> Result<i64, ScanError> {
        let png = {
            let _guard = self.busy.try_lock().map_err(|_| ScanError::Busy)?;
            self.capture().await?
        };
        let sealed = self.vault.seal(&png)?;
        Ok(dossiers
            .run(move |db| crate::dossiers::scans::attach(db, &actor, person, &sealed, None))
            .await?)
    }

    /// Removes a ticket's scan once it has moved into a dossier.
    fn remove(&self, ticket: TicketId, id: u32) -> std::io::Result<()> {
        if let Ok(mut previews) = self.previews.lock() {
            previews.retain(|(t, n, _, _)| !(*t == ticket && *n == id));
        }
        match std::fs::remove_file(self.file(ticket, id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// A scan's number as a link or the kiosk gives it: 1 to [`MAX_SCANS_PER_TICKET`].
pub fn scan_number(raw: &str) -> Result<u32, ScanError> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_SCANS_PER_TICKET).contains(n))
        .ok_or(ScanError::Unknown)
}

/// How long a page scanned at the kiosk stays on a ticket if no officer keeps it in a dossier.
pub const TICKET_SCANS_KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

impl Scanner {
    /// Deletes ticket scans older than `age` (their folder's last change): a visitor's papers
    /// that never joined a dossier are not kept. Returns how many folders went.
    pub fn forget_older_than(&self, age: Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            // Ticket folders are numbers; `dossiers/` is the dossiers' own.
            let is_ticket = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|e| e > age);
            if is_ticket && old {
                match std::fs::remove_dir_all(&path) {
                    Ok(()) => removed += 1,
                    Err(e) => {
                        tracing::error!(path = %path.display(), error = %e, "old ticket scans could not be removed")
                    }
                }
            }
        }
        removed
    }
}

/// Every six hours, ticket scans older than [`TICKET_SCANS_KEPT`] go.
pub async fn forget_old_scans(scanner: std::sync::Arc<Scanner>) {
    let mut every = tokio::time::interval(Duration::from_secs(6 * 3600));
    loop {
        every.tick().await;
        let s = scanner.clone();
        if let Ok(n) =
            tokio::task::spawn_blocking(move || s.forget_older_than(TICKET_SCANS_KEPT)).await
            && n > 0
        {
            tracing::info!(tickets = n, "old kiosk scans deleted");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_is_written_for_the_owner_only_and_listed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts =
            crate::accounts::Accounts::open(&dir.path().join("accounts.db")).expect("accounts");
        let (vault, _) = crate::vault::Vault::open_or_create(accounts).expect("vault");
        let scanner = Scanner::new(
            ScannerSettings::default(),
            dir.path().join("scans"),
            vault.into(),
        );
        let t = TicketId(7);
        baom_config::write_private(&scanner.file(t, 1), b"\x89PNG\r\n\x1a\nxx").expect("write");
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&scanner.file(t, 1)), 0o600);
        assert_eq!(mode(&scanner.folder(t)), 0o700);
        // A leftover temp file is not a scan.
        std::fs::write(scanner.folder(t).join("2.tmp"), b"half").expect("tmp");
        let listed = scanner.list_now(t).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].bytes), (1, 10));
        assert!(scanner.list_now(TicketId(8)).expect("empty").is_empty());
        // Only ticket folders older than the age go; the dossiers' folder never does.
        std::fs::create_dir_all(dir.path().join("scans/dossiers")).expect("dossiers dir");
        assert_eq!(scanner.forget_older_than(Duration::from_secs(3600)), 0);
        assert_eq!(scanner.forget_older_than(Duration::ZERO), 1);
        assert!(!scanner.folder(t).exists());
        assert!(dir.path().join("scans/dossiers").exists());
    }
}
