//! The LAN's JSON API, `/api/v1/...`: services, desks, tickets and calls.
//!
//! HTTPS only, and every route but `POST /api/v1/session` needs a session cookie; state changes
//! need the session's `X-CSRF-Token` header. Queue changes need an officer or supervisor, whose
//! login is recorded on each event.
//!
//! - `POST /api/v1/session` `{"login", "password"}` → cookie and `csrf`; `GET`/`DELETE` it;
//!   `POST /api/v1/session/password` `{"current", "new"}`
//!
//! - `GET  /api/v1/health`
//! - `GET  /api/v1/services` — the catalogue with opening state and waiting counts
//! - `GET  /api/v1/desks` — desks and the ticket each holds
//! - `GET  /api/v1/tickets?state=waiting&service=A` — today's tickets
//! - `POST /api/v1/tickets` — issue, same body as the kiosk
//! - `GET  /api/v1/tickets/{id}`
//! - `POST /api/v1/desks/{desk}/call-next`
//! - `POST /api/v1/tickets/{id}/{call|recall|start|finish|no-show|transfer|cancel}`
//!   with `{"desk": 2}` (and `"service": "B"` for a transfer)
//! - `GET  /api/v1/calls?limit=10` — the latest calls, newest first (for the lobby screen)
//! - printer, printer events, tickets by token, receipt previews: see `receipts.rs`
//! - the register and the figures: see `figures.rs`; the pooled figures: see `pooling.rs`
//! - system updates: see `updates.rs`
//! - `GET  /api/v1/tickets/{id}/scans`, `GET /api/v1/tickets/{id}/scans/{n}.png` — scanned papers

use super::json::ApiJson;
use super::kiosk::IssueRequest;
use super::views::{CatalogueView, TicketView};
use super::{ApiError, AppState, MAX_BODY_BYTES, auth, error, session};
use crate::accounts::Session;
use axum::Extension;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use axum::{Json, Router};
use baom_domain::catalogue::{DeskNo, Letter};
use baom_domain::queue::{Command, TicketId, TicketState};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The LAN API's routes; every one but logging in needs a session (see `auth`).
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/session",
            post(session::login)
                .get(session::current)
                .delete(session::logout),
        )
        .route("/api/v1/session/password", post(session::change_password))
        .route("/api/v1/health", get(health))
        .route("/api/v1/services", get(services))
        .route("/api/v1/desks", get(desks))
        .route("/api/v1/tickets", get(list_tickets).post(issue))
        .route("/api/v1/tickets/{id}", get(ticket))
        .route("/api/v1/tickets/{id}/{action}", post(act))
        .route("/api/v1/desks/{desk}/call-next", post(call_next))
        .route("/api/v1/calls", get(calls))
        .merge(super::receipts::lan_routes())
        .merge(super::figures::lan_routes())
        .merge(super::pooling::lan_routes())
        .merge(super::updates::lan_routes())
        .route("/api/v1/tickets/{id}/scans", get(super::scans::lan_list))
        .route(
            "/api/v1/tickets/{id}/scans/{file}",
            get(super::scans::lan_file),
        )
        .route_layer(middleware::from_fn_with_state(
            state,
            auth::require_api_session,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The account acting, if its role may work at a desk.
fn desk_worker(session: &Session) -> Result<Option<String>, ApiError> {
    if session.account.role.works_at_desk() {
        Ok(Some(session.account.login.clone()))
    } else {
        Err(ApiError::forbidden(session.account.role))
    }
}

fn bad_request(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn ticket_id(raw: &str) -> Result<TicketId, ApiError> {
    raw.parse::<u64>()
        .map(TicketId)
        .map_err(|_| ApiError::unknown_ticket(&format!("{raw:?}")))
}

fn desk_no(raw: &str) -> Result<DeskNo, ApiError> {
    raw.parse::<u16>().map(DeskNo).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_desk",
            format!("there is no desk {raw:?}"),
        )
    })
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    let queue = state.queue.snapshot();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "day": queue.day().to_string(),
        "tickets_today": queue.tickets().len(),
    }))
}

async fn services(State(state): State<AppState>) -> Json<Value> {
    let queue = state.queue.snapshot();
    Json(json!(CatalogueView::new(
        &state.settings().commune,
        queue.catalogue(),
        &queue,
        crate::clock::now(),
        |s| state.reference.service_documents(s),
    )))
}

async fn desks(State(state): State<AppState>) -> Json<Value> {
    let queue = state.queue.snapshot();
    let desks: Vec<Value> = queue
        .catalogue()
        .desks()
        .iter()
        .map(|d| {
            json!({
                "number": d.number,
                "name": d.name,
                "services": d.services,
                "ticket": queue.at_desk(d.number).map(|t| TicketView::new(t, &queue)),
            })
        })
        .collect();
    Json(json!({ "desks": desks }))
}

async fn list_tickets(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let mut wanted_state = None;
    let mut wanted_service = None;
    for (key, value) in &query {
        match key.as_str() {
            "state" => {
                wanted_state = Some(value.parse::<TicketState>().map_err(|_| {
                    bad_request(
                        "invalid_query",
                        format!("state={value:?} is not a ticket state"),
                    )
                })?)
            }
            "service" => {
                wanted_service = Some(
                    value
                        .parse::<Letter>()
                        .map_err(|e| bad_request("invalid_query", e.to_string()))?,
                )
            }
            other => {
                return Err(bad_request(
                    "invalid_query",
                    format!("unknown query parameter {other:?}: use state or service"),
                ));
            }
        }
    }
    let queue = state.queue.snapshot();
    let tickets: Vec<TicketView> = queue
        .tickets()
        .iter()
        .filter(|t| {
            wanted_state.is_none_or(|s| t.state == s)
                && wanted_service.is_none_or(|l| t.service == l)
        })
        .map(|t| TicketView::new(t, &queue))
        .collect();
    Ok(Json(
        json!({ "day": queue.day().to_string(), "tickets": tickets }),
    ))
}

async fn issue(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ApiJson(request): ApiJson<IssueRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let account = desk_worker(&session)?;
    let done = state.queue.execute(request.command()?, account).await?;
    let queue = state.queue.snapshot();
    let mut view = json!(TicketView::new(&done.ticket, &queue));
    view["token"] = json!(done.token);
    view["ahead"] = json!(done.estimate.ahead);
    view["estimated_wait_s"] = json!(done.estimate.wait_secs);
    Ok((StatusCode::CREATED, Json(view)))
}

async fn ticket(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let t = state.tickets.by_id(ticket_id(&id)?).await?;
    Ok(Json(TicketView::new(&t, &state.queue.snapshot())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRequest {
    desk: Option<u16>,
    service: Option<String>,
}

async fn act(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((id, action)): Path<(String, String)>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<TicketView>, ApiError> {
    let ticket = ticket_id(&id)?;
    let desk = body.desk.map(DeskNo);
    let need_desk = || {
        desk.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("desk: {action} needs the desk number"),
            )
        })
    };
    let command = match action.as_str() {
        "call" => Command::Call {
            ticket,
            desk: need_desk()?,
        },
        "recall" => Command::Recall {
            ticket,
            desk: need_desk()?,
        },
        "start" => Command::Start {
            ticket,
            desk: need_desk()?,
        },
        "finish" => Command::Finish {
            ticket,
            desk: need_desk()?,
        },
        "no-show" => Command::NoShow {
            ticket,
            desk: need_desk()?,
        },
        "cancel" => Command::Cancel { ticket, desk },
        "transfer" => {
            let to = body.service.as_deref().ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    "service: a transfer needs the service to send the ticket to",
                )
            })?;
            let to = to.parse::<Letter>().map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_service",
                    e.to_string(),
                )
            })?;
            Command::Transfer { ticket, to, desk }
        }
        _ => return Err(error::not_found().await),
    };
    if body.service.is_some() && action != "transfer" {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("service: only a transfer takes a service, not {action}"),
        ));
    }
    let done = state.queue.execute(command, desk_worker(&session)?).await?;
    tracing::info!(number = %done.ticket.number, action = done.event.change.kind(), desk = ?done.event.desk, "ticket updated");
    Ok(Json(TicketView::new(&done.ticket, &state.queue.snapshot())))
}

async fn call_next(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(desk): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let desk = desk_no(&desk)?;
    let done = state
        .queue
        .execute(Command::CallNext { desk }, desk_worker(&session)?)
        .await?;
    tracing::info!(number = %done.ticket.number, %desk, "ticket called");
    Ok(Json(TicketView::new(&done.ticket, &state.queue.snapshot())))
}

async fn calls(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let limit = match query.get("limit") {
        None => 10,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| bad_request("invalid_query", format!("limit={l:?}: use 1 to 100")))?,
    };
    let queue = state.queue.snapshot();
    let mut called: Vec<_> = queue
        .tickets()
        .iter()
        .filter(|t| t.called_at.is_some() && t.desk.is_some())
        .collect();
    called.sort_by_key(|t| std::cmp::Reverse(t.called_at));
    let calls: Vec<Value> = called
        .iter()
        .take(limit)
        .map(|t| json!({ "number": t.number.to_string(), "desk": t.desk, "called_at": t.called_at, "calls": t.calls, "state": t.state }))
        .collect();
    Ok(Json(json!({ "calls": calls })))
}
