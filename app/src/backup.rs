//! Backups: everything a box knows, in one encrypted file, and `baom restore` to bring it back
//! on a new box.
//!
//! A backup is made with SQLite's online backup API (the service keeps running) from
//! `queue.db`, `accounts.db` and `dossiers.db` (which stays SQLCipher-encrypted inside), plus
//! the sealed scans and the ticket-token secret, as a tar archive encrypted as a stream
//! (XChaCha20-Poly1305, STREAM construction, 64 KiB records) under a key derived from the
//! dossiers' data key. The file starts with a small clear header: the format, when, the commune,
//! and the vault's *wrapped* keys, so the recovery key alone opens it on a new box. The header
//! is authenticated with every record: a changed byte anywhere is refused.
//!
//! ```text
//! BAOM-BACKUP-1\n | u32 header length | header (JSON) | encrypted records…
//! ```

use crate::accounts::StoredVault;
use crate::dossiers::audit::Head;
use crate::vault::{DataKey, RecoveryKey, VaultError};
use baom_config::DataDir;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"BAOM-BACKUP-1\n";
const RECORD: usize = 64 * 1024;
const TAG: usize = 16;
/// The databases, in the order they are copied.

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("this is not a BAOM backup (or it is from a newer program)")]
    NotABackup,
    #[error("the backup is damaged or was changed after it was made")]
    Damaged,
    #[error("{0} is not empty: restore into a new, empty data directory")]
    NotEmpty(PathBuf),
    #[error(transparent)]
    Dossiers(#[from] crate::dossiers::DossierStoreError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: u32,
    created_at: String,
    commune: String,
    /// The scans' public key and the data key wrapped under the recovery key, nothing else: a
    /// lost stick cannot be tried against the staff's passwords (format 1 carried every wrap).
    vault: StoredVault,
    nonce: Vec<u8>,
    /// The head of the dossiers' audit chain when the backup was made (format 2).
    #[serde(default)]
    audit_head: Option<Head>,
}

/// The header's format this program writes; it reads 1 and 2.
const FORMAT: u32 = 2;

/// Writes a backup of the data directory `data` to `out`. `key` is the open vault's data key;
/// of `vault` (the stored, wrapped vault) the header keeps the recovery key's wrap only.
pub fn make(
    data: &DataDir,
    key: &DataKey,
    vault: &StoredVault,
    commune: &str,
    out: &mut impl Write,
) -> Result<(), BackupError> {
    let work = tempfile::Builder::new()
        .prefix(".backup-")
        .tempdir_in(data.root())?;
    // Consistent copies of the live databases (each one a snapshot; the service keeps writing).
    for name in DataDir::DATABASES {
        let source = data.root().join(name);
        if !source.exists() {
            continue;
        }
        let src = rusqlite::Connection::open(&source)?;
        let mut dst = rusqlite::Connection::open(work.path().join(name))?;
        if name == "dossiers.db" {
            let pragma = key.sqlcipher_pragma();
            src.execute_batch(&pragma)?;
            dst.execute_batch(&pragma)?;
        }
        src.busy_timeout(std::time::Duration::from_secs(5))?;
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
        backup.run_to_completion(256, std::time::Duration::from_millis(5), None)?;
    }
    // The audit chain's head as copied (accounts.db is copied before dossiers.db, so its anchor
    // is never ahead of the copied chain).
    let audit_head = match work.path().join("dossiers.db") {
        copy if copy.exists() => {
            let conn = crate::dossiers::open_keyed(&copy, key)?;
            crate::dossiers::audit::head(&conn)?
        }
        _ => None,
    };
    let archive = work.path().join("backup.tar");
    {
        let mut tar = tar::Builder::new(std::fs::File::create(&archive)?);
        tar.mode(tar::HeaderMode::Deterministic);
        for name in DataDir::DATABASES {
            let copy = work.path().join(name);
            if copy.exists() {
                tar.append_path_with_name(&copy, name)?;
            }
        }
        if data.token_key().exists() {
            tar.append_path_with_name(data.token_key(), "token.key")?;
        }
        if data.scans_dir().is_dir() {
            tar.append_dir_all("scans", data.scans_dir())?;
        }
        tar.finish()?;
    }
    let mut nonce = [0u8; 19];
    getrandom::fill(&mut nonce).map_err(|e| VaultError::Random(e.to_string()))?;
    let header = serde_json::to_vec(&Header {
        format: FORMAT,
        created_at: crate::clock::now().to_string(),
        commune: commune.to_owned(),
        vault: StoredVault {
            scan_public_key: vault.scan_public_key.clone(),
            wraps: vault
                .wraps
                .iter()
                .filter(|(holder, _)| holder == baom_keys::RECOVERY_HOLDER)
                .cloned()
                .collect(),
        },
        nonce: nonce.to_vec(),
        audit_head,
    })
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(MAGIC)?;
    out.write_all(&(header.len() as u32).to_be_bytes())?;
    out.write_all(&header)?;
    let cipher = XChaCha20Poly1305::new(&(*key.backup_key()).into());
    let mut stream = EncryptorBE32::from_aead(cipher, nonce.as_slice().into());
    let mut input = std::fs::File::open(&archive)?;
    let mut buf = vec![0u8; RECORD];
    let mut pending: Option<Vec<u8>> = None;
    loop {
        let n = read_full(&mut input, &mut buf)?;
        if let Some(previous) = pending.take() {
            let sealed = stream
                .encrypt_next(Payload {
                    msg: &previous,
                    aad: &header,
                })
                .map_err(|_| BackupError::Damaged)?;
            out.write_all(&sealed)?;
        }
        if n < RECORD {
            let sealed = stream
                .encrypt_last(Payload {
                    msg: &buf[..n],
                    aad: &header,
                })
                .map_err(|_| BackupError::Damaged)?;
            out.write_all(&sealed)?;
            break;
        }
        pending = Some(buf[..n].to_vec());
    }
    out.flush()?;
    Ok(())
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What a restore brought back.
#[derive(Debug)]
pub struct Restored {
    pub created_at: String,
    pub commune: String,
    pub files: usize,
    /// The restored audit chain verified against the head the backup recorded (`None`: a
    /// backup from before heads were recorded, or no dossiers in it).
    pub audit: Option<crate::dossiers::audit::Verification>,
}

/// Restores a backup into `data` (which must be empty or missing), opening it with the
/// recovery key.
pub fn restore(
    backup: &mut impl Read,
    recovery: &RecoveryKey,
    target: &DataDir,
) -> Result<Restored, BackupError> {
    let data = target.root();
    // Empty but for ext4's lost+found (the box's data partition has one).
    if data.exists()
        && std::fs::read_dir(data)?
            .flatten()
            .any(|e| e.file_name() != "lost+found")
    {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    let mut magic = [0u8; 14];
    backup
        .read_exact(&mut magic)
        .map_err(|_| BackupError::NotABackup)?;
    if magic != MAGIC {
        return Err(BackupError::NotABackup);
    }
    let mut len = [0u8; 4];
    backup
        .read_exact(&mut len)
        .map_err(|_| BackupError::NotABackup)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > 1024 * 1024 {
        return Err(BackupError::NotABackup);
    }
    let mut header_bytes = vec![0u8; len];
    backup
        .read_exact(&mut header_bytes)
        .map_err(|_| BackupError::Damaged)?;
    let header: Header =
        serde_json::from_slice(&header_bytes).map_err(|_| BackupError::NotABackup)?;
    if !(1..=FORMAT).contains(&header.format) || header.nonce.len() != 19 {
        return Err(BackupError::NotABackup);
    }
    let key = baom_keys::open_with_recovery(&header.vault, recovery).map_err(VaultError::from)?;
    std::fs::create_dir_all(data)?;
    let archive = target.restore_archive();
    let result = (|| -> Result<usize, BackupError> {
        {
            let cipher = XChaCha20Poly1305::new(&(*key.backup_key()).into());
            let mut stream = DecryptorBE32::from_aead(cipher, header.nonce.as_slice().into());
            let mut out = std::fs::File::create(&archive)?;
            let mut current = vec![0u8; RECORD + TAG];
            let mut next = vec![0u8; RECORD + TAG];
            let mut n = read_full(backup, &mut current)?;
            loop {
                if n < RECORD + TAG {
                    let plain = stream
                        .decrypt_last(Payload {
                            msg: &current[..n],
                            aad: &header_bytes,
                        })
                        .map_err(|_| BackupError::Damaged)?;
                    out.write_all(&plain)?;
                    break;
                }
                let m = read_full(backup, &mut next)?;
                if m == 0 {
                    let plain = stream
                        .decrypt_last(Payload {
                            msg: &current[..n],
                            aad: &header_bytes,
                        })
                        .map_err(|_| BackupError::Damaged)?;
                    out.write_all(&plain)?;
                    break;
                }
                let plain = stream
                    .decrypt_next(Payload {
                        msg: &current[..n],
                        aad: &header_bytes,
                    })
                    .map_err(|_| BackupError::Damaged)?;
                out.write_all(&plain)?;
                std::mem::swap(&mut current, &mut next);
                n = m;
            }
            out.sync_all()?;
        }
        let mut tar = tar::Archive::new(std::fs::File::open(&archive)?);
        // The archive stores 0644/0755; the service's files are for itself and its group only.
        tar.set_mask(0o027);
        let mut files = 0;
        for entry in tar.entries()? {
            let mut entry = entry?;
            // `unpack_in` refuses paths that would leave the data directory.
            if entry.unpack_in(data)? {
                files += 1;
            }
        }
        // Restored as root onto a box: the files belong to whoever owns the data directory
        // (the service's user), or the service could not write them.
        let owner = std::fs::metadata(data)?;
        chown_tree(data, owner.uid(), owner.gid())?;
        Ok(files)
    })();
    let _ = std::fs::remove_file(&archive);
    let files = match result {
        Ok(files) => files,
        Err(e) => {
            // Nothing half-restored stays behind.
            if let Ok(entries) = std::fs::read_dir(data) {
                for entry in entries.flatten().filter(|e| e.file_name() != "lost+found") {
                    let p = entry.path();
                    let _ = if p.is_dir() {
                        std::fs::remove_dir_all(&p)
                    } else {
                        std::fs::remove_file(&p)
                    };
                }
            }
            return Err(e);
        }
    };
    // The chain as restored, held against the head the backup recorded.
    let audit = match (&header.audit_head, target.dossiers_db()) {
        (Some(head), db) if db.exists() => {
            let conn = crate::dossiers::open_keyed(&db, &key)?;
            Some(crate::dossiers::audit::verify(
                &conn,
                &key.audit_key(),
                std::slice::from_ref(head),
            )?)
        }
        _ => None,
    };
    Ok(Restored {
        created_at: header.created_at,
        commune: header.commune,
        files,
        audit,
    })
}

fn chown_tree(dir: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        std::os::unix::fs::lchown(&path, Some(uid), Some(gid))?;
        if path.is_dir() && !path.is_symlink() {
            chown_tree(&path, uid, gid)?;
        }
    }
    Ok(())
}

/// The file name of a backup made now: `baom-<commune>-<date>.baombak`.
pub fn file_name(commune: &str) -> String {
    format!(
        "baom-{}-{}.baombak",
        slug(commune),
        crate::clock::now().strftime("%Y%m%d-%H%M%S")
    )
}

/// A commune's name as a file name's part: ASCII lower case, accents dropped from their letter
/// (é → e, not a dash), every other run of characters one dash. "Taliouine (démo)" →
/// "taliouine-demo".
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let base = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => {
                'a'
            }
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ÿ' | 'Ÿ' => 'y',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '-',
        };
        if base != '-' || !out.ends_with('-') {
            out.push(base);
        }
    }
    let slug = out.trim_matches('-');
    if slug.is_empty() {
        "office".to_owned()
    } else {
        slug.to_owned()
    }
}

/// A backup made now into an unlinked temporary file of the data directory (for a download):
/// the open file stays readable and nothing stays on the box once it is closed. Returns it with
/// the name to give it.
pub fn unlinked(
    data: &DataDir,
    key: &DataKey,
    vault: &StoredVault,
    commune: &str,
) -> Result<(std::fs::File, String), BackupError> {
    let tmp = tempfile::NamedTempFile::new_in(data.root())?;
    {
        let mut out = std::io::BufWriter::new(tmp.as_file());
        make(data, key, vault, commune, &mut out)?;
        out.flush()?;
    }
    let file = tmp.reopen()?;
    drop(tmp); // unlinks the path; the open file stays readable
    Ok((file, file_name(commune)))
}

/// A supervisor's download: a backup made now (see [`unlinked`]), recorded in the dossiers'
/// audit log before it is handed over (a download that cannot be recorded is refused).
pub async fn download(
    data: DataDir,
    vault: std::sync::Arc<crate::vault::Vault>,
    accounts: crate::accounts::Accounts,
    dossiers: crate::dossiers::Dossiers,
    commune: String,
    actor: String,
) -> Result<(std::fs::File, String), BackupError> {
    let key = vault.key().ok_or(VaultError::Locked)?;
    let data_for_record = data.clone();
    let made = tokio::task::spawn_blocking(move || {
        let stored = accounts
            .vault()
            .map_err(VaultError::from)?
            .ok_or(VaultError::NoVault)?;
        unlinked(&data, &key, &stored, &commune)
    })
    .await
    .map_err(|e| std::io::Error::other(format!("backup task failed: {e}")))??;
    let who = actor.clone();
    dossiers
        .run(move |db| db.log_event(&who, "backup.download", ""))
        .await?;
    let bytes = made.0.metadata().map(|m| m.len()).unwrap_or(0);
    record(&data_for_record, "download", &made.1, bytes, &actor);
    Ok(made)
}

/// A backup made, and where it went, for the technician's page (a failure to note it is only
/// logged: the backup itself is made).
fn record(data: &DataDir, kind: &str, place: &str, bytes: u64, actor: &str) {
    let noted = (|| -> Result<(), crate::store::StoreError> {
        let conn = rusqlite::Connection::open(data.queue_db())?;
        crate::store::configure(&conn)?;
        conn.execute(
            "INSERT INTO backups (at, kind, place, bytes, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                crate::clock::now().to_string(),
                kind,
                place,
                bytes as i64,
                actor
            ],
        )?;
        Ok(())
    })();
    if let Err(e) = noted {
        tracing::error!(error = %e, "a backup could not be noted in queue.db");
    }
}

/// The last backup made: when, how (`download` or `usb`), where, its size and by whom.
#[derive(Debug, Clone)]
pub struct LastBackup {
    pub at: String,
    pub kind: String,
    pub place: String,
    pub bytes: i64,
    pub actor: String,
}

/// The last backup noted in `queue.db`, if any.
pub async fn last(data: DataDir) -> Result<Option<LastBackup>, BackupError> {
    tokio::task::spawn_blocking(move || -> Result<Option<LastBackup>, BackupError> {
        let conn = crate::store::open_reader(&data.queue_db())?;
        use rusqlite::OptionalExtension;
        Ok(conn
            .query_row(
                "SELECT at, kind, place, bytes, actor FROM backups ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(LastBackup {
                        at: r.get(0)?,
                        kind: r.get(1)?,
                        place: r.get(2)?,
                        bytes: r.get(3)?,
                        actor: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(crate::store::StoreError::from)?)
    })
    .await
    .map_err(|e| std::io::Error::other(format!("task failed: {e}")))?
}

/// Writes a backup into `dir` (a USB stick's folder) and keeps the newest `keep` there.
pub fn write_to_dir(
    data: &DataDir,
    key: &DataKey,
    vault: &StoredVault,
    commune: &str,
    dir: &Path,
    keep: usize,
) -> Result<PathBuf, BackupError> {
    let path = dir.join(file_name(commune));
    let tmp = path.with_extension("part");
    let written = (|| -> Result<(), BackupError> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        make(data, key, vault, commune, &mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    })();
    if let Err(e) = written {
        // A half-written file would only mislead whoever restores from the stick.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let mut ours: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "baombak"))
        .collect();
    ours.sort();
    while ours.len() > keep {
        let old = ours.remove(0);
        std::fs::remove_file(&old)?;
    }
    Ok(path)
}

/// The backups on a stick's folder, newest first (by name: they carry their date), each with
/// when it was written (the file's time).
pub async fn on_stick(dir: PathBuf) -> Vec<(String, Option<jiff::Timestamp>)> {
    tokio::task::spawn_blocking(move || {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut found: Vec<(String, Option<jiff::Timestamp>)> = entries
            .flatten()
            .map(|e| {
                let written = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| jiff::Timestamp::try_from(t).ok());
                (e.file_name().to_string_lossy().into_owned(), written)
            })
            .filter(|(n, _)| n.ends_with(".baombak"))
            .collect();
        found.sort();
        found.reverse();
        found
    })
    .await
    .unwrap_or_default()
}

/// A stick is there when `dir` is a mount point (another device than its parent's): an empty
/// folder left behind must not receive backups onto the box's own disk.
pub fn is_mount_point(dir: &Path) -> bool {
    let (Ok(here), Some(Ok(parent))) =
        (std::fs::metadata(dir), dir.parent().map(std::fs::metadata))
    else {
        return false;
    };
    here.is_dir() && here.dev() != parent.dev()
}

/// The nightly copy: every half hour, if a stick is mounted at `usb_dir`, the dossiers are open
/// and no backup was written there today (local time), write one and keep the newest `keep`.
pub async fn nightly(
    data: DataDir,
    vault: std::sync::Arc<crate::vault::Vault>,
    accounts: crate::accounts::Accounts,
    settings: std::sync::Arc<baom_config::Settings>,
) {
    let Some(dir) = settings.backup.usb_dir.clone() else {
        return;
    };
    let mut every = tokio::time::interval(std::time::Duration::from_secs(30 * 60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut done_on: Option<jiff::civil::Date> = None;
    loop {
        every.tick().await;
        let now = crate::clock::now().to_zoned_datetime(settings.catalogue.time_zone().clone());
        if done_on == Some(now.date()) || now.hour() < 2 || !is_mount_point(&dir) {
            continue;
        }
        let Some(key) = vault.key() else {
            tracing::warn!(
                "nightly backup skipped: the dossiers are locked until an officer logs in"
            );
            continue;
        };
        let (into, dir, accounts, settings) = (
            data.clone(),
            dir.clone(),
            accounts.clone(),
            settings.clone(),
        );
        let written = tokio::task::spawn_blocking(move || -> Result<PathBuf, BackupError> {
            let stored = accounts
                .vault()
                .map_err(VaultError::from)?
                .ok_or(VaultError::NoVault)?;
            write_to_dir(
                &into,
                &key,
                &stored,
                &settings.commune.name_latin,
                &dir,
                settings.backup.keep,
            )
        })
        .await;
        match written {
            Ok(Ok(path)) => {
                tracing::info!(file = %path.display(), "nightly backup written");
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                record(&data, "usb", &path.display().to_string(), bytes, "nightly");
                done_on = Some(now.date());
            }
            Ok(Err(e)) => tracing::error!(error = %e, "nightly backup failed"),
            Err(e) => tracing::error!(error = %e, "nightly backup task failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::NewVault;

    #[test]
    fn a_communes_name_becomes_a_plain_file_name() {
        assert_eq!(slug("Taliouine (démo)"), "taliouine-demo");
        assert_eq!(slug("Aït Baha"), "ait-baha");
        assert_eq!(slug("  Sidi--Ifni  "), "sidi-ifni");
        assert_eq!(slug("تالوين"), "office");
        let name = file_name("Taliouine (démo)");
        assert!(
            name.starts_with("baom-taliouine-demo-") && name.ends_with(".baombak"),
            "{name}"
        );
    }

    #[test]
    fn a_backup_comes_back_whole_with_the_recovery_key_only() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("scans/7")).expect("dirs");
        let new = NewVault::generate(&[]).expect("vault");
        let conn = rusqlite::Connection::open(data.join("queue.db")).expect("queue");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES ('ticket A-001');")
            .expect("rows");
        // A real dossiers.db (its schema, its audit log), with a row of its own.
        let mut d = crate::dossiers::open(
            &data.join("dossiers.db"),
            &new.key,
            data.join("scans/dossiers"),
            None,
        )
        .expect("dossiers");
        d.conn
            .execute_batch("CREATE TABLE p (n); INSERT INTO p VALUES ('Fatima');")
            .expect("rows");
        d.log_event("amina", "person.read", "")
            .expect("an audit line");
        drop(d);
        // Bigger than one record, to cross record boundaries.
        let scan: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(data.join("scans/7/1.sealed"), &scan).expect("scan");
        let mut file = Vec::new();
        make(
            &DataDir::new(&data),
            &new.key,
            &new.stored,
            "Taliouine",
            &mut file,
        )
        .expect("backup");
        assert!(!file.windows(6).any(|w| w == b"Fatima"));
        assert!(!file.windows(10).any(|w| w == b"ticket A-0"));

        let target = dir.path().join("restored");
        let other =
            RecoveryKey::parse(&NewVault::generate(&[]).expect("v").recovery.display()).expect("k");
        assert!(matches!(
            restore(&mut file.as_slice(), &other, &DataDir::new(&target)),
            Err(BackupError::Vault(VaultError::WrongKey))
        ));
        let mut damaged = file.clone();
        let at = damaged.len() - 100;
        damaged[at] ^= 1;
        assert!(matches!(
            restore(
                &mut damaged.as_slice(),
                &new.recovery,
                &DataDir::new(&target)
            ),
            Err(BackupError::Damaged)
        ));
        assert!(
            std::fs::read_dir(&target)
                .map(|mut d| d.next().is_none())
                .unwrap_or(true),
            "nothing half-restored"
        );
        // A fresh ext4 data partition holds lost+found: still empty for a restore.
        std::fs::create_dir_all(target.join("lost+found")).expect("lost+found");
        let restored =
            restore(&mut file.as_slice(), &new.recovery, &DataDir::new(&target)).expect("restore");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(target.join("queue.db"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o027,
            0,
            "for the service and its group only: {mode:o}"
        );
        assert_eq!(restored.commune, "Taliouine");
        assert!(
            restored
                .audit
                .as_ref()
                .is_some_and(|v| v.holds() && v.lines == 1),
            "{:?}",
            restored.audit
        );
        assert_eq!(
            std::fs::read(target.join("scans/7/1.sealed")).expect("scan"),
            scan
        );
        let q = rusqlite::Connection::open(target.join("queue.db")).expect("queue");
        let x: String = q
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .expect("row");
        assert_eq!(x, "ticket A-001");
        let d = crate::dossiers::open_keyed(&target.join("dossiers.db"), &new.key).expect("keyed");
        let n: String = d
            .query_row("SELECT n FROM p", [], |r| r.get(0))
            .expect("row");
        assert_eq!(n, "Fatima");
        assert!(matches!(
            restore(&mut file.as_slice(), &new.recovery, &DataDir::new(&target)),
            Err(BackupError::NotEmpty(_))
        ));
        assert!(matches!(
            restore(
                &mut &b"hello"[..],
                &new.recovery,
                &DataDir::new(dir.path().join("x"))
            ),
            Err(BackupError::NotABackup)
        ));
    }
}
