//! The JSON shapes the APIs answer with. Kept apart from handlers so the kiosk's contract (a
//! narrower view: no ids, no other tickets) is visible in one place.

use baom_config::Commune;
use baom_domain::catalogue::{Catalogue, Document, Names, Service};
use baom_domain::language::Language;
use baom_domain::queue::{Estimate, Queue, Ticket, TicketState};
use jiff::Timestamp;
use serde::Serialize;

/// A ticket as the LAN API shows it.
#[derive(Serialize)]
pub struct TicketView {
    pub id: u64,
    pub number: String,
    pub day: String,
    /// The service whose queue it is in now.
    pub service: String,
    pub priority: bool,
    pub language: Language,
    /// `waiting`, `called`, `serving`, `served`, `no_show`, `cancelled`, or `expired` for a
    /// ticket of an earlier day that was never finished.
    pub state: &'static str,
    pub desk: Option<u16>,
    pub calls: u16,
    pub issued_at: Timestamp,
    pub called_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub ahead: usize,
    pub estimated_wait_s: u64,
}

/// A ticket as its holder sees it through the kiosk: nothing about anyone else.
#[derive(Serialize)]
pub struct KioskTicketView {
    pub number: String,
    pub service: String,
    pub priority: bool,
    pub language: Language,
    pub state: &'static str,
    pub desk: Option<u16>,
    pub issued_at: Timestamp,
    pub ahead: usize,
    pub estimated_wait_s: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The receipt: `queued`, `printed` or `failed` (null for a ticket issued on the LAN, which
    /// prints none).
    pub receipt: Option<crate::store::receipts::ReceiptState>,
}

/// The state to show: unfinished tickets of another day are `expired`.
pub fn shown_state(t: &Ticket, today: jiff::civil::Date) -> &'static str {
    if t.day != today
        && matches!(
            t.state,
            TicketState::Waiting | TicketState::Called | TicketState::Serving
        )
    {
        "expired"
    } else {
        t.state.as_str()
    }
}

/// People ahead and wait, if the ticket is in today's queue.
pub fn estimate_of(t: &Ticket, queue: &Queue) -> Estimate {
    if t.day == queue.day() {
        queue.estimate(t.id)
    } else {
        Estimate {
            ahead: 0,
            wait_secs: 0,
        }
    }
}

impl TicketView {
    pub fn new(t: &Ticket, queue: &Queue) -> TicketView {
        let e = estimate_of(t, queue);
        TicketView {
            id: t.id.0,
            number: t.number.to_string(),
            day: t.day.to_string(),
            service: t.service.to_string(),
            priority: t.priority,
            language: t.language,
            state: shown_state(t, queue.day()),
            desk: t.desk.map(|d| d.0),
            calls: t.calls,
            issued_at: t.issued_at,
            called_at: t.called_at,
            started_at: t.started_at,
            finished_at: t.finished_at,
            ahead: e.ahead,
            estimated_wait_s: e.wait_secs,
        }
    }
}

impl KioskTicketView {
    pub fn new(
        t: &Ticket,
        estimate: Estimate,
        today: jiff::civil::Date,
        token: Option<String>,
    ) -> KioskTicketView {
        KioskTicketView {
            number: t.number.to_string(),
            service: t.service.to_string(),
            priority: t.priority,
            language: t.language,
            state: shown_state(t, today),
            desk: t.desk.map(|d| d.0),
            issued_at: t.issued_at,
            ahead: estimate.ahead,
            estimated_wait_s: estimate.wait_secs,
            token,
            receipt: None,
        }
    }
}

#[derive(Serialize)]
pub struct CatalogueView<'a> {
    pub commune: CommuneView<'a>,
    pub languages: &'a [Language],
    pub services: Vec<ServiceView<'a>>,
}

#[derive(Serialize)]
pub struct CommuneView<'a> {
    pub name_ar: &'a str,
    pub name_latin: &'a str,
}

#[derive(Serialize)]
pub struct ServiceView<'a> {
    pub letter: String,
    pub names: &'a Names,
    /// The service's own documents, then those of the reference's procedures it lists.
    pub documents: Vec<Document>,
    pub open_now: bool,
    pub waiting: usize,
    /// The wait the office aims for, in seconds, if it set one.
    pub target_wait_s: Option<u32>,
}

impl<'a> CatalogueView<'a> {
    pub fn new(
        commune: &'a Commune,
        catalogue: &'a Catalogue,
        queue: &Queue,
        now: Timestamp,
        documents: impl Fn(&Service) -> Vec<Document>,
    ) -> CatalogueView<'a> {
        let local = now.to_zoned_datetime(catalogue.time_zone().clone());
        let service = |s: &'a Service| ServiceView {
            letter: s.letter.to_string(),
            names: &s.names,
            documents: documents(s),
            open_now: s.hours.is_open(&local),
            waiting: queue.waiting(s.letter).count(),
            target_wait_s: s.target_wait_minutes.map(|m| u32::from(m) * 60),
        };
        CatalogueView {
            commune: CommuneView {
                name_ar: &commune.name_ar,
                name_latin: &commune.name_latin,
            },
            languages: &commune.languages,
            services: catalogue.services().iter().map(service).collect(),
        }
    }
}
