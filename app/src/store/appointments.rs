//! Appointment rows in `queue.db`: booked by an officer, claimed by the queue writer when the
//! visitor checks in (in the same transaction as their ticket). A booked one whose day is over
//! was missed: the pages read it so ([`Appointment::outcome`]); nothing stores it.

use super::StoreError;
use baom_domain::appointments::Booking;
use baom_domain::catalogue::{DeskNo, Letter};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentState {
    Booked,
    /// Checked in on time: its ticket goes ahead of walk-ins.
    CheckedIn,
    /// Came outside the window: taken as a walk-in.
    WalkIn,
    /// Its day ended without a check-in (kept for rows of earlier versions; now read, see
    /// [`Appointment::outcome`]).
    Missed,
    Cancelled,
}

impl AppointmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentState::Booked => "booked",
            AppointmentState::CheckedIn => "checked_in",
            AppointmentState::WalkIn => "walk_in",
            AppointmentState::Missed => "missed",
            AppointmentState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<AppointmentState> {
        Some(match s {
            "booked" => AppointmentState::Booked,
            "checked_in" => AppointmentState::CheckedIn,
            "walk_in" => AppointmentState::WalkIn,
            "missed" => AppointmentState::Missed,
            "cancelled" => AppointmentState::Cancelled,
            _ => return None,
        })
    }
}

/// One appointment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: i64,
    pub token: String,
    pub code: String,
    pub booking: Booking,
    pub case_id: Option<i64>,
    pub state: AppointmentState,
    pub ticket_id: Option<u64>,
    pub booked_at: Timestamp,
    pub booked_by: String,
    pub arrived_at: Option<Timestamp>,
    pub note: Option<String>,
}

impl Appointment {
    /// What became of it as of `today`: its state, or `missed` for one still booked whose day
    /// is over, or `no_show` when its ticket was then marked no-show (`ticket_no_show`).
    pub fn outcome(&self, today: Date, ticket_no_show: bool) -> &'static str {
        match self.state {
            AppointmentState::Booked if self.booking.day < today => "missed",
            AppointmentState::CheckedIn | AppointmentState::WalkIn if ticket_no_show => "no_show",
            s => s.as_str(),
        }
    }
}

const COLUMNS: &str = "id, token, code, day, slot_minute, service, desk, officer, case_id, state, ticket_id, booked_at, booked_by, arrived_at, note";

fn read(r: &Row<'_>) -> rusqlite::Result<Result<Appointment, StoreError>> {
    let id: i64 = r.get(0)?;
    let day: String = r.get(3)?;
    let slot: i64 = r.get(4)?;
    let service: String = r.get(5)?;
    let desk: Option<i64> = r.get(6)?;
    let state: String = r.get(9)?;
    let ticket: Option<i64> = r.get(10)?;
    let booked_at: String = r.get(11)?;
    let arrived_at: Option<String> = r.get(13)?;
    let (token, code, officer, case_id, booked_by, note) = (
        r.get(1)?,
        r.get(2)?,
        r.get(7)?,
        r.get(8)?,
        r.get(12)?,
        r.get(14)?,
    );
    let bad = move |what: &str| StoreError::Corrupt(format!("appointment {id}: {what}"));
    Ok((|| {
        Ok(Appointment {
            id,
            token,
            code,
            booking: Booking {
                day: day.parse::<Date>().map_err(|_| bad("day"))?,
                slot_minute: u16::try_from(slot).map_err(|_| bad("slot"))?,
                service: service.parse::<Letter>().map_err(|_| bad("service"))?,
                desk: desk
                    .map(|d| u16::try_from(d).map(DeskNo).map_err(|_| bad("desk")))
                    .transpose()?,
                officer,
            },
            case_id,
            state: AppointmentState::parse(&state).ok_or_else(|| bad("state"))?,
            ticket_id: ticket
                .map(|t| u64::try_from(t).map_err(|_| bad("ticket")))
                .transpose()?,
            booked_at: booked_at.parse().map_err(|_| bad("booked_at"))?,
            booked_by,
            arrived_at: arrived_at
                .map(|a| a.parse().map_err(|_| bad("arrived_at")))
                .transpose()?,
            note,
        })
    })())
}

fn collect(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Appointment>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, read)?;
    rows.map(|r| r?).collect()
}

/// The appointments of `day` that hold a slot (not cancelled), by slot.
pub fn of_day(conn: &Connection, day: Date) -> Result<Vec<Appointment>, StoreError> {
    collect(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM appointments WHERE day = ?1 AND state != 'cancelled' ORDER BY slot_minute, id"
        ),
        [day.to_string()],
    )
}

/// A case's appointments, newest first.
pub fn of_case(conn: &Connection, case_id: i64) -> Result<Vec<Appointment>, StoreError> {
    collect(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM appointments WHERE case_id = ?1 ORDER BY day DESC, slot_minute DESC"
        ),
        [case_id],
    )
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Appointment>, StoreError> {
    Ok(collect(
        conn,
        &format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1"),
        [id],
    )?
    .pop())
}

pub fn by_token(conn: &Connection, token: &str) -> Result<Option<Appointment>, StoreError> {
    Ok(collect(
        conn,
        &format!("SELECT {COLUMNS} FROM appointments WHERE token = ?1"),
        [token],
    )?
    .pop())
}

/// The appointment of `day` with the short `code`.
pub fn by_code(
    conn: &Connection,
    day: Date,
    code: &str,
) -> Result<Option<Appointment>, StoreError> {
    Ok(collect(
        conn,
        &format!("SELECT {COLUMNS} FROM appointments WHERE day = ?1 AND code = ?2"),
        params![day.to_string(), code],
    )?
    .pop())
}

/// Whether `code` is already used on `day` (codes are unique per day).
pub fn code_used(conn: &Connection, day: Date, code: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM appointments WHERE day = ?1 AND code = ?2")?
        .query_row(params![day.to_string(), code], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A new booking; returns its id.
pub fn insert(
    conn: &Connection,
    token: &str,
    code: &str,
    booking: &Booking,
    case_id: Option<i64>,
    by: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO appointments (token, code, day, slot_minute, service, desk, officer, case_id, booked_at, booked_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        token,
        code,
        booking.day.to_string(),
        booking.slot_minute,
        booking.service.to_string(),
        booking.desk.map(|d| d.0),
        booking.officer,
        case_id,
        at.to_string(),
        by,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Marks a booked appointment as arrived with its ticket. `false` if it was no longer booked
/// (checked in twice at once, or cancelled meanwhile): the caller then issues nothing.
pub fn claim(
    conn: &Connection,
    id: i64,
    state: AppointmentState,
    ticket: u64,
    at: Timestamp,
    note: Option<&str>,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE appointments SET state = ?2, ticket_id = ?3, arrived_at = ?4, note = ?5
             WHERE id = ?1 AND state = 'booked'",
        )?
        .execute(params![
            id,
            state.as_str(),
            ticket as i64,
            at.to_string(),
            note
        ])?;
    Ok(changed == 1)
}

/// Removes an appointment that was never handed out (its booking was refused after the slot was
/// taken); only while it is still booked.
pub fn remove_unused(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM appointments WHERE id = ?1 AND state = 'booked'")?
        .execute([id])?;
    Ok(())
}

/// Cancels a booked appointment; `false` if it was not booked any more.
pub fn cancel(conn: &Connection, id: i64, by: &str) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE appointments SET state = 'cancelled', note = ?2 WHERE id = ?1 AND state = 'booked'",
        )?
        .execute(params![id, format!("cancelled by {by}")])?;
    Ok(changed == 1)
}
