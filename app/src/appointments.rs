//! Appointments (the rules are `baom_domain::appointments`): an officer books a follow-up
//! visit from a case; the visitor gets a slip with a signed token (its QR code) and an
//! eight-digit short code, nothing personal; on the day the kiosk checks them in.
//!
//! - Booking checks the slot against the office's services, desks and what is already
//!   booked, in one `IMMEDIATE` transaction of `queue.db`, so two officers cannot both take
//!   the last place of a slot. The case's audit log records it.
//! - A check-in verifies the token's signature before anything is read (a ticket's token is
//!   not an appointment's), then: on time, a ticket that goes ahead of walk-ins; early or
//!   late, an ordinary ticket and the visitor is told why; another day, refused. The ticket
//!   and the appointment's new state are one transaction of the queue writer.
//! - An appointment still booked once its day is over was missed: read so, never stored, so a
//!   clock set wrong for a while marks nothing for good. The case's page shows each outcome.
//! - The same slip shown again within minutes of its check-in, while its ticket waits, gives
//!   that ticket back (a kiosk's retry after a lost answer); later it is "already used".

use crate::dossiers::{DossierStoreError, Dossiers, cases};
use crate::office::LiveSettings;
use crate::queue_service::{Claim, Done, QueueService, ServiceError};
use crate::store::StoreError;
use crate::store::appointments::{self as rows, Appointment, AppointmentState};
use crate::token::{Purpose, TokenError, TokenKey};
use baom_domain::appointments::{self, Arrival, Booking, BookingError, clock};
use baom_domain::dossier::CaseStatus;
use baom_domain::language::Language;
use baom_domain::queue::{Command, Estimate, Ticket, TicketId, TicketState};
use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum AppointmentError {
    #[error(transparent)]
    Refused(#[from] BookingError),
    #[error("not an appointment: show the QR code of the appointment slip, or type its 8 digits")]
    Malformed,
    #[error("this appointment was not given by this office, or it was altered")]
    Forged,
    #[error("no appointment today has this code: check the digits, or take a ticket")]
    UnknownCode,
    #[error("there is no appointment {0}")]
    Unknown(i64),
    #[error(
        "this appointment is for {day} at {slot}, not today: take a ticket, or come back that day"
    )]
    OtherDay { day: Date, slot: String },
    #[error("this appointment was already used or cancelled ({0})")]
    Used(&'static str),
    #[error("the case is closed: reopen it or open a new one to book a visit")]
    CaseClosed,
    #[error(transparent)]
    Queue(#[from] ServiceError),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tokens: {0}")]
    Token(TokenError),
}

impl AppointmentError {
    pub fn code(&self) -> &'static str {
        match self {
            AppointmentError::Refused(e) => e.code(),
            AppointmentError::Malformed | AppointmentError::Forged => "invalid_appointment",
            AppointmentError::UnknownCode | AppointmentError::Unknown(_) => "unknown_appointment",
            AppointmentError::OtherDay { .. } => "appointment_other_day",
            AppointmentError::Used(_) => "appointment_used",
            AppointmentError::CaseClosed => "case_closed",
            AppointmentError::Queue(_) => "queue",
            AppointmentError::Dossiers(_) => "dossiers",
            AppointmentError::Store(_) | AppointmentError::Token(_) => "storage_unavailable",
        }
    }
}

/// A visitor checked in: their ticket, and how their arrival stood.
#[derive(Debug)]
pub struct CheckedIn {
    pub ticket: Ticket,
    pub estimate: Estimate,
    /// The ticket's token (for its receipt and QR code).
    pub token: Option<String>,
    pub arrival: Arrival,
    pub appointment: Appointment,
    /// The same check-in asked again (a kiosk's retry after a lost answer): its ticket, already
    /// issued and printed, is answered again; nothing new is issued or printed.
    pub replayed: bool,
}

/// How long after a check-in the same slip gives the same ticket back rather than "used".
const REPLAY_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// The office's appointments. Cheap to clone.
#[derive(Clone)]
pub struct Appointments {
    db: PathBuf,
    tokens: TokenKey,
    queue: QueueService,
    dossiers: Dossiers,
    live: LiveSettings,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppointmentError> + Send + 'static,
) -> Result<T, AppointmentError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Corrupt(format!("task failed: {e}")))?
}

impl Appointments {
    /// The appointments in `queue_db` (its schema is the queue writer's, already migrated).
    pub fn new(
        queue_db: &Path,
        tokens: TokenKey,
        queue: QueueService,
        dossiers: Dossiers,
        live: LiveSettings,
    ) -> Appointments {
        Appointments {
            db: queue_db.to_owned(),
            tokens,
            queue,
            dossiers,
            live,
        }
    }

    fn connect(db: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open(db)?;
        crate::store::configure(&conn)?;
        Ok(conn)
    }

    /// Books `booking` for the open case `case_id`, by `actor`; the case's log records it.
    ///
    /// The slot is taken first (the check and the insert in one `IMMEDIATE` transaction of
    /// `queue.db`), then the case's log records the booking with its id; a closed or unknown
    /// case, or a log that cannot be written, takes the row back, so the log never records a
    /// booking that was refused and no appointment exists that the log does not know.
    pub async fn book(
        &self,
        actor: String,
        case_id: i64,
        booking: Booking,
    ) -> Result<Appointment, AppointmentError> {
        let settings = self.live.get();
        let catalogue = self.queue.catalogue();
        let rules = settings.appointments;
        let (db, tokens, by) = (self.db.clone(), self.tokens.clone(), actor.clone());
        let now = crate::clock::now();
        let stored = blocking(move || {
            let mut conn = Self::connect(&db)?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let booked: Vec<Booking> = rows::of_day(&tx, booking.day)?
                .into_iter()
                .map(|a| a.booking)
                .collect();
            appointments::check(&catalogue, &rules, &booking, &booked, now)?;
            // Short codes are unique per day: draw again in the rare case of a collision.
            let (token, code) = loop {
                let token = tokens
                    .issue_for(Purpose::Appointment)
                    .map_err(AppointmentError::Token)?;
                let code = tokens.short_code(&token);
                if !rows::code_used(&tx, booking.day, &code)? {
                    break (token, code);
                }
            };
            let id = rows::insert(&tx, &token, &code, &booking, Some(case_id), &by, now)?;
            let stored = rows::by_id(&tx, id)?.ok_or(AppointmentError::Unknown(id))?;
            tx.commit().map_err(StoreError::from)?;
            Ok(stored)
        })
        .await?;
        let b = &stored.booking;
        let detail = format!(
            "day={} time={} service={} appointment={}",
            b.day,
            clock(b.slot_minute),
            b.service,
            stored.id
        );
        let logged = self
            .dossiers
            .run(move |db| {
                db.act(&actor, |a| {
                    let view = cases::view(a.tx, case_id)?;
                    let open = view.case.status == CaseStatus::Open;
                    let action = if open {
                        "appointment.book"
                    } else {
                        "appointment.refused"
                    };
                    a.log(action, Some(view.case.person_id), Some(case_id), &detail);
                    Ok(open)
                })
            })
            .await;
        match logged {
            Ok(true) => {
                tracing::info!(id = stored.id, day = %b.day, slot = %clock(b.slot_minute), service = %b.service, "appointment booked");
                Ok(stored)
            }
            Ok(false) => {
                self.take_back(stored.id).await?;
                Err(AppointmentError::CaseClosed)
            }
            Err(e) => {
                self.take_back(stored.id).await?;
                Err(e.into())
            }
        }
    }

    /// Removes an appointment just made that was never handed out.
    async fn take_back(&self, id: i64) -> Result<(), AppointmentError> {
        let db = self.db.clone();
        blocking(move || Ok(rows::remove_unused(&Self::connect(&db)?, id)?)).await
    }

    /// Cancels a booked appointment; the case's log records it.
    pub async fn cancel(&self, id: i64, by: String) -> Result<(), AppointmentError> {
        let db = self.db.clone();
        let who = by.clone();
        let a = blocking(move || {
            let conn = Self::connect(&db)?;
            let a = rows::by_id(&conn, id)?.ok_or(AppointmentError::Unknown(id))?;
            if !rows::cancel(&conn, id, &who)? {
                return Err(AppointmentError::Used(a.state.as_str()));
            }
            Ok(a)
        })
        .await?;
        if let Some(case_id) = a.case_id {
            let detail = format!(
                "day={} time={} service={} appointment={id}",
                a.booking.day,
                clock(a.booking.slot_minute),
                a.booking.service
            );
            self.dossiers
                .run(move |db| {
                    db.act(&by, |act| {
                        let view = cases::view(act.tx, case_id)?;
                        act.log(
                            "appointment.cancel",
                            Some(view.case.person_id),
                            Some(case_id),
                            &detail,
                        );
                        Ok(())
                    })
                })
                .await?;
        }
        Ok(())
    }

    pub async fn by_id(&self, id: i64) -> Result<Appointment, AppointmentError> {
        let db = self.db.clone();
        blocking(move || {
            rows::by_id(&Self::connect(&db)?, id)?.ok_or(AppointmentError::Unknown(id))
        })
        .await
    }

    pub async fn of_case(&self, case_id: i64) -> Result<Vec<Appointment>, AppointmentError> {
        let db = self.db.clone();
        blocking(move || Ok(rows::of_case(&Self::connect(&db)?, case_id)?)).await
    }

    pub async fn of_day(&self, day: Date) -> Result<Vec<Appointment>, AppointmentError> {
        let db = self.db.clone();
        blocking(move || Ok(rows::of_day(&Self::connect(&db)?, day)?)).await
    }

    /// The appointment a visitor shows at the kiosk: its token (the QR code) or its short code
    /// (eight digits, spaces and dashes ignored), today's.
    async fn presented(&self, shown: &str, today: Date) -> Result<Appointment, AppointmentError> {
        let digits: String = shown
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let db = self.db.clone();
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            return blocking(move || {
                rows::by_code(&Self::connect(&db)?, today, &digits)?
                    .ok_or(AppointmentError::UnknownCode)
            })
            .await;
        }
        let token = self
            .tokens
            .verify_for(Purpose::Appointment, shown.trim())
            .map_err(|e| match e {
                TokenError::Malformed => AppointmentError::Malformed,
                TokenError::Forged => AppointmentError::Forged,
                other => AppointmentError::Token(other),
            })?;
        blocking(move || {
            rows::by_token(&Self::connect(&db)?, &token)?.ok_or(AppointmentError::Forged)
        })
        .await
    }

    /// The check-in of `a` answered again, if it was checked in minutes ago and its ticket
    /// still waits: a kiosk that lost the first answer and asked again gets the visitor's
    /// ticket, not "already used".
    async fn replay(
        &self,
        a: &Appointment,
        now: Timestamp,
    ) -> Result<Option<CheckedIn>, AppointmentError> {
        let (Some(id), Some(arrived)) = (a.ticket_id, a.arrived_at) else {
            return Ok(None);
        };
        let queue = self.queue.snapshot();
        let Some(ticket) = queue.ticket(TicketId(id)).copied() else {
            return Ok(None);
        };
        if ticket.state != TicketState::Waiting || now.duration_since(arrived) > REPLAY_WINDOW {
            return Ok(None);
        }
        let db = self.db.clone();
        let token = blocking(move || {
            Ok(crate::store::tickets::token_of(
                &Self::connect(&db)?,
                TicketId(id),
            )?)
        })
        .await?;
        // How the first arrival stood, from what the appointment kept of it.
        let minutes = |note: &str| {
            note.split_whitespace()
                .nth(1)
                .and_then(|m| m.parse().ok())
                .unwrap_or(0)
        };
        let arrival = match (ticket.appointment, a.note.as_deref()) {
            (Some(_), _) => Arrival::OnTime,
            (None, Some(n)) if n.starts_with("early") => Arrival::Early {
                minutes: minutes(n),
            },
            (None, n) => Arrival::Late {
                minutes: n.map(minutes).unwrap_or(0),
            },
        };
        Ok(Some(CheckedIn {
            estimate: queue.estimate(ticket.id),
            ticket,
            token,
            arrival,
            appointment: a.clone(),
            replayed: true,
        }))
    }

    /// Checks in the visitor who shows `shown` at `now`: a ticket ahead of walk-ins when on
    /// time, an ordinary one when early or late.
    pub async fn check_in(
        &self,
        shown: &str,
        language: Language,
        priority: bool,
    ) -> Result<CheckedIn, AppointmentError> {
        let now: Timestamp = crate::clock::now();
        let catalogue = self.queue.catalogue();
        let today = catalogue.local_day(now);
        let appointment = self.presented(shown, today).await?;
        let b = &appointment.booking;
        if appointment.state != AppointmentState::Booked {
            return match self.replay(&appointment, now).await? {
                Some(again) => Ok(again),
                None => Err(AppointmentError::Used(appointment.state.as_str())),
            };
        }
        let rules = self.live.get().appointments;
        let arrival = appointments::arrival(&catalogue, &rules, b.day, b.slot_minute, now);
        let (command, state, note) = match arrival {
            Arrival::OtherDay => {
                return Err(AppointmentError::OtherDay {
                    day: b.day,
                    slot: clock(b.slot_minute),
                });
            }
            Arrival::OnTime => (
                Command::CheckIn {
                    service: b.service,
                    priority,
                    language,
                    slot_minute: b.slot_minute,
                },
                AppointmentState::CheckedIn,
                None,
            ),
            Arrival::Early { minutes } | Arrival::Late { minutes } => (
                Command::Issue {
                    service: b.service,
                    priority,
                    language,
                },
                AppointmentState::WalkIn,
                Some(format!(
                    "{} {minutes} min",
                    if matches!(arrival, Arrival::Early { .. }) {
                        "early"
                    } else {
                        "late"
                    }
                )),
            ),
        };
        let claim = Claim {
            appointment: appointment.id,
            state,
            note,
        };
        let done: Done = self.queue.check_in(command, claim).await?;
        tracing::info!(id = appointment.id, number = %done.ticket.number, state = state.as_str(), "appointment checked in");
        Ok(CheckedIn {
            ticket: done.ticket,
            estimate: done.estimate,
            token: done.token,
            replayed: false,
            arrival,
            appointment,
        })
    }
}
