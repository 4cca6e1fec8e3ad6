//! System updates on the LAN, for supervisors and technicians (`crate::updates` receives them;
//! the box's helper installs them):
//!
//! - `GET  /api/v1/updates` → `{"state", "message", "system_version", "rauc"}`
//! - `POST /api/v1/updates` with the bundle as the body (`application/octet-stream`, with its
//!   Content-Length) → 202 `{"state": "waiting", "bytes"}`; refusals: 409 `update_busy`,
//!   400 `not_a_bundle`, 413 `bundle_too_large`, 507 `disk_full`, 400 `upload_stopped`
//! - `POST /api/v1/updates/stick` `{"name"}`: the same with a bundle from the update stick
//!   (listed in the status's `stick`); 404 `not_on_stick`

use super::{ApiError, AppState};
use crate::accounts::Session;
use crate::updates::{self, UpdateError};
use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use serde_json::{Value, json};

pub fn lan_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/updates", get(status).post(upload))
        .route("/api/v1/updates/stick", axum::routing::post(from_stick))
}

fn may_update(session: &Session) -> Result<(), ApiError> {
    if session.account.role.sees_devices() {
        Ok(())
    } else {
        Err(ApiError::forbidden(session.account.role))
    }
}

impl From<UpdateError> for ApiError {
    fn from(e: UpdateError) -> ApiError {
        let (status, code) = match &e {
            UpdateError::Busy => (StatusCode::CONFLICT, "update_busy"),
            UpdateError::NotABundle => (StatusCode::BAD_REQUEST, "not_a_bundle"),
            UpdateError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "bundle_too_large"),
            UpdateError::DiskFull { .. } => (StatusCode::INSUFFICIENT_STORAGE, "disk_full"),
            UpdateError::Truncated { .. } | UpdateError::Stalled | UpdateError::Body(_) => {
                (StatusCode::BAD_REQUEST, "upload_stopped")
            }
            UpdateError::NotOnStick(_) => (StatusCode::NOT_FOUND, "not_on_stick"),
            UpdateError::Io(_) => (StatusCode::INTERNAL_SERVER_ERROR, "update_io"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Json<Value>, ApiError> {
    may_update(&session)?;
    Ok(Json(json!(updates::status(&state.settings().data()))))
}

/// The free space on the data partition, for the size checks.
pub fn free_space(state: &AppState) -> u64 {
    crate::health::disk(state.settings().data().root()).map_or(0, |d| d.free)
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
    let bytes =
        updates::receive(&data, declared, free_space(&state), body.into_data_stream()).await?;
    tracing::info!(login = %session.account.login, bytes, "update bundle received");
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
    let bytes = updates::from_stick(&data, &choice.name, free_space(&state)).await?;
    tracing::info!(login = %session.account.login, bytes, name = %choice.name, "update bundle taken from the stick");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"state": "waiting", "bytes": bytes})),
    ))
}
