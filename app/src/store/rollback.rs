//! A database's way back across a system update. Before a program migrates a database that
//! already holds data, it keeps a copy of it as it was in `pre-migration/` beside it, with a
//! note of the versions (`pre-migration/<file>.json`: from, to, when). If the box then goes
//! back to the older program (an update that did not come up healthy, rolled back by the box),
//! that program finds the database newer than it knows; before opening it, it reads the note,
//! puts the newer database aside in `rolled-back/` and takes the copy back. Without such a copy
//! it refuses to open the database, saying so ([`StoreError::TooNew`]).
//!
//! What the newer program recorded after migrating is not lost: it stays in `rolled-back/`,
//! for a technician. The copy is the database's file (encrypted when the database is), made
//! after a checkpoint, so no key is needed here.

use super::StoreError;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The note beside a copy.
#[derive(Debug, Serialize, Deserialize)]
struct Note {
    database: String,
    /// The schema version of the copy.
    from: i64,
    /// The version the newer program migrated the database to.
    to: i64,
    at: String,
}

/// The note at `path`, if there is one that reads. One that does not (a power cut while it was
/// written) is no way back, said in the log: the database's own version still guards it.
fn read_note(path: &Path) -> Option<Note> {
    let text = std::fs::read(path).ok()?;
    match serde_json::from_slice(&text) {
        Ok(note) => Some(note),
        Err(e) => {
            tracing::warn!(note = %path.display(), error = %e, "unreadable note of a database copy: ignored");
            None
        }
    }
}

fn copies_dir(path: &Path) -> PathBuf {
    path.with_file_name("pre-migration")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("{what} {}: {e}", path.display()))
}

/// Copies `from` to `to` through a temporary file, flushed, then renamed.
fn copy_whole(from: &Path, to: &Path) -> Result<(), StoreError> {
    let part = to.with_extension("part");
    std::fs::copy(from, &part).map_err(|e| io("cannot copy", from, e))?;
    std::fs::File::open(&part)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot flush", &part, e))?;
    std::fs::rename(&part, to).map_err(|e| io("cannot rename", &part, e))
}

/// Keeps a copy of the database `conn` has open (at schema version `from`) before it is
/// migrated to `to`. Nothing for an in-memory database.
pub fn keep_copy(conn: &Connection, database: &str, from: i64, to: i64) -> Result<(), StoreError> {
    let Some(path) = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from) else {
        return Ok(());
    };
    // Everything in the main file: the copy needs no WAL.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let dir = copies_dir(&path);
    std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
    let name = file_name(&path);
    // A migration that stopped half-way and starts again keeps the copy from before its first
    // step: that is the version the older program knows.
    if let Some(earlier) = read_note(&dir.join(format!("{name}.json")))
        && earlier.to == to
        && earlier.from < from
        && dir.join(&name).is_file()
    {
        return Ok(());
    }
    copy_whole(&path, &dir.join(&name))?;
    let note = Note {
        database: database.to_owned(),
        from,
        to,
        at: crate::clock::now().to_string(),
    };
    let text = serde_json::to_vec_pretty(&note).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let note_path = dir.join(format!("{name}.json"));
    let part = note_path.with_extension("json.part");
    std::fs::write(&part, text)
        .and_then(|()| std::fs::File::open(&part)?.sync_all())
        .map_err(|e| io("cannot write", &part, e))?;
    std::fs::rename(&part, &note_path).map_err(|e| io("cannot rename", &part, e))?;
    tracing::info!(database, from, to, copy = %dir.join(&name).display(), "copy kept before migrating");
    Ok(())
}

/// Called before opening the database at `path` by a program that knows its schema up to
/// `known`: if a newer program migrated it from a version this one knows, and kept its copy,
/// the copy comes back and the newer database goes to `rolled-back/`. True when it did.
pub fn restore_if_rolled_back(path: &Path, known: i64, database: &str) -> Result<bool, StoreError> {
    let name = file_name(path);
    let dir = copies_dir(path);
    let note_path = dir.join(format!("{name}.json"));
    let Some(note) = read_note(&note_path) else {
        return Ok(false);
    };
    let copy = dir.join(&name);
    if note.to <= known || note.from > known || !copy.is_file() || !path.is_file() {
        return Ok(false);
    }
    // The copy is put beside the database first, whole: a power cut before the last rename
    // leaves the newer database where it was, and the note, to try again.
    let back = path.with_extension("restoring");
    copy_whole(&copy, &back)?;
    let aside = path.with_file_name("rolled-back");
    std::fs::create_dir_all(&aside).map_err(|e| io("cannot create", &aside, e))?;
    let stamp = crate::clock::now().as_second();
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            let to = aside.join(format!("{name}{suffix}.v{}.{stamp}", note.to));
            std::fs::rename(&file, &to).map_err(|e| io("cannot move aside", &file, e))?;
        }
    }
    std::fs::rename(&back, path).map_err(|e| io("cannot rename", &back, e))?;
    std::fs::remove_file(&note_path).map_err(|e| io("cannot remove", &note_path, e))?;
    tracing::warn!(
        database,
        newer = note.to,
        restored = note.from,
        aside = %aside.display(),
        "a newer program had migrated this database and the box went back to this one: its copy \
         from before the migration is back, and the newer database is kept aside"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[&str] = &["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER);"];

    fn version(path: &Path) -> i64 {
        Connection::open(path)
            .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .expect("version")
    }

    #[test]
    fn a_migration_keeps_a_copy_and_an_older_program_takes_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        // The older program: one migration, one row.
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::store::migrations::apply(&mut conn, &TWO[..1], "queue").unwrap();
            conn.execute("INSERT INTO a VALUES (7)", []).unwrap();
        }
        assert!(
            !dir.path().join("pre-migration").exists(),
            "no migration, no copy"
        );
        // The newer program migrates it, keeping the copy at version 1.
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::store::migrations::apply(&mut conn, TWO, "queue").unwrap();
            conn.execute("INSERT INTO a VALUES (8)", []).unwrap();
        }
        assert_eq!(version(&path), 2);
        assert_eq!(version(&dir.path().join("pre-migration/queue.db")), 1);
        // The newer program itself, or one as new, keeps its database.
        assert!(!restore_if_rolled_back(&path, 2, "queue").unwrap());
        // The older program comes back: the copy returns, the newer one is kept aside.
        assert!(restore_if_rolled_back(&path, 1, "queue").unwrap());
        assert_eq!(version(&path), 1);
        let rows: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1, "the copy from before the migration");
        let aside: Vec<String> = std::fs::read_dir(dir.path().join("rolled-back"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            aside.iter().any(|n| n.starts_with("queue.db.v2.")),
            "{aside:?}"
        );
        // Once taken back, the note is gone: a second start changes nothing.
        assert!(!restore_if_rolled_back(&path, 1, "queue").unwrap());
        let mut conn = Connection::open(&path).unwrap();
        crate::store::migrations::apply(&mut conn, &TWO[..1], "queue").unwrap();
    }

    #[test]
    fn without_a_copy_a_newer_database_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.db");
        let mut conn = Connection::open(&path).unwrap();
        crate::store::migrations::apply(&mut conn, TWO, "accounts").unwrap();
        drop(conn);
        assert!(!restore_if_rolled_back(&path, 1, "accounts").unwrap());
        let mut conn = Connection::open(&path).unwrap();
        let e = crate::store::migrations::apply(&mut conn, &TWO[..1], "accounts").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("accounts database is newer than this program"),
            "{e}"
        );
    }

    #[test]
    fn a_broken_note_is_no_way_back_and_stops_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        std::fs::create_dir_all(dir.path().join("pre-migration")).unwrap();
        std::fs::write(dir.path().join("pre-migration/queue.db.json"), b"{not json").unwrap();
        assert!(!restore_if_rolled_back(&path, 1, "queue").unwrap());
    }

    #[test]
    fn a_migration_stopped_half_way_keeps_the_copy_from_before_its_first_step() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            crate::store::migrations::apply(&mut conn, &TWO[..1], "queue").unwrap();
        }
        // The newer program: migration 2 commits, migration 3 fails.
        let broken: &[&str] = &[TWO[0], TWO[1], "THIS IS NOT SQL"];
        {
            let mut conn = Connection::open(&path).unwrap();
            assert!(crate::store::migrations::apply(&mut conn, broken, "queue").is_err());
        }
        assert_eq!(version(&path), 2);
        // Restarted, it fails again; the copy is still the version-1 one.
        {
            let mut conn = Connection::open(&path).unwrap();
            assert!(crate::store::migrations::apply(&mut conn, broken, "queue").is_err());
        }
        assert_eq!(version(&dir.path().join("pre-migration/queue.db")), 1);
        // The older program takes it back.
        assert!(restore_if_rolled_back(&path, 1, "queue").unwrap());
        assert_eq!(version(&path), 1);
        assert!(!path.with_extension("restoring").exists());
    }
}
