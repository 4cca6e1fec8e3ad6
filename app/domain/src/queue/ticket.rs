//! A ticket and the steps of its life.

use crate::catalogue::{DeskNo, Letter};
use crate::language::Language;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A ticket's identity: assigned in issue order, never reused, across days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub u64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The number printed on the ticket: the service letter it was issued for and its rank in that
/// service's day, e.g. `A-007`. It does not change when the ticket is transferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketNumber {
    pub letter: Letter,
    pub seq: u16,
}

impl TicketNumber {
    /// The highest rank a service can issue in one day: numbers have three digits.
    pub const MAX_SEQ: u16 = 999;
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}", self.letter, self.seq)
    }
}

impl FromStr for TicketNumber {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (letter, seq) = s.split_once('-').ok_or(())?;
        let letter = letter.parse().map_err(|_| ())?;
        if seq.len() != 3 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        let seq: u16 = seq.parse().map_err(|_| ())?;
        (1..=Self::MAX_SEQ)
            .contains(&seq)
            .then_some(TicketNumber { letter, seq })
            .ok_or(())
    }
}

impl Serialize for TicketNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where a ticket is in its life. Transfers and recalls are events, not states: a transferred
/// ticket is waiting again (in its new service), a recalled one is still called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called,
    Serving,
    Served,
    NoShow,
    Cancelled,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Waiting => "waiting",
            TicketState::Called => "called",
            TicketState::Serving => "serving",
            TicketState::Served => "served",
            TicketState::NoShow => "no_show",
            TicketState::Cancelled => "cancelled",
        }
    }

    /// Called or serving: the ticket occupies its desk.
    pub fn is_at_desk(self) -> bool {
        matches!(self, TicketState::Called | TicketState::Serving)
    }
}

impl fmt::Display for TicketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "waiting" => TicketState::Waiting,
            "called" => TicketState::Called,
            "serving" => TicketState::Serving,
            "served" => TicketState::Served,
            "no_show" => TicketState::NoShow,
            "cancelled" => TicketState::Cancelled,
            _ => return Err(()),
        })
    }
}

/// A ticket as the queue knows it. Small and `Copy`: the engine's state is cloned into a read
/// snapshot after every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub day: Date,
    pub number: TicketNumber,
    /// The service whose queue the ticket is in now (differs from `number.letter` after a transfer).
    pub service: Letter,
    pub priority: bool,
    /// The start of the appointment's slot (minutes after local midnight) when the visitor
    /// checked in for an appointment on time: the ticket goes ahead of walk-ins.
    pub appointment: Option<u16>,
    pub language: Language,
    pub issued_at: Timestamp,
    pub state: TicketState,
    /// The desk that called it last, while it is called or being served, and after.
    pub desk: Option<DeskNo>,
    /// How many times it was called (1 on the first call, more after recalls).
    pub calls: u16,
    /// How many tickets issued after this one were called before it at a desk that could have
    /// called it (priority visitors, appointments, a desk's rules or order). Bounded by
    /// `QueueRules::max_priority_streak` on call-next. Stored as `passed_by_priority`, its name
    /// from when only priority visitors could pass.
    pub passed: u32,
    pub called_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}
