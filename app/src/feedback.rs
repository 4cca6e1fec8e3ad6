//! Anonymous satisfaction votes from the kiosk: three faces and an optional reason.
//!
//! A vote is not linked to a ticket, and it records the local day, never the time: a rating
//! tied to a token or a minute would point at the visitor (whose dossier holds that visit) and
//! at the officer who served them, which is not what "anonymous" promises the person who
//! touches a face. Ballot stuffing is bounded instead by a rate limit (a few votes a minute from
//! the one kiosk); the figures are counts per day, not a vote that decides anything.
//!
//! Route (merged into the kiosk router): `POST /v1/feedback`
//! `{"rating": "good"|"neutral"|"bad", "reason": null|"waiting"|"welcome"|"explained"|"documents"|"place", "language": "fr"}`
//! → `201 {"recorded": true}`. Refusals: `unknown_rating`, `unknown_reason`, `unknown_language`
//! (422), `too_many_votes` (429), plus the JSON body errors of [`crate::web::json`].
//!
//! Votes go to the `feedback` table of `queue.db` (migration 2) through this module's own
//! connection: the queue's single writer owns the tickets' tables; votes touch nothing of the
//! queue, and SQLite serialises the two writers (busy timeout 5 s).

use crate::store::{self, StoreError};
use crate::web::json::ApiJson;
use crate::web::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use baom_domain::language::Language;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const RATINGS: [&str; 3] = ["good", "neutral", "bad"];
/// Why, as pictograms on the kiosk: waiting time, the welcome, whether things were explained,
/// documents (what to bring, what was done with them), the place itself.
pub const REASONS: [&str; 5] = ["waiting", "welcome", "explained", "documents", "place"];
/// At most this many votes in [`WINDOW`].
pub const MAX_VOTES_PER_WINDOW: usize = 6;
pub const WINDOW: Duration = Duration::from_secs(60);

/// The feedback book: a write connection and the recent votes' instants.
pub struct FeedbackBook {
    conn: Mutex<Connection>,
    recent: Mutex<VecDeque<Instant>>,
}

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
    /// The vote's checked fields: rating, reason, language code.
    pub fn check(&self) -> Result<(&'static str, Option<&'static str>, Language), ApiError> {
        let unprocessable =
            |code, message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        let rating = RATINGS.iter().find(|r| **r == self.rating).ok_or_else(|| {
            unprocessable(
                "unknown_rating",
                format!("rating must be one of {RATINGS:?}"),
            )
        })?;
        let reason = match &self.reason {
            None => None,
            Some(r) => Some(*REASONS.iter().find(|x| *x == r).ok_or_else(|| {
                unprocessable(
                    "unknown_reason",
                    format!("reason must be one of {REASONS:?} or null"),
                )
            })?),
        };
        let language = match &self.language {
            None => Language::French,
            Some(l) => l
                .parse::<Language>()
                .map_err(|e| unprocessable("unknown_language", e.to_string()))?,
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

    pub fn record(
        &self,
        day: jiff::civil::Date,
        rating: &str,
        reason: Option<&str>,
        language: Language,
    ) -> Result<(), StoreError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| StoreError::Corrupt("feedback lock poisoned".into()))?;
        conn.execute(
            "INSERT INTO feedback (day, rating, reason, language) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![day.to_string(), rating, reason, language.code()],
        )?;
        Ok(())
    }
}

pub fn kiosk_routes() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/feedback", post(vote))
}

async fn vote(
    State(state): State<AppState>,
    ApiJson(vote): ApiJson<Vote>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (rating, reason, language) = vote.check()?;
    if !state.feedback.admit(Instant::now()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_votes",
            format!("at most {MAX_VOTES_PER_WINDOW} votes a minute; thank you, try again later"),
        ));
    }
    let day = state.queue.snapshot().day();
    let book = state.feedback.clone();
    tokio::task::spawn_blocking(move || book.record(day, rating, reason, language))
        .await
        .map_err(|e| ApiError::internal(format!("vote task failed: {e}")))??;
    tracing::info!(rating, reason, "satisfaction vote");
    Ok((StatusCode::CREATED, Json(json!({ "recorded": true }))))
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
