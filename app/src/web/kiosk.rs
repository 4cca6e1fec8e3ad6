//! The kiosk's API, served only on the Unix socket `kiosk.sock` in the data directory.
//!
//! The kiosk sits in a public lobby and is not trusted: this router is all it can reach. It can
//! read the catalogue, issue a ticket, and read back a ticket whose token it holds. Nothing
//! else answers here, not even the LAN API's routes.
//!
//! Contract (extend, never break):
//! - `GET /v1/catalogue` → the commune, languages and services with names and documents.
//! - `POST /v1/tickets` `{"service": "A", "priority": false, "language": "fr"}` → `201`
//!   `{"number": "A-001", "token": "...", "ahead": 0, "estimated_wait_s": 0, ...}`.
//!   The answer also says `"receipt": "queued" | "printed" | "failed"`: the ticket is committed
//!   before its receipt is printed, and a receipt that failed is retried (the kiosk shows the
//!   ticket on screen meanwhile). At most `[queue] kiosk_tickets_per_minute` (60) a minute:
//!   `429 too_many_tickets`.
//! - `GET /v1/tickets/{token}` → that ticket's state, with its `receipt` state. The token's
//!   signature is checked first: a forged or altered token is `400 invalid_token`.
//! - `GET /v1/printer` → `{"state": "ready" | "paper_out" | "cover_open" | "offline" |
//!   "unknown", ...}` (see `receipts.rs`).
//! - `GET /v1/health` → `{"status": "ok"}` while the service can issue tickets.
//! - `POST /v1/tickets/{token}/scans` → `201 {"id": 1, "bytes": N}`;
//!   `GET /v1/tickets/{token}/scans/{id}/preview.png` → `image/png`: a scanned page for that
//!   ticket (see `scans.rs` and `crate::scanner`). Refusals: `scanner_not_configured` (503),
//!   `scanner_busy` (409), `scanner_failed` (502), `ticket_closed` (409), `too_many_scans`
//!   (409), `unknown_scan` (404).
//! - `POST /v1/feedback` `{"rating": "good"|"neutral"|"bad", "reason": null|"waiting"|"welcome"|
//!   "explained"|"documents"|"place", "language": "fr", "service": null|"A"}` →
//!   `201 {"recorded": true}`: an anonymous satisfaction vote (see `crate::feedback`); the
//!   service, optional, is the one the visitor said they came for. Refusals: `unknown_rating`,
//!   `unknown_reason`, `unknown_language`, `unknown_service` (422), `too_many_votes` (429).
//! - `POST /v1/appointments/check-in` `{"code": "<token or 8 digits>", "language": "fr",
//!   "priority": false}` → `201`: the ticket as `POST /v1/tickets` answers it, with
//!   `"appointment": {"arrival": "on_time" | "early" | "late", "minutes": N, "slot": "10:30",
//!   "day": "2026-12-07", "ahead_of_walk_ins": true}`. On time, the ticket goes ahead of
//!   walk-ins; early or late (outside `[appointments] early_minutes` / `late_minutes`) it is an
//!   ordinary ticket, and the kiosk says so. Refusals: `invalid_appointment` (400: not a token
//!   or code, or a forged or altered token), `unknown_appointment` (404: no appointment today
//!   has this code), `appointment_other_day` (409, naming the day), `appointment_used` (409;
//!   the same slip again within 5 minutes of its check-in, while its ticket waits, answers that
//!   ticket again, `201`, and prints nothing),
//!   and the queue's own (`service_closed`…). At most 30 attempts a minute, apart from the
//!   tickets' limit: `429 too_many_check_ins`.
//! - Errors: `{"code": "...", "message": "..."}` with a 4xx or 5xx status.
//!
//! This is the kiosk's whole route table.

use super::json::ApiJson;
use super::views::{CatalogueView, KioskTicketView, estimate_of};
use super::{ApiError, AppState, MAX_BODY_BYTES, error};
use crate::store::receipts::ReceiptState;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use baom_domain::appointments::{Arrival, clock};
use baom_domain::catalogue::Letter;
use baom_domain::language::Language;
use baom_domain::queue::Command;
use serde::Deserialize;
use serde_json::{Value, json};

/// The kiosk may issue `[queue] kiosk_tickets_per_minute` tickets in this window: far above a
/// busy souk day's pace, far below what would empty a service's day of numbers in moments.
pub const TICKET_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Appointment check-ins tried in [`TICKET_WINDOW`]: a lobby's arrivals, far below what guessing
/// eight-digit codes needs.
pub const CHECK_INS_PER_MINUTE: usize = 30;

/// How long a kiosk waits for the first print attempt before answering `"receipt": "queued"`.
const FIRST_PRINT_WAIT: std::time::Duration = std::time::Duration::from_millis(2500);

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/catalogue", get(catalogue))
        .route("/v1/tickets", post(issue))
        .route("/v1/tickets/{token}", get(ticket))
        .route("/v1/health", get(health))
        .route("/v1/printer", get(super::receipts::printer))
        .route("/v1/tickets/{token}/scans", post(super::scans::kiosk_scan))
        .route(
            "/v1/tickets/{token}/scans/{id}/preview.png",
            get(super::scans::kiosk_preview),
        )
        .route("/v1/feedback", post(vote))
        .route("/v1/appointments/check-in", post(check_in))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn catalogue(State(state): State<AppState>) -> Json<Value> {
    let queue = state.queue.snapshot();
    let settings = state.settings();
    let view = CatalogueView::new(
        &settings.commune,
        queue.catalogue(),
        &queue,
        crate::clock::now(),
        |s| state.reference.service_documents(s),
    );
    Json(json!(view))
}

/// A ticket request, as the kiosk and the LAN API both send it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    pub service: String,
    #[serde(default)]
    pub priority: bool,
    pub language: Option<String>,
}

impl IssueRequest {
    /// Checks the fields the engine cannot: the letter's and language's shapes.
    pub fn command(&self) -> Result<Command, ApiError> {
        let service = self.service.parse::<Letter>().map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_service",
                e.to_string(),
            )
        })?;
        let language = language_of(self.language.as_deref())?;
        Ok(Command::Issue {
            service,
            priority: self.priority,
            language,
        })
    }
}

async fn issue(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<KioskTicketView>), ApiError> {
    let command = request.command()?;
    if !state.kiosk_tickets.allow(()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_tickets",
            "the kiosk is issuing tickets faster than people can take them; wait a moment",
        ));
    }
    let done = state.queue.execute(command, None).await?;
    tracing::info!(number = %done.ticket.number, priority = done.ticket.priority, "ticket issued at the kiosk");
    let today = done.ticket.day;
    // The ticket is on disk: now its receipt.
    let receipt = receipt_of(&state, done.ticket.id, done.token.as_deref()).await;
    let mut view = KioskTicketView::new(&done.ticket, done.estimate, today, done.token);
    view.receipt = Some(receipt);
    Ok((StatusCode::CREATED, Json(view)))
}

/// A request's language (French when it names none).
fn language_of(code: Option<&str>) -> Result<Language, ApiError> {
    code.map_or(Ok(Language::French), |l| {
        l.parse::<Language>().map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_language",
                e.to_string(),
            )
        })
    })
}

/// An appointment shown at the kiosk.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInRequest {
    code: String,
    language: Option<String>,
    #[serde(default)]
    priority: bool,
}

async fn check_in(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CheckInRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let language = language_of(request.language.as_deref())?;
    // Every attempt counts, in its own allowance, so that short codes cannot be tried by the
    // thousand and a stray keyboard cannot stop the tickets.
    if !state.kiosk_check_ins.allow(()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_check_ins",
            "too many appointments tried in a minute; wait a moment",
        ));
    }
    let checked = state
        .appointments
        .check_in(&request.code, language, request.priority)
        .await?;
    let ticket = checked.ticket;
    // A retried check-in answers the ticket already printed, and prints nothing more.
    let receipt = if checked.replayed {
        state
            .tickets
            .receipt_state(ticket.id)
            .await?
            .unwrap_or(ReceiptState::Queued)
    } else {
        receipt_of(&state, ticket.id, checked.token.as_deref()).await
    };
    let mut view = KioskTicketView::new(&ticket, checked.estimate, ticket.day, checked.token);
    view.receipt = Some(receipt);
    let (arrival, minutes) = match checked.arrival {
        Arrival::OnTime => ("on_time", 0),
        Arrival::Early { minutes } => ("early", minutes),
        Arrival::Late { minutes } => ("late", minutes),
        Arrival::OtherDay => ("other_day", 0),
    };
    let mut body = serde_json::to_value(&view).map_err(|e| ApiError::internal(e.to_string()))?;
    body["appointment"] = json!({
        "arrival": arrival,
        "minutes": minutes,
        "day": checked.appointment.booking.day.to_string(),
        "slot": clock(checked.appointment.booking.slot_minute),
        "ahead_of_walk_ins": ticket.appointment.is_some(),
    });
    Ok((StatusCode::CREATED, Json(body)))
}

/// Prints a new ticket's receipt, waiting a moment for the first attempt, never for retries.
async fn receipt_of(
    state: &AppState,
    ticket: baom_domain::queue::TicketId,
    token: Option<&str>,
) -> ReceiptState {
    match token {
        Some(token) => {
            let first = state.printer.print(ticket, token.to_owned());
            match tokio::time::timeout(FIRST_PRINT_WAIT, first).await {
                Ok(Ok(outcome)) => outcome,
                _ => ReceiptState::Queued,
            }
        }
        None => ReceiptState::Failed,
    }
}

async fn ticket(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<KioskTicketView>, ApiError> {
    let t = state.tickets.by_token(&token).await?;
    let queue = state.queue.snapshot();
    let mut view = KioskTicketView::new(&t, estimate_of(&t, &queue), queue.day(), None);
    view.receipt = state.tickets.receipt_state(t.id).await?;
    Ok(Json(view))
}

async fn vote(
    State(state): State<AppState>,
    ApiJson(vote): ApiJson<crate::feedback::Vote>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let queue = state.queue.snapshot();
    let services: Vec<String> = queue
        .catalogue()
        .services()
        .iter()
        .map(|s| s.letter.to_string())
        .collect();
    state.feedback.cast(vote, &services, queue.day()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "recorded": true }))))
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "day": state.queue.snapshot().day().to_string() }))
}
