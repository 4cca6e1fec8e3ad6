//! The audit log: every read and write of a dossier, as an append-only, hash-chained table.
//!
//! Each line's hash covers the previous line's hash and every field of the line, so changing,
//! removing or inserting a line breaks the chain from there on; triggers refuse updates and
//! deletes through SQL. Lines hold who, when, which action and the numbers of the person and
//! case, never a name or a note: erasing a person leaves the log whole and anonymous.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first line.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub person_id: Option<i64>,
    pub case_id: Option<i64>,
    pub detail: String,
}

fn hash(prev: &str, line: &Line) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &line.seq.to_string(),
        &line.at,
        &line.actor,
        &line.action,
        &line.person_id.map(|p| p.to_string()).unwrap_or_default(),
        &line.case_id.map(|c| c.to_string()).unwrap_or_default(),
        &line.detail,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A line an action asks for (see `Db::act`): the rest (who, when, its place in the chain) is
/// added when it is appended.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: String,
    pub person: Option<i64>,
    pub case: Option<i64>,
    pub detail: String,
}

/// Appends a line inside the action's transaction, so the line and the change it records
/// commit together. Only `Db::act` calls this.
pub(super) fn append(conn: &Connection, actor: &str, entry: &Entry) -> rusqlite::Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let line = Line {
        seq,
        at: jiff::Timestamp::now().to_string(),
        actor: actor.to_owned(),
        action: entry.action.clone(),
        person_id: entry.person,
        case_id: entry.case,
        detail: entry.detail.clone(),
    };
    let h = hash(&prev, &line);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, action, person_id, case_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        line.seq,
        line.at,
        line.actor,
        line.action,
        line.person_id,
        line.case_id,
        line.detail,
        prev,
        h
    ])?;
    Ok(())
}

/// What a verification found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verification {
    pub lines: i64,
    /// The first line whose hash or link does not hold, if any.
    pub broken_at: Option<i64>,
}

/// Walks the whole chain.
pub fn verify(conn: &Connection) -> rusqlite::Result<Verification> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, person_id, case_id, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut lines = 0;
    while let Some(r) = rows.next()? {
        let line = Line {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            person_id: r.get(4)?,
            case_id: r.get(5)?,
            detail: r.get(6)?,
        };
        let stored_prev: String = r.get(7)?;
        let stored_hash: String = r.get(8)?;
        lines += 1;
        if line.seq != expected_seq || stored_prev != prev || hash(&prev, &line) != stored_hash {
            return Ok(Verification {
                lines,
                broken_at: Some(line.seq),
            });
        }
        prev = stored_hash;
        expected_seq += 1;
    }
    Ok(Verification {
        lines,
        broken_at: None,
    })
}

/// Lines, newest first: all of them, or one person's.
pub fn lines(conn: &Connection, person: Option<i64>, limit: i64) -> rusqlite::Result<Vec<Line>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, person_id, case_id, detail FROM audit
         WHERE ?1 IS NULL OR person_id = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    stmt.query_map(params![person, limit], |r| {
        Ok(Line {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            person_id: r.get(4)?,
            case_id: r.get(5)?,
            detail: r.get(6)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::store::migrations::apply(&mut conn, super::super::schema::MIGRATIONS, "dossiers")
            .expect("schema");
        conn
    }

    fn read(person: i64) -> Entry {
        Entry {
            action: "person.read".into(),
            person: Some(person),
            case: None,
            detail: String::new(),
        }
    }

    #[test]
    fn the_chain_holds_until_a_line_is_touched() {
        let conn = db();
        for i in 0..5 {
            append(&conn, "amina", &read(i)).expect("append");
        }
        assert_eq!(
            verify(&conn).expect("verify"),
            Verification {
                lines: 5,
                broken_at: None
            }
        );
        // SQL refuses changes...
        assert!(
            conn.execute("UPDATE audit SET actor = 'x' WHERE seq = 3", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
        // ...and one who drops the guard is caught by the chain.
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete;",
        )
        .expect("drop");
        conn.execute("UPDATE audit SET actor = 'someone' WHERE seq = 3", [])
            .expect("tamper");
        assert_eq!(verify(&conn).expect("verify").broken_at, Some(3));
        let conn = db();
        for i in 0..5 {
            append(&conn, "amina", &read(i)).expect("append");
        }
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_delete; DELETE FROM audit WHERE seq = 4;",
        )
        .expect("delete");
        assert_eq!(verify(&conn).expect("verify").broken_at, Some(5));
        assert_eq!(lines(&conn, Some(2), 10).expect("lines").len(), 1);
    }
}
