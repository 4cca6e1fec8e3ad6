//! What supervisors read about the dossiers as a whole: the audit log, its chain verified
//! against its anchors (`accounts.db`'s, and a head printed earlier). Each reading is a line.

use super::audit::{self, Line, Verification};
use super::db::{Db, Result};

/// The supervisor's reading of the log: the chain verified, and the newest lines (all, or one
/// person's). The reading is itself a line.
pub fn review_log(
    db: &mut Db,
    actor: &str,
    filter: &audit::Filter,
    printed: Option<audit::Head>,
    limit: i64,
) -> Result<(Verification, Vec<Line>)> {
    let verification = db.verify_audit(printed.as_slice())?;
    db.act(actor, |a| {
        let shown = audit::filtered(a.tx, filter, limit)?;
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
        Ok((verification, shown))
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
