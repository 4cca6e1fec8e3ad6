//! Scanned papers over HTTP: the kiosk scans a page onto the ticket whose token it holds and
//! sees it back; an officer lists and opens a ticket's scans on the LAN (each opening is a line
//! in the dossiers' audit log). The scanner itself is `crate::scanner`.
//!
//! - kiosk: `POST /v1/tickets/{token}/scans` → `201 {"id": 1, "bytes": N}`;
//!   `GET /v1/tickets/{token}/scans/{id}/preview.png` → `image/png`.
//! - LAN: `GET /api/v1/tickets/{id}/scans` → `{"ticket", "scans": [{"id", "bytes",
//!   "scanned_at", "url"}]}`; `GET /api/v1/tickets/{id}/scans/{n}.png`. Officers and supervisors
//!   only (`forbidden` otherwise); `dossiers_locked` (503) while the vault is locked.

use super::{ApiError, AppState};
use crate::accounts::Session;
use crate::scanner::{ScanError, scan_number};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use baom_domain::queue::TicketId;
use serde_json::{Value, json};

fn png(bytes: Vec<u8>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
}

pub async fn kiosk_scan(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let ticket = state.tickets.by_token(&token).await?;
    let today = state.queue.snapshot().day();
    let (id, bytes) = state.scanner.scan_onto(&ticket, today).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "bytes": bytes })),
    ))
}

pub async fn kiosk_preview(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let id = scan_number(&id)?;
    let t = state.tickets.by_token(&token).await?;
    Ok(png(state.scanner.preview(t.id, id)?))
}

fn ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    raw.parse::<u64>()
        .map(TicketId)
        .map_err(|_| ApiError::unknown_ticket(&format!("{raw:?}")))
}

/// Scans are personal papers: only the roles that open dossiers see them.
fn may_see_scans(session: &Session) -> Result<(), ApiError> {
    if session.account.role.sees_dossiers() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this account's role does not see visitors' papers",
        ))
    }
}

pub async fn lan_list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    may_see_scans(&session)?;
    let t = state.tickets.by_id(ticket_id(&id)?).await?;
    let scans = state.scanner.list(t.id).await?;
    let items: Vec<Value> = scans
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "bytes": s.bytes,
                "scanned_at": s.scanned_at,
                "url": format!("/api/v1/tickets/{}/scans/{}.png", t.id.0, s.id),
            })
        })
        .collect();
    Ok(Json(
        json!({ "ticket": t.number.to_string(), "scans": items }),
    ))
}

pub async fn lan_file(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((id, file)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    may_see_scans(&session)?;
    let t = state.tickets.by_id(ticket_id(&id)?).await?;
    let n = scan_number(file.strip_suffix(".png").ok_or(ScanError::Unknown)?)?;
    let bytes = state
        .scanner
        .open(&state.dossiers, session.account.login.clone(), t.id, n)
        .await?;
    Ok(png(bytes))
}
