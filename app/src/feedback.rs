//! Anonymous satisfaction votes from the kiosk: three faces and an optional reason.
//!
//! A vote is not linked to a ticket, and it records the local day, never the time: a rating
//! tied to a token or a minute would point at the visitor (whose dossier holds that visit) and
//! at the officer who served them, which is not what "anonymous" promises the person who
//! touches a face. Ballot stuffing is bounded instead by a rate limit (a few votes a minute from
//! the one kiosk); the figures are counts per day, not a vote that decides anything.
//!
//! A vote may also say which service the visitor came for: the kiosk asks (with the services'
//! pictures, and "skip"), it is never taken from a ticket. With the day, that narrows a vote to
//! the visitors of one service on one day, so the figures count votes by service and by month,
//! never by day, and hide small cells as every table does.
//!
//! The ratings and reasons are `baom_domain::feedback`'s (the kiosk shows the same). The kiosk
//! sends votes to `POST /v1/feedback` (`web::kiosk`).
//!
//! Votes go to the `feedback` table of `queue.db` (migration 2) through this module's own
//! connection: the queue's single writer owns the tickets' tables; votes touch nothing of the
//! queue, and SQLite serialises the two writers (busy timeout 5 s).

use crate::store::{self, StoreError};
use baom_domain::feedback::{Rating, Reason};
use baom_domain::language::Language;
use rusqlite::Connection;
use serde::Deserialize;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many votes in [`WINDOW`].
pub const MAX_VOTES_PER_WINDOW: usize = 6;
pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("rating must be one of good, neutral, bad")]
    UnknownRating,
    #[error("reason must be one of waiting, welcome, explained, documents, place or null")]
    UnknownReason,
    #[error("{0}")]
    UnknownLanguage(String),
    #[error("service {0:?} is not one of the office's services")]
    UnknownService(String),
    #[error("at most {MAX_VOTES_PER_WINDOW} votes a minute; thank you, try again later")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The feedback book: a write connection and the recent votes' instants.
pub struct FeedbackBook {
    conn: Mutex<Connection>,
    recent: Mutex<VecDeque<Instant>>,
}

/// A vote as the kiosk sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    pub rating: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The letter of the service the visitor came for, when they said.
    #[serde(default)]
    pub service: Option<String>,
}

/// A vote's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedVote {
    pub rating: Rating,
    pub reason: Option<Reason>,
    pub language: Language,
    pub service: Option<String>,
}

impl Vote {
    /// The vote's checked fields; `services`: the office's service letters.
    pub fn check(&self, services: &[String]) -> Result<CheckedVote, FeedbackError> {
        let rating = Rating::parse(&self.rating).ok_or(FeedbackError::UnknownRating)?;
        let reason = match &self.reason {
            None => None,
            Some(r) => Some(Reason::parse(r).ok_or(FeedbackError::UnknownReason)?),
        };
        let language = match &self.language {
            None => Language::French,
            Some(l) => l
                .parse::<Language>()
                .map_err(|e| FeedbackError::UnknownLanguage(e.to_string()))?,
        };
        let service = match &self.service {
            None => None,
            Some(s) if services.contains(s) => Some(s.clone()),
            Some(s) => return Err(FeedbackError::UnknownService(s.clone())),
        };
        Ok(CheckedVote {
            rating,
            reason,
            language,
            service,
        })
    }
}

impl FeedbackBook {
    pub fn open(queue_db: &Path) -> Result<FeedbackBook, StoreError> {
        Ok(FeedbackBook {
            conn: Mutex::new(store::open_writer(queue_db)?),
            recent: Mutex::new(VecDeque::new()),
        })
    }

    /// Counts a vote against the rate limit; false if the limit is reached.
    fn admit(&self, now: Instant) -> bool {
        let Ok(mut recent) = self.recent.lock() else {
            return false;
        };
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > WINDOW)
        {
            recent.pop_front();
        }
        if recent.len() >= MAX_VOTES_PER_WINDOW {
            return false;
        }
        recent.push_back(now);
        true
    }

    fn record(&self, day: jiff::civil::Date, vote: &CheckedVote) -> Result<(), StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Corrupt("feedback lock poisoned".into()))?;
        conn.execute(
            "INSERT INTO feedback (day, rating, reason, language, service) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                day.to_string(),
                vote.rating.as_str(),
                vote.reason.map(Reason::as_str),
                vote.language.code(),
                vote.service,
            ],
        )?;
        Ok(())
    }

    /// Checks a vote (`services`: the office's letters), counts it against the rate limit and
    /// stores it for `day` (the local day, never the time).
    pub async fn cast(
        self: &std::sync::Arc<Self>,
        vote: Vote,
        services: &[String],
        day: jiff::civil::Date,
    ) -> Result<(), FeedbackError> {
        let vote = vote.check(services)?;
        if !self.admit(Instant::now()) {
            return Err(FeedbackError::TooMany);
        }
        let book = self.clone();
        let (rating, reason) = (vote.rating, vote.reason);
        tokio::task::spawn_blocking(move || book.record(day, &vote))
            .await
            .map_err(|e| StoreError::Corrupt(format!("vote task failed: {e}")))??;
        tracing::info!(
            rating = rating.as_str(),
            reason = reason.map(Reason::as_str),
            "satisfaction vote"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_are_checked_and_stored_by_day_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let book = FeedbackBook::open(&dir.path().join("queue.db")).expect("open");
        let services = ["A".to_owned(), "B".to_owned()];
        let v = Vote {
            rating: "good".into(),
            reason: Some("welcome".into()),
            language: Some("zgh".into()),
            service: Some("B".into()),
        };
        let vote = v.check(&services).expect("valid");
        let day = jiff::civil::date(2026, 11, 24);
        book.record(day, &vote).expect("stored");
        let conn = book.conn.lock().expect("lock");
        type Row = (String, String, Option<String>, String, Option<String>);
        let row: Row = conn
            .query_row(
                "SELECT day, rating, reason, language, service FROM feedback",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .expect("row");
        assert_eq!(
            row,
            (
                "2026-11-24".into(),
                "good".into(),
                Some("welcome".into()),
                "zgh".into(),
                Some("B".into())
            )
        );
        let vote = |rating: &str, reason: Option<&str>, language: Option<&str>, service| Vote {
            rating: rating.into(),
            reason: reason.map(str::to_owned),
            language: language.map(str::to_owned),
            service,
        };
        assert_eq!(
            vote("bad", None, None, None)
                .check(&services)
                .map(|v| v.service)
                .ok(),
            Some(None),
            "the service is optional"
        );
        for (bad, code) in [
            (vote("great", None, None, None), "rating"),
            (vote("bad", Some("officer-name"), None, None), "reason"),
            (vote("bad", None, Some("de"), None), "language"),
            (vote("bad", None, None, Some("Z".into())), "service"),
        ] {
            let e = bad.check(&services).expect_err(code);
            assert!(format!("{e:?}").to_lowercase().contains(code), "{e:?}");
        }
    }

    #[test]
    fn the_rate_limit_admits_a_few_votes_a_minute() {
        let dir = tempfile::tempdir().expect("tempdir");
        let book = FeedbackBook::open(&dir.path().join("queue.db")).expect("open");
        let t0 = Instant::now();
        for _ in 0..MAX_VOTES_PER_WINDOW {
            assert!(book.admit(t0));
        }
        assert!(!book.admit(t0 + Duration::from_secs(1)));
        assert!(book.admit(t0 + WINDOW + Duration::from_secs(1)));
    }
}
