//! Where a box keeps its files: every path under the data directory, named once. The service,
//! its backups and restores, and provisioning's `apply` all ask here.

use std::path::{Path, PathBuf};

/// The data directory (`/var/lib/baom` on a box) and what lives in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The queue, the reference of procedures, receipts and votes: nothing personal.
    pub fn queue_db(&self) -> PathBuf {
        self.root.join("queue.db")
    }

    /// Staff accounts, sessions and the wraps of the dossiers' key.
    pub fn accounts_db(&self) -> PathBuf {
        self.root.join("accounts.db")
    }

    /// People, cases and their audit log (SQLCipher).
    pub fn dossiers_db(&self) -> PathBuf {
        self.root.join("dossiers.db")
    }

    /// The databases a backup copies, by file name.
    pub const DATABASES: [&'static str; 3] = ["queue.db", "accounts.db", "dossiers.db"];

    /// The kiosk's Unix socket.
    pub fn kiosk_socket(&self) -> PathBuf {
        self.root.join("kiosk.sock")
    }

    /// The secret that signs ticket tokens (made on first start, never replaced).
    pub fn token_key(&self) -> PathBuf {
        self.root.join("token.key")
    }

    /// The box's Ed25519 key that signs its pooled figures (32 bytes, hexadecimal, mode 0600):
    /// made at provisioning, its public part on the handover sheet.
    pub fn pool_key(&self) -> PathBuf {
        self.root.join("pool.key")
    }

    /// Update bundles received from the LAN (`bundle.raucb`) and the request to install one
    /// (`install`), which the box's root helper takes (images: `baom-update.path`).
    pub fn updates_dir(&self) -> PathBuf {
        self.root.join("updates")
    }

    /// Where a USB stick labelled BAOM-UPDATE is mounted, read-only, on a box (images: a udev
    /// rule): its `*.raucb` bundles are offered on the technician's page.
    pub fn update_stick_dir(&self) -> PathBuf {
        self.root.join("update-stick")
    }

    /// What the box's system keeps on the data partition, root's and read-only to the service:
    /// its configuration (`etc/`, which `/etc/baom` links to), RAUC's state, the update
    /// helper's `update.status` and RAUC's view of the slots (`slots.json`).
    pub fn system_dir(&self) -> PathBuf {
        self.root.join("system")
    }

    /// The demo's self-signed certificate and key.
    pub fn tls_dir(&self) -> PathBuf {
        self.root.join("tls")
    }

    /// The dossiers' wrapped key as provisioning made it (`baom-provision apply` puts it here;
    /// the service takes it at its first start and removes it).
    pub fn vault_import(&self) -> PathBuf {
        self.root.join("vault.json")
    }

    /// The demo's recovery key, kept beside its data so the demo opens by itself. A box never
    /// has this file: its recovery key exists only on the handover sheet.
    pub fn demo_recovery_key(&self) -> PathBuf {
        self.root.join("demo-recovery-key.txt")
    }

    /// Held locked while a service runs on this directory: one writer per database.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("baom.lock")
    }

    /// Which box this is: written last by `baom-provision apply`.
    pub fn box_id(&self) -> PathBuf {
        self.root.join("box-id")
    }

    /// Sealed scans: the kiosk's under `<ticket id>/`, the dossiers' under `dossiers/`.
    pub fn scans_dir(&self) -> PathBuf {
        self.root.join("scans")
    }

    /// Sealed scans kept in dossiers.
    pub fn dossier_scans_dir(&self) -> PathBuf {
        self.scans_dir().join("dossiers")
    }

    /// A request to set the system clock (seconds since the epoch, one line), which the
    /// privileged helper `baom-set-time` (a path unit watches for it) carries out and removes:
    /// the service itself runs with `ProtectClock=yes`.
    pub fn clock_request(&self) -> PathBuf {
        self.root.join("set-time.request")
    }

    /// Where a restore decrypts its archive before unpacking it.
    pub fn restore_archive(&self) -> PathBuf {
        self.root.join(".restore.tar")
    }

    /// A path the settings give relative to the data directory (a file printer's `path`).
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }
}
