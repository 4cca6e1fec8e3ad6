//! The queue engine: a pure state machine over one day's tickets.
//!
//! The service asks [`Queue::decide`] what a command would do at a given time; the answer is
//! an [`Event`] (or a [`QueueError`] and no change). The service writes the event to disk, then
//! hands it to [`Queue::apply`]. Deciding never mutates, so a refused command leaves nothing
//! behind, and every change the queue makes is an event that can be stored and replayed.
//!
//! Rules, in one place:
//! - Numbers are per service and per local day: `A-001`, `A-002`…; the engine holds one day
//!   at a time and [`Queue::roll_over`] starts the next with fresh numbering.
//! - A desk calls the waiting tickets of the services it serves ([`Queue::next_for`]), in this
//!   order: first a ticket that later tickets have passed `max_priority_streak` times at desks
//!   that could have called it (the oldest such), so every waiting ticket is called within a
//!   bound whatever the rules below; then priority tickets (elderly, pregnant, disabled) in issue
//!   order; then appointments checked in on time, by slot then issue order; then the desk's
//!   rules in order ("B when its oldest ticket has waited more than 30 minutes"); then the
//!   desk's order: the longest wait (the default) or its services in the order it lists them.
//! - Within a service and a kind of ticket, tickets are called in issue order: a transferred
//!   ticket keeps its place.
//! - A desk holds at most one ticket (called or being served) at a time; only that desk may
//!   recall, start, finish, mark no-show or transfer it.

mod ticket;
mod wait;

#[cfg(test)]
mod tests;

pub use ticket::{Ticket, TicketId, TicketNumber, TicketState};
pub use wait::Estimate;

use crate::catalogue::{CallOrder, Catalogue, DeskNo, Letter};
use crate::language::Language;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// What someone asks the queue to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Issue {
        service: Letter,
        priority: bool,
        language: Language,
    },
    /// A visitor with an appointment checked in on time for the slot starting at `slot_minute`
    /// (minutes after local midnight): a ticket like [`Command::Issue`]'s that goes ahead of
    /// walk-ins. Whether the arrival is on time is the caller's check (see `crate::appointments`).
    CheckIn {
        service: Letter,
        priority: bool,
        language: Language,
        slot_minute: u16,
    },
    /// The desk calls the next ticket by the queue's rules.
    CallNext {
        desk: DeskNo,
    },
    /// The desk calls one given ticket: a waiting one, or a no-show who came back.
    Call {
        ticket: TicketId,
        desk: DeskNo,
    },
    Recall {
        ticket: TicketId,
        desk: DeskNo,
    },
    Start {
        ticket: TicketId,
        desk: DeskNo,
    },
    Finish {
        ticket: TicketId,
        desk: DeskNo,
    },
    NoShow {
        ticket: TicketId,
        desk: DeskNo,
    },
    /// Send the ticket to another service's queue, at its place by issue time. A called or
    /// served ticket can only be transferred by its desk.
    Transfer {
        ticket: TicketId,
        to: Letter,
        desk: Option<DeskNo>,
    },
    Cancel {
        ticket: TicketId,
        desk: Option<DeskNo>,
    },
}

/// One step of a ticket's life, as decided by the engine and recorded by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub ticket: TicketId,
    pub at: Timestamp,
    pub desk: Option<DeskNo>,
    /// The staff account that acted, if any (the kiosk acts for visitors without one).
    pub account: Option<String>,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Issued {
        day: Date,
        number: TicketNumber,
        priority: bool,
        language: Language,
        /// The slot's start for a ticket of an appointment checked in on time.
        appointment: Option<u16>,
    },
    Called,
    Recalled,
    Started,
    Finished,
    NoShow,
    Transferred {
        from: Letter,
        to: Letter,
    },
    Cancelled,
}

impl Change {
    /// A stable name for storage and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Issued { .. } => "issued",
            Change::Called => "called",
            Change::Recalled => "recalled",
            Change::Started => "started",
            Change::Finished => "finished",
            Change::NoShow => "no_show",
            Change::Transferred { .. } => "transferred",
            Change::Cancelled => "cancelled",
        }
    }
}

/// Why a command was refused. Each has a stable machine code for the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("there is no service {0}")]
    UnknownService(Letter),
    #[error("service {0} is closed now")]
    ServiceClosed(Letter),
    #[error("there is no desk {0}")]
    UnknownDesk(DeskNo),
    #[error("there is no ticket {0} today")]
    UnknownTicket(TicketId),
    #[error("no ticket is waiting for desk {0}")]
    NoWaitingTicket(DeskNo),
    #[error(
        "desk {desk} is still busy with ticket {ticket}: finish it, mark it no-show or transfer it first"
    )]
    DeskBusy { desk: DeskNo, ticket: TicketNumber },
    #[error("desk {desk} does not serve service {service}")]
    DeskDoesNotServe { desk: DeskNo, service: Letter },
    #[error("ticket {ticket} is at desk {at}, not at desk {desk}")]
    WrongDesk {
        ticket: TicketNumber,
        at: DeskNo,
        desk: DeskNo,
    },
    #[error("ticket {ticket} is {state}: it cannot be {action}")]
    InvalidState {
        ticket: TicketNumber,
        state: TicketState,
        action: &'static str,
    },
    #[error("ticket {0} is already in service {1}")]
    TransferToSameService(TicketNumber, Letter),
    #[error("service {0} has issued its {max} tickets for today", max = TicketNumber::MAX_SEQ)]
    DailyLimitReached(Letter),
    #[error("the day changed to {now}: the queue holds {held}, reload it first")]
    DayChanged { held: Date, now: Date },
}

impl QueueError {
    pub fn code(&self) -> &'static str {
        match self {
            QueueError::UnknownService(_) => "unknown_service",
            QueueError::ServiceClosed(_) => "service_closed",
            QueueError::UnknownDesk(_) => "unknown_desk",
            QueueError::UnknownTicket(_) => "unknown_ticket",
            QueueError::NoWaitingTicket(_) => "no_waiting_ticket",
            QueueError::DeskBusy { .. } => "desk_busy",
            QueueError::DeskDoesNotServe { .. } => "desk_does_not_serve",
            QueueError::WrongDesk { .. } => "wrong_desk",
            QueueError::InvalidState { .. } => "invalid_state",
            QueueError::TransferToSameService(..) => "transfer_to_same_service",
            QueueError::DailyLimitReached(_) => "daily_limit_reached",
            QueueError::DayChanged { .. } => "day_changed",
        }
    }
}

/// Why the office's services or desks cannot be replaced now: today's queue still needs what
/// the new catalogue would drop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueChangeError {
    #[error(
        "service {letter} still has {tickets} ticket(s) waiting or at a desk today: serve, transfer or cancel them before removing it"
    )]
    ServiceInUse { letter: Letter, tickets: usize },
    #[error(
        "desk {desk} still holds ticket {ticket}: finish or transfer it before removing the desk"
    )]
    DeskInUse { desk: DeskNo, ticket: TicketNumber },
    #[error("the time zone cannot change while the office runs: change it in the settings file")]
    TimeZone,
}

impl CatalogueChangeError {
    pub fn code(&self) -> &'static str {
        match self {
            CatalogueChangeError::ServiceInUse { .. } => "service_in_use",
            CatalogueChangeError::DeskInUse { .. } => "desk_in_use",
            CatalogueChangeError::TimeZone => "time_zone",
        }
    }
}

/// One day's queue. Cheap to clone: tickets are `Copy` and the catalogue is shared.
#[derive(Debug, Clone)]
pub struct Queue {
    catalogue: Arc<Catalogue>,
    day: Date,
    /// Today's tickets in issue order (ascending id).
    tickets: Vec<Ticket>,
    next_id: TicketId,
    last_seq: BTreeMap<Letter, u16>,
    /// Latest service durations in seconds, per service, newest last.
    recent_secs: BTreeMap<Letter, VecDeque<u32>>,
}

impl Queue {
    /// An empty day. `next_id` is the id the next ticket will get (ids never restart).
    pub fn new(catalogue: Arc<Catalogue>, day: Date, next_id: TicketId) -> Queue {
        Queue {
            catalogue,
            day,
            tickets: Vec::new(),
            next_id,
            last_seq: BTreeMap::new(),
            recent_secs: BTreeMap::new(),
        }
    }

    /// A day rebuilt from the tickets stored for it (any order). Numbering continues after the
    /// highest number stored, and estimates start from today's measured service times.
    pub fn restore(
        catalogue: Arc<Catalogue>,
        day: Date,
        mut tickets: Vec<Ticket>,
        next_id: TicketId,
    ) -> Queue {
        tickets.retain(|t| t.day == day);
        tickets.sort_by_key(|t| t.id);
        let mut queue = Queue::new(catalogue, day, next_id);
        for t in &tickets {
            let seq = queue.last_seq.entry(t.number.letter).or_default();
            *seq = (*seq).max(t.number.seq);
            queue.next_id = queue.next_id.max(TicketId(t.id.0 + 1));
        }
        let mut served: Vec<&Ticket> = tickets.iter().filter(|t| t.finished_at.is_some()).collect();
        served.sort_by_key(|t| t.finished_at);
        for t in served {
            queue.record_service_time(t);
        }
        queue.tickets = tickets;
        queue
    }

    /// Starts `day` with fresh numbering. Tickets of the day before are dropped from memory
    /// (they stay on disk; unfinished ones read back as expired).
    pub fn roll_over(&mut self, day: Date) {
        *self = Queue::new(self.catalogue.clone(), day, self.next_id);
    }

    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    /// The same day under another catalogue (the office's services or desks changed), if
    /// nothing of today's queue depends on what it drops: a service with tickets still waiting,
    /// called or in service, or a desk holding a ticket. Numbering, measured service times and
    /// finished tickets carry over, so a service removed and added back the same day goes on
    /// with its numbers.
    pub fn with_catalogue(&self, catalogue: Arc<Catalogue>) -> Result<Queue, CatalogueChangeError> {
        if catalogue.time_zone() != self.catalogue.time_zone() {
            return Err(CatalogueChangeError::TimeZone);
        }
        let open = |t: &&Ticket| {
            matches!(
                t.state,
                TicketState::Waiting | TicketState::Called | TicketState::Serving
            )
        };
        for service in self.catalogue.services() {
            if catalogue.service(service.letter).is_none() {
                let tickets = self
                    .tickets
                    .iter()
                    .filter(open)
                    .filter(|t| t.service == service.letter)
                    .count();
                if tickets > 0 {
                    return Err(CatalogueChangeError::ServiceInUse {
                        letter: service.letter,
                        tickets,
                    });
                }
            }
        }
        for desk in self.catalogue.desks() {
            if catalogue.desk(desk.number).is_none()
                && let Some(t) = self.at_desk(desk.number)
            {
                return Err(CatalogueChangeError::DeskInUse {
                    desk: desk.number,
                    ticket: t.number,
                });
            }
        }
        Ok(Queue {
            catalogue,
            ..self.clone()
        })
    }

    pub fn day(&self) -> Date {
        self.day
    }

    pub fn next_id(&self) -> TicketId {
        self.next_id
    }

    pub fn tickets(&self) -> &[Ticket] {
        &self.tickets
    }

    pub fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.tickets
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tickets[i])
    }

    /// The ticket at a desk (called or being served), if any.
    pub fn at_desk(&self, desk: DeskNo) -> Option<&Ticket> {
        self.tickets
            .iter()
            .find(|t| t.desk == Some(desk) && t.state.is_at_desk())
    }

    /// Waiting tickets of a service, in issue order.
    pub fn waiting(&self, service: Letter) -> impl Iterator<Item = &Ticket> {
        self.tickets
            .iter()
            .filter(move |t| t.state == TicketState::Waiting && t.service == service)
    }

    /// What `command` would do at `now`, without doing it.
    pub fn decide(
        &self,
        command: &Command,
        account: Option<&str>,
        now: Timestamp,
    ) -> Result<Event, QueueError> {
        let today = self.catalogue.local_day(now);
        if today != self.day {
            return Err(QueueError::DayChanged {
                held: self.day,
                now: today,
            });
        }
        let event = |ticket: TicketId, desk: Option<DeskNo>, change: Change| Event {
            ticket,
            at: now,
            desk,
            account: account.map(str::to_owned),
            change,
        };
        match *command {
            Command::Issue {
                service,
                priority,
                language,
            } => Ok(event(
                self.next_id,
                None,
                self.issue(service, priority, language, None, now)?,
            )),
            Command::CheckIn {
                service,
                priority,
                language,
                slot_minute,
            } => Ok(event(
                self.next_id,
                None,
                self.issue(service, priority, language, Some(slot_minute), now)?,
            )),
            Command::CallNext { desk } => {
                self.free_desk(desk)?;
                let next = self
                    .next_for(desk, now)
                    .ok_or(QueueError::NoWaitingTicket(desk))?;
                Ok(event(next.id, Some(desk), Change::Called))
            }
            Command::Call { ticket, desk } => {
                let t = self.existing(ticket)?;
                self.require(t, &[TicketState::Waiting, TicketState::NoShow], "called")?;
                let d = self.free_desk(desk)?;
                if !d.serves(t.service) {
                    return Err(QueueError::DeskDoesNotServe {
                        desk,
                        service: t.service,
                    });
                }
                Ok(event(ticket, Some(desk), Change::Called))
            }
            Command::Recall { ticket, desk } => self
                .at_own_desk(ticket, desk, &[TicketState::Called], "recalled")
                .map(|_| event(ticket, Some(desk), Change::Recalled)),
            Command::Start { ticket, desk } => self
                .at_own_desk(ticket, desk, &[TicketState::Called], "started")
                .map(|_| event(ticket, Some(desk), Change::Started)),
            Command::Finish { ticket, desk } => self
                .at_own_desk(
                    ticket,
                    desk,
                    &[TicketState::Called, TicketState::Serving],
                    "finished",
                )
                .map(|_| event(ticket, Some(desk), Change::Finished)),
            Command::NoShow { ticket, desk } => self
                .at_own_desk(ticket, desk, &[TicketState::Called], "marked no-show")
                .map(|_| event(ticket, Some(desk), Change::NoShow)),
            Command::Transfer { ticket, to, desk } => {
                let t = self.existing(ticket)?;
                self.catalogue
                    .service(to)
                    .ok_or(QueueError::UnknownService(to))?;
                if t.service == to {
                    return Err(QueueError::TransferToSameService(t.number, to));
                }
                self.check_actor(
                    t,
                    desk,
                    &[
                        TicketState::Waiting,
                        TicketState::Called,
                        TicketState::Serving,
                    ],
                    "transferred",
                )?;
                Ok(event(
                    ticket,
                    desk,
                    Change::Transferred {
                        from: t.service,
                        to,
                    },
                ))
            }
            Command::Cancel { ticket, desk } => {
                let t = self.existing(ticket)?;
                self.check_actor(
                    t,
                    desk,
                    &[TicketState::Waiting, TicketState::Called],
                    "cancelled",
                )?;
                Ok(event(ticket, desk, Change::Cancelled))
            }
        }
    }

    /// Records a decided event. Returns the ids of every ticket it changed (the ticket itself, and
    /// ordinary tickets passed by a priority call), for the store to write back.
    ///
    /// Events must come from [`Queue::decide`] on this same state; anything else is a bug in the
    /// caller, and is ignored rather than corrupting the day.
    pub fn apply(&mut self, event: &Event) -> Vec<TicketId> {
        let mut changed = vec![event.ticket];
        if let Change::Issued {
            day,
            number,
            priority,
            language,
            appointment,
        } = event.change
        {
            if day != self.day || event.ticket < self.next_id {
                return Vec::new();
            }
            self.tickets.push(Ticket {
                id: event.ticket,
                day,
                number,
                service: number.letter,
                priority,
                appointment,
                language,
                issued_at: event.at,
                state: TicketState::Waiting,
                desk: None,
                calls: 0,
                passed: 0,
                called_at: None,
                started_at: None,
                finished_at: None,
            });
            self.last_seq.insert(number.letter, number.seq);
            self.next_id = TicketId(event.ticket.0 + 1);
            return changed;
        }
        let Ok(index) = self.tickets.binary_search_by_key(&event.ticket, |t| t.id) else {
            return Vec::new();
        };
        let at = event.at;
        match event.change {
            Change::Issued { .. } => unreachable!("handled above"),
            Change::Called => {
                let desk = event.desk;
                let called = self.tickets[index];
                changed.extend(self.mark_passed(&called, desk));
                let t = &mut self.tickets[index];
                t.state = TicketState::Called;
                t.desk = desk;
                t.calls = t.calls.saturating_add(1);
                t.called_at = Some(at);
                t.started_at = None;
            }
            Change::Recalled => {
                let t = &mut self.tickets[index];
                t.calls = t.calls.saturating_add(1);
                t.called_at = Some(at);
            }
            Change::Started => {
                let t = &mut self.tickets[index];
                t.state = TicketState::Serving;
                t.started_at = Some(at);
            }
            Change::Finished => {
                let t = &mut self.tickets[index];
                t.state = TicketState::Served;
                t.finished_at = Some(at);
                let t = *t;
                self.record_service_time(&t);
            }
            Change::NoShow => self.tickets[index].state = TicketState::NoShow,
            Change::Transferred { to, .. } => {
                // Keep "within a service, an older ticket was passed at least as often as a newer
                // one" (so the bound never lets a newer ticket overtake an older one): the ticket
                // takes at least the count of newer ones, and older ones at least its own.
                let id = self.tickets[index].id;
                let newer_passed = self
                    .waiting(to)
                    .filter(|o| o.id > id)
                    .map(|o| o.passed)
                    .max()
                    .unwrap_or(0);
                let t = &mut self.tickets[index];
                t.passed = t.passed.max(newer_passed);
                t.service = to;
                t.state = TicketState::Waiting;
                t.desk = None;
                t.called_at = None;
                t.started_at = None;
                let passed = t.passed;
                for o in &mut self.tickets {
                    if o.state == TicketState::Waiting
                        && o.service == to
                        && o.id < id
                        && o.passed < passed
                    {
                        o.passed = passed;
                        changed.push(o.id);
                    }
                }
            }
            Change::Cancelled => self.tickets[index].state = TicketState::Cancelled,
        }
        changed
    }

    /// The ticket `desk` would call next at `now`, by the rules in the module docs.
    pub fn next_for(&self, desk: DeskNo, now: Timestamp) -> Option<&Ticket> {
        let d = self.catalogue.desk(desk)?;
        let max_streak = self.catalogue.rules().max_priority_streak;
        let candidates = || {
            self.tickets
                .iter()
                .filter(|t| t.state == TicketState::Waiting && d.serves(t.service))
        };
        // Issue order is id order, so the first match of each filter is the oldest.
        let due = || candidates().find(|t| t.passed >= max_streak);
        let priority = || candidates().find(|t| t.priority);
        let appointment = || {
            candidates()
                .filter_map(|t| t.appointment.map(|slot| (slot, t)))
                .min_by_key(|(slot, t)| (*slot, t.id))
                .map(|(_, t)| t)
        };
        let by_rule = || {
            d.rules.iter().find_map(|rule| {
                let limit = jiff::SignedDuration::from_mins(i64::from(rule.waited_minutes));
                candidates()
                    .find(|t| t.service == rule.service)
                    .filter(|t| now.duration_since(t.issued_at) > limit)
            })
        };
        let by_order = || match d.order {
            CallOrder::LongestWait => candidates().next(),
            CallOrder::Listed => d
                .services
                .iter()
                .find_map(|&s| candidates().find(|t| t.service == s)),
        };
        due()
            .or_else(priority)
            .or_else(appointment)
            .or_else(by_rule)
            .or_else(by_order)
    }

    /// The waiting tickets of the office that have waited longer than their service's target
    /// at `now`, oldest first.
    pub fn past_target(&self, now: Timestamp) -> impl Iterator<Item = &Ticket> {
        self.tickets.iter().filter(move |t| {
            t.state == TicketState::Waiting
                && self
                    .catalogue
                    .service(t.service)
                    .and_then(|s| s.target_wait_minutes)
                    .is_some_and(|m| {
                        now.duration_since(t.issued_at)
                            > jiff::SignedDuration::from_mins(i64::from(m))
                    })
        })
    }

    /// How many waiting tickets of its service will be called before this one, if nothing else
    /// arrives: for an ordinary ticket the priority ones and older ordinary ones, for a priority
    /// ticket the older priority ones. Zero once it is no longer waiting.
    pub fn ahead(&self, id: TicketId) -> usize {
        let Some(t) = self.ticket(id) else { return 0 };
        if t.state != TicketState::Waiting {
            return 0;
        }
        // Priority first, then appointments by slot, then the rest in issue order.
        let rank = |o: &Ticket| match (o.priority, o.appointment) {
            (true, _) => (0, 0, o.id),
            (false, Some(slot)) => (1, slot, o.id),
            (false, None) => (2, 0, o.id),
        };
        self.waiting(t.service)
            .filter(|o| rank(o) < rank(t))
            .count()
    }

    /// People ahead and the estimated wait for a ticket (see [`wait`]).
    pub fn estimate(&self, id: TicketId) -> Estimate {
        let ahead = self.ahead(id);
        let Some(t) = self.ticket(id) else {
            return Estimate {
                ahead,
                wait_secs: 0,
            };
        };
        let desks = self.catalogue.desks_serving(t.service);
        let average = wait::average_secs(
            self.recent_secs.get(&t.service),
            self.catalogue.rules().default_service_secs,
        );
        Estimate {
            ahead,
            wait_secs: wait::wait_secs(ahead, desks, average),
        }
    }

    /// A new ticket of `service`, if the service is open and has numbers left today.
    fn issue(
        &self,
        service: Letter,
        priority: bool,
        language: Language,
        appointment: Option<u16>,
        now: Timestamp,
    ) -> Result<Change, QueueError> {
        let s = self
            .catalogue
            .service(service)
            .ok_or(QueueError::UnknownService(service))?;
        if !s
            .hours
            .is_open(&now.to_zoned_datetime(self.catalogue.time_zone().clone()))
        {
            return Err(QueueError::ServiceClosed(service));
        }
        let seq = self.last_seq.get(&service).copied().unwrap_or(0) + 1;
        if seq > TicketNumber::MAX_SEQ {
            return Err(QueueError::DailyLimitReached(service));
        }
        let number = TicketNumber {
            letter: service,
            seq,
        };
        Ok(Change::Issued {
            day: self.day,
            number,
            priority,
            language,
            appointment,
        })
    }

    fn existing(&self, id: TicketId) -> Result<&Ticket, QueueError> {
        self.ticket(id).ok_or(QueueError::UnknownTicket(id))
    }

    /// The desk, if it exists and holds no ticket.
    fn free_desk(&self, desk: DeskNo) -> Result<&crate::catalogue::Desk, QueueError> {
        let d = self
            .catalogue
            .desk(desk)
            .ok_or(QueueError::UnknownDesk(desk))?;
        if let Some(busy) = self.at_desk(desk) {
            return Err(QueueError::DeskBusy {
                desk,
                ticket: busy.number,
            });
        }
        Ok(d)
    }

    fn require(
        &self,
        t: &Ticket,
        allowed: &[TicketState],
        action: &'static str,
    ) -> Result<(), QueueError> {
        if allowed.contains(&t.state) {
            Ok(())
        } else {
            Err(QueueError::InvalidState {
                ticket: t.number,
                state: t.state,
                action,
            })
        }
    }

    /// The ticket, if it is at `desk` in one of the `allowed` states.
    fn at_own_desk(
        &self,
        id: TicketId,
        desk: DeskNo,
        allowed: &[TicketState],
        action: &'static str,
    ) -> Result<&Ticket, QueueError> {
        self.catalogue
            .desk(desk)
            .ok_or(QueueError::UnknownDesk(desk))?;
        let t = self.existing(id)?;
        self.check_actor(t, Some(desk), allowed, action)?;
        Ok(t)
    }

    /// A ticket at a desk may only be acted on by that desk; a waiting one by anyone.
    fn check_actor(
        &self,
        t: &Ticket,
        desk: Option<DeskNo>,
        allowed: &[TicketState],
        action: &'static str,
    ) -> Result<(), QueueError> {
        if let Some(desk) = desk {
            self.catalogue
                .desk(desk)
                .ok_or(QueueError::UnknownDesk(desk))?;
        }
        self.require(t, allowed, action)?;
        if t.state.is_at_desk()
            && let Some(at) = t.desk
            && desk != Some(at)
        {
            return Err(QueueError::WrongDesk {
                ticket: t.number,
                at,
                desk: desk.unwrap_or(DeskNo(0)),
            });
        }
        Ok(())
    }

    /// A ticket was called at `desk`: every older waiting ticket that desk could have called
    /// instead was passed once more.
    fn mark_passed(&mut self, called: &Ticket, desk: Option<DeskNo>) -> Vec<TicketId> {
        let Some(d) = desk.and_then(|d| self.catalogue.desk(d)).cloned() else {
            return Vec::new();
        };
        let mut passed = Vec::new();
        for t in &mut self.tickets {
            if t.state == TicketState::Waiting && t.id < called.id && d.serves(t.service) {
                t.passed += 1;
                passed.push(t.id);
            }
        }
        passed
    }

    fn record_service_time(&mut self, t: &Ticket) {
        let (Some(begin), Some(end)) = (t.started_at.or(t.called_at), t.finished_at) else {
            return;
        };
        let secs = end
            .duration_since(begin)
            .as_secs()
            .clamp(0, u32::MAX as i64) as u32;
        let window = self.catalogue.rules().recent_window;
        let recent = self.recent_secs.entry(t.service).or_default();
        recent.push_back(secs);
        while recent.len() > window {
            recent.pop_front();
        }
    }
}
