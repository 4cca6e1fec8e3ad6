//! Merging two records of one person: which merges are allowed. A merge keeps one record and
//! folds the other into it (cases, visits, scans, consents move; the other record stays, marked
//! as merged, so its spellings still find the person and an undo can restore it). Storage is
//! `baom::dossiers::merge`.

use super::DossierError;

/// What the store knows of a record about to take part in a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub id: i64,
    /// The record this one was merged into, if it was.
    pub merged_into: Option<i64>,
    /// How many records were merged into this one (and not undone).
    pub absorbed: usize,
}

/// Whether `away` may be folded into `keep`, with the reason given by the supervisor.
pub fn check(keep: Side, away: Side, reason: &str) -> Result<(), DossierError> {
    if keep.id == away.id {
        return Err(DossierError::new(
            "merge_self",
            "person",
            "a person cannot be merged with themselves: choose the other record",
        ));
    }
    if keep.merged_into.is_some() || away.merged_into.is_some() {
        return Err(DossierError::new(
            "merge_already_merged",
            "person",
            "one of the two records was already merged into another: merge with that one",
        ));
    }
    if away.absorbed > 0 {
        return Err(DossierError::new(
            "merge_absorbed",
            "person",
            "this record holds others merged into it: keep it, and merge the other one into it",
        ));
    }
    if reason.trim().is_empty() {
        return Err(DossierError::new(
            "required",
            "merge_reason",
            "say why these two records are one person (the journal keeps it)",
        ));
    }
    if reason.chars().count() > super::MAX_NOTE_CHARS {
        return Err(DossierError::new(
            "too_long",
            "merge_reason",
            format!("at most {} characters", super::MAX_NOTE_CHARS),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(id: i64) -> Side {
        Side {
            id,
            merged_into: None,
            absorbed: 0,
        }
    }

    #[test]
    fn only_two_live_records_merge_and_a_reason_is_said() {
        assert!(check(side(1), side(2), "same phone, same father").is_ok());
        assert_eq!(check(side(1), side(1), "x").unwrap_err().code, "merge_self");
        let merged = Side {
            merged_into: Some(3),
            ..side(2)
        };
        assert_eq!(
            check(side(1), merged, "x").unwrap_err().code,
            "merge_already_merged"
        );
        assert_eq!(
            check(merged, side(1), "x").unwrap_err().code,
            "merge_already_merged"
        );
        let holder = Side {
            absorbed: 1,
            ..side(2)
        };
        assert_eq!(
            check(side(1), holder, "x").unwrap_err().code,
            "merge_absorbed"
        );
        assert!(
            check(holder, side(1), "x").is_ok(),
            "a holder may absorb more"
        );
        assert_eq!(
            check(side(1), side(2), "  ").unwrap_err().field,
            "merge_reason"
        );
    }
}
