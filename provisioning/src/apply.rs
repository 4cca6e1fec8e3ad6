//! Applying a bundle on the box (at first boot, from the boot partition): check every file
//! against the manifest, refuse a bundle made for another box, and install the configuration and
//! certificate. Applying the same bundle again changes nothing (even once the first boot has
//! removed its secrets from the boot partition: see [`SECRETS`]).

use crate::bundle::{Manifest, sha256_file};
use anyhow::{Context, Result, bail};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The bundle's files that hold a secret: once installed, the first boot removes them from the
/// boot partition (FAT, readable by any PC the card is put in). The handover sheet is never
/// meant to be there; the others are public (the manifest, the certificates).
pub const SECRETS: [&str; 5] = [
    "baom.toml",
    "tls/server.key",
    "vault.json",
    "pool.key",
    "handover.html",
];

/// What applying did.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    Installed,
    AlreadyInstalled,
}

/// Installs `bundle` into `etc` (configuration and certificate) for the data directory `data`.
/// The configuration's `data_dir` is set to `data`.
pub fn apply(bundle: &Path, etc: &Path, data: &Path) -> Result<Applied> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(bundle.join("manifest.json"))
            .with_context(|| format!("{} has no manifest.json: not a bundle", bundle.display()))?,
    )
    .context("manifest.json is not a bundle manifest")?;
    for (name, hash) in &manifest.files {
        if name.contains("..") || name.starts_with('/') {
            bail!("the manifest names {name:?}, outside the bundle");
        }
        // A secret may be gone: the handover sheet is for people (a bundle copied onto a box's
        // boot partition leaves it out), and once installed the first boot removes the others
        // from the card. What is there must be as the bundle was made.
        if SECRETS.contains(&name.as_str()) && !bundle.join(name).exists() {
            continue;
        }
        let actual = sha256_file(&bundle.join(name))?;
        if &actual != hash {
            bail!(
                "{name} was changed after the bundle was made (SHA-256 {actual}, expected {hash}): refusing it"
            );
        }
    }
    let data_dir = baom_config::DataDir::new(data);
    let id_file = data_dir.box_id();
    match std::fs::read_to_string(&id_file) {
        Ok(id) if id.trim() == manifest.box_id => return Ok(Applied::AlreadyInstalled),
        Ok(id) => bail!(
            "this bundle is for box {} ({}), but this box is {}: refusing it",
            manifest.box_id,
            manifest.hostname,
            id.trim()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", id_file.display())),
    }
    std::fs::create_dir_all(etc.join("tls"))?;
    std::fs::create_dir_all(data)?;
    let config = std::fs::read_to_string(bundle.join("baom.toml")).with_context(|| {
        format!(
            "{} has no baom.toml: this bundle's secrets were removed after it was installed on its box",
            bundle.display()
        )
    })?;
    let data_line = format!(
        "data_dir = {:?}",
        data.to_str().context("the data directory must be UTF-8")?
    );
    let config = config.replacen(
        &format!("data_dir = {:?}", crate::bundle::DATA_DIR),
        &data_line,
        1,
    );
    private(&etc.join("baom.toml"), config.as_bytes())?;
    write_synced(
        &etc.join("tls/ca.crt"),
        &std::fs::read(bundle.join("tls/ca.crt"))?,
    )?;
    write_synced(
        &etc.join("tls/server.crt"),
        &std::fs::read(bundle.join("tls/server.crt"))?,
    )?;
    private(
        &etc.join("tls/server.key"),
        &std::fs::read(bundle.join("tls/server.key"))?,
    )?;
    // The dossiers' wrapped key (the service takes it at its first start) and the pooling key
    // (bundles from before either existed have none). Synced like the rest before the box
    // takes its identity.
    for (name, to) in [
        ("vault.json", data_dir.vault_import()),
        ("pool.key", data_dir.pool_key()),
    ] {
        if bundle.join(name).exists() {
            private(&to, &std::fs::read(bundle.join(name))?)?;
            // Whoever owns the data directory (the service's user) must read it.
            let owner = std::fs::metadata(data)?;
            std::os::unix::fs::chown(&to, Some(owner.uid()), Some(owner.gid())).with_context(
                || format!("cannot give {} to the data directory's owner", to.display()),
            )?;
            std::fs::File::open(&to)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot sync {}", to.display()))?;
        }
    }
    sync_dir(data)?;
    // Last: the box takes the bundle's identity only once everything else is on disk. Every
    // file above is synced, and their directories now, before `box-id` exists: `etc` and
    // `data` are different file systems on the box, so nothing else orders them. (Without it,
    // a reset 20 s after the first boot left a box "already installed" with an empty
    // certificate: seen by the image test under QEMU.)
    sync_dir(&etc.join("tls"))?;
    sync_dir(etc)?;
    write_synced(&id_file, format!("{}\n", manifest.box_id).as_bytes())?;
    sync_dir(data)?;
    Ok(Applied::Installed)
}

/// Removes the bundle's [`SECRETS`] from `bundle` (after it was applied) and returns those
/// that were there.
pub fn remove_secrets(bundle: &Path) -> Result<Vec<&'static str>> {
    let mut removed = Vec::new();
    for name in SECRETS {
        let path = bundle.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(name),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
        }
    }
    for dir in [bundle.join("tls"), bundle.to_owned()] {
        sync_dir(&dir)?;
    }
    Ok(removed)
}

/// Writes `path` for its owner only (mode 0600), atomically and synced.
fn private(path: &Path, bytes: &[u8]) -> Result<()> {
    baom_config::write_private(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `path` (mode 0644) and waits until its bytes are on disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()
        .with_context(|| format!("cannot sync {}", path.display()))
}

/// Makes the entries of `dir` (files created or replaced in it) durable.
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}
