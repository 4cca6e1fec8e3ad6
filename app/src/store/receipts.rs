//! Rows of the print queue: each kiosk ticket's receipt (`receipts`) and the printer's events
//! (`printer_events`). Only the print queue writes them.

use super::StoreError;
use baom_domain::queue::TicketId;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A receipt's state, as the kiosk API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    Queued,
    Printed,
    Failed,
}

impl ReceiptState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptState::Queued => "queued",
            ReceiptState::Printed => "printed",
            ReceiptState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Result<ReceiptState, StoreError> {
        match s {
            "queued" => Ok(ReceiptState::Queued),
            "printed" => Ok(ReceiptState::Printed),
            "failed" => Ok(ReceiptState::Failed),
            other => Err(StoreError::Corrupt(format!("receipt state {other:?}"))),
        }
    }
}

pub fn enqueue(conn: &Connection, ticket: TicketId, now: Timestamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO receipts (ticket_id, state, queued_at, updated_at) VALUES (?1, 'queued', ?2, ?2)
         ON CONFLICT (ticket_id) DO UPDATE SET state = 'queued', updated_at = ?2",
    )?
    .execute(params![ticket.0 as i64, now.to_string()])?;
    Ok(())
}

pub fn set_state(
    conn: &Connection,
    ticket: TicketId,
    state: ReceiptState,
    attempts: u32,
    error: Option<&str>,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE receipts SET state = ?2, attempts = ?3, last_error = ?4, updated_at = ?5 WHERE ticket_id = ?1",
    )?
    .execute(params![
        ticket.0 as i64,
        state.as_str(),
        attempts,
        error,
        now.to_string()
    ])?;
    Ok(())
}

pub fn state(conn: &Connection, ticket: TicketId) -> Result<Option<ReceiptState>, StoreError> {
    let s: Option<String> = conn
        .prepare_cached("SELECT state FROM receipts WHERE ticket_id = ?1")?
        .query_row([ticket.0 as i64], |r| r.get(0))
        .optional()?;
    s.as_deref().map(ReceiptState::parse).transpose()
}

/// Receipts not printed yet, oldest first, with their attempts so far.
pub fn pending(conn: &Connection) -> Result<Vec<(TicketId, u32)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT ticket_id, attempts FROM receipts WHERE state != 'printed' ORDER BY ticket_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?)))?;
    rows.map(|r| {
        let (id, attempts) = r?;
        Ok((TicketId(id as u64), attempts))
    })
    .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct PrinterEvent {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub printer_state: String,
    /// The ticket's number (`A-001`) when the event is about one receipt.
    pub ticket: Option<String>,
    pub ticket_id: Option<i64>,
    pub detail: String,
}

pub fn record_event(
    conn: &Connection,
    now: Timestamp,
    kind: &str,
    printer_state: &str,
    ticket: Option<TicketId>,
    detail: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO printer_events (at, kind, printer_state, ticket_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        now.to_string(),
        kind,
        printer_state,
        ticket.map(|t| t.0 as i64),
        detail
    ])?;
    Ok(())
}

/// The latest events, newest first.
pub fn events(conn: &Connection, limit: usize) -> Result<Vec<PrinterEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.at, e.kind, e.printer_state, e.ticket_id, e.detail,
                CASE WHEN t.id IS NULL THEN NULL ELSE t.letter || '-' || printf('%03d', t.seq) END
         FROM printer_events e LEFT JOIN tickets t ON t.id = e.ticket_id
         ORDER BY e.id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(PrinterEvent {
            id: r.get(0)?,
            at: r.get(1)?,
            kind: r.get(2)?,
            printer_state: r.get(3)?,
            ticket_id: r.get(4)?,
            detail: r.get(5)?,
            ticket: r.get(6)?,
        })
    })?;
    rows.map(|r| r.map_err(StoreError::from)).collect()
}
