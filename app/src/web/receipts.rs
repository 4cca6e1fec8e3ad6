//! Receipts and the printer over HTTP: the printer's state (kiosk and LAN), its events for the
//! technician, a ticket found by its signed token (what an officer's barcode reader sends), and
//! a ticket's receipt as a PNG preview.
//!
//! - kiosk `GET /v1/printer` and LAN `GET /api/v1/printer` → `{"state": "ready" | "paper_out" |
//!   "cover_open" | "offline" | "unknown", "checked_at", "pending", "last_error", "kind",
//!   "paper_width_mm"}`
//! - `GET /api/v1/printer/events?limit=50` → `{"events": [{"id", "at", "kind", "printer_state",
//!   "ticket", "ticket_id", "detail"}]}`, newest first
//! - `GET /api/v1/tickets/by-token/{token}` → the ticket (LAN view) with its `receipt` state
//! - `GET /api/v1/tickets/{id}/receipt.png` → the receipt as it prints, as a PNG

use super::views::{TicketView, estimate_of};
use super::{ApiError, AppState};
use crate::store::receipts::ReceiptState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use baom_domain::queue::TicketId;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The LAN routes of this module, merged into the LAN router.
pub fn lan_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/printer", get(printer))
        .route("/api/v1/printer/events", get(events))
        .route("/api/v1/tickets/by-token/{token}", get(by_token))
        .route("/api/v1/tickets/{id}/receipt.png", get(receipt_png))
}

pub async fn printer(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.printer.status()))
}

async fn by_token(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let t = state.tickets.by_token(&token).await?;
    let mut view = json!(TicketView::new(&t, &state.queue.snapshot()));
    view["receipt"] = json!(
        state
            .tickets
            .receipt_state(t.id)
            .await?
            .map(ReceiptState::as_str)
    );
    Ok(Json(view))
}

async fn events(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let mut limit = 50;
    for (key, value) in &query {
        match (key.as_str(), value.parse::<usize>()) {
            ("limit", Ok(l)) if (1..=1000).contains(&l) => limit = l,
            ("limit", _) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("limit={value:?}: use 1 to 1000"),
                ));
            }
            (other, _) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    format!("unknown query parameter {other:?}: use limit"),
                ));
            }
        }
    }
    let events = state.tickets.printer_events(limit).await?;
    Ok(Json(json!({ "events": events })))
}

async fn receipt_png(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = id
        .parse::<u64>()
        .map(TicketId)
        .map_err(|_| ApiError::unknown_ticket(&format!("{id:?}")))?;
    let t = state.tickets.by_id(id).await?;
    let token = state.tickets.token_of(id).await?;
    let estimate = estimate_of(&t, &state.queue.snapshot());
    let png = crate::printer::preview_png(
        state.settings(),
        state.queue.catalogue(),
        t,
        token,
        estimate,
    )
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png))
}
