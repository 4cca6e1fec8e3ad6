//! Scans kept in a dossier: sealed files (see `vault`) under `scans/dossiers/`, one row each.
//! A kiosk scan attached to a ticket moves into the dossier when the officer records it; a scan
//! made at the desk is sealed on arrival. Files are written whole or not at all.

use super::db::{Db, DossierStoreError, Result};
use super::people;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::Path;

/// The largest scan kept (a PNG page at 300 dpi is a few MB).
pub const MAX_SCAN_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct ScanInfo {
    pub id: i64,
    pub bytes: i64,
    pub from_ticket: Option<i64>,
    pub created_at: String,
    pub created_by: String,
}

pub fn of_person(conn: &Connection, person: i64) -> Result<Vec<ScanInfo>> {
    let mut stmt = conn.prepare("SELECT id, bytes, from_ticket, created_at, created_by FROM scans WHERE person_id = ?1 ORDER BY id")?;
    Ok(stmt
        .query_map([person], |r| {
            Ok(ScanInfo {
                id: r.get(0)?,
                bytes: r.get(1)?,
                from_ticket: r.get(2)?,
                created_at: r.get(3)?,
                created_by: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

pub fn files_of(conn: &Connection, person: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT file FROM scans WHERE person_id = ?1")?;
    Ok(stmt
        .query_map([person], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Removes sealed files; returns how many went. A missing file is already gone.
pub fn remove_files(dir: &Path, files: &[String]) -> usize {
    let mut removed = 0;
    for f in files {
        match std::fs::remove_file(dir.join(f)) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::error!(file = %f, error = %e, "a scan could not be removed"),
        }
    }
    removed
}

/// Stores already-sealed bytes as a scan of `person`, in one transaction with its audit line.
pub fn attach(
    db: &mut Db,
    actor: &str,
    person: i64,
    sealed: &[u8],
    from_ticket: Option<u64>,
) -> Result<i64> {
    if sealed.len() > MAX_SCAN_BYTES {
        return Err(baom_domain::dossier::DossierError::new(
            "too_large",
            "scan",
            format!(
                "{} bytes; a scan has at most {MAX_SCAN_BYTES}",
                sealed.len()
            ),
        )
        .into());
    }
    let mut name = [0u8; 16];
    getrandom::fill(&mut name)
        .map_err(|e| DossierStoreError::Unavailable(format!("no randomness: {e}")))?;
    let file: String = name.iter().map(|b| format!("{b:02x}")).collect::<String>() + ".sealed";
    baom_config::write_private(&db.scans_dir.join(&file), sealed)?;
    let stored = db.act(actor, |a| {
        people::load(a.tx, person)?;
        a.tx.execute(
            "INSERT INTO scans (person_id, file, bytes, from_ticket, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![person, file, sealed.len() as i64, from_ticket.map(|t| t as i64), crate::clock::now().to_string(), actor],
        )?;
        let id = a.tx.last_insert_rowid();
        a.log("scan.attach", Some(person), None, format!("scan={id}"));
        Ok(id)
    });
    if stored.is_err() {
        // Not recorded, so not kept: no sealed file without its row.
        remove_files(&db.scans_dir, &[file]);
    }
    stored
}

/// The sealed bytes of a scan; logs the read.
pub fn read(db: &mut Db, actor: &str, scan: i64) -> Result<(i64, Vec<u8>)> {
    db.act(actor, |a| {
        let (person, file): (i64, String) =
            a.tx.query_row(
                "SELECT person_id, file FROM scans WHERE id = ?1",
                [scan],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(DossierStoreError::NotFound("scan"))?;
        let bytes = std::fs::read(a.scans_dir.join(&file))?;
        a.log("scan.read", Some(person), None, format!("scan={scan}"));
        Ok((person, bytes))
    })
}

/// A scan's image for the officer: read, unsealed with the open vault, and logged.
pub fn open(db: &mut Db, actor: &str, scan: i64, vault: &crate::vault::Vault) -> Result<Vec<u8>> {
    let (_, sealed) = read(db, actor, scan)?;
    Ok(vault.unseal(&sealed)?)
}
