//! Numbered schema migrations for `queue.db`, applied in order inside one transaction each and
//! recorded in `PRAGMA user_version`. Never edit a migration that has shipped: add the next one.

use super::StoreError;
use rusqlite::Connection;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: tickets and their events.
    "CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,                    -- local date, YYYY-MM-DD
        letter TEXT NOT NULL,                 -- the service that numbered it
        seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 999),
        service TEXT NOT NULL,                -- the service whose queue it is in now
        priority INTEGER NOT NULL CHECK (priority IN (0, 1)),
        language TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        issued_at TEXT NOT NULL,              -- RFC 3339, UTC
        state TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'serving', 'served', 'no_show', 'cancelled')),
        desk INTEGER,
        calls INTEGER NOT NULL DEFAULT 0,
        passed_by_priority INTEGER NOT NULL DEFAULT 0,
        called_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        UNIQUE (day, letter, seq)             -- also the index for a day's tickets
    );
    CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets (id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        desk INTEGER,
        account TEXT,
        from_service TEXT,
        to_service TEXT
    );
    CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id);",
    // 2: receipts (the print queue's state per ticket) and the printer's events, for the
    // technician. Written by the print queue (`printer::queue`), never by the queue writer.
    "CREATE TABLE receipts (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
        state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at TEXT NOT NULL,              -- RFC 3339, UTC
        updated_at TEXT NOT NULL,
        last_error TEXT
    );
    CREATE INDEX receipts_pending ON receipts (state) WHERE state != 'printed';
    CREATE TABLE printer_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,                   -- state_changed, print_failed, printed_late, dropped
        printer_state TEXT NOT NULL,          -- ready, paper_out, cover_open, offline, unknown
        ticket_id INTEGER REFERENCES tickets (id),
        detail TEXT NOT NULL DEFAULT ''
    );",
    // 3: anonymous satisfaction votes from the kiosk (see `feedback.rs`): the day, never the time.
    "CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,                    -- local date, YYYY-MM-DD
        rating TEXT NOT NULL CHECK (rating IN ('good', 'neutral', 'bad')),
        reason TEXT CHECK (reason IS NULL OR reason IN ('waiting', 'welcome', 'explained', 'documents', 'place')),
        language TEXT NOT NULL
    );
    CREATE INDEX feedback_by_day ON feedback (day);",
    // 4: the reference of procedures (shared, not personal: see `reference.rs`). Every edit is
    // a new version; cases keep the version they followed.
    "CREATE TABLE procedures (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,                   -- the procedure as JSON
        edited_by TEXT NOT NULL,
        edited_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );",
    // 5: running the office without a technician. `office_changes` keeps every change of the
    // office's settings, partners and clock (who, when, what); a row of kind `settings` holds
    // the office's settings after the change, and the newest such row overrides the settings
    // file's services, desks and douars (see `office`). The directory of partners, each
    // version whole (`directory.rs`). A procedure removed by an import is a last version
    // marked retired (cases keep theirs). Backups made, and where they went (`backup.rs`).
    "CREATE TABLE office_changes (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,                     -- RFC 3339, UTC
        actor TEXT NOT NULL,                  -- a staff login
        action TEXT NOT NULL,                 -- service.add, desk.change, douar.remove, clock.set…
        subject TEXT NOT NULL DEFAULT '',     -- a letter, a desk number, a douar, a time
        settings TEXT                         -- the office's settings after the change (JSON)
    );
    CREATE TABLE directory_versions (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL,                   -- the directory as JSON
        edited_by TEXT NOT NULL,
        edited_at TEXT NOT NULL
    );
    ALTER TABLE procedures ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE backups (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('download', 'usb')),
        place TEXT NOT NULL,                  -- the file's name, or the stick's path
        bytes INTEGER NOT NULL,
        actor TEXT NOT NULL
    );",
    // 6: a vote may say which service the visitor came for (asked at the kiosk, never taken
    // from a ticket; see `feedback.rs`).
    "ALTER TABLE feedback ADD COLUMN service TEXT;",
    // 7: the tickets of a month that is over, tallied once (`figures::ticket_months`): a
    // year's figures add twelve tallies instead of reading every ticket. A day's tickets do not
    // change once the day is over (the clock never goes back before the last thing recorded),
    // so a month's tally stays true. `ticket_months_kept` lists the months tallied, with no
    // ticket too.
    "CREATE TABLE ticket_months (
        month TEXT NOT NULL,                  -- YYYY-MM
        figure TEXT NOT NULL,                 -- ended, wait, service, desk
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (month, figure, a, b)
    ) WITHOUT ROWID;
    CREATE TABLE ticket_months_kept (
        month TEXT PRIMARY KEY,
        tickets INTEGER NOT NULL,
        kept_at TEXT NOT NULL                 -- RFC 3339, UTC
    );",
    // 8: the batches of pooled figures the box made (`pooling`): each signed file as it left,
    // and where its push to the province stands. Counts only, nothing personal.
    "CREATE TABLE pool_batches (
        id TEXT PRIMARY KEY,
        period TEXT NOT NULL,                 -- as DHIS2 names it: 2026, 2026Q4, 202611
        period_from TEXT NOT NULL,
        period_to TEXT NOT NULL,
        replaces TEXT REFERENCES pool_batches (id),
        made_at TEXT NOT NULL,                -- RFC 3339, UTC
        made_by TEXT NOT NULL,
        file BLOB NOT NULL,                   -- the signed file, byte for byte
        sha256 TEXT NOT NULL,
        rows INTEGER NOT NULL,
        push_state TEXT NOT NULL DEFAULT 'waiting' CHECK (push_state IN ('waiting', 'sent', 'refused')),
        push_note TEXT,                       -- what the server said, or why it could not be reached
        pushed_at TEXT,
        push_attempts INTEGER NOT NULL DEFAULT 0,
        on_stick TEXT                         -- where it was copied on the backup stick
    );",
    // 9: the letters' templates, the whole set at each version (`papers`, through
    // `versions`): shared between communes like the reference; a printed letter names the
    // version it was made from.
    "CREATE TABLE letter_templates (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL,                   -- the templates as JSON
        edited_by TEXT NOT NULL,
        edited_at TEXT NOT NULL
    );",
    // 10: appointments (`appointments`): booked from a case for a slot, checked in at the
    // kiosk by their token or short code; nothing personal, the case is a number. A ticket of
    // an appointment checked in on time keeps its slot, which puts it ahead of walk-ins.
    "ALTER TABLE tickets ADD COLUMN appointment_slot INTEGER;
    CREATE TABLE appointments (
        id INTEGER PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        code TEXT NOT NULL,
        day TEXT NOT NULL,
        slot_minute INTEGER NOT NULL,
        service TEXT NOT NULL,
        desk INTEGER,
        officer TEXT,
        case_id INTEGER,
        state TEXT NOT NULL DEFAULT 'booked'
            CHECK (state IN ('booked', 'checked_in', 'walk_in', 'missed', 'cancelled')),
        ticket_id INTEGER REFERENCES tickets(id) DEFERRABLE INITIALLY DEFERRED,
        booked_at TEXT NOT NULL,
        booked_by TEXT NOT NULL,
        arrived_at TEXT,
        note TEXT                             -- early or late by how much, who cancelled
    );
    CREATE UNIQUE INDEX appointments_code ON appointments (day, code);
    CREATE INDEX appointments_by_day ON appointments (day, slot_minute);
    CREATE INDEX appointments_by_case ON appointments (case_id);",
    // 11: the commune's projects and the office's activities (`projects`, `activities`), kept
    // version after version (`store/versioned.rs`): the newest is the record. Nothing
    // personal (a project's contact is the commune's, an activity's attendance is counts).
    // Kind, status, sector and day are copied out of the body for the figures.
    "CREATE TABLE project_versions (
        record_id INTEGER NOT NULL CHECK (record_id > 0),
        version INTEGER NOT NULL CHECK (version > 0),
        body TEXT NOT NULL,                   -- baom_domain::projects::Sheet as JSON
        status TEXT NOT NULL,
        sector TEXT NOT NULL,
        edited_by TEXT NOT NULL,
        edited_at TEXT NOT NULL,
        PRIMARY KEY (record_id, version)
    );
    CREATE TABLE project_photos (
        record_id INTEGER PRIMARY KEY,        -- the project; a new photo replaces the old
        mime TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
        bytes BLOB NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
    );
    CREATE TABLE activity_versions (
        record_id INTEGER NOT NULL CHECK (record_id > 0),
        version INTEGER NOT NULL CHECK (version > 0),
        body TEXT NOT NULL,                   -- baom_domain::activities::Activity as JSON
        kind TEXT NOT NULL,
        held_on TEXT NOT NULL,
        edited_by TEXT NOT NULL,
        edited_at TEXT NOT NULL,
        PRIMARY KEY (record_id, version)
    );",
];

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    apply(conn, MIGRATIONS, "queue")
}

/// Brings `conn` to the last of `migrations` (shared by every database of the service).
pub fn apply(conn: &mut Connection, migrations: &[&str], database: &str) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = migrations.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            database: database.to_owned(),
            found: version,
            known,
        });
    }
    // A database with data, about to change: its copy first, for a way back (`rollback.rs`).
    if version > 0 && version < known {
        super::rollback::keep_copy(conn, database, version, known)?;
    }
    for (n, sql) in migrations.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", n as i64 + 1)?;
        tx.commit()?;
        tracing::info!(database, version = n + 1, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_earlier_version_migrates_to_the_latest() {
        for start in 0..=MIGRATIONS.len() {
            let mut conn = Connection::open_in_memory().expect("memory db");
            for (n, sql) in MIGRATIONS.iter().enumerate().take(start) {
                conn.execute_batch(sql).expect("old migration");
                conn.pragma_update(None, "user_version", n as i64 + 1)
                    .expect("version");
            }
            migrate(&mut conn).expect("migrates");
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .expect("version");
            assert_eq!(version, MIGRATIONS.len() as i64);
            migrate(&mut conn).expect("a second run changes nothing");
        }
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        conn.pragma_update(None, "user_version", 99)
            .expect("version");
        assert!(matches!(
            migrate(&mut conn),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
