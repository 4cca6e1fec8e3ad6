//! Ticket rows: write an event and the tickets it changed, read a day back.

use super::StoreError;
use baom_domain::catalogue::{DeskNo, Letter};
use baom_domain::language::Language;
use baom_domain::queue::{Change, Event, Ticket, TicketId, TicketNumber, TicketState};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Writes one event and the new state of every ticket it changed. `token` is required for an
/// `Issued` event (it is the ticket's new row) and ignored otherwise.
pub fn record(
    conn: &Connection,
    event: &Event,
    token: Option<&str>,
    changed: &[Ticket],
) -> Result<(), StoreError> {
    for t in changed {
        if matches!(event.change, Change::Issued { .. }) && t.id == event.ticket {
            let token = token
                .ok_or_else(|| StoreError::Corrupt("an issued ticket needs a token".into()))?;
            conn.prepare_cached(
                "INSERT INTO tickets (id, day, letter, seq, service, priority, language, token, issued_at, state, appointment_slot)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                t.id.0 as i64,
                t.day.to_string(),
                t.number.letter.to_string(),
                t.number.seq,
                t.service.to_string(),
                t.priority,
                t.language.code(),
                token,
                t.issued_at.to_string(),
                t.state.as_str(),
                t.appointment,
            ])?;
        } else {
            conn.prepare_cached(
                "UPDATE tickets SET service = ?2, state = ?3, desk = ?4, calls = ?5, passed_by_priority = ?6,
                 called_at = ?7, started_at = ?8, finished_at = ?9 WHERE id = ?1",
            )?
            .execute(params![
                t.id.0 as i64,
                t.service.to_string(),
                t.state.as_str(),
                t.desk.map(|d| d.0),
                t.calls,
                t.passed,
                t.called_at.map(|x| x.to_string()),
                t.started_at.map(|x| x.to_string()),
                t.finished_at.map(|x| x.to_string()),
            ])?;
        }
    }
    let (from, to) = match event.change {
        Change::Transferred { from, to } => (Some(from.to_string()), Some(to.to_string())),
        _ => (None, None),
    };
    conn.prepare_cached("INSERT INTO ticket_events (ticket_id, at, kind, desk, account, from_service, to_service) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![event.ticket.0 as i64, event.at.to_string(), event.change.kind(), event.desk.map(|d| d.0), event.account, from, to])?;
    Ok(())
}

const COLUMNS: &str = "id, day, letter, seq, service, priority, language, issued_at, state, desk, calls, passed_by_priority, called_at, started_at, finished_at, appointment_slot";

/// Every ticket of a local day.
pub fn day(conn: &Connection, day: Date) -> Result<Vec<Ticket>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tickets WHERE day = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([day.to_string()], raw)?;
    rows.map(|r| r.map_err(StoreError::from).and_then(parse))
        .collect()
}

/// The id the next ticket will get: ids are never reused, across days.
pub fn next_id(conn: &Connection) -> Result<TicketId, StoreError> {
    let max: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM tickets", [], |r| r.get(0))?;
    Ok(TicketId(max as u64 + 1))
}

pub fn by_id(conn: &Connection, id: TicketId) -> Result<Option<Ticket>, StoreError> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tickets WHERE id = ?1"))?
        .query_row([id.0 as i64], raw)
        .optional()?;
    row.map(parse).transpose()
}

pub fn by_token(conn: &Connection, token: &str) -> Result<Option<Ticket>, StoreError> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM tickets WHERE token = ?1"))?
        .query_row([token], raw)
        .optional()?;
    row.map(parse).transpose()
}

pub fn token_of(conn: &Connection, id: TicketId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT token FROM tickets WHERE id = ?1")?
        .query_row([id.0 as i64], |r| r.get(0))
        .optional()?)
}

/// A row as SQLite gives it, before the domain's types check it.
struct RawTicket {
    id: i64,
    day: String,
    letter: String,
    seq: i64,
    service: String,
    priority: bool,
    language: String,
    issued_at: String,
    state: String,
    desk: Option<i64>,
    calls: i64,
    passed: i64,
    called_at: Option<String>,
    started_at: Option<String>,
    finished_at: Option<String>,
    appointment: Option<i64>,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<RawTicket> {
    Ok(RawTicket {
        id: r.get(0)?,
        day: r.get(1)?,
        letter: r.get(2)?,
        seq: r.get(3)?,
        service: r.get(4)?,
        priority: r.get(5)?,
        language: r.get(6)?,
        issued_at: r.get(7)?,
        state: r.get(8)?,
        desk: r.get(9)?,
        calls: r.get(10)?,
        passed: r.get(11)?,
        called_at: r.get(12)?,
        started_at: r.get(13)?,
        finished_at: r.get(14)?,
        appointment: r.get(15)?,
    })
}

fn parse(r: RawTicket) -> Result<Ticket, StoreError> {
    let bad = |what: &str, value: &dyn std::fmt::Debug| {
        StoreError::Corrupt(format!("ticket {}: {what} {value:?}", r.id))
    };
    let letter = |s: &str| s.parse::<Letter>().map_err(|_| bad("service letter", &s));
    let time = |s: &str| s.parse::<Timestamp>().map_err(|_| bad("time", &s));
    let opt_time = |s: &Option<String>| s.as_deref().map(time).transpose();
    Ok(Ticket {
        id: TicketId(u64::try_from(r.id).map_err(|_| bad("id", &r.id))?),
        day: r.day.parse::<Date>().map_err(|_| bad("day", &r.day))?,
        number: TicketNumber {
            letter: letter(&r.letter)?,
            seq: u16::try_from(r.seq).map_err(|_| bad("number", &r.seq))?,
        },
        service: letter(&r.service)?,
        priority: r.priority,
        appointment: r
            .appointment
            .map(|m| u16::try_from(m).map_err(|_| bad("appointment slot", &m)))
            .transpose()?,
        language: r
            .language
            .parse::<Language>()
            .map_err(|_| bad("language", &r.language))?,
        issued_at: time(&r.issued_at)?,
        state: r
            .state
            .parse::<TicketState>()
            .map_err(|_| bad("state", &r.state))?,
        desk: r
            .desk
            .map(|d| u16::try_from(d).map(DeskNo).map_err(|_| bad("desk", &d)))
            .transpose()?,
        calls: u16::try_from(r.calls).map_err(|_| bad("calls", &r.calls))?,
        passed: u32::try_from(r.passed).map_err(|_| bad("passed_by_priority", &r.passed))?,
        called_at: opt_time(&r.called_at)?,
        started_at: opt_time(&r.started_at)?,
        finished_at: opt_time(&r.finished_at)?,
    })
}
