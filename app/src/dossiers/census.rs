//! The census of migrant households per douar, counted from the people who have a dossier
//! (and their households): counts only, never names. Reading it is a line in the log.

use super::db::{Db, Result};

/// One douar's counts (`douar` is empty for people whose douar is not known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DouarCount {
    pub douar: String,
    pub households: i64,
    pub people: i64,
    pub women: i64,
}

/// The counts per douar, in the order of the douars' names.
pub fn by_douar(db: &mut Db, actor: &str) -> Result<Vec<DouarCount>> {
    db.act(actor, |a| {
        let mut stmt = a.tx.prepare(
            "SELECT coalesce(douar, ''),
                    count(DISTINCT coalesce('h' || household_id, 'p' || id)),
                    count(*),
                    sum(sex = 'female')
             FROM people WHERE merged_into IS NULL GROUP BY 1 ORDER BY 1",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DouarCount {
                    douar: r.get(0)?,
                    households: r.get(1)?,
                    people: r.get(2)?,
                    women: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        a.log("census.read", None, None, "");
        Ok(rows)
    })
}

/// How many people and households name `douar` (before it is removed or renamed): a count,
/// and a line in the log.
pub fn douar_usage(db: &mut Db, actor: &str, douar: &str) -> Result<i64> {
    db.act(actor, |a| {
        let n: i64 = a.tx.query_row(
            "SELECT (SELECT count(*) FROM people WHERE douar = ?1)
                  + (SELECT count(*) FROM households WHERE douar = ?1)",
            [douar],
            |r| r.get(0),
        )?;
        a.log("census.douar_usage", None, None, n.to_string());
        Ok(n)
    })
}
