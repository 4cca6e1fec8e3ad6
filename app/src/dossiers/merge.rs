//! Two records of one person merged into one, and undone (the rules are
//! `baom_domain::dossier::merge`). The kept record takes the other's cases, visits, scans and
//! consents, and its household when it has none; the merged-away record stays as it was,
//! marked `merged_into`, so both spellings find the person and nothing it held is lost. Each
//! merge keeps the list of rows it moved, so an undo moves exactly those back.

use super::db::{Db, Result};
use super::names;
use super::people::{self, StoredPerson};
use baom_domain::dossier::merge::{Side, check};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// The rows a merge moved from the merged-away record to the kept one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub cases: Vec<i64>,
    pub visits: Vec<i64>,
    pub scans: Vec<i64>,
    pub consents: Vec<i64>,
    /// The household the kept record took (it had none), if it did.
    pub household: Option<i64>,
}

/// A merge as the person's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub kept: i64,
    pub merged: i64,
    pub reason: String,
    pub moved: Moved,
    pub undone_at: Option<String>,
}

/// Both records side by side, before a merge, with what would move.
#[derive(Debug, Clone)]
pub struct Preview {
    pub keep: StoredPerson,
    pub away: StoredPerson,
    pub moves: Moved,
}

/// The record `id` was merged into, if it was (and not undone).
pub fn merged_into(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT merged_into FROM people WHERE id = ?1", [id], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten())
}

fn side(conn: &Connection, id: i64) -> Result<Side> {
    let merged_into = conn
        .query_row("SELECT merged_into FROM people WHERE id = ?1", [id], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .ok_or(super::DossierStoreError::NotFound("person"))?;
    let absorbed: i64 = conn.query_row(
        "SELECT count(*) FROM people WHERE merged_into = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(Side {
        id,
        merged_into,
        absorbed: usize::try_from(absorbed).unwrap_or(usize::MAX),
    })
}

fn ids(conn: &Connection, sql: &str, away: i64, keep: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(sql)?;
    Ok(stmt
        .query_map(params![away, keep], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// What a merge of `away` into `keep` would move (a visit of a ticket the kept record already
/// has stays where it is: the ticket is in the kept record once).
fn moves(conn: &Connection, keep: &StoredPerson, away: &StoredPerson) -> Result<Moved> {
    let (k, a) = (keep.id, away.id);
    Ok(Moved {
        cases: ids(conn, "SELECT id FROM cases WHERE person_id = ?1 AND ?2 IS NOT NULL ORDER BY id", a, k)?,
        visits: ids(
            conn,
            "SELECT id FROM visits WHERE person_id = ?1 AND (ticket_id IS NULL OR ticket_id NOT IN
                 (SELECT ticket_id FROM visits WHERE person_id = ?2 AND ticket_id IS NOT NULL)) ORDER BY id",
            a,
            k,
        )?,
        scans: ids(conn, "SELECT id FROM scans WHERE person_id = ?1 AND ?2 IS NOT NULL ORDER BY id", a, k)?,
        consents: ids(conn, "SELECT id FROM consents WHERE person_id = ?1 AND ?2 IS NOT NULL ORDER BY id", a, k)?,
        household: match (keep.household_id, away.household_id) {
            (None, Some(h)) => Some(h),
            _ => None,
        },
    })
}

/// Both records and what would move; the reading is a line of the journal.
pub fn preview(db: &mut Db, actor: &str, keep: i64, away: i64) -> Result<Preview> {
    db.act(actor, |a| {
        let k = people::load_any(a.tx, keep)?;
        let w = people::load_any(a.tx, away)?;
        let moves = moves(a.tx, &k, &w)?;
        a.log(
            "person.read",
            Some(keep),
            None,
            format!("merge_preview={away}"),
        );
        Ok(Preview {
            keep: k,
            away: w,
            moves,
        })
    })
}

/// Folds `away` into `keep`, for `reason`; returns the merge's number.
pub fn merge(db: &mut Db, actor: &str, keep: i64, away: i64, reason: &str) -> Result<i64> {
    let (id, names) = db.act(actor, |a| {
        check(side(a.tx, keep)?, side(a.tx, away)?, reason)?;
        let k = people::load_any(a.tx, keep)?;
        let w = people::load_any(a.tx, away)?;
        let moved = moves(a.tx, &k, &w)?;
        for (table, rows) in [
            ("cases", &moved.cases),
            ("visits", &moved.visits),
            ("scans", &moved.scans),
            ("consents", &moved.consents),
        ] {
            let mut stmt =
                a.tx.prepare(&format!("UPDATE {table} SET person_id = ?1 WHERE id = ?2"))?;
            for row in rows {
                stmt.execute(params![keep, row])?;
            }
        }
        if let Some(h) = moved.household {
            a.tx.execute(
                "UPDATE people SET household_id = ?2, relation = ?3 WHERE id = ?1",
                params![keep, h, w.relation],
            )?;
        }
        a.tx.execute(
            "UPDATE people SET merged_into = ?2 WHERE id = ?1",
            params![away, keep],
        )?;
        let json = serde_json::to_string(&moved)
            .map_err(|e| super::DossierStoreError::Unavailable(e.to_string()))?;
        a.tx.execute(
            "INSERT INTO merges (at, actor, kept, merged, reason, moved) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![crate::clock::now().to_string(), actor, keep, away, reason.trim(), json],
        )?;
        let id = a.tx.last_insert_rowid();
        let detail = format!(
            "merge={id} kept={keep} merged={away} cases={} visits={} scans={}",
            moved.cases.len(),
            moved.visits.len(),
            moved.scans.len()
        );
        a.log("person.merge", Some(keep), None, detail.clone());
        a.log("person.merge", Some(away), None, detail);
        Ok((id, names::of_person(a.tx, keep)?))
    })?;
    db.names.remove(away as u64);
    names::put_all(&mut db.names, keep, &names);
    Ok(id)
}

/// Moves back what merge `merge_id` moved and makes the merged-away record a person again.
pub fn undo(db: &mut Db, actor: &str, merge_id: i64) -> Result<()> {
    let (kept, merged, kept_names, merged_names) = db.act(actor, |a| {
        let m = load(a.tx, merge_id)?;
        if m.undone_at.is_some() {
            return Err(baom_domain::dossier::DossierError::new(
                "merge_undone",
                "merge",
                "this merge was already undone",
            )
            .into());
        }
        for (table, rows) in [
            ("cases", &m.moved.cases),
            ("visits", &m.moved.visits),
            ("scans", &m.moved.scans),
            ("consents", &m.moved.consents),
        ] {
            let mut stmt = a.tx.prepare(&format!(
                "UPDATE {table} SET person_id = ?1 WHERE id = ?2 AND person_id = ?3"
            ))?;
            for row in rows {
                stmt.execute(params![m.merged, row, m.kept])?;
            }
        }
        if let Some(h) = m.moved.household {
            a.tx.execute(
                "UPDATE people SET household_id = NULL, relation = NULL WHERE id = ?1 AND household_id = ?2",
                params![m.kept, h],
            )?;
        }
        a.tx.execute(
            "UPDATE people SET merged_into = NULL WHERE id = ?1",
            [m.merged],
        )?;
        a.tx.execute(
            "UPDATE merges SET undone_at = ?2, undone_by = ?3 WHERE id = ?1",
            params![merge_id, crate::clock::now().to_string(), actor],
        )?;
        let detail = format!("merge={merge_id} kept={} merged={}", m.kept, m.merged);
        a.log("person.unmerge", Some(m.kept), None, detail.clone());
        a.log("person.unmerge", Some(m.merged), None, detail);
        Ok((
            m.kept,
            m.merged,
            names::of_person(a.tx, m.kept)?,
            names::of_person(a.tx, m.merged)?,
        ))
    })?;
    names::put_all(&mut db.names, kept, &kept_names);
    names::put_all(&mut db.names, merged, &merged_names);
    Ok(())
}

fn merge_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Merge> {
    let moved: String = r.get(6)?;
    Ok(Merge {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kept: r.get(3)?,
        merged: r.get(4)?,
        reason: r.get(5)?,
        moved: serde_json::from_str(&moved).unwrap_or_default(),
        undone_at: r.get(7)?,
    })
}

const MERGE_COLUMNS: &str = "id, at, actor, kept, merged, reason, moved, undone_at";

fn load(conn: &Connection, id: i64) -> Result<Merge> {
    conn.query_row(
        &format!("SELECT {MERGE_COLUMNS} FROM merges WHERE id = ?1"),
        [id],
        merge_row,
    )
    .optional()?
    .ok_or(super::DossierStoreError::NotFound("merge"))
}

/// The merges a record took part in, newest first.
pub fn of_person(conn: &Connection, person: i64) -> Result<Vec<Merge>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MERGE_COLUMNS} FROM merges WHERE kept = ?1 OR merged = ?1 ORDER BY id DESC"
    ))?;
    Ok(stmt
        .query_map([person], merge_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// The record `id` was merged into, if it was (for a page asked for by an old number).
pub fn kept_of(db: &mut Db, id: i64) -> Result<Option<i64>> {
    merged_into(&db.conn, id)
}

/// The merges a record took part in, for its page.
pub fn history(db: &mut Db, person: i64) -> Result<Vec<Merge>> {
    of_person(&db.conn, person)
}
