//! The retention period (law 09-08: personal data is kept no longer than its purpose needs).
//! A person whose cases are all closed and who has not been seen for the retention period is
//! purged; the purge report lists what went, by number, never by name.

use jiff::ToSpan;
use jiff::civil::Date;

/// The default retention period: five years after the last activity of a closed dossier.
pub const DEFAULT_RETENTION_YEARS: u16 = 5;

/// Is a person due for purging on `today`? `last_activity` is the latest of their visits,
/// case closings and changes; an open case keeps the dossier whatever its age.
pub fn due_for_purge(has_open_case: bool, last_activity: Date, today: Date, years: u16) -> bool {
    if has_open_case {
        return false;
    }
    match last_activity.checked_add(i64::from(years).years()) {
        Ok(end) => end <= today,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn closed_dossiers_go_after_the_period_open_ones_never() {
        let today = date(2026, 11, 24);
        assert!(due_for_purge(false, date(2021, 11, 24), today, 5));
        assert!(!due_for_purge(false, date(2021, 11, 25), today, 5));
        assert!(!due_for_purge(true, date(1990, 1, 1), today, 5));
        assert!(due_for_purge(false, date(2026, 11, 24), today, 0));
    }
}
