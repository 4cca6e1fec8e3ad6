//! The queue store: `queue.db`, a SQLite file in WAL mode with `synchronous=FULL`.
//!
//! It holds no personal data (numbers, services, desks, times), so the lobby works the moment
//! the box boots. Schema changes are numbered migrations ([`migrations`]); rows are read and
//! written in [`tickets`]. Only the queue service's writer thread writes; readers open their
//! own connections.

pub mod appointments;
pub mod migrations;
pub mod receipts;
pub mod rollback;
pub mod tickets;
pub mod versioned;

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "{database} database is newer than this program (schema version {found}, this program knows up to {known}) and no copy from before its migration was kept: install the newer program"
    )]
    TooNew {
        database: String,
        found: i64,
        known: i64,
    },
    #[error("database holds a value this program cannot read: {0}")]
    Corrupt(String),
}

/// Opens (creating if needed) the queue database for writing and brings its schema up to date.
pub fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    rollback::restore_if_rolled_back(path, migrations::MIGRATIONS.len() as i64, "queue")?;
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrations::migrate(&mut conn)?;
    Ok(conn)
}

/// Opens the queue database for writing the print queue's own tables (`receipts`,
/// `printer_events`); the schema must already be there (the queue writer migrates it).
pub fn open_print_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

/// Opens the queue database for reading only (the schema must already be there).
pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// A read-only connection to `queue.db`, shared by the requests that need what the live queue
/// does not hold (other days, tokens, receipts). Reads run off the async threads.
#[derive(Clone)]
pub struct Reader(Arc<Mutex<Connection>>);

impl Reader {
    pub fn open(path: &Path) -> Result<Reader, StoreError> {
        Ok(Reader(Arc::new(Mutex::new(open_reader(path)?))))
    }

    /// Runs `f` on the connection, on a blocking thread.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let conn = conn
                .lock()
                .map_err(|_| StoreError::Corrupt("reader lock poisoned".into()))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("read task failed: {e}")))?
    }
}

/// The time of the last thing recorded in `queue.db` (an event of a ticket or the printer, a
/// change of the office, the reference or the directory, a backup) and in `accounts.db`: the
/// service's clock never dates anything before it (`crate::clock`).
pub fn last_recorded(
    queue_db: &Path,
    accounts: &crate::accounts::Accounts,
) -> Option<jiff::Timestamp> {
    let from_queue = open_reader(queue_db).ok().and_then(|conn| {
        conn.query_row(
            "SELECT max(t) FROM (
                SELECT max(at) AS t FROM ticket_events
                UNION ALL SELECT max(issued_at) FROM tickets
                UNION ALL SELECT max(at) FROM printer_events
                UNION ALL SELECT max(updated_at) FROM receipts
                UNION ALL SELECT max(at) FROM office_changes
                UNION ALL SELECT max(edited_at) FROM procedures
                UNION ALL SELECT max(edited_at) FROM directory_versions
                UNION ALL SELECT max(at) FROM backups)",
            [],
            |r| r.get::<_, Option<String>>(0),
        )
        .ok()
        .flatten()
    });
    let from_accounts = accounts.last_recorded().ok().flatten();
    // Times are RFC 3339 in UTC: compared as text, the error is below a second.
    [from_queue, from_accounts]
        .into_iter()
        .flatten()
        .filter_map(|t| t.parse::<jiff::Timestamp>().ok())
        .max()
}

/// Seconds since the epoch of a timestamp as the service writes them, in UTC
/// (`2026-11-24T09:15:02Z`, with or without a fraction, which is dropped): read by hand,
/// as a year's figures read four per ticket; any other form goes through jiff's parser.
pub fn unix_seconds(text: &str) -> Option<i64> {
    fn written(b: &[u8]) -> Option<i64> {
        let fraction = match b.len() {
            20 => false,
            n if n > 21 && b[19] == b'.' => true,
            _ => return None,
        };
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if b[b.len() - 1] != b'Z'
            || (fraction && !b[20..b.len() - 1].iter().all(u8::is_ascii_digit))
        {
            return None;
        }
        let n = |r: std::ops::Range<usize>| -> Option<i64> {
            b[r].iter().try_fold(0i64, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
            })
        };
        let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
        let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
        Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
    }
    written(text.as_bytes()).or_else(|| text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second()))
}

/// A date as the service writes them (`2026-11-24`, or the first ten characters of a longer
/// text), read by hand: a year's figures read three per case.
pub fn civil_date(text: &str) -> Option<jiff::civil::Date> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0i32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    jiff::civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

/// `day`, or `+day` for a period longer than a month: reading most of a table in order is
/// faster than through its index of days (which would fetch each row apart).
pub fn day_column(from: jiff::civil::Date, to: jiff::civil::Date) -> &'static str {
    if (to - from).get_days() > 31 {
        "+day"
    } else {
        "day"
    }
}

pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    // First, so that even the pragmas below wait for another connection instead of failing.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL lets readers run beside the writer; FULL makes each commit durable across a power cut,
    // because a number on a printed ticket must exist after one.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "journal mode stays {mode:?}, WAL is required"
        )));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{civil_date, unix_seconds};

    #[test]
    fn dates_read_by_hand_are_dates() {
        assert_eq!(
            civil_date("2026-11-24"),
            Some(jiff::civil::date(2026, 11, 24))
        );
        assert_eq!(
            civil_date("2026-11-24T09:00:00Z"),
            Some(jiff::civil::date(2026, 11, 24))
        );
        for bad in [
            "",
            "2026-11",
            "2026-02-30",
            "2026-13-01",
            "20261124xx",
            "2026/11/24",
        ] {
            assert_eq!(civil_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_read_by_hand_agree_with_jiff() {
        let mut t: i64 = -86_400 * 365 * 3;
        while t < 86_400 * 365 * 80 {
            for nanos in [0, 1, 500_000_000, 999_999_999] {
                let ts = jiff::Timestamp::new(t, nanos).unwrap();
                let text = ts.to_string();
                assert_eq!(unix_seconds(&text), Some(t), "{text}");
            }
            t += 86_400 * 17 + 3_607;
        }
        // What is not as the service writes falls back to jiff, or is refused.
        assert_eq!(
            unix_seconds("2026-11-24T09:15:02+01:00"),
            Some(1_795_508_102)
        );
        for bad in [
            "",
            "2026-11-24",
            "2026-13-24T09:15:02Z",
            "2026-11-24T09:15:02.Z",
            "x026-11-24T09:15:02Z",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
    }
}
