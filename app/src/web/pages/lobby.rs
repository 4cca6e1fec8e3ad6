//! The lobby screen (a TV in the waiting room): the ticket being called and its desk in big type,
//! the latest calls, a chime and a spoken call in Arabic and French. Numbers and desks only,
//! never a name. `lobby.js` listens to `/events` and reconnects by itself. Between calls it
//! shows the commune's public projects (`/lobby/projects`: titles, sector, status, amounts).

use super::extract::{AnyRole, Page};
use super::refusal::PageError;
use super::screen_layout;
use crate::web::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use baom_domain::catalogue::DeskNo;
use baom_domain::language::Language;
use baom_domain::projects::show_dirhams;
use baom_domain::queue::{Queue, TicketNumber};
use maud::html;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

/// Seconds without a call before the lobby shows the commune's projects, unless the address
/// says otherwise (`/lobby?idle=20`, 2 to 600).
const IDLE_SECONDS: u32 = 45;

pub async fn page(
    Page { tr, .. }: Page<AnyRole>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let idle = query
        .get("idle")
        .and_then(|s| s.parse::<u32>().ok())
        .filter(|s| (2..=600).contains(s))
        .unwrap_or(IDLE_SECONDS);
    // The TV is read by everyone: its words are in Arabic, Tamazight and French together.
    let all = |key: &str| {
        html! {
            @for l in [Language::Arabic, Language::Tamazight, Language::French] {
                span lang=(l.code()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) { (crate::i18n::text(l, key, &[])) }
            }
        }
    };
    let body = html! {
        section.lobby data-idle=(idle) {
            div.now {
                p.label { (all("lobby-now")) }
                p #now-number.huge { "—" }
                p.label { (all("lobby-desk")) }
                p #now-desk.big { "—" }
            }
            div.last {
                h2 { (all("lobby-last")) }
                ol #last-calls {}
                div #welcome { (all("lobby-waiting-first")) }
            }
            // Between calls: the commune's projects, one at a time (`lobby.js`).
            div #projects hidden {
                h2 { (all("lobby-projects")) }
                article #project {}
            }
            p #reconnecting hidden { (tr.t("lobby-reconnecting")) }
            button #sound type="button" { (tr.t("lobby-sound")) }
        }
        script src="/static/lobby.js" defer {}
    };
    // The TV's own frame: no staff header (whose session, a logout, language links).
    screen_layout(tr, &tr.t("lobby-title"), body).into_response()
}

/// The commune's projects the public may see, for the lobby between calls: titles, sector,
/// douar, status and money in the lobby's languages; nothing about a person.
pub async fn projects(
    State(state): State<AppState>,
    _: Page<AnyRole>,
) -> Result<Response, PageError> {
    let projects = state
        .projects
        .public()
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?;
    let words = |key: String| -> Value {
        [Language::Arabic, Language::Tamazight, Language::French]
            .into_iter()
            .map(|l| (l.code().to_owned(), json!(crate::i18n::text(l, &key, &[]))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let list: Vec<Value> = projects
        .iter()
        .map(|p| {
            let s = &p.sheet;
            json!({
                "id": p.id,
                "title_ar": s.title_ar,
                "title_fr": s.title_fr,
                "douar": s.douar,
                "sector": words(format!("project-sector-{}", s.sector.as_str())),
                "status": s.status.as_str(),
                "status_words": words(format!("project-status-{}", s.status.as_str())),
                "found": s.found,
                "budget": s.budget,
                "found_shown": show_dirhams(s.found),
                "budget_shown": show_dirhams(s.budget),
            })
        })
        .collect();
    Ok(Json(json!({ "projects": list })).into_response())
}

/// The queue as the live pages need it: the latest calls, and how many wait per service.
pub fn board(queue: &Queue) -> Value {
    let mut called: Vec<_> = queue
        .tickets()
        .iter()
        .filter(|t| t.called_at.is_some() && t.desk.is_some())
        .collect();
    called.sort_by_key(|t| std::cmp::Reverse(t.called_at));
    let calls: Vec<Value> = called
        .iter()
        .take(8)
        .map(|t| json!({ "number": t.number.to_string(), "desk": t.desk, "calls": t.calls, "called_at": t.called_at, "state": t.state }))
        .collect();
    // How many wait per service, not who: the board goes to every screen at every change, so it
    // stays small (the desk fetches its own list when told something changed).
    let waiting: serde_json::Map<String, Value> = queue
        .catalogue()
        .services()
        .iter()
        .map(|s| (s.letter.to_string(), json!(queue.waiting(s.letter).count())))
        .collect();
    json!({ "day": queue.day().to_string(), "calls": calls, "waiting": waiting })
}

/// Keeps the board's JSON for the latest queue, made once per change however many screens
/// listen (they all get the same text). Ends when the queue service stops.
pub fn board_feed(
    mut queue: tokio::sync::watch::Receiver<std::sync::Arc<Queue>>,
) -> tokio::sync::watch::Receiver<std::sync::Arc<str>> {
    let first: std::sync::Arc<str> = board(&queue.borrow_and_update()).to_string().into();
    let (tx, rx) = tokio::sync::watch::channel(first);
    tokio::spawn(async move {
        while queue.changed().await.is_ok() {
            let json = board(&queue.borrow_and_update()).to_string();
            if tx.send(json.into()).is_err() {
                break;
            }
        }
    });
    rx
}

/// Server-sent events: one `board` event now and after every change of the queue.
pub async fn events(
    State(state): State<AppState>,
    _: Page<AnyRole>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let stream = WatchStream::new(state.board.clone())
        .map(|board| Ok(Event::default().event("board").data(&*board)));
    Sse::new(stream).keep_alive(KeepAlive::default())
}

pub async fn speech(
    State(state): State<AppState>,
    Page { tr, .. }: Page<AnyRole>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let number = query
        .get("number")
        .and_then(|n| n.parse::<TicketNumber>().ok());
    let desk = query
        .get("desk")
        .and_then(|d| d.parse::<u16>().ok())
        .map(DeskNo)
        .filter(|d| state.settings().catalogue.desk(*d).is_some());
    let lang = query.get("lang").and_then(|l| l.parse::<Language>().ok());
    let (Some(number), Some(desk), Some(lang)) = (number, desk, lang) else {
        return Err(PageError::refused(
            StatusCode::BAD_REQUEST,
            "number=A-001&desk=1&lang=ar|fr|en",
        ));
    };
    match state.speech.call_wav(lang, number, desk).await {
        Ok(wav) => Ok((
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("audio/wav")),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("max-age=86400"),
                ),
            ],
            wav,
        )
            .into_response()),
        Err(e) => {
            tracing::warn!(error = %e, "no spoken call");
            Err(PageError::refused(
                StatusCode::SERVICE_UNAVAILABLE,
                tr.t("lobby-speech-unavailable"),
            ))
        }
    }
}
