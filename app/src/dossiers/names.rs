//! The in-memory name index over `people` (`baom_domain::names`): built when the database
//! opens, and told of every person created, corrected or erased once their change committed.

use baom_domain::names::NameIndex;
use rusqlite::Connection;

/// Builds the index from every person; a record merged into another is found as that one.
pub fn build(conn: &Connection) -> rusqlite::Result<NameIndex> {
    let mut index = NameIndex::new();
    let mut merged: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    let mut stmt = conn.prepare("SELECT id, name_ar, name_latin, merged_into FROM people")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let ar: Option<String> = r.get(1)?;
        let latin: Option<String> = r.get(2)?;
        match r.get::<_, Option<i64>>(3)? {
            None => put(&mut index, id, ar.as_deref(), latin.as_deref()),
            Some(kept) => merged
                .entry(kept)
                .or_default()
                .extend(ar.into_iter().chain(latin)),
        }
    }
    drop(rows);
    drop(stmt);
    for (kept, _) in merged {
        let names = of_person(conn, kept)?;
        put_all(&mut index, kept, &names);
    }
    Ok(index)
}

/// Every spelling a person is found by: their own names and those of the records merged into
/// them.
pub fn of_person(conn: &Connection, id: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name_ar, name_latin FROM people WHERE id = ?1 OR merged_into = ?1 ORDER BY id = ?1 DESC, id",
    )?;
    let mut names = Vec::new();
    let mut rows = stmt.query([id])?;
    while let Some(r) = rows.next()? {
        names.extend(r.get::<_, Option<String>>(0)?);
        names.extend(r.get::<_, Option<String>>(1)?);
    }
    Ok(names)
}

/// Adds or replaces a person's spellings, as [`of_person`] gives them.
pub fn put_all(index: &mut NameIndex, id: i64, names: &[String]) {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    index.insert(id as u64, &names);
}

/// Adds or replaces a person's names.
pub fn put(index: &mut NameIndex, id: i64, ar: Option<&str>, latin: Option<&str>) {
    let names: Vec<&str> = [ar, latin].into_iter().flatten().collect();
    index.insert(id as u64, &names);
}
