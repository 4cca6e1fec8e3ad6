//! The census of migrant households per douar: the households counted in the field, from the
//! monograph or at the desk (`census_households`: counts per household, no name), and the
//! counts from the people who have a dossier (and their households). Counts only, never names;
//! adding and reading are lines in the log.

use super::db::{Db, DossierStoreError, Result};
use baom_domain::figures::census::{Household, Source};
use rusqlite::params;

/// Adds a household counted in the field (or from the monograph, or at the desk).
pub fn add_household(db: &mut Db, actor: &str, h: &Household, now: &str) -> Result<i64> {
    db.act(actor, |a| {
        a.tx.execute(
            "INSERT INTO census_households (douar, size, abroad, internal, returnees, foreigners, countries,
                source, noted_on, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                h.douar,
                h.size,
                h.abroad,
                h.internal,
                h.returnees,
                h.foreigners,
                h.countries.join(","),
                h.source.code(),
                h.noted_on.to_string(),
                actor,
                now
            ],
        )?;
        let id = a.tx.last_insert_rowid();
        a.log("census.add", None, None, format!("household={id}"));
        Ok(id)
    })
}

/// Every household counted (the census is computed from them).
pub fn households(db: &mut Db, actor: &str) -> Result<Vec<Household>> {
    db.act(actor, |a| {
        let mut stmt = a.tx.prepare(
            "SELECT douar, size, abroad, internal, returnees, foreigners, countries, source, noted_on
             FROM census_households ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    [r.get::<_, u16>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bad = |what: &str| DossierStoreError::Unavailable(format!("the census holds an unreadable {what}"));
        let mut out = Vec::with_capacity(rows.len());
        for (douar, [size, abroad, internal, returnees, foreigners], countries, source, noted_on) in rows {
            out.push(Household {
                douar,
                size,
                abroad,
                internal,
                returnees,
                foreigners,
                countries: countries.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
                source: Source::parse(&source).ok_or_else(|| bad("source"))?,
                noted_on: noted_on.parse().map_err(|_| bad("date"))?,
            });
        }
        a.log("census.read", None, None, format!("households={}", out.len()));
        Ok(out)
    })
}

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
