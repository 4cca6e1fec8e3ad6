//! A person's whole record, across people, cases, visits and scans: what their page shows (read
//! as one logged read), its export for their right of access (law 09-08, art. 7), and its
//! erasure on request.

use super::audit::{self, Line};
use super::cases::{self, Case, CaseView, Visit};
use super::db::{Db, Result};
use super::people::{self, StoredPerson};
use super::scans::{self, ScanInfo};
use baom_domain::dossier::Consent;
use serde::Serialize;

/// `(id, display name, relation)` of a household's members.
pub type Member = (i64, String, Option<String>);

/// Everything a person's page shows.
pub struct PersonRecord {
    pub person: StoredPerson,
    pub consents: Vec<Consent>,
    pub household: Vec<Member>,
    pub cases: Vec<Case>,
    pub visits: Vec<Visit>,
    pub scans: Vec<ScanInfo>,
    /// Who opened this record lately.
    pub access: Vec<Line>,
}

/// Reads a person's record for their page; one read in the log.
pub fn read(db: &mut Db, actor: &str, id: i64) -> Result<PersonRecord> {
    db.act(actor, |a| {
        let person = people::load(a.tx, id)?;
        a.log("person.read", Some(id), None, "");
        Ok(PersonRecord {
            consents: people::consents(a.tx, id)?,
            household: match person.household_id {
                Some(h) => people::household_members(a.tx, h)?,
                None => Vec::new(),
            },
            cases: cases::of_person(a.tx, id)?,
            visits: cases::visits(a.tx, id)?,
            scans: scans::of_person(a.tx, id)?,
            access: audit::lines(a.tx, Some(id), 30)?,
            person,
        })
    })
}

/// Everything kept about a person, for their right of access.
#[derive(Debug, Serialize)]
pub struct Export {
    pub exported_at: String,
    pub person: StoredPerson,
    pub consents: Vec<Consent>,
    pub household: Vec<Member>,
    pub cases: Vec<CaseView>,
    pub visits: Vec<Visit>,
    pub scans: Vec<ScanInfo>,
    pub audit: Vec<Line>,
}

pub fn export(db: &mut Db, actor: &str, id: i64) -> Result<Export> {
    db.act(actor, |a| {
        let person = people::load(a.tx, id)?;
        a.log("person.export", Some(id), None, "");
        let household = match person.household_id {
            Some(h) => people::household_members(a.tx, h)?,
            None => Vec::new(),
        };
        let cases = cases::of_person(a.tx, id)?
            .into_iter()
            .map(|c| cases::view(a.tx, c.id))
            .collect::<Result<Vec<_>>>()?;
        Ok(Export {
            exported_at: crate::clock::now().to_string(),
            consents: people::consents(a.tx, id)?,
            household,
            cases,
            visits: cases::visits(a.tx, id)?,
            scans: scans::of_person(a.tx, id)?,
            audit: audit::lines(a.tx, Some(id), 10_000)?,
            person,
        })
    })
}

/// Erases a person on request: every row about them (cascading), their sealed scans, their
/// place in the name index; households left empty go too. The audit log keeps one line saying
/// a person was erased, by number. The file is vacuumed so no page keeps the old rows. Returns
/// how many sealed files were removed.
pub fn erase(db: &mut Db, actor: &str, id: i64) -> Result<usize> {
    let files = db.act(actor, |a| {
        people::load(a.tx, id)?;
        let files = scans::files_of(a.tx, id)?;
        a.tx.execute("DELETE FROM people WHERE id = ?1", [id])?;
        a.tx.execute(
            "DELETE FROM households WHERE id NOT IN (SELECT household_id FROM people WHERE household_id IS NOT NULL)",
            [],
        )?;
        a.log(
            "person.erase",
            Some(id),
            None,
            format!("scans={}", files.len()),
        );
        Ok(files)
    })?;
    db.names.remove(id as u64);
    let removed = scans::remove_files(&db.scans_dir, &files);
    db.compact()?;
    Ok(removed)
}
