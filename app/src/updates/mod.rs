//! System updates as the service sees them. A supervisor or technician uploads an update
//! bundle on the LAN; the service only receives it: it writes it whole to `updates/bundle.raucb`
//! in the data directory, then leaves the request `updates/install`. Everything else is the
//! box's: its root helper (images: `baom-update.path` and `/usr/lib/baom/update`) has RAUC check
//! the bundle's signature and machine kind and write it into the other root slot, and writes its
//! progress and result to `system/update.status`; at each boot it writes RAUC's view of the slots
//! to `system/slots.json`. The service never runs as root and never touches a slot.
//!
//! A bundle may also come from a USB stick labelled BAOM-UPDATE, which the box mounts
//! read-only in `update-stick/`: [`from_stick`] copies it in the same way; or from the update
//! server, where the box has a network ([`feed`]), which downloads it and offers it the same way.
//!
//! What the service refuses itself, before anything is written where the helper looks: a
//! second upload while one waits or installs, a body that is not a RAUC bundle (its first bytes),
//! one larger than [`MAX_BUNDLE_BYTES`] or than the free space, and an upload that stops
//! (closed, or silent for [`IDLE`]): the partial file is removed.

pub mod feed;

use baom_config::DataDir;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The largest bundle taken: a root slot's file system, compressed, is well under it.
pub const MAX_BUNDLE_BYTES: u64 = 2 << 30;
/// Space kept free on the data partition beyond the bundle (the databases go on growing).
pub const KEEP_FREE_BYTES: u64 = 64 << 20;
/// How long an upload may stay silent before it counts as stopped.
pub const IDLE: Duration = Duration::from_secs(30);
/// A RAUC bundle is a SquashFS image: it starts with these four bytes.
const SQUASHFS_MAGIC: &[u8; 4] = b"hsqs";

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("an update is already waiting or being installed; wait for its result")]
    Busy,
    #[error("this file is not an update bundle (a .raucb file made by images/update-bundle)")]
    NotABundle,
    #[error("the bundle is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("not enough space on the data partition: {need} bytes needed, {free} free")]
    DiskFull { need: u64, free: u64 },
    #[error("the upload stopped before the end ({received} of {expected} bytes); nothing was kept")]
    Truncated { received: u64, expected: u64 },
    #[error("the upload stopped (no data for {} s); nothing was kept", IDLE.as_secs())]
    Stalled,
    #[error("the upload failed: {0}; nothing was kept")]
    Body(String),
    #[error("there is no bundle {0:?} on the update stick (is the stick in?)")]
    NotOnStick(String),
    #[error("no bundle from the update server is waiting to be installed")]
    NothingOffered,
    #[error("the update server is being checked: try again when the check has ended")]
    Checking,
    #[error("the free space of the data partition cannot be read: {0}")]
    FreeSpace(std::io::Error),
    #[error("cannot write the bundle: {0}")]
    Io(#[from] std::io::Error),
}

impl UpdateError {
    /// The code the API answers with and the page's translations use.
    pub fn code(&self) -> &'static str {
        match self {
            UpdateError::Busy => "update_busy",
            UpdateError::NotABundle => "not_a_bundle",
            UpdateError::TooLarge { .. } => "bundle_too_large",
            UpdateError::DiskFull { .. } => "disk_full",
            UpdateError::Truncated { .. } | UpdateError::Stalled | UpdateError::Body(_) => {
                "upload_stopped"
            }
            UpdateError::NotOnStick(_) => "not_on_stick",
            UpdateError::NothingOffered => "nothing_offered",
            UpdateError::Checking => "feed_busy",
            UpdateError::FreeSpace(_) | UpdateError::Io(_) => "update_io",
        }
    }
}

/// The free space on the data partition, for the size checks.
pub fn free_space(data: &DataDir) -> Result<u64, UpdateError> {
    crate::health::disk(data.root())
        .map(|d| d.free)
        .map_err(UpdateError::FreeSpace)
}

/// A bundle on the update stick.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OnStick {
    pub name: String,
    pub bytes: u64,
}

/// The bundles (`*.raucb`, plain files) on the update stick, when one is mounted: a folder
/// left on the box's own disk is no stick.
pub fn on_stick(data: &DataDir) -> Vec<OnStick> {
    let dir = data.update_stick_dir();
    if !crate::backup::is_mount_point(&dir) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<OnStick> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            // symlink_metadata: a link on the stick is not followed.
            let meta = e.path().symlink_metadata().ok()?;
            (meta.is_file() && name.ends_with(".raucb") && !name.starts_with('.')).then_some(
                OnStick {
                    name,
                    bytes: meta.len(),
                },
            )
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// Takes the bundle `name` from the update stick as if it had been uploaded: the same checks,
/// and a stick pulled out half-way leaves nothing, as a stopped upload does.
pub async fn from_stick(data: &DataDir, name: &str, free: u64) -> Result<u64, UpdateError> {
    let Some(bundle) = on_stick(data).into_iter().find(|b| b.name == name) else {
        return Err(UpdateError::NotOnStick(name.to_owned()));
    };
    let file = tokio::fs::File::open(data.update_stick_dir().join(&bundle.name))
        .await
        .map_err(|_| UpdateError::NotOnStick(name.to_owned()))?;
    let chunks = tokio_util::io::ReaderStream::new(file);
    receive(data, Some(bundle.bytes), free, chunks).await
}

/// Hands a bundle already whole on the data partition (the update server's, checked against
/// its manifest) to the helper: moved, not copied, under the same one-at-a-time rule as an
/// upload. With `version`, the helper installs it only if the bundle, as signed, is that
/// version (the one the choice was made on: a server cannot pass an old bundle off as new).
pub async fn take_file(
    data: &DataDir,
    bundle: &Path,
    version: Option<&str>,
) -> Result<u64, UpdateError> {
    let Some(_receiving) = Receiving::start(data) else {
        return Err(UpdateError::Busy);
    };
    let (state, _) = helper_state(data);
    if state == "waiting" || state == "installing" {
        return Err(UpdateError::Busy);
    }
    let meta = tokio::fs::symlink_metadata(bundle).await?;
    if !meta.is_file() {
        return Err(UpdateError::NotABundle);
    }
    match version {
        Some(v) => tokio::fs::write(expected_version_path(data), v).await?,
        None => forget_expected_version(data).await,
    }
    tokio::fs::rename(bundle, bundle_path(data)).await?;
    tokio::fs::write(request_path(data), b"").await?;
    Ok(meta.len())
}

/// Removes what an upload cut by a restart or a power cut left half-written.
pub fn forget_partial_upload(data: &DataDir) {
    let part = data.updates_dir().join("bundle.raucb.part");
    if std::fs::remove_file(&part).is_ok() {
        tracing::info!("a half-received update bundle, cut by a restart, was removed");
    }
}

/// Where an update stands, for the technician's page and `GET /api/v1/updates`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `idle`, `receiving` (a bundle is being received or copied in), `waiting` (received,
    /// the helper has not taken it yet), `installing`,
    /// `installed` (the box restarts into it, or runs it), `refused`, or `rolled-back` (it
    /// was installed, did not come up healthy, and the box went back: [`went_back`]).
    pub state: String,
    /// The helper's last lines (RAUC's words), empty when idle or waiting.
    pub message: String,
    /// RAUC's view of the slots as the helper wrote it at boot (`rauc status --detailed
    /// --output-format=json`: `booted`, `boot_primary`, and `slots` with each one's
    /// `boot_status` and installed bundle), absent outside a box.
    pub rauc: Option<serde_json::Value>,
    /// The system running now (`IMAGE_VERSION` of os-release), absent outside a box.
    pub system_version: Option<String>,
    /// The bundles on an update stick, if one is in.
    pub stick: Vec<OnStick>,
}

fn bundle_path(data: &DataDir) -> PathBuf {
    data.updates_dir().join("bundle.raucb")
}

fn request_path(data: &DataDir) -> PathBuf {
    data.updates_dir().join("install")
}

/// The version the helper must find signed in the bundle (one from the update server).
fn expected_version_path(data: &DataDir) -> PathBuf {
    data.updates_dir().join("expect-version")
}

async fn forget_expected_version(data: &DataDir) {
    let _ = tokio::fs::remove_file(expected_version_path(data)).await;
}

/// Reads where an update stands from the files the service and the helper leave.
pub fn status(data: &DataDir) -> Status {
    let system = data.system_dir();
    let (state, message) = if Receiving::under_way(data) {
        ("receiving".to_owned(), String::new())
    } else {
        helper_state(data)
    };
    let rauc: Option<serde_json::Value> = std::fs::read(system.join("slots.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    // The helper's last word was "installed", but the box runs the other slot again.
    let state = match rauc.as_ref().and_then(went_back) {
        Some(_) if state == "installed" => "rolled-back".to_owned(),
        _ => state,
    };
    Status {
        state,
        message,
        rauc,
        system_version: system_version(Path::new("/etc/os-release")),
        stick: on_stick(data),
    }
}

/// The state the files of the service and the helper say, and the helper's last lines.
fn helper_state(data: &DataDir) -> (String, String) {
    if request_path(data).exists() {
        return ("waiting".to_owned(), String::new());
    }
    match std::fs::read_to_string(data.system_dir().join("update.status")) {
        Ok(text) => {
            let mut lines = text.lines();
            let state = lines.next().unwrap_or("idle").trim().to_owned();
            (state, lines.collect::<Vec<_>>().join("\n"))
        }
        Err(_) => ("idle".to_owned(), String::new()),
    }
}

/// The version of an update the box abandoned, from RAUC's status: the slot not running is
/// bad, and it was written after the running one (an update whose tries ran out, then the
/// loader went back). None when the box runs its newest slot, or outside a box.
pub fn went_back(rauc: &serde_json::Value) -> Option<String> {
    let booted = rauc["booted"].as_str()?;
    let slots: Vec<&serde_json::Value> = rauc["slots"]
        .as_array()?
        .iter()
        .filter_map(|s| s.as_object()?.values().next())
        .collect();
    let installed = |s: &serde_json::Value| {
        s["slot_status"]["installed"]["timestamp"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let running = slots.iter().find(|s| s["bootname"] == booted)?;
    let other = slots
        .iter()
        .find(|s| s["bootname"] != booted && s["bootname"].is_string())?;
    (other["boot_status"] == "bad" && installed(other) > installed(running)).then(|| {
        other["slot_status"]["bundle"]["version"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    })
}

/// `IMAGE_VERSION=` of an os-release file.
fn system_version(os_release: &Path) -> Option<String> {
    let text = std::fs::read_to_string(os_release).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("IMAGE_VERSION="))
        .map(|v| v.trim_matches('"').to_owned())
}

/// Receives a bundle from `chunks` (the request's body; `declared` its Content-Length, if
/// any) into the updates directory, then asks the helper to install it. Nothing of a refused
/// or stopped upload is left behind.
pub async fn receive<S, B, E>(
    data: &DataDir,
    declared: Option<u64>,
    free: u64,
    mut chunks: S,
) -> Result<u64, UpdateError>
where
    S: tokio_stream::Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use tokio_stream::StreamExt;
    // One upload at a time (a double click sends two): the second is told the first is busy.
    let Some(_receiving) = Receiving::start(data) else {
        return Err(UpdateError::Busy);
    };
    let dir = data.updates_dir();
    tokio::fs::create_dir_all(&dir).await?;
    let (state, _) = helper_state(data);
    if state == "waiting" || state == "installing" {
        return Err(UpdateError::Busy);
    }
    if let Some(n) = declared {
        check_size(n, free)?;
    }
    let part = dir.join("bundle.raucb.part");
    let mut file = tokio::fs::File::create(&part).await?;
    let result = async {
        let mut received: u64 = 0;
        loop {
            let chunk = match tokio::time::timeout(IDLE, chunks.next()).await {
                Err(_) => return Err(UpdateError::Stalled),
                Ok(None) => break,
                Ok(Some(Err(e))) => return Err(UpdateError::Body(e.to_string())),
                Ok(Some(Ok(chunk))) => chunk,
            };
            let chunk = chunk.as_ref();
            if chunk.is_empty() {
                continue;
            }
            if received < 4 {
                let seen = received as usize;
                let take = chunk.len().min(4 - seen);
                if chunk[..take] != SQUASHFS_MAGIC[seen..seen + take] {
                    return Err(UpdateError::NotABundle);
                }
            }
            received += chunk.len() as u64;
            check_size(received, free)?;
            file.write_all(chunk).await?;
        }
        if received < 4 {
            return Err(UpdateError::NotABundle);
        }
        if let Some(expected) = declared.filter(|&n| n != received) {
            return Err(UpdateError::Truncated { received, expected });
        }
        file.sync_all().await?;
        Ok(received)
    }
    .await;
    drop(file);
    match result {
        Ok(received) => {
            // A person chose this file: no version is imposed on it.
            forget_expected_version(data).await;
            tokio::fs::rename(&part, bundle_path(data)).await?;
            // The request last: the helper never sees a bundle that is not whole.
            tokio::fs::write(request_path(data), b"").await?;
            Ok(received)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            Err(e)
        }
    }
}

/// The data directories receiving a bundle now (one per service; several in tests).
static RECEIVING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A data directory's upload in progress, ended when dropped.
struct Receiving(PathBuf);

impl Receiving {
    fn under_way(data: &DataDir) -> bool {
        let now = RECEIVING.lock().unwrap_or_else(|e| e.into_inner());
        now.iter().any(|d| d == data.root())
    }

    fn start(data: &DataDir) -> Option<Receiving> {
        let mut now = RECEIVING.lock().unwrap_or_else(|e| e.into_inner());
        let dir = data.root().to_path_buf();
        if now.contains(&dir) {
            return None;
        }
        now.push(dir.clone());
        Some(Receiving(dir))
    }
}

impl Drop for Receiving {
    fn drop(&mut self) {
        let mut now = RECEIVING.lock().unwrap_or_else(|e| e.into_inner());
        now.retain(|d| d != &self.0);
    }
}

fn check_size(n: u64, free: u64) -> Result<(), UpdateError> {
    if n > MAX_BUNDLE_BYTES {
        return Err(UpdateError::TooLarge {
            max: MAX_BUNDLE_BYTES,
        });
    }
    if n.saturating_add(KEEP_FREE_BYTES) > free {
        return Err(UpdateError::DiskFull {
            need: n.saturating_add(KEEP_FREE_BYTES),
            free,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(
        parts: Vec<&'static [u8]>,
    ) -> impl tokio_stream::Stream<Item = Result<&'static [u8], String>> {
        tokio_stream::iter(parts.into_iter().map(Ok))
    }

    const PLENTY: u64 = 1 << 40;

    #[tokio::test]
    async fn a_bundle_is_kept_whole_then_requested() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let n = receive(
            &data,
            Some(10),
            PLENTY,
            stream(vec![b"hs", b"qs", b"123456"]),
        )
        .await
        .unwrap();
        assert_eq!(n, 10);
        assert_eq!(std::fs::read(bundle_path(&data)).unwrap(), b"hsqs123456");
        assert!(request_path(&data).exists());
        assert_eq!(status(&data).state, "waiting");
        let again = receive(&data, None, PLENTY, stream(vec![b"hsqs"])).await;
        assert!(matches!(again, Err(UpdateError::Busy)), "{again:?}");
    }

    #[tokio::test]
    async fn refused_uploads_leave_nothing() {
        for (declared, free, parts, what) in [
            (None, PLENTY, vec![&b"PK\x03\x04zip"[..]], "not a bundle"),
            (
                None,
                PLENTY,
                vec![&b"h"[..], &b"x"[..]],
                "not a bundle, split",
            ),
            (None, PLENTY, vec![&b"hs"[..]], "too short"),
            (Some(100), PLENTY, vec![&b"hsqs1234"[..]], "truncated"),
            (
                Some(100),
                50,
                vec![&b"hsqs"[..]],
                "declared over the free space",
            ),
            (
                None,
                KEEP_FREE_BYTES + 6,
                vec![&b"hsqs"[..], &b"1234"[..]],
                "over the free space",
            ),
            (
                Some(MAX_BUNDLE_BYTES + 1),
                PLENTY,
                vec![&b"hsqs"[..]],
                "too large",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let data = DataDir::new(dir.path());
            let r = receive(&data, declared, free, stream(parts)).await;
            assert!(r.is_err(), "{what}: {r:?}");
            let left: Vec<_> = std::fs::read_dir(data.updates_dir())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert!(left.is_empty(), "{what}: {left:?}");
            assert_eq!(status(&data).state, "idle", "{what}");
        }
    }

    fn rauc(booted: &str, a: (&str, &str, &str), b: (&str, &str, &str)) -> serde_json::Value {
        let slot = |name: &str, (status, version, at): (&str, &str, &str)| {
            serde_json::json!({ name: {
                "bootname": if name == "rootfs.0" { "A" } else { "B" },
                "boot_status": status,
                "slot_status": {"bundle": {"version": version}, "installed": {"timestamp": at}},
            }})
        };
        serde_json::json!({"booted": booted, "slots": [slot("rootfs.0", a), slot("rootfs.1", b)]})
    }

    #[test]
    fn a_box_that_went_back_says_which_version_it_abandoned() {
        // 1.1 in B, then the broken 1.2 into A, whose tries ran out: the box runs B again.
        let back = rauc(
            "B",
            ("bad", "1.2", "2026-12-07T18:10:00Z"),
            ("good", "1.1", "2026-12-07T18:00:00Z"),
        );
        assert_eq!(went_back(&back).as_deref(), Some("1.2"));
        // Running the newest slot: nothing abandoned, even with the other slot bad.
        let fine = rauc(
            "B",
            ("bad", "1.0", "2026-12-07T17:00:00Z"),
            ("good", "1.1", "2026-12-07T18:00:00Z"),
        );
        assert_eq!(went_back(&fine), None);
        let first = rauc("A", ("good", "", ""), ("bad", "", ""));
        assert_eq!(went_back(&first), None, "a new box: B never written");
        assert_eq!(went_back(&serde_json::json!({})), None);

        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        std::fs::create_dir_all(data.system_dir()).unwrap();
        std::fs::write(data.system_dir().join("update.status"), "installed\nok\n").unwrap();
        std::fs::write(data.system_dir().join("slots.json"), back.to_string()).unwrap();
        assert_eq!(status(&data).state, "rolled-back");
        std::fs::write(data.system_dir().join("slots.json"), fine.to_string()).unwrap();
        assert_eq!(status(&data).state, "installed");
    }

    #[tokio::test]
    async fn a_second_upload_while_one_is_received_is_busy_and_spoils_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<&'static [u8], String>>(1);
        let first = {
            let data = data.clone();
            tokio::spawn(async move {
                receive(
                    &data,
                    Some(8),
                    PLENTY,
                    tokio_stream::wrappers::ReceiverStream::new(rx),
                )
                .await
            })
        };
        tx.send(Ok(b"hsqs")).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let second = receive(&data, None, PLENTY, stream(vec![b"hsqs other"])).await;
        assert!(matches!(second, Err(UpdateError::Busy)), "{second:?}");
        tx.send(Ok(b"1234")).await.unwrap();
        drop(tx);
        assert_eq!(first.await.unwrap().unwrap(), 8);
        assert_eq!(std::fs::read(bundle_path(&data)).unwrap(), b"hsqs1234");
    }

    #[tokio::test]
    async fn a_stick_pulled_out_half_way_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let chunks = tokio_stream::iter(vec![
            Ok(&b"hsqs first part"[..]),
            Err(std::io::Error::from_raw_os_error(libc::EIO)),
        ]);
        let r = receive(&data, Some(1_000), PLENTY, chunks).await;
        assert!(
            matches!(&r, Err(UpdateError::Body(m)) if m.contains("Input/output error")),
            "{r:?}"
        );
        let left: Vec<_> = std::fs::read_dir(data.updates_dir()).unwrap().collect();
        assert!(left.is_empty());
    }

    #[test]
    fn the_helpers_status_and_the_systems_version_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        std::fs::create_dir_all(data.system_dir()).unwrap();
        std::fs::write(
            data.system_dir().join("update.status"),
            "refused\nSignature verification failed\n",
        )
        .unwrap();
        let s = status(&data);
        assert_eq!(
            (s.state.as_str(), s.message.as_str()),
            ("refused", "Signature verification failed")
        );
        let os = dir.path().join("os-release");
        std::fs::write(&os, "ID=debian\nIMAGE_ID=baom\nIMAGE_VERSION=\"1.2.0\"\n").unwrap();
        assert_eq!(system_version(&os).as_deref(), Some("1.2.0"));
    }
}
