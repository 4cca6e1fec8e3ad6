//! System updates on the LAN, for supervisors and technicians (`crate::updates` receives them;
//! the box's helper installs them):
//!
//! - `GET  /api/v1/updates` → `{"state", "message", "system_version", "rauc", "stick", "feed"}`
//! - `POST /api/v1/updates` with the bundle as the body (`application/octet-stream`, with its
//!   Content-Length) → 202 `{"state": "waiting", "bytes"}`; refusals: 409 `update_busy`,
//!   400 `not_a_bundle`, 413 `bundle_too_large`, 507 `disk_full`, 400 `upload_stopped`
//! - `POST /api/v1/updates/stick` `{"name"}`: the same with a bundle from the update stick
//!   (listed in the status's `stick`); 404 `not_on_stick`
//! - `POST /api/v1/updates/check`: checks the update server now → 202 `{"feed"}`; 409
//!   `no_feed` (none set) or `feed_busy` (a check is under way)
//! - `POST /api/v1/updates/feed`: installs the bundle the update server's check downloaded
//!   (`feed.state` is `offered`) → 202 `{"state": "waiting", "bytes", "version"}`; 404
//!   `nothing_offered`
//!
//! Each bundle handed to the installer is a line of the office's log, with who did it.

use super::{ApiError, AppState};
use crate::accounts::Session;
use crate::updates::feed::FeedError;
use crate::updates::{self, UpdateError};
use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub fn lan_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/updates", get(status).post(upload))
        .route("/api/v1/updates/stick", post(from_stick))
        .route("/api/v1/updates/check", post(check))
        .route("/api/v1/updates/feed", post(from_feed))
}

fn may_update(session: &Session) -> Result<(), ApiError> {
    if session.account.role.sees_devices() {
        Ok(())
    } else {
        Err(ApiError::forbidden(session.account.role))
    }
}

/// The HTTP status of a refused bundle.
pub fn http_status(e: &UpdateError) -> StatusCode {
    match e {
        UpdateError::Busy | UpdateError::Checking => StatusCode::CONFLICT,
        UpdateError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        UpdateError::DiskFull { .. } => StatusCode::INSUFFICIENT_STORAGE,
        UpdateError::NotOnStick(_) | UpdateError::NothingOffered => StatusCode::NOT_FOUND,
        UpdateError::FreeSpace(_) | UpdateError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        UpdateError::NotABundle
        | UpdateError::Truncated { .. }
        | UpdateError::Stalled
        | UpdateError::Body(_) => StatusCode::BAD_REQUEST,
    }
}

impl From<UpdateError> for ApiError {
    fn from(e: UpdateError) -> ApiError {
        ApiError::new(http_status(&e), e.code(), e.to_string())
    }
}

/// The whole status: the installer's, and the update server's last check.
pub fn full_status(state: &AppState) -> Value {
    let mut status = json!(updates::status(&state.settings().data()));
    status["feed"] = json!(state.feed.status());
    status
}

async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Json<Value>, ApiError> {
    may_update(&session)?;
    Ok(Json(full_status(&state)))
}

/// Writes a bundle handed to the installer in the office's log.
pub async fn log_handed(state: &AppState, session: &Session, subject: String) {
    let login = session.account.login.clone();
    tracing::info!(login = %login, %subject, "update bundle handed to the installer");
    if let Err(e) = state.office.log(login, "update.received", subject).await {
        tracing::error!(error = %e, "the update is not in the office's log");
    }
}

async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    may_update(&session)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let data = state.settings().data();
    let free = updates::free_space(&data)?;
    let bytes = updates::receive(&data, declared, free, body.into_data_stream()).await?;
    log_handed(&state, &session, format!("upload · {bytes} B")).await;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"state": "waiting", "bytes": bytes})),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StickChoice {
    pub name: String,
}

async fn from_stick(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    super::json::ApiJson(choice): super::json::ApiJson<StickChoice>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    may_update(&session)?;
    let data = state.settings().data();
    let free = updates::free_space(&data)?;
    let bytes = updates::from_stick(&data, &choice.name, free).await?;
    log_handed(
        &state,
        &session,
        format!("stick · {} · {bytes} B", choice.name),
    )
    .await;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"state": "waiting", "bytes": bytes})),
    ))
}

impl From<FeedError> for ApiError {
    fn from(e: FeedError) -> ApiError {
        let status = match e {
            FeedError::NotConfigured | FeedError::Busy => StatusCode::CONFLICT,
            _ => StatusCode::BAD_GATEWAY,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

async fn check(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    may_update(&session)?;
    state.feed.check_now()?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"feed": state.feed.status()})),
    ))
}

async fn from_feed(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    may_update(&session)?;
    let (version, bytes) = state.feed.install().await?;
    log_handed(&state, &session, format!("server · {version} · {bytes} B")).await;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"state": "waiting", "bytes": bytes, "version": version})),
    ))
}
