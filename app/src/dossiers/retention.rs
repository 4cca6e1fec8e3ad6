//! The retention period, applied: people whose cases are all closed and who have not been seen
//! for the period are erased, their scans with them, and a report says how many went (by
//! number, never by name); the diaspora register's contacts not heard of for the period go too
//! (`diaspora::purge_stale`). Runs each night and on a supervisor's request.

use super::db::{Db, Result};
use super::scans;
use baom_domain::dossier::retention::due_for_purge;
use jiff::civil::Date;
use rusqlite::params;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PurgeReport {
    pub at: String,
    pub actor: String,
    pub retention_years: i64,
    pub people: i64,
    pub cases: i64,
    pub scans: i64,
    pub person_ids: String,
}

/// What a purge would erase today, before anyone asks for it: people (by number) and their cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preview {
    pub person_ids: Vec<i64>,
    pub cases: i64,
}

/// The people due for erasure on `today` with a period of `years`, and their cases' count.
fn due(db: &Db, today: Date, years: u16) -> Result<Vec<(i64, i64)>> {
    let mut due = Vec::new();
    let mut stmt = db.conn.prepare(
        "SELECT p.id, p.last_activity, EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id AND c.status = 'open'),
                (SELECT count(*) FROM cases c WHERE c.person_id = p.id)
         FROM people p WHERE p.merged_into IS NULL ORDER BY p.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (id, last, open, cases) = row?;
        let Ok(last) = last.parse::<Date>() else {
            continue;
        };
        if due_for_purge(open, last, today, years) {
            due.push((id, cases));
        }
    }
    Ok(due)
}

/// What [`purge`] would erase now; reads nothing but counts and numbers, so it leaves no line.
pub fn preview(db: &Db, today: Date, years: u16) -> Result<Preview> {
    let due = due(db, today, years)?;
    Ok(Preview {
        cases: due.iter().map(|(_, c)| c).sum(),
        person_ids: due.into_iter().map(|(id, _)| id).collect(),
    })
}

pub fn purge(db: &mut Db, actor: &str, today: Date, years: u16) -> Result<PurgeReport> {
    // The diaspora register's contacts without a dossier follow the same period.
    super::diaspora::purge_stale(db, actor, today, years)?;
    let due = due(db, today, years)?;
    if due.is_empty() {
        // Nothing to purge: no report (it would bury the real ones) and no line.
        return Ok(PurgeReport {
            at: crate::clock::now().to_string(),
            actor: actor.to_owned(),
            retention_years: i64::from(years),
            people: 0,
            cases: 0,
            scans: 0,
            person_ids: String::new(),
        });
    }
    let (report, files) = db.act(actor, |a| {
    let tx = a.tx;
    let mut files = Vec::new();
    for (id, _) in &due {
        files.extend(scans::files_of(tx, *id)?);
    }
    for (id, _) in &due {
        tx.execute("DELETE FROM people WHERE id = ?1", [id])?;
        a.log(
            "person.purge",
            Some(*id),
            None,
            format!("retention_years={years}"),
        );
    }
    tx.execute(
        "DELETE FROM households WHERE id NOT IN (SELECT household_id FROM people WHERE household_id IS NOT NULL)",
        [],
    )?;
    let report = PurgeReport {
        at: crate::clock::now().to_string(),
        actor: actor.to_owned(),
        retention_years: i64::from(years),
        people: due.len() as i64,
        cases: due.iter().map(|(_, c)| c).sum(),
        scans: files.len() as i64,
        person_ids: due
            .iter()
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(","),
    };
    tx.execute(
        "INSERT INTO purges (at, actor, retention_years, people, cases, scans, person_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![report.at, report.actor, report.retention_years, report.people, report.cases, report.scans, report.person_ids],
    )?;
    a.log(
        "retention.purge",
        None,
        None,
        format!(
            "people={} cases={} scans={}",
            report.people, report.cases, report.scans
        ),
    );
    Ok((report, files))
    })?;
    for (id, _) in &due {
        db.names.remove(*id as u64);
    }
    scans::remove_files(&db.scans_dir, &files);
    db.compact()?;
    Ok(report)
}

/// Earlier purges, newest first.
pub fn reports(db: &Db) -> Result<Vec<PurgeReport>> {
    let mut stmt = db.conn.prepare(
        "SELECT at, actor, retention_years, people, cases, scans, person_ids FROM purges ORDER BY id DESC LIMIT 50",
    )?;
    Ok(stmt
        .query_map([], |r| {
            Ok(PurgeReport {
                at: r.get(0)?,
                actor: r.get(1)?,
                retention_years: r.get(2)?,
                people: r.get(3)?,
                cases: r.get(4)?,
                scans: r.get(5)?,
                person_ids: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Applies the retention period every six hours while the service runs (once the dossiers are
/// open), as the `retention` actor.
pub async fn nightly(dossiers: super::Dossiers, time_zone: jiff::tz::TimeZone) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(6 * 3600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let today = crate::clock::now()
            .to_zoned_datetime(time_zone.clone())
            .date();
        let years = dossiers.retention_years;
        match dossiers
            .run(move |db| purge(db, "retention", today, years))
            .await
        {
            Ok(report) if report.people > 0 => {
                tracing::info!(
                    people = report.people,
                    cases = report.cases,
                    "retention period applied"
                )
            }
            Ok(_) | Err(super::db::DossierStoreError::Locked) => {}
            Err(e) => tracing::error!(error = %e, "the retention period could not be applied"),
        }
    }
}
