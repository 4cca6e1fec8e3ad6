//! The in-memory name index over `people` (`baom_domain::names`): built when the database
//! opens, and told of every person created, corrected or erased once their change committed.

use baom_domain::names::NameIndex;
use rusqlite::Connection;

/// Builds the index from every person.
pub fn build(conn: &Connection) -> rusqlite::Result<NameIndex> {
    let mut index = NameIndex::new();
    let mut stmt = conn.prepare("SELECT id, name_ar, name_latin FROM people")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let ar: Option<String> = r.get(1)?;
        let latin: Option<String> = r.get(2)?;
        put(&mut index, id, ar.as_deref(), latin.as_deref());
    }
    Ok(index)
}

/// Adds or replaces a person's names.
pub fn put(index: &mut NameIndex, id: i64, ar: Option<&str>, latin: Option<&str>) {
    let names: Vec<&str> = [ar, latin].into_iter().flatten().collect();
    index.insert(id as u64, &names);
}
