//! The audit log: every read and write of a dossier, as an append-only, hash-chained table.
//!
//! Each line's hash covers the previous line's hash and every field of the line, so changing,
//! removing or inserting a line breaks the chain from there on; triggers refuse updates and
//! deletes through SQL. The hash is an HMAC under a key derived from the dossiers' data key, so
//! nobody without the key can make a chain that verifies. Lines hold who, when, which action and
//! the numbers of the person and case, never a name or a note: erasing a person leaves the log
//! whole and anonymous.
//!
//! Whoever holds the key could still cut lines off the end or rewrite the whole chain, so its
//! head (the last line's number and hash) is anchored outside `dossiers.db`: in `accounts.db`
//! after every action, in every backup's header, and on the audit page to print. Verification
//! compares the chain with the anchor: a chain shorter than its anchor was cut, a line whose
//! hash differs from its anchor was rewritten.

use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
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

/// The chain's head: its last line's number and hash. What is anchored outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    /// As printed and typed back: `SEQ:HASH`.
    pub fn parse(text: &str) -> Option<Head> {
        let (seq, hash) = text.trim().split_once(':')?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Head {
            seq: seq.trim().parse().ok()?,
            hash,
        })
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// The fields a line's hash covers, each followed by a 0 byte.
fn fields(prev: &str, line: &Line) -> Vec<u8> {
    let mut out = Vec::new();
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
        out.extend_from_slice(part.as_bytes());
        out.push(0);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A line's hash: HMAC-SHA-256 under the audit key (lines written since the chain is keyed), or
/// plain SHA-256 (lines from before).
fn hash(key: Option<&[u8; 32]>, prev: &str, line: &Line) -> String {
    let data = fields(prev, line);
    match key {
        Some(key) => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
            mac.update(&data);
            hex(&mac.finalize().into_bytes())
        }
        None => hex(&Sha256::digest(&data)),
    }
}

/// When the log's last line was written, if it has one.
pub fn last_at(conn: &Connection) -> rusqlite::Result<Option<jiff::Timestamp>> {
    let at: Option<String> = conn
        .query_row("SELECT at FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(at.and_then(|a| a.parse().ok()))
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
/// commit together, and returns the new head. Only `Db::act` calls this.
pub(super) fn append(
    conn: &Connection,
    key: &[u8; 32],
    actor: &str,
    entry: &Entry,
) -> rusqlite::Result<Head> {
    let last = head(conn)?;
    let (seq, prev) = match last {
        Some(h) => (h.seq + 1, h.hash),
        None => (1, GENESIS.to_owned()),
    };
    let line = Line {
        seq,
        at: crate::clock::now().to_string(),
        actor: actor.to_owned(),
        action: entry.action.clone(),
        person_id: entry.person,
        case_id: entry.case,
        detail: entry.detail.clone(),
    };
    let h = hash(Some(key), &prev, &line);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, actor, action, person_id, case_id, detail, prev_hash, hash, keyed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
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
    Ok(Head { seq, hash: h })
}

/// The chain's head as the database has it.
pub fn head(conn: &Connection) -> rusqlite::Result<Option<Head>> {
    conn.prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| {
            Ok(Head {
                seq: r.get(0)?,
                hash: r.get(1)?,
            })
        })
        .optional()
}

/// What a verification found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verification {
    pub lines: i64,
    /// The first line whose hash or link does not hold, if any.
    pub broken_at: Option<i64>,
    /// The chain ends before the line its anchor recorded: lines were cut off its end.
    pub cut: Option<Cut>,
    /// The anchored line is there but its hash is not the anchored one: the chain was
    /// rewritten (by someone with the key).
    pub rewritten_at: Option<i64>,
    /// The head found, to print and keep.
    pub head: Option<Head>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cut {
    /// The last line the anchor knows of.
    pub anchored: i64,
    /// The last line the chain has.
    pub last: i64,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.broken_at.is_none() && self.cut.is_none() && self.rewritten_at.is_none()
    }
}

/// Walks the whole chain under `key`, and holds it against each of `anchors` (the one in
/// `accounts.db`, a backup's, a printed one).
pub fn verify(
    conn: &Connection,
    key: &[u8; 32],
    anchors: &[Head],
) -> rusqlite::Result<Verification> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, person_id, case_id, detail, prev_hash, hash, keyed FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut lines = 0;
    let mut keyed_seen = false;
    let mut broken_at = None;
    let mut hashes = std::collections::HashMap::new();
    let wanted: std::collections::HashSet<i64> = anchors.iter().map(|a| a.seq).collect();
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
        let keyed: bool = r.get(9)?;
        lines += 1;
        // Once keyed, always keyed: an unkeyed line after a keyed one is a forgery.
        let bad_scheme = keyed_seen && !keyed;
        keyed_seen |= keyed;
        let expected = hash(keyed.then_some(key), &prev, &line);
        if broken_at.is_none()
            && (line.seq != expected_seq
                || stored_prev != prev
                || expected != stored_hash
                || bad_scheme)
        {
            broken_at = Some(line.seq);
        }
        if wanted.contains(&line.seq) {
            hashes.insert(line.seq, stored_hash.clone());
        }
        prev = stored_hash;
        expected_seq = line.seq + 1;
    }
    let last = lines;
    let head = (last > 0).then(|| Head {
        seq: expected_seq - 1,
        hash: prev.clone(),
    });
    let mut cut = None;
    let mut rewritten_at = None;
    for anchor in anchors {
        match hashes.get(&anchor.seq) {
            None if anchor.seq > head.as_ref().map_or(0, |h| h.seq) => {
                cut.get_or_insert(Cut {
                    anchored: anchor.seq,
                    last: head.as_ref().map_or(0, |h| h.seq),
                });
            }
            Some(h) if *h != anchor.hash => {
                rewritten_at.get_or_insert(anchor.seq);
            }
            _ => {}
        }
    }
    Ok(Verification {
        lines,
        broken_at,
        cut,
        rewritten_at,
        head,
    })
}

/// The hash of line `seq`, if there is such a line.
pub fn hash_at(conn: &Connection, seq: i64) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
        .optional()
}

/// Which lines a reader asks for; every field left empty lets all lines through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub person: Option<i64>,
    /// A login, exactly.
    pub actor: Option<String>,
    /// An action (`person.read`) or a family of them (`person`).
    pub action: Option<String>,
    /// From this UTC instant on, as `YYYY-MM-DDTHH:MM:SS` (compares below every line written in
    /// that second, whatever its fraction).
    pub from: Option<String>,
    /// Before this UTC instant, in the same form.
    pub before: Option<String>,
}

/// Lines, newest first: all of them, or one person's.
pub fn lines(conn: &Connection, person: Option<i64>, limit: i64) -> rusqlite::Result<Vec<Line>> {
    let filter = Filter {
        person,
        ..Filter::default()
    };
    filtered(conn, &filter, limit)
}

/// Lines that pass `filter`, newest first, at most `limit`.
pub fn filtered(conn: &Connection, filter: &Filter, limit: i64) -> rusqlite::Result<Vec<Line>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, person_id, case_id, detail FROM audit
         WHERE (?1 IS NULL OR person_id = ?1)
           AND (?2 IS NULL OR actor = ?2)
           AND (?3 IS NULL OR action = ?3 OR substr(action, 1, length(?3) + 1) = ?3 || '.')
           AND (?4 IS NULL OR at >= ?4)
           AND (?5 IS NULL OR at < ?5)
         ORDER BY seq DESC LIMIT ?6",
    )?;
    stmt.query_map(
        params![
            filter.person,
            filter.actor,
            filter.action,
            filter.from,
            filter.before,
            limit
        ],
        |r| {
            Ok(Line {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                person_id: r.get(4)?,
                case_id: r.get(5)?,
                detail: r.get(6)?,
            })
        },
    )?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

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

    fn chain(n: i64) -> (Connection, Head) {
        let conn = db();
        let mut last = None;
        for i in 0..n {
            last = Some(append(&conn, &KEY, "amina", &read(i)).expect("append"));
        }
        (conn, last.expect("a line"))
    }

    #[test]
    fn the_chain_holds_until_a_line_is_touched() {
        let (conn, head) = chain(5);
        let v = verify(&conn, &KEY, std::slice::from_ref(&head)).expect("verify");
        assert!(v.holds() && v.lines == 5 && v.head == Some(head), "{v:?}");
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
        assert_eq!(verify(&conn, &KEY, &[]).expect("verify").broken_at, Some(3));
        let (conn, _) = chain(5);
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_delete; DELETE FROM audit WHERE seq = 4;",
        )
        .expect("delete");
        assert_eq!(verify(&conn, &KEY, &[]).expect("verify").broken_at, Some(5));
        assert_eq!(lines(&conn, Some(2), 10).expect("lines").len(), 1);
        // Without the key, a chain recomputed by hand does not verify.
        assert!(
            verify(&conn, &[8; 32], &[])
                .expect("verify")
                .broken_at
                .is_some()
        );
    }

    #[test]
    fn cutting_the_end_or_rewriting_with_the_key_is_caught_by_the_anchor() {
        let (conn, head) = chain(6);
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_delete; DELETE FROM audit WHERE seq >= 5;",
        )
        .expect("cut");
        let v = verify(&conn, &KEY, std::slice::from_ref(&head)).expect("verify");
        assert_eq!(v.broken_at, None, "what is left is a whole chain");
        assert_eq!(
            v.cut,
            Some(Cut {
                anchored: 6,
                last: 4
            })
        );
        assert!(!v.holds());

        // The whole chain rewritten with the key: every link holds, the anchor does not.
        let (conn, head) = chain(4);
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete;
             DELETE FROM audit;",
        )
        .expect("wipe");
        for i in 0..4 {
            append(&conn, &KEY, "someone else", &read(i)).expect("rewrite");
        }
        let v = verify(&conn, &KEY, std::slice::from_ref(&head)).expect("verify");
        assert_eq!((v.broken_at, v.rewritten_at), (None, Some(4)));
        // An anchor older than the chain's head only asks that its line be unchanged.
        let (conn, _) = chain(3);
        let early = verify(&conn, &KEY, &[])
            .expect("verify")
            .head
            .expect("head");
        append(&conn, &KEY, "amina", &read(9)).expect("append");
        assert!(verify(&conn, &KEY, &[early]).expect("verify").holds());
    }

    #[test]
    fn lines_from_before_the_key_still_verify_and_cannot_follow_keyed_ones() {
        let conn = db();
        // Two lines as the service wrote them before the chain was keyed.
        let mut prev = GENESIS.to_owned();
        for seq in 1..=2 {
            let line = Line {
                seq,
                at: "2026-11-24T10:00:00Z".into(),
                actor: "amina".into(),
                action: "person.read".into(),
                person_id: Some(1),
                case_id: None,
                detail: String::new(),
            };
            let h = hash(None, &prev, &line);
            conn.execute(
                "INSERT INTO audit (seq, at, actor, action, person_id, case_id, detail, prev_hash, hash, keyed) VALUES (?1, ?2, ?3, ?4, ?5, NULL, '', ?6, ?7, 0)",
                params![seq, line.at, line.actor, line.action, line.person_id, prev, h],
            )
            .expect("old line");
            prev = h;
        }
        append(&conn, &KEY, "amina", &read(1)).expect("keyed");
        assert!(verify(&conn, &KEY, &[]).expect("verify").holds());
        // An unkeyed line after a keyed one is refused.
        let line = Line {
            seq: 4,
            at: "2026-11-24T10:00:00Z".into(),
            actor: "x".into(),
            action: "person.read".into(),
            person_id: None,
            case_id: None,
            detail: String::new(),
        };
        let prev = head(&conn).expect("head").expect("head").hash;
        let h = hash(None, &prev, &line);
        conn.execute(
            "INSERT INTO audit (seq, at, actor, action, person_id, case_id, detail, prev_hash, hash, keyed) VALUES (4, ?1, 'x', 'person.read', NULL, NULL, '', ?2, ?3, 0)",
            params![line.at, prev, h],
        )
        .expect("forged line");
        assert_eq!(verify(&conn, &KEY, &[]).expect("verify").broken_at, Some(4));
        assert_eq!(
            Head::parse(" 12:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789 "),
            Some(Head {
                seq: 12,
                hash: "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789".into()
            })
        );
        assert_eq!(Head::parse("12:xyz"), None);
    }
}
