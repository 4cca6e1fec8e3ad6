//! What supervisors read about the dossiers as a whole: the audit log, its chain verified
//! against its anchors (`accounts.db`'s, and a head printed earlier). Each reading is a line.

use super::audit::{self, Line, Verification};
use super::db::{Db, Result};

/// The supervisor's reading of the log: the chain verified, and the newest lines (all, or one
/// person's). The reading is itself a line.
pub fn review_log(
    db: &mut Db,
    actor: &str,
    person: Option<i64>,
    printed: Option<audit::Head>,
    limit: i64,
) -> Result<(Verification, Vec<Line>)> {
    let verification = db.verify_audit(printed.as_slice())?;
    db.act(actor, |a| {
        let shown = audit::lines(a.tx, person, limit)?;
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
