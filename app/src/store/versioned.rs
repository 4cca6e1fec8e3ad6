//! Records kept version after version in `queue.db` (a project's sheet, an office activity):
//! each save is a new row `(record_id, version, body, …, edited_by, edited_at)`, the newest
//! version is the record, and nothing saved is ever overwritten. A save names the version its
//! form showed; if another save came first it is refused with who made that one and when, so
//! two people editing at once never lose each other's work silently.
//!
//! The tables (`project_versions`, `activity_versions`) are made by `migrations.rs`; the body is
//! the record as JSON, and a table's extra columns copy out what the figures count.

use rusqlite::{Connection, OptionalExtension, ToSql, TransactionBehavior};

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub edited_by: String,
    pub edited_at: String,
}

/// What a save came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved: the record's id.
    Done(i64),
    /// Another save came after the version the form showed.
    Stale { by: String, at: String },
    /// No record has this id.
    Unknown(i64),
}

fn select(table: &str) -> String {
    format!(
        "SELECT record_id, version, body, edited_by, edited_at FROM {table} v
         WHERE version = (SELECT max(version) FROM {table} WHERE record_id = v.record_id)"
    )
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        version: r.get(1)?,
        body: r.get(2)?,
        edited_by: r.get(3)?,
        edited_at: r.get(4)?,
    })
}

/// Every record's newest version, newest record first.
pub fn all(conn: &Connection, table: &'static str) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(&format!("{} ORDER BY record_id DESC", select(table)))?;
    stmt.query_map([], row)?.collect()
}

/// A record's newest version.
pub fn newest(conn: &Connection, table: &'static str, id: i64) -> rusqlite::Result<Option<Row>> {
    conn.query_row(&format!("{} AND record_id = ?1", select(table)), [id], row)
        .optional()
}

/// Saves `body` as a new record (`id` none) or as the next version of record `id` if `seen` is
/// still its newest, with the table's `extra` columns, in one `IMMEDIATE` transaction.
pub fn save(
    conn: &mut Connection,
    table: &'static str,
    id: Option<(i64, i64)>,
    body: &str,
    extra: &[(&'static str, &dyn ToSql)],
    by: &str,
    now: &str,
) -> rusqlite::Result<Saved> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (record, version) = match id {
        None => {
            let next: i64 = tx.query_row(
                &format!("SELECT coalesce(max(record_id), 0) + 1 FROM {table}"),
                [],
                |r| r.get(0),
            )?;
            (next, 1)
        }
        Some((id, seen)) => match newest(&tx, table, id)? {
            None => return Ok(Saved::Unknown(id)),
            Some(current) if current.version != seen => {
                return Ok(Saved::Stale {
                    by: current.edited_by,
                    at: current.edited_at,
                });
            }
            Some(_) => (id, seen + 1),
        },
    };
    let names: Vec<&str> = extra.iter().map(|(name, _)| *name).collect();
    let marks: Vec<String> = (6..6 + extra.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} (record_id, version, body, edited_by, edited_at{}{})
         VALUES (?1, ?2, ?3, ?4, ?5{}{})",
        if names.is_empty() { "" } else { ", " },
        names.join(", "),
        if marks.is_empty() { "" } else { ", " },
        marks.join(", ")
    );
    let mut values: Vec<&dyn ToSql> = vec![&record, &version, &body, &by, &now];
    values.extend(extra.iter().map(|(_, v)| *v));
    tx.execute(&sql, values.as_slice())?;
    tx.commit()?;
    Ok(Saved::Done(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().expect("memory");
        conn.execute_batch(
            "CREATE TABLE things (record_id INTEGER NOT NULL, version INTEGER NOT NULL,
                body TEXT NOT NULL, colour TEXT NOT NULL, edited_by TEXT NOT NULL,
                edited_at TEXT NOT NULL, PRIMARY KEY (record_id, version));",
        )
        .expect("schema");
        conn
    }

    #[test]
    fn versions_pile_up_the_newest_is_the_record_and_a_stale_save_is_told() {
        let mut conn = db();
        let red: &dyn ToSql = &"red";
        let saved = save(
            &mut conn,
            "things",
            None,
            "a",
            &[("colour", red)],
            "amina",
            "t1",
        );
        assert_eq!(saved, Ok(Saved::Done(1)));
        assert_eq!(
            save(
                &mut conn,
                "things",
                None,
                "b",
                &[("colour", red)],
                "amina",
                "t1"
            ),
            Ok(Saved::Done(2))
        );
        assert_eq!(
            save(
                &mut conn,
                "things",
                Some((1, 1)),
                "a2",
                &[("colour", red)],
                "youssef",
                "t2"
            ),
            Ok(Saved::Done(1))
        );
        assert_eq!(
            save(
                &mut conn,
                "things",
                Some((1, 1)),
                "a3",
                &[("colour", red)],
                "amina",
                "t3"
            ),
            Ok(Saved::Stale {
                by: "youssef".into(),
                at: "t2".into()
            })
        );
        assert_eq!(
            save(
                &mut conn,
                "things",
                Some((9, 1)),
                "x",
                &[("colour", red)],
                "amina",
                "t3"
            ),
            Ok(Saved::Unknown(9))
        );
        let now = newest(&conn, "things", 1).expect("read").expect("there");
        assert_eq!((now.version, now.body.as_str()), (2, "a2"));
        let every: Vec<i64> = all(&conn, "things")
            .expect("all")
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(every, [2, 1]);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM things", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 3, "every version kept");
    }
}
