//! Document scanning through SANE, for the ticket the kiosk just issued.
//!
//! The kiosk asks for a scan with the ticket's token; the service runs `scanimage` on the
//! configured device (the SANE `test` device in the demo and the tests), checks that what came
//! back is a PNG, seals it to the vault's public key (see `vault`: the kiosk needs no login to
//! seal, only an open vault can read) and stores it under `<data>/scans/<ticket id>/<n>.sealed`,
//! mode 0600 in a 0700 folder. The kiosk's preview comes from a short-lived copy in memory; the
//! officer lists and opens them on the LAN API, and moves them into a dossier.
//!
//! Routes (merged into the kiosk and LAN routers):
//! - kiosk: `POST /v1/tickets/{token}/scans` → `201 {"id": 1, "bytes": N}`;
//!   `GET /v1/tickets/{token}/scans/{id}/preview.png` → `image/png`.
//! - LAN: `GET /api/v1/tickets/{id}/scans` → `[{"id", "bytes", "scanned_at"}]`;
//!   `GET /api/v1/tickets/{id}/scans/{n}.png`.
//!
//! Refusals: `scanner_not_configured` (503), `scanner_busy` (409, one scan at a time),
//! `scanner_failed` (502: the device failed or returned no image), `ticket_closed` (409: only a
//! ticket of today that is still waiting or being served takes scans), `too_many_scans` (409),
//! `unknown_scan` (404), `dossiers_locked` (503: opening a sealed scan needs an open vault),
//! `forbidden` (403: technicians and the lobby never see scans).

use crate::web::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use baom_domain::queue::{Ticket, TicketId, TicketState};
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most pages one ticket may carry: a visitor's papers, not a photocopier.
pub const MAX_SCANS_PER_TICKET: u32 = 20;
/// The largest image accepted from the scanner.
pub const MAX_SCAN_BYTES: usize = 32 * 1024 * 1024;

/// `[scanner]` in the configuration. Without `device`, scanning is off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerSettings {
    /// A SANE device name, as `scanimage -L` lists it (`test` for SANE's test backend).
    pub device: Option<String>,
    /// Dots per inch. 100 to 300 is enough for papers read on screen.
    #[serde(default = "default_resolution")]
    pub resolution: u32,
    /// Extra `scanimage` options for this device, each starting with `--` (e.g. `--mode`, `Color`).
    #[serde(default)]
    pub options: Vec<String>,
    /// How long one page may take.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// The `scanimage` program.
    #[serde(default = "default_program")]
    pub program: PathBuf,
}

fn default_resolution() -> u32 {
    150
}
fn default_timeout() -> u64 {
    90
}
fn default_program() -> PathBuf {
    PathBuf::from("scanimage")
}

impl Default for ScannerSettings {
    fn default() -> Self {
        ScannerSettings {
            device: None,
            resolution: default_resolution(),
            options: Vec::new(),
            timeout_seconds: default_timeout(),
            program: default_program(),
        }
    }
}

impl ScannerSettings {
    /// Checks what the configuration file cannot: returns a sentence naming the problem.
    pub fn check(&self) -> Result<(), String> {
        if let Some(d) = &self.device
            && (d.is_empty() || d.starts_with('-') || d.chars().any(char::is_control))
        {
            return Err(format!("device = {d:?} is not a SANE device name"));
        }
        if !(50..=1200).contains(&self.resolution) {
            return Err(format!(
                "resolution = {} must be between 50 and 1200 dpi",
                self.resolution
            ));
        }
        if self.timeout_seconds == 0 || self.timeout_seconds > 600 {
            return Err("timeout_seconds must be between 1 and 600".into());
        }
        for o in &self.options {
            if ["-d", "--device-name", "--format", "-o", "--output-file"]
                .iter()
                .any(|f| o == f || o.starts_with(&format!("{f}=")))
            {
                return Err(format!(
                    "options may not set {o:?}: the service chooses the device and the format"
                ));
            }
        }
        Ok(())
    }
}

/// How long the kiosk can show back a page it just scanned.
const PREVIEW_FOR: Duration = Duration::from_secs(15 * 60);
/// How many recent pages are kept in memory for the kiosk's preview.
const PREVIEWS_KEPT: usize = 8;

/// A page just scanned, kept for the kiosk's preview: `(ticket, scan, when, png)`.
type Preview = (TicketId, u32, std::time::Instant, Vec<u8>);

/// The scanner and where scans go. One scan at a time.
pub struct Scanner {
    settings: ScannerSettings,
    root: PathBuf,
    busy: tokio::sync::Mutex<()>,
    vault: std::sync::Arc<crate::vault::Vault>,
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

impl Scanner {
    pub fn new(
        settings: ScannerSettings,
        data_dir: &Path,
        vault: std::sync::Arc<crate::vault::Vault>,
    ) -> Scanner {
        Scanner {
            settings,
            root: data_dir.join("scans"),
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

    /// The scans of a ticket, in order.
    pub fn list(&self, ticket: TicketId) -> std::io::Result<Vec<ScanInfo>> {
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

    /// Scans one page for `ticket` and stores it sealed; returns its id and size.
    pub async fn scan(&self, ticket: TicketId) -> Result<(u32, usize), ApiError> {
        let _guard = self.busy.try_lock().map_err(|_| busy())?;
        let existing = self.list(ticket).map_err(storage)?;
        if existing.len() as u32 >= MAX_SCANS_PER_TICKET {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "too_many_scans",
                format!("a ticket carries at most {MAX_SCANS_PER_TICKET} scanned pages"),
            ));
        }
        let id = existing.last().map_or(1, |s| s.id + 1);
        let png = self.capture().await?;
        let sealed = self
            .vault
            .seal(&png)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let folder = self.folder(ticket);
        let path = self.file(ticket, id);
        let bytes = png.len();
        tokio::task::spawn_blocking(move || write_private(&folder, &path, &sealed))
            .await
            .map_err(|e| ApiError::internal(format!("write task failed: {e}")))?
            .map_err(storage)?;
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

    /// Scans one page at the officer's desk and returns it (the caller seals and stores it).
    pub async fn scan_page(&self) -> Result<Vec<u8>, ApiError> {
        let _guard = self.busy.try_lock().map_err(|_| busy())?;
        self.capture().await
    }

    /// Runs `scanimage` once and checks that a PNG came back.
    async fn capture(&self) -> Result<Vec<u8>, ApiError> {
        let Some(device) = self.settings.device.clone() else {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "scanner_not_configured",
                "this office has no scanner configured",
            ));
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
        let failed = |m: String| ApiError::new(StatusCode::BAD_GATEWAY, "scanner_failed", m);
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

    /// The sealed bytes of a ticket's scan, as stored.
    pub fn read_sealed(&self, ticket: TicketId, id: u32) -> Result<Vec<u8>, ApiError> {
        match std::fs::read(self.file(ticket, id)) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(unknown_scan()),
            Err(e) => Err(storage(e)),
        }
    }

    /// The PNG of a ticket's scan; the vault must be open.
    pub fn read(&self, ticket: TicketId, id: u32) -> Result<Vec<u8>, ApiError> {
        let sealed = self.read_sealed(ticket, id)?;
        self.vault.unseal(&sealed).map_err(ApiError::from)
    }

    /// The kiosk's preview of a page it scanned a moment ago.
    pub fn preview(&self, ticket: TicketId, id: u32) -> Result<Vec<u8>, ApiError> {
        let previews = self
            .previews
            .lock()
            .map_err(|_| ApiError::internal("previews lock poisoned"))?;
        previews
            .iter()
            .find(|(t, n, at, _)| *t == ticket && *n == id && at.elapsed() < PREVIEW_FOR)
            .map(|(_, _, _, png)| png.clone())
            .ok_or_else(unknown_scan)
    }

    /// Removes a ticket's scan once it has moved into a dossier.
    pub fn remove(&self, ticket: TicketId, id: u32) -> std::io::Result<()> {
        if let Ok(mut previews) = self.previews.lock() {
            previews.retain(|(t, n, _, _)| !(*t == ticket && *n == id));
        }
        match std::fs::remove_file(self.file(ticket, id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` readable by the service's user only, atomically (temp file, fsync,
/// rename): a scan is either whole or absent.
pub fn write_private(folder: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(folder)?.sync_all()
}

fn busy() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "scanner_busy",
        "the scanner is scanning another page; try again in a moment",
    )
}

fn storage(e: std::io::Error) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        format!("scans: {e}"),
    )
}

fn unknown_scan() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_scan",
        "there is no such scan",
    )
}

fn scan_id(raw: &str) -> Result<u32, ApiError> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_SCANS_PER_TICKET).contains(n))
        .ok_or_else(unknown_scan)
}

fn png(bytes: Vec<u8>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
}

/// The ticket behind a token, its signature checked first (the same check as every route's).
async fn ticket_by_token(state: &AppState, token: String) -> Result<Ticket, ApiError> {
    crate::web::receipts::ticket_by_token(state, &token).await
}

/// Kiosk routes: scan a page for the ticket whose token the kiosk holds, and show it back.
pub fn kiosk_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/tickets/{token}/scans", post(kiosk_scan))
        .route(
            "/v1/tickets/{token}/scans/{id}/preview.png",
            get(kiosk_preview),
        )
}

/// LAN routes: the officer lists and opens a ticket's scans.
pub fn lan_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/tickets/{id}/scans", get(lan_list))
        .route("/api/v1/tickets/{id}/scans/{file}", get(lan_file))
}

async fn kiosk_scan(
    State(state): State<AppState>,
    UrlPath(token): UrlPath<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let stored = ticket_by_token(&state, token).await?;
    // Today's state, if the ticket is in today's queue.
    let queue = state.queue.snapshot();
    let t = queue.ticket(stored.id).copied().unwrap_or(stored);
    let open = t.day == queue.day()
        && matches!(
            t.state,
            TicketState::Waiting | TicketState::Called | TicketState::Serving
        );
    if !open {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "ticket_closed",
            "scans attach only to a ticket of today that is not finished",
        ));
    }
    let (id, bytes) = state.scanner.scan(t.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "bytes": bytes })),
    ))
}

async fn kiosk_preview(
    State(state): State<AppState>,
    UrlPath((token, id)): UrlPath<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let id = scan_id(&id)?;
    let t = ticket_by_token(&state, token).await?;
    Ok(png(state.scanner.preview(t.id, id)?))
}

fn lan_ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    raw.parse::<u64>()
        .map(TicketId)
        .map_err(|_| ApiError::unknown_ticket(&format!("{raw:?}")))
}

/// Scans are personal papers: only the roles that open dossiers see them.
fn may_see_scans(session: &crate::accounts::Session) -> Result<(), ApiError> {
    if session.account.role.sees_dossiers() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this account's role does not see visitors' papers",
        ))
    }
}

async fn lan_list(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::accounts::Session>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<Value>, ApiError> {
    may_see_scans(&session)?;
    let t = state.ticket(lan_ticket_id(&id)?).await?;
    let scanner = state.scanner.clone();
    let scans = tokio::task::spawn_blocking(move || scanner.list(t.id))
        .await
        .map_err(|e| ApiError::internal(format!("list task failed: {e}")))?
        .map_err(storage)?;
    let items: Vec<Value> = scans
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "bytes": s.bytes,
                "scanned_at": s.scanned_at,
                "url": format!("/api/v1/tickets/{}/scans/{}.png", t.id.0, s.id),
            })
        })
        .collect();
    Ok(Json(
        json!({ "ticket": t.number.to_string(), "scans": items }),
    ))
}

async fn lan_file(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::accounts::Session>,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    may_see_scans(&session)?;
    let t = state.ticket(lan_ticket_id(&id)?).await?;
    let n = scan_id(file.strip_suffix(".png").ok_or_else(unknown_scan)?)?;
    let scanner = state.scanner.clone();
    let bytes = tokio::task::spawn_blocking(move || scanner.read(t.id, n))
        .await
        .map_err(|e| ApiError::internal(format!("read task failed: {e}")))??;
    // A visitor's paper was opened: logged like a dossier's scan (no person: the ticket's).
    let who = session.account.login.clone();
    let detail = format!("ticket={} scan={n}", t.id.0);
    state
        .dossiers
        .run(move |db| {
            Ok(crate::dossiers::audit::append(
                &db.conn,
                &who,
                "scan.read",
                None,
                None,
                &detail,
            )?)
        })
        .await?;
    Ok(png(bytes))
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
    fn settings_refuse_options_that_would_redirect_the_scan() {
        let mut s = ScannerSettings {
            device: Some("test".into()),
            ..ScannerSettings::default()
        };
        assert!(s.check().is_ok());
        s.options = vec!["--output-file=/etc/passwd".into()];
        assert!(s.check().unwrap_err().contains("--output-file"));
        s.options = vec!["--mode".into(), "Color".into()];
        assert!(s.check().is_ok());
        s.device = Some("--help".into());
        assert!(s.check().is_err());
        s.device = Some("test".into());
        s.resolution = 5000;
        assert!(s.check().is_err());
    }

    #[test]
    fn a_scan_is_written_for_the_owner_only_and_listed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts =
            crate::accounts::Accounts::open(&dir.path().join("accounts.db")).expect("accounts");
        let (vault, _) = crate::vault::Vault::open_or_create(accounts).expect("vault");
        let scanner = Scanner::new(ScannerSettings::default(), dir.path(), vault.into());
        let t = TicketId(7);
        write_private(
            &scanner.folder(t),
            &scanner.file(t, 1),
            b"\x89PNG\r\n\x1a\nxx",
        )
        .expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&scanner.file(t, 1)), 0o600);
        assert_eq!(mode(&scanner.folder(t)), 0o700);
        // A leftover temp file is not a scan.
        std::fs::write(scanner.folder(t).join("2.tmp"), b"half").expect("tmp");
        let listed = scanner.list(t).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].bytes), (1, 10));
        assert!(scanner.list(TicketId(8)).expect("empty").is_empty());
        // Only ticket folders older than the age go; the dossiers' folder never does.
        std::fs::create_dir_all(dir.path().join("scans/dossiers")).expect("dossiers dir");
        assert_eq!(scanner.forget_older_than(Duration::from_secs(3600)), 0);
        assert_eq!(scanner.forget_older_than(Duration::ZERO), 1);
        assert!(!scanner.folder(t).exists());
        assert!(dir.path().join("scans/dossiers").exists());
    }
}
