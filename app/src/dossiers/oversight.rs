//! What supervisors read about the dossiers as a whole: the audit log, its chain verified.
//! Each reading is itself a line.

use super::audit::{self, Line, Verification};
use super::db::{Db, Result};

/// The supervisor's reading of the log: the chain verified, and the newest lines (all, or one
/// person's). The reading is itself a line.
pub fn review_log(
    db: &mut Db,
    actor: &str,
    person: Option<i64>,
    limit: i64,
) -> Result<(Verification, Vec<Line>)> {
    db.act(actor, |a| {
        let verification = audit::verify(a.tx)?;
        let shown = audit::lines(a.tx, person, limit)?;
        a.log(
            "audit.verify",
            None,
            None,
            format!(
                "lines={} broken_at={}",
                verification.lines,
                verification
                    .broken_at
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| "none".into())
            ),
        );
        Ok((verification, shown))
    })
}
