//! The office's figures as the service keeps and computes them: the register of visits (one
//! entry per visit, written at the desk when a ticket is finished or for a visit without a
//! ticket), the figures of a period (`baom_domain::figures::compute` over the register, cases
//! and referrals of `dossiers.db` and the tickets and votes of `queue.db`), their words
//! ([`labels`]) and their exports ([`export`]: CSV and XLSX, small cells suppressed as on the
//! page, and the annual report's DOCX with its charts drawn as pictures by [`chart`]).
//!
//! The register is in `dossiers.db` (a visit's sex, age band, nationality group and douar, with
//! its day and ticket, are about a person), so the figures need the vault open, as the desk does.

pub mod chart;
pub mod export;
pub mod labels;
pub mod ticket_months;

use crate::dossiers::census;
use crate::dossiers::register::{self, RegisterTicket};
use crate::dossiers::{DossierStoreError, Dossiers};
use crate::office::LiveSettings;
use crate::reference::Reference;
use crate::store::{Reader, StoreError};
use baom_domain::dossier::DossierError;
use baom_domain::feedback::{Rating, Reason};
use baom_domain::figures::census::{Census, HouseholdInput};
use baom_domain::figures::compute::{Facts, TicketFacts, VoteFacts};
use baom_domain::figures::register::EntryInput;
use baom_domain::figures::{Figures, Period, PeriodError, Scope};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error(transparent)]
    Period(#[from] PeriodError),
    #[error(transparent)]
    Invalid(#[from] DossierError),
    #[error("no such ticket")]
    UnknownTicket,
    #[error("ticket {0} is not finished: finish it at the desk, then fill in the register")]
    NotFinished(String),
    #[error("nothing was recorded in {0}: there is nothing to export")]
    Empty(String),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the export could not be made: {0}")]
    Export(String),
}

impl FiguresError {
    /// A stable code for the API and the pages.
    pub fn code(&self) -> &'static str {
        match self {
            FiguresError::Period(e) => e.code(),
            FiguresError::Invalid(e) => e.code,
            FiguresError::UnknownTicket => "unknown_ticket",
            FiguresError::NotFinished(_) => "not_finished",
            FiguresError::Empty(_) => "no_data",
            FiguresError::Dossiers(DossierStoreError::Locked) => "dossiers_locked",
            FiguresError::Dossiers(_) | FiguresError::Store(_) | FiguresError::Export(_) => {
                "internal"
            }
        }
    }
}

/// A ticket as the register's form shows it.
#[derive(Debug, Clone)]
pub struct FinishedTicket {
    pub id: u64,
    pub number: String,
    pub service: String,
    pub day: Date,
}

/// The office's figures and register. Cheap to clone.
#[derive(Clone)]
pub struct FiguresBook {
    dossiers: Dossiers,
    queue: Reader,
    live: LiveSettings,
    reference: Reference,
}

fn date(text: &str) -> Result<Date, FiguresError> {
    text.parse()
        .map_err(|_| FiguresError::Store(StoreError::Corrupt(format!("a date {text:?}"))))
}

impl FiguresBook {
    pub fn new(
        dossiers: Dossiers,
        queue: Reader,
        live: LiveSettings,
        reference: Reference,
    ) -> FiguresBook {
        FiguresBook {
            dossiers,
            queue,
            live,
            reference,
        }
    }

    /// Today, in the commune's time zone.
    pub fn today(&self) -> Date {
        crate::clock::now()
            .to_zoned_datetime(self.live.get().catalogue.time_zone().clone())
            .date()
    }

    /// Reads a period as typed (`2026`, `2026-Q4`, `2026-11`, `2026-11-24`), or two dates.
    pub fn period(
        &self,
        text: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Period, FiguresError> {
        let today = self.today();
        Ok(match (text.filter(|t| !t.trim().is_empty()), from, to) {
            (Some(t), _, _) => Period::parse(t, today)?,
            (None, Some(f), Some(t)) if !f.trim().is_empty() || !t.trim().is_empty() => {
                Period::between(f, t, today)?
            }
            _ => Period::parse(&today.year().to_string(), today)?,
        })
    }

    /// A finished ticket (served), by its number in `queue.db`.
    pub async fn finished_ticket(&self, id: u64) -> Result<FinishedTicket, FiguresError> {
        let row = self
            .queue
            .run(move |c| {
                use rusqlite::OptionalExtension;
                Ok(c.query_row(
                    "SELECT letter, seq, service, day, state FROM tickets WHERE id = ?1",
                    [id as i64],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    },
                )
                .optional()?)
            })
            .await?;
        let (letter, seq, service, day, state) = row.ok_or(FiguresError::UnknownTicket)?;
        let number = format!("{letter}-{seq:03}");
        if state != "served" {
            return Err(FiguresError::NotFinished(number));
        }
        Ok(FinishedTicket {
            id,
            number,
            service,
            day: date(&day)?,
        })
    }

    /// What the register's form for a finished ticket starts from (its entry, or its dossier's
    /// fields), and whether it was filled in already.
    pub async fn form_for(
        &self,
        actor: String,
        ticket: u64,
    ) -> Result<(FinishedTicket, EntryInput, bool), FiguresError> {
        let t = self.finished_ticket(ticket).await?;
        let today = self.today();
        let (input, recorded) = self
            .dossiers
            .run(move |db| register::start_for_ticket(db, &actor, ticket, today))
            .await?;
        Ok((t, input, recorded))
    }

    /// The newest of `served` (a desk's finished tickets of today, newest first) that has no
    /// entry in the register yet, with its form's start and how many more are missing.
    pub async fn desk_pending(
        &self,
        actor: String,
        served: Vec<u64>,
    ) -> Result<Option<(FinishedTicket, EntryInput, usize)>, FiguresError> {
        if served.is_empty() {
            return Ok(None);
        }
        let missing = self
            .dossiers
            .run(move |db| register::unrecorded(db, &served))
            .await?;
        let Some(&first) = missing.first() else {
            return Ok(None);
        };
        let (ticket, input, _) = self.form_for(actor, first).await?;
        Ok(Some((ticket, input, missing.len() - 1)))
    }

    /// Records a visit: a finished ticket's (`ticket`), or one without a ticket (a phone call,
    /// a field visit, a walk-in) on `day` (today if none; never after today).
    pub async fn record(
        &self,
        actor: String,
        ticket: Option<u64>,
        day: Option<&str>,
        input: EntryInput,
    ) -> Result<i64, FiguresError> {
        let today = self.today();
        let finished = match ticket {
            Some(id) => Some(self.finished_ticket(id).await?),
            None => None,
        };
        let day = match (&finished, day.map(str::trim).filter(|d| !d.is_empty())) {
            (Some(t), _) => t.day,
            (None, Some(d)) => {
                let d: Date = d.parse().map_err(|_| {
                    DossierError::new("invalid_field", "day", "the day is a date, YYYY-MM-DD")
                })?;
                if d > today {
                    return Err(DossierError::new(
                        "invalid_field",
                        "day",
                        "a visit cannot be recorded for a day after today",
                    )
                    .into());
                }
                d
            }
            (None, None) => today,
        };
        let settings = self.live.get();
        let douars: Vec<String> = settings.douars.iter().map(|d| d.name.clone()).collect();
        let procedures: Vec<String> = self.reference.current().keys().cloned().collect();
        let entry = input.check(day, finished.is_some(), &douars, &procedures)?;
        let ticket = finished.map(|t| RegisterTicket {
            id: t.id,
            service: t.service,
        });
        let now = crate::clock::now().to_string();
        Ok(self
            .dossiers
            .run(move |db| register::record(db, &actor, ticket.as_ref(), &entry, &now))
            .await?)
    }

    /// The figures of `period` for `scope`.
    pub async fn compute(
        &self,
        actor: String,
        period: Period,
        scope: Scope,
    ) -> Result<Figures, FiguresError> {
        let tz = self.live.get().catalogue.time_zone().clone();
        // The two databases are read at once, each on its own blocking thread.
        let dossiers = async {
            self.dossiers
                .run(move |db| {
                    let facts = register::facts(db, &actor, &period)?;
                    let diaspora = crate::dossiers::diaspora::facts(db, &actor)?;
                    Ok((facts, census::households(db, &actor)?, diaspora))
                })
                .await
                .map_err(FiguresError::from)
        };
        let queue = async {
            self.queue
                .run(move |c| ticket_months::queue_facts(c, &period, &tz))
                .await
                .map_err(FiguresError::from)
        };
        let ((dossier_facts, households, diaspora), queue) = tokio::try_join!(dossiers, queue)?;
        let settings = self.live.get();
        let facts = Facts {
            visits: dossier_facts.visits,
            visit_counts: dossier_facts.visit_counts,
            cases: dossier_facts.cases,
            referrals: dossier_facts.referrals,
            tickets: queue.tickets,
            ticket_months: queue.months,
            votes: queue.votes,
            projects: queue.projects,
            activities: queue.activities,
            diaspora,
            targets: settings
                .catalogue
                .services()
                .iter()
                .filter_map(|s| Some((s.letter.to_string(), s.target_wait_minutes?)))
                .collect(),
            services: settings
                .catalogue
                .services()
                .iter()
                .map(|s| s.letter.to_string())
                .collect(),
            douars: settings.douars.iter().map(|d| d.name.clone()).collect(),
            households,
            douar_households: settings
                .douars
                .iter()
                .map(|d| (d.name.clone(), d.households))
                .collect(),
        };
        Ok(baom_domain::figures::compute(period, scope, &facts))
    }

    /// Adds a household to the census (counted in the field, from the monograph or at the desk).
    pub async fn add_household(
        &self,
        actor: String,
        input: HouseholdInput,
    ) -> Result<i64, FiguresError> {
        let douars: Vec<String> = self
            .live
            .get()
            .douars
            .iter()
            .map(|d| d.name.clone())
            .collect();
        let household = input.check(&douars, self.today())?;
        let now = crate::clock::now().to_string();
        Ok(self
            .dossiers
            .run(move |db| census::add_household(db, &actor, &household, &now))
            .await?)
    }

    /// The census as of today: per douar, against the douars' households; and the counts of
    /// the people with a dossier and their households.
    pub async fn census(
        &self,
        actor: String,
    ) -> Result<(Census, Vec<census::DouarCount>), FiguresError> {
        let (households, from_dossiers) = self
            .dossiers
            .run(move |db| {
                Ok((
                    census::households(db, &actor)?,
                    census::by_douar(db, &actor)?,
                ))
            })
            .await?;
        let settings = self.live.get();
        let douars: Vec<(String, u32)> = settings
            .douars
            .iter()
            .map(|d| (d.name.clone(), d.households))
            .collect();
        Ok((
            baom_domain::figures::census::census(&douars, &households, self.today()),
            from_dossiers,
        ))
    }

    /// The figures of `period`, refused when nothing was recorded in it (for an export, where
    /// an empty file would read as zero).
    pub async fn compute_for_export(
        &self,
        actor: String,
        period: Period,
        scope: Scope,
    ) -> Result<Figures, FiguresError> {
        let figures = self.compute(actor, period, scope).await?;
        if figures.empty {
            return Err(FiguresError::Empty(period.to_string()));
        }
        Ok(figures)
    }

    /// The words of the figures' rows: the reference's procedures by id.
    pub fn procedure_name(&self, id: &str, language: baom_domain::Language) -> Option<String> {
        self.reference
            .get(id)
            .map(|v| v.procedure.names.get(language).to_owned())
    }

    pub fn settings(&self) -> std::sync::Arc<baom_config::Settings> {
        self.live.get()
    }
}

/// The tickets of `from..=to` from `queue.db`, one by one (`tz`: the commune's, for the hour of
/// day a ticket was issued at).
pub fn read_tickets(
    c: &rusqlite::Connection,
    from: Date,
    to: Date,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<TicketFacts>, StoreError> {
    let (f, t) = (from.to_string(), to.to_string());
    // The times are read by hand (`store::unix_seconds`), the local hour from a UTC hour's
    // offset looked up once, a day's text parsed once: a month of tickets may be thousands.
    let mut stmt = c.prepare(&format!(
        "SELECT day, service, desk, state, issued_at, called_at, started_at, finished_at
         FROM tickets WHERE {} BETWEEN ?1 AND ?2",
        crate::store::day_column(from, to)
    ))?;
    let mut offsets: HashMap<i64, i64> = HashMap::new();
    let mut days: HashMap<String, Date> = HashMap::new();
    let mut tickets = Vec::new();
    let mut rows = stmt.query([&f, &t])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| -> Result<Option<&str>, rusqlite::Error> {
            match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Ok(None),
                v => Ok(Some(v.as_str()?)),
            }
        };
        let seconds = |i: usize| -> Result<Option<i64>, rusqlite::Error> {
            Ok(text(i)?.and_then(crate::store::unix_seconds))
        };
        // A row this program cannot read (never written so) is left out of the counts.
        let Some(issued) = seconds(4)? else {
            continue;
        };
        let Some(day_text) = text(0)? else {
            continue;
        };
        let day = match days.get(day_text) {
            Some(d) => *d,
            None => {
                let Ok(d) = day_text.parse::<Date>() else {
                    continue;
                };
                days.insert(day_text.to_owned(), d);
                d
            }
        };
        let offset = *offsets.entry(issued.div_euclid(3600)).or_insert_with(|| {
            Timestamp::from_second(issued)
                .map(|ts| i64::from(tz.to_offset(ts).seconds()))
                .unwrap_or(0)
        });
        let called = seconds(5)?;
        let started = seconds(6)?;
        let finished = seconds(7)?;
        tickets.push(TicketFacts {
            day,
            service: text(1)?.unwrap_or("").to_owned(),
            desk: r
                .get::<_, Option<i64>>(2)?
                .and_then(|d| u16::try_from(d).ok()),
            state: text(3)?.unwrap_or("").to_owned(),
            hour: ((issued + offset).rem_euclid(86_400) / 3600) as i8,
            wait_seconds: called.map(|c| c - issued),
            service_seconds: started.zip(finished).map(|(s, f)| f - s),
            called_at: called,
            finished_at: finished,
        });
    }
    Ok(tickets)
}

/// The kiosk's votes of `from..=to`.
pub fn read_votes(
    c: &rusqlite::Connection,
    from: Date,
    to: Date,
) -> Result<Vec<VoteFacts>, StoreError> {
    let (f, t) = (from.to_string(), to.to_string());
    let mut stmt =
        c.prepare("SELECT day, rating, reason, service FROM feedback WHERE day BETWEEN ?1 AND ?2")?;
    let votes = stmt
        .query_map([&f, &t], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(day, rating, reason, service)| {
            Some(VoteFacts {
                day: day.parse().ok()?,
                rating: Rating::parse(&rating)?,
                reason: reason.as_deref().and_then(Reason::parse),
                service,
            })
        })
        .collect();
    Ok(votes)
}
