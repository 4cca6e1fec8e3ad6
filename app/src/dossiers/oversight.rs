//! What supervisors read about the dossiers as a whole: the audit log, its chain verified
//! against its anchors (`accounts.db`'s, and a head printed earlier). Each reading is a line.

use super::audit::{self, Line, Verification};
use super::db::{Db, Result};
use std::collections::HashMap;

/// The names of the people the lines are about, by id (who was erased has none: the log keeps
/// only their number).
fn names_of(conn: &rusqlite::Connection, lines: &[Line]) -> Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare(
        "SELECT CASE WHEN name_latin IS NOT NULL AND name_ar IS NOT NULL THEN name_latin || ' · ' || name_ar
                     ELSE COALESCE(name_latin, name_ar, '') END
         FROM people WHERE id = ?1",
    )?;
    let mut names = HashMap::new();
    for id in lines.iter().filter_map(|l| l.person_id) {
        if names.contains_key(&id) {
            continue;
        }
        let mut rows = stmt.query([id])?;
        if let Some(row) = rows.next()? {
            names.insert(id, row.get::<_, String>(0)?);
        }
    }
    Ok(names)
}

/// The supervisor's reading of the log: the chain verified, the newest lines that pass the
/// filter, and the names of the people they are about. The reading is itself a line.
pub fn review_log(
    db: &mut Db,
    actor: &str,
    filter: &audit::Filter,
    printed: Option<audit::Head>,
    limit: i64,
) -> Result<(Verification, Vec<Line>, HashMap<i64, String>)> {
    let verification = db.verify_audit(printed.as_slice())?;
    db.act(actor, |a| {
        let shown = audit::filtered(a.tx, filter, limit)?;
        let names = names_of(a.tx, &shown)?;
        a.log(
            "audit.verify",
            None,
            None,
            format!(
                "lines={} holds={}",
                verification.lines,
                verification.holds()
            ),
        );
        Ok((verification, shown, names))
    })
}

/// Every line that passes `filter`, newest first, for an export; the export is a line.
pub fn export_log(db: &mut Db, actor: &str, filter: &audit::Filter) -> Result<Vec<Line>> {
    db.act(actor, |a| {
        let lines = audit::filtered(a.tx, filter, i64::MAX)?;
        a.log("audit.export", None, None, format!("found={}", lines.len()));
        Ok(lines)
    })
}

/// A login, refused or let in, from an address: a line of the journal, so that a supervisor
/// sees who came in and who tried (`session.login`, `session.refused`).
pub fn record_login(
    db: &mut Db,
    login: &str,
    let_in: bool,
    address: &str,
    why: &str,
) -> Result<()> {
    // What an unknown visitor typed as a login is kept short, and as the actor only.
    let actor: String = login.chars().filter(|c| !c.is_control()).take(64).collect();
    let (action, detail) = if let_in {
        ("session.login", format!("address={address}"))
    } else {
        ("session.refused", format!("address={address} reason={why}"))
    };
    db.log_event(&actor, action, &detail)
}
