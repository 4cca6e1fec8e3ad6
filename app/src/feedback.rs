//! Anonymous satisfaction votes from the kiosk: three faces and an optional reason.
//!
//! A vote is not linked to a ticket, and it records the local day, never the time: a rating
//! tied to a token or a minute would point at the visitor (whose dossier holds that visit) and
//! at the officer who served them, which is not what "anonymous" promises the person who
//! touches a face. Ballot stuffing is bounded instead by a rate limit (a few votes a minute from
//! the one kiosk); the figures are counts per day, not a vote that decides anything.
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
}

impl Vote {
    /// The vote's checked fields.
    pub fn check(&self) -> Result<(Rating, Option<Reason>, Language), FeedbackError> {
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
        Ok((rating, reason, language))
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

    fn record(
        &self,
        day: jiff::civil::Date,
        rating: Rating,
        reason: Option<Reason>,
        language: Language,
    ) -> Result<(), StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Corrupt("feedback lock poisoned".into()))?;
        conn.execute(
            "INSERT INTO feedback (day, rating, reason, language) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                day.to_string(),
                rating.as_str(),
                reason.map(Reason::as_str),
                language.code()
            ],
        )?;
        Ok(())
    }

    /// Checks a vote, counts it against the rate limit and stores it for `day` (the local day,
    /// never the time).
    pub async fn cast(
        self: &std::sync::Arc<Self>,
        vote: Vote,
        day: jiff::civil::Date,
    ) -> Result<(), FeedbackError> {
        let (rating, reason, language) = vote.check()?;
        if !self.admit(Instant::now()) {
            return Err(FeedbackError::TooMany);
        }
        let book = self.clone();
        tokio::task::spawn_blocking(move || book.record(day, rating, reason, language))
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
        let v = Vote {
            rating: "good".into(),
            reason: Some("welcome".into()),
            language: Some("zgh".into()),
        };
        let (r, why, lang) = v.check().expect("valid");
        let day = jiff::civil::date(2026, 11, 24);
        book.record(day, r, why, lang).expect("stored");
        let conn = book.conn.lock().expect("lock");
        let row: (String, String, Option<String>, String) = conn
            .query_row(
                "SELECT day, rating, reason, language FROM feedback",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("row");
        assert_eq!(
            row,
            (
                "2026-11-24".into(),
                "good".into(),
                Some("welcome".into()),
                "zgh".into()
            )
        );
        for bad in [
            Vote {
                rating: "great".into(),
                reason: None,
                language: None,
            },
            Vote {
                rating: "bad".into(),
                reason: Some("officer-name".into()),
                language: None,
            },
            Vote {
                rating: "bad".into(),
                reason: None,
                language: Some("de".into()),
            },
        ] {
            assert!(bad.check().is_err());
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
