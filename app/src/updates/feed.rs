//! The update server, where a box has a network (`[updates] feed`): once a day the service
//! reads the server's manifest for its machine kind, and when it names a system newer than
//! the one running, downloads that bundle into `updates/feed/` and offers it on the
//! technician's page, as a bundle on a stick is offered. Installing stays a supervisor's or
//! technician's choice, made on the page: an office is not restarted in the middle of its
//! morning by a server far away.
//!
//! The server is any static web server (HTTPS, or HTTP: the box trusts the bundle's signature,
//! which RAUC checks before anything is written). The folder holds, per machine kind, the
//! manifest `baom-box-<arch>.json` (`images/update-bundle` writes it beside the bundle):
//! `{"compatible", "version", "bundle", "bytes", "sha256"}`, `bundle` being the bundle's
//! address relative to the manifest's.
//!
//! Rules kept here:
//! - a download cut half-way (a rural link) is kept and resumed where it stopped at the next
//!   try (an HTTP range), as long as the manifest names the same bundle;
//! - a bundle is offered only whole and matching the manifest's size and SHA-256;
//! - a version not newer than the running one, or one this box already went back from (it
//!   did not come up healthy here), is not downloaded;
//! - one check at a time; the check's progress and result are in `updates/feed/status.json`,
//!   so the page says what happened even after a restart.

use super::{KEEP_FREE_BYTES, MAX_BUNDLE_BYTES, SQUASHFS_MAGIC, UpdateError};
use crate::office::LiveSettings;
use baom_config::{DataDir, UpdatesSection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The first check after the service starts: the box settles first (a new system proves
/// itself healthy in its first minutes).
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(120);
/// How long the server may stay silent in a download before it counts as cut.
const IDLE: Duration = Duration::from_secs(60);
/// How long one try may download: a server sending a trickle does not hold the checks (the
/// next try resumes where this one stopped).
const ATTEMPT: Duration = Duration::from_secs(3 * 3600);
/// The free space is read again after each such amount downloaded.
const SPACE_CHECK_EVERY: u64 = 8 << 20;
/// A manifest is a few lines: a larger answer is not one.
const MANIFEST_MAX_BYTES: usize = 64 * 1024;
/// The Debian bundle of the system's certificate authorities (`ca-certificates`).
const SYSTEM_AUTHORITIES: &str = "/etc/ssl/certs/ca-certificates.crt";

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("no update server is set (the settings' [updates] feed)")]
    NotConfigured,
    #[error("a check of the update server is already under way")]
    Busy,
    #[error("the update server cannot be reached: {0}")]
    Unreachable(String),
    #[error("the update server answered {status} for {url}")]
    Server { status: u16, url: String },
    #[error("the update server's manifest is not usable: {0}")]
    BadManifest(String),
    #[error("the server's bundle is made for {offered}, not for this box ({kind})")]
    OtherMachine { offered: String, kind: String },
    #[error("the server's bundle is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("not enough space on the data partition: {need} bytes needed, {free} free")]
    DiskFull { need: u64, free: u64 },
    #[error("the download stopped at {received} of {bytes} bytes: it resumes at the next try")]
    Stopped { received: u64, bytes: u64 },
    #[error("the download does not match the manifest (its size or SHA-256): it was removed")]
    Mismatch,
    #[error(
        "the server still names the file that did not match its manifest: it is not fetched again until the server changes it"
    )]
    MismatchAgain,
    #[error("the downloaded file is not an update bundle: it was removed")]
    NotABundle,
    #[error("cannot keep the download: {0}")]
    Io(#[from] std::io::Error),
}

impl FeedError {
    /// The code the API and the page's translations use.
    pub fn code(&self) -> &'static str {
        match self {
            FeedError::NotConfigured => "no_feed",
            FeedError::Busy => "feed_busy",
            FeedError::Unreachable(_) => "unreachable",
            FeedError::Server { .. } => "server_error",
            FeedError::BadManifest(_) => "bad_manifest",
            FeedError::OtherMachine { .. } => "other_machine",
            FeedError::TooLarge { .. } => "bundle_too_large",
            FeedError::DiskFull { .. } => "disk_full",
            FeedError::Stopped { .. } => "download_stopped",
            FeedError::Mismatch | FeedError::MismatchAgain => "download_mismatch",
            FeedError::NotABundle => "not_a_bundle",
            FeedError::Io(_) => "update_io",
        }
    }
}

/// What the server offers for one machine kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// RAUC's compatible of the bundle: `baom-box-amd64` or `baom-box-arm64`.
    pub compatible: String,
    pub version: String,
    /// The bundle's address, relative to the manifest's (or whole).
    pub bundle: String,
    pub bytes: u64,
    /// Lowercase hexadecimal.
    pub sha256: String,
}

impl Manifest {
    /// Reads and checks a manifest; a field it does not know is left for later versions.
    pub fn parse(body: &[u8]) -> Result<Manifest, FeedError> {
        let m: Manifest =
            serde_json::from_slice(body).map_err(|e| FeedError::BadManifest(e.to_string()))?;
        let bad = |why: &str| Err(FeedError::BadManifest(why.to_owned()));
        if !is_version(&m.version) {
            return bad("its version is not a version such as 1.4.0");
        }
        if m.sha256.len() != 64
            || !m
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return bad("its sha256 is not 64 lowercase hexadecimal digits");
        }
        if m.bundle.is_empty()
            || m.bundle
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return bad("it names no bundle");
        }
        if m.bytes < 4 {
            return bad("its bytes is not a bundle's size");
        }
        if m.bytes > MAX_BUNDLE_BYTES {
            return Err(FeedError::TooLarge {
                max: MAX_BUNDLE_BYTES,
            });
        }
        Ok(m)
    }
}

fn is_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.starts_with(|c: char| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '~'))
}

/// Whether version `a` is newer than `b`, in semantic versioning's order: dotted parts
/// compared as numbers (`1.10.0` after `1.9.2`; a missing part is 0), a pre-release (`-rc2`,
/// or Debian's `~rc2`) before its release, and the build (`+e61a6ed`) left out: two builds of
/// one version are the same version.
pub fn newer(a: &str, b: &str) -> bool {
    precedence(a, b) == std::cmp::Ordering::Greater
}

fn precedence(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    // (release, pre-release) of a version without its build.
    let split = |v: &str| -> (Vec<String>, Option<String>) {
        let v = v.split('+').next().unwrap_or("");
        let (release, pre) = match v.find(['-', '~']) {
            Some(i) => (&v[..i], Some(v[i + 1..].to_owned())),
            None => (v, None),
        };
        (release.split('.').map(str::to_owned).collect(), pre)
    };
    let part = |x: Option<&String>, y: Option<&String>| -> std::cmp::Ordering {
        let (x, y) = (x.map_or("0", |s| s.as_str()), y.map_or("0", |s| s.as_str()));
        match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            // A number sorts before a word (semantic versioning's rule for pre-releases).
            (Ok(_), Err(_)) => Less,
            (Err(_), Ok(_)) => Greater,
            _ => x.cmp(y),
        }
    };
    let ((ra, pa), (rb, pb)) = (split(a), split(b));
    for i in 0..ra.len().max(rb.len()) {
        let order = part(ra.get(i), rb.get(i));
        if order != Equal {
            return order;
        }
    }
    match (pa, pb) {
        (None, None) => Equal,
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => {
            let (x, y): (Vec<String>, Vec<String>) = (
                x.split('.').map(str::to_owned).collect(),
                y.split('.').map(str::to_owned).collect(),
            );
            for (p, q) in x.iter().zip(y.iter()) {
                let order = part(Some(p), Some(q));
                if order != Equal {
                    return order;
                }
            }
            x.len().cmp(&y.len())
        }
    }
}

/// What a check does with a manifest.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// The box runs this version, or a newer one.
    UpToDate,
    /// The box installed this version once and went back from it.
    WentBack,
    Download,
}

/// Decides on a manifest for a box of `kind` running `running` (unknown outside a box) that
/// went back from `abandoned`, if any.
pub fn decide(
    m: &Manifest,
    kind: &str,
    running: Option<&str>,
    abandoned: Option<&str>,
) -> Result<Decision, FeedError> {
    if m.compatible != kind {
        return Err(FeedError::OtherMachine {
            offered: m.compatible.clone(),
            kind: kind.to_owned(),
        });
    }
    if running.is_some_and(|r| !newer(&m.version, r)) {
        return Ok(Decision::UpToDate);
    }
    if abandoned == Some(m.version.as_str()) {
        return Ok(Decision::WentBack);
    }
    Ok(Decision::Download)
}

/// This box's machine kind, as its images name it (RAUC's compatible).
pub fn machine_kind() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("baom-box-{arch}")
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FeedState {
    /// No check yet (or no server set).
    #[default]
    Never,
    Checking,
    Downloading,
    /// The server offers nothing newer.
    UpToDate,
    /// The server offers the version this box went back from: not taken again.
    WentBack,
    /// A newer system is downloaded, whole and checked, for a person to install.
    Offered,
    /// The offered system was handed to the installer (the update's own state says the rest).
    Handed,
    Failed,
}

impl FeedState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedState::Never => "never",
            FeedState::Checking => "checking",
            FeedState::Downloading => "downloading",
            FeedState::UpToDate => "up-to-date",
            FeedState::WentBack => "went-back",
            FeedState::Offered => "offered",
            FeedState::Handed => "handed",
            FeedState::Failed => "failed",
        }
    }
}

/// The last check, for the technician's page and `GET /api/v1/updates` (`feed`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct FeedStatus {
    pub state: FeedState,
    /// The manifest's address; absent when no server is set.
    pub url: Option<String>,
    /// When the last check started.
    pub checked_at: Option<String>,
    /// The version the server offers.
    pub version: Option<String>,
    /// The download's progress.
    pub received: u64,
    pub bytes: u64,
    /// Why the last check failed: [`FeedError::code`] and its words.
    pub error: Option<String>,
    pub message: Option<String>,
    /// A download found not to match its manifest (`<sha256> <bytes>` as the manifest said):
    /// not fetched again while the manifest says the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_download: Option<String>,
}

/// A check (or an install of its bundle) under way; ended when dropped, however it ends.
struct Claim(Arc<AtomicBool>);

impl Drop for Claim {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The update server's checks, shared by the daily task and the page's "check now".
#[derive(Clone)]
pub struct Feed {
    data: DataDir,
    live: LiveSettings,
    running: Arc<AtomicBool>,
}

impl Feed {
    pub fn new(data: DataDir, live: LiveSettings) -> Feed {
        Feed {
            data,
            live,
            running: Arc::new(AtomicBool::new(false)),
        }
    }

    fn dir(&self) -> PathBuf {
        self.data.updates_dir().join("feed")
    }

    /// Claims the feed for one check or one install; None while another runs.
    fn claim(&self) -> Option<Claim> {
        (!self.running.swap(true, Ordering::SeqCst)).then(|| Claim(self.running.clone()))
    }

    fn offered_bundle(&self) -> PathBuf {
        self.dir().join("offered.raucb")
    }

    fn offered_manifest(&self) -> PathBuf {
        self.dir().join("offered.json")
    }

    /// The last check as it was written; one cut by a restart reads as failed.
    pub fn status(&self) -> FeedStatus {
        let settings = self.live.get();
        let Some(feed) = &settings.updates.feed else {
            return FeedStatus::default();
        };
        let mut status: FeedStatus = std::fs::read(self.dir().join("status.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if status.url.is_none() {
            status.url = manifest_url(feed).ok().map(|u| u.to_string());
        }
        let under_way = matches!(status.state, FeedState::Checking | FeedState::Downloading);
        if under_way && !self.running.load(Ordering::SeqCst) {
            status.state = FeedState::Failed;
            status.error = Some("interrupted".to_owned());
            status.message =
                Some("the check was cut by a restart: it resumes at the next try".to_owned());
        }
        status
    }

    fn write(&self, status: &FeedStatus) {
        let dir = self.dir();
        let result = std::fs::create_dir_all(&dir)
            .and_then(|()| serde_json::to_vec(status).map_err(std::io::Error::other))
            .and_then(|json| {
                std::fs::write(dir.join("status.json.new"), json)?;
                std::fs::rename(dir.join("status.json.new"), dir.join("status.json"))
            });
        if let Err(e) = result {
            tracing::warn!(error = %e, "the update check's status cannot be written");
        }
    }

    /// Starts a check now, on its own task (the page's button).
    pub fn check_now(&self) -> Result<(), FeedError> {
        if self.live.get().updates.feed.is_none() {
            return Err(FeedError::NotConfigured);
        }
        let claim = self.claim().ok_or(FeedError::Busy)?;
        let (feed, status) = (self.clone(), self.begin());
        tokio::spawn(async move {
            let _ = feed.check_claimed(claim, status).await;
        });
        Ok(())
    }

    /// Checks once a day, sooner again after a failure (a download cut half-way resumes).
    pub async fn forever(self) {
        if self.live.get().updates.feed.is_none() {
            return;
        }
        let mut wait = FIRST_CHECK_AFTER;
        loop {
            tokio::time::sleep(wait).await;
            let section = self.live.get().updates.clone();
            let result = match self.claim() {
                None => Err(FeedError::Busy),
                Some(claim) => self.check_claimed(claim, self.begin()).await,
            };
            wait = match result {
                Ok(_) => Duration::from_secs(section.check_hours * 3600),
                Err(_) => Duration::from_secs(section.retry_minutes * 60),
            };
        }
    }

    /// Says a check is under way (before its task starts, so that a status read right after
    /// "check now" sees it).
    fn begin(&self) -> FeedStatus {
        let mut status = FeedStatus {
            state: FeedState::Checking,
            checked_at: Some(crate::clock::now().to_string()),
            ..self.status()
        };
        status.error = None;
        status.message = None;
        self.write(&status);
        status
    }

    /// One check, claimed by the caller; the claim ends with it.
    async fn check_claimed(
        &self,
        claim: Claim,
        mut status: FeedStatus,
    ) -> Result<FeedState, FeedError> {
        let section = self.live.get().updates.clone();
        let result = self.check(&section, &mut status).await;
        match &result {
            Ok(state) => {
                status.state = *state;
                tracing::info!(state = state.as_str(), version = ?status.version, "update server checked");
            }
            Err(e) => {
                status.state = FeedState::Failed;
                status.error = Some(e.code().to_owned());
                status.message = Some(e.to_string());
                tracing::warn!(error = %e, "update server check failed");
            }
        }
        self.write(&status);
        drop(claim);
        result
    }

    async fn check(
        &self,
        section: &UpdatesSection,
        status: &mut FeedStatus,
    ) -> Result<FeedState, FeedError> {
        let feed = section.feed.as_deref().ok_or(FeedError::NotConfigured)?;
        let url = manifest_url(feed)?;
        status.url = Some(url.to_string());
        let client = client(section)?;
        let manifest = fetch_manifest(&client, url.clone()).await?;
        status.version = Some(manifest.version.clone());
        let running = super::system_version(Path::new("/etc/os-release"));
        let abandoned = super::status(&self.data)
            .rauc
            .as_ref()
            .and_then(super::went_back);
        match decide(
            &manifest,
            &machine_kind(),
            running.as_deref(),
            abandoned.as_deref(),
        )? {
            Decision::UpToDate => {
                self.forget_downloads().await;
                status.received = 0;
                status.bytes = 0;
                return Ok(FeedState::UpToDate);
            }
            Decision::WentBack => {
                self.forget_downloads().await;
                return Ok(FeedState::WentBack);
            }
            Decision::Download => {}
        }
        status.bytes = manifest.bytes;
        let identity = format!("{} {}", manifest.sha256, manifest.bytes);
        if status.refused_download.as_deref() == Some(identity.as_str()) {
            return Err(FeedError::MismatchAgain);
        }
        if self.offered() == Some(manifest.clone()) {
            status.received = manifest.bytes;
            return Ok(FeedState::Offered);
        }
        let bundle_url = url
            .join(&manifest.bundle)
            .map_err(|e| FeedError::BadManifest(format!("its bundle's address: {e}")))?;
        // The bundle is on the server the box was told of, not wherever a manifest points.
        if bundle_url.origin() != url.origin() {
            return Err(FeedError::BadManifest(
                "its bundle is on another server".to_owned(),
            ));
        }
        match self.download(&client, bundle_url, &manifest, status).await {
            Err(e @ (FeedError::Mismatch | FeedError::NotABundle)) => {
                status.refused_download = Some(identity);
                Err(e)
            }
            Err(e) => Err(e),
            Ok(()) => {
                status.refused_download = None;
                Ok(FeedState::Offered)
            }
        }
    }

    /// The manifest of the bundle offered now, if it is there whole.
    fn offered(&self) -> Option<Manifest> {
        let m: Manifest =
            serde_json::from_slice(&std::fs::read(self.offered_manifest()).ok()?).ok()?;
        let len = self.offered_bundle().symlink_metadata().ok()?.len();
        (len == m.bytes).then_some(m)
    }

    /// Removes an offered bundle and a partial download (the box runs that version now, or
    /// a newer one is named).
    async fn forget_downloads(&self) {
        let dir = self.dir();
        for name in [
            "offered.raucb",
            "offered.json",
            "download.part",
            "download.json",
        ] {
            let _ = tokio::fs::remove_file(dir.join(name)).await;
        }
    }

    async fn download(
        &self,
        client: &reqwest::Client,
        url: reqwest::Url,
        m: &Manifest,
        status: &mut FeedStatus,
    ) -> Result<(), FeedError> {
        let dir = self.dir();
        tokio::fs::create_dir_all(&dir).await?;
        let part = dir.join("download.part");
        let part_manifest = dir.join("download.json");
        // A partial download resumes only if it is of the same bundle.
        let same: Option<Manifest> = tokio::fs::read(&part_manifest)
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let resumable = match tokio::fs::symlink_metadata(&part).await {
            Ok(meta) if same.as_ref() == Some(m) && meta.is_file() && meta.len() <= m.bytes => {
                Some(meta.len())
            }
            _ => None,
        };
        let mut have = resumable.unwrap_or(0);
        let free = crate::health::disk(&dir)?.free;
        let need = (m.bytes - have).saturating_add(KEEP_FREE_BYTES);
        if need > free {
            // What was downloaded goes too: the office's databases need the room more.
            self.forget_downloads().await;
            return Err(FeedError::DiskFull { need, free });
        }
        if resumable.is_none() {
            self.forget_downloads().await;
            let json = serde_json::to_vec(m).map_err(std::io::Error::other)?;
            tokio::fs::write(&part_manifest, json).await?;
        }
        status.state = FeedState::Downloading;
        status.received = have;
        self.write(status);
        if have < m.bytes {
            let mut request = client.get(url.clone());
            if have > 0 {
                request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
            }
            let mut response = request
                .send()
                .await
                .map_err(|e| FeedError::Unreachable(reason(&e)))?;
            let append = match response.status().as_u16() {
                206 if content_range_start(&response) == Some(have) => true,
                // The server sends the whole file (no ranges): start again.
                200 => false,
                code => {
                    // A range it cannot serve (416), or serves from elsewhere: the partial
                    // file is of no use with this server.
                    if have > 0 {
                        self.forget_downloads().await;
                    }
                    return Err(FeedError::Server {
                        status: code,
                        url: url.to_string(),
                    });
                }
            };
            if !append {
                have = 0;
            }
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(&part)
                .await?;
            let mut written_at = std::time::Instant::now();
            let started = std::time::Instant::now();
            let mut space_checked_at = have;
            let cut = loop {
                if started.elapsed() > ATTEMPT {
                    break true;
                }
                let chunk = match tokio::time::timeout(IDLE, response.chunk()).await {
                    Err(_) => break true,
                    Ok(Err(_)) => break true,
                    Ok(Ok(None)) => break false,
                    Ok(Ok(Some(chunk))) => chunk,
                };
                if have + chunk.len() as u64 > m.bytes {
                    drop(file);
                    self.forget_downloads().await;
                    return Err(FeedError::Mismatch);
                }
                if let Err(e) = file.write_all(&chunk).await {
                    drop(file);
                    self.forget_downloads().await;
                    return Err(e.into());
                }
                have += chunk.len() as u64;
                if have - space_checked_at >= SPACE_CHECK_EVERY {
                    space_checked_at = have;
                    let free = crate::health::disk(&dir)?.free;
                    if free < KEEP_FREE_BYTES {
                        drop(file);
                        self.forget_downloads().await;
                        let need = (m.bytes - have).saturating_add(KEEP_FREE_BYTES);
                        return Err(FeedError::DiskFull { need, free });
                    }
                }
                if written_at.elapsed() >= Duration::from_secs(1) {
                    status.received = have;
                    self.write(status);
                    written_at = std::time::Instant::now();
                }
            };
            file.sync_all().await?;
            status.received = have;
            if cut || have < m.bytes {
                return Err(FeedError::Stopped {
                    received: have,
                    bytes: m.bytes,
                });
            }
        }
        let (digest, head) = tokio::task::spawn_blocking({
            let part = part.clone();
            move || digest_of(&part)
        })
        .await
        .map_err(std::io::Error::other)??;
        if digest != m.sha256 {
            self.forget_downloads().await;
            return Err(FeedError::Mismatch);
        }
        if &head != SQUASHFS_MAGIC {
            self.forget_downloads().await;
            return Err(FeedError::NotABundle);
        }
        tokio::fs::rename(&part, self.offered_bundle()).await?;
        tokio::fs::rename(&part_manifest, self.offered_manifest()).await?;
        Ok(())
    }

    /// Installs the offered bundle: it becomes the one the box's helper installs, as an
    /// upload would (the same one-at-a-time rule).
    pub async fn install(&self) -> Result<(String, u64), UpdateError> {
        let _claim = self.claim().ok_or(UpdateError::Checking)?;
        let m = self.offered().ok_or(UpdateError::NothingOffered)?;
        let bytes = super::take_file(&self.data, &self.offered_bundle(), Some(&m.version)).await?;
        let _ = tokio::fs::remove_file(self.offered_manifest()).await;
        let mut status = self.status();
        status.state = FeedState::Handed;
        status.version = Some(m.version.clone());
        self.write(&status);
        Ok((m.version, bytes))
    }
}

/// The manifest's address for this box's kind, in the folder `feed`.
fn manifest_url(feed: &str) -> Result<reqwest::Url, FeedError> {
    let folder = if feed.ends_with('/') {
        feed.to_owned()
    } else {
        format!("{feed}/")
    };
    reqwest::Url::parse(&folder)
        .and_then(|u| u.join(&format!("{}.json", machine_kind())))
        .map_err(|e| FeedError::BadManifest(format!("the server's address {feed:?}: {e}")))
}

/// The HTTP client: TLS with ring (as the rest of the box), trusting `ca` if set, else the
/// system's authorities.
fn client(section: &UpdatesSection) -> Result<reqwest::Client, FeedError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let file = section
        .ca
        .clone()
        .unwrap_or_else(|| PathBuf::from(SYSTEM_AUTHORITIES));
    match CertificateDer::pem_file_iter(&file) {
        Ok(certs) => {
            for cert in certs {
                let cert =
                    cert.map_err(|e| FeedError::Unreachable(format!("{}: {e}", file.display())))?;
                // The system's bundle may hold a certificate rustls refuses: skip it.
                let _ = roots.add(cert);
            }
        }
        // Without the system's bundle, only plain HTTP servers can be reached.
        Err(e) if section.ca.is_some() => {
            return Err(FeedError::Unreachable(format!("{}: {e}", file.display())));
        }
        Err(_) => {}
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| FeedError::Unreachable(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(Duration::from_secs(20))
        .user_agent(format!(
            "baom/{} ({})",
            env!("CARGO_PKG_VERSION"),
            machine_kind()
        ))
        .build()
        .map_err(|e| FeedError::Unreachable(reason(&e)))
}

async fn fetch_manifest(
    client: &reqwest::Client,
    url: reqwest::Url,
) -> Result<Manifest, FeedError> {
    let mut response = client
        .get(url.clone())
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| FeedError::Unreachable(reason(&e)))?;
    if !response.status().is_success() {
        return Err(FeedError::Server {
            status: response.status().as_u16(),
            url: url.to_string(),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FeedError::Unreachable(reason(&e)))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MANIFEST_MAX_BYTES {
            return Err(FeedError::BadManifest(format!(
                "larger than {MANIFEST_MAX_BYTES} bytes"
            )));
        }
    }
    Manifest::parse(&body)
}

/// An HTTP error with its causes (reqwest's own words stop at "error sending request").
fn reason(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The first byte of a 206 answer's `Content-Range: bytes START-END/TOTAL`.
fn content_range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("bytes ")?
        .split('-')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A file's SHA-256 (lowercase hexadecimal) and its first four bytes.
fn digest_of(path: &Path) -> std::io::Result<(String, [u8; 4])> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut head = [0u8; 4];
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = 0usize;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if seen < 4 {
            let take = n.min(4 - seen);
            head[seen..seen + take].copy_from_slice(&buf[..take]);
        }
        seen = seen.saturating_add(n);
        hasher.update(&buf[..n]);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(version: &str) -> Manifest {
        Manifest {
            compatible: "baom-box-amd64".into(),
            version: version.into(),
            bundle: "baom.raucb".into(),
            bytes: 1000,
            sha256: "a".repeat(64),
        }
    }

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(newer("1.10.0", "1.9.2"));
        assert!(newer("1.2.1", "1.2"));
        assert!(newer("2026.12.1", "2026.11.30"));
        assert!(!newer("1.2.0", "1.2.0"));
        assert!(!newer("1.2", "1.2.0"), "a missing part is 0");
        assert!(!newer("1.2", "1.2.1"));
        assert!(!newer("0.9", "1.0"));
        assert!(newer("1.2.0-rc2", "1.2.0-rc1"));
        assert!(newer("1.2.0-rc.10", "1.2.0-rc.9"));
        // A release comes after its release candidates, Debian's ~ as semantic versioning's -.
        assert!(newer("1.2.0", "1.2.0-rc2"));
        assert!(!newer("1.2.0-rc2", "1.2.0"));
        assert!(newer("1.2.0", "1.2.0~rc1"));
        assert!(newer("1.2.0-broken", "1.1.0"));
        // Two builds of one version (images/build's default: version+commit) are one version,
        // whatever their commits' names.
        assert!(!newer("1.4.0+e61a6ed", "1.4.0+11d3907"));
        assert!(!newer("1.4.0+11d3907", "1.4.0+e61a6ed"));
        assert!(newer("1.4.1+0000000", "1.4.0+fffffff"));
    }

    #[test]
    fn only_a_newer_system_for_this_machine_is_downloaded() {
        let kind = "baom-box-amd64";
        assert_eq!(
            decide(&manifest("1.3.0"), kind, Some("1.2.0"), None).unwrap(),
            Decision::Download
        );
        assert_eq!(
            decide(&manifest("1.2.0"), kind, Some("1.2.0"), None).unwrap(),
            Decision::UpToDate
        );
        assert_eq!(
            decide(&manifest("1.1.0"), kind, Some("1.2.0"), None).unwrap(),
            Decision::UpToDate,
            "an older system is never offered"
        );
        assert_eq!(
            decide(&manifest("1.3.0"), kind, Some("1.2.0"), Some("1.3.0")).unwrap(),
            Decision::WentBack
        );
        assert_eq!(
            decide(&manifest("1.3.0"), kind, None, None).unwrap(),
            Decision::Download,
            "outside a box the running version is unknown"
        );
        let e = decide(&manifest("1.3.0"), "baom-box-arm64", Some("1.2.0"), None).unwrap_err();
        assert_eq!(e.code(), "other_machine");
    }

    #[test]
    fn a_manifest_is_checked_before_anything_is_fetched() {
        let ok = serde_json::json!({
            "compatible": "baom-box-amd64", "version": "1.3.0", "bundle": "baom-1.3.0.raucb",
            "bytes": 123456, "sha256": "0".repeat(64), "notes": "a field of a later version"
        });
        assert_eq!(
            Manifest::parse(ok.to_string().as_bytes()).unwrap().bytes,
            123456
        );
        for (change, code) in [
            (("version", serde_json::json!("latest")), "bad_manifest"),
            (
                ("version", serde_json::json!("1.3.0\n<script>")),
                "bad_manifest",
            ),
            (("sha256", serde_json::json!("ABC")), "bad_manifest"),
            (("bundle", serde_json::json!("")), "bad_manifest"),
            (("bytes", serde_json::json!(-1)), "bad_manifest"),
            (("bytes", serde_json::json!(0)), "bad_manifest"),
            (
                ("bytes", serde_json::json!(MAX_BUNDLE_BYTES + 1)),
                "bundle_too_large",
            ),
        ] {
            let mut m = ok.clone();
            m[change.0] = change.1.clone();
            let e = Manifest::parse(m.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.code(), code, "{change:?}: {e}");
        }
        for body in [&b""[..], b"<html>404</html>", b"{\"version\": \"1.0\"}"] {
            assert_eq!(Manifest::parse(body).unwrap_err().code(), "bad_manifest");
        }
    }

    #[test]
    fn the_manifest_is_looked_for_in_the_folder() {
        let kind = machine_kind();
        assert_eq!(
            manifest_url("https://u.example.ma/baom/stable")
                .unwrap()
                .as_str(),
            format!("https://u.example.ma/baom/stable/{kind}.json")
        );
        assert_eq!(
            manifest_url("http://192.168.1.10:8080/").unwrap().as_str(),
            format!("http://192.168.1.10:8080/{kind}.json")
        );
    }
}
