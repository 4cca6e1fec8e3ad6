//! The pooled figures in the LAN's JSON API (supervisors):
//!
//! - `GET  /api/v1/pooling` → `{"commune_code", "public_key", "server"}` (whether the box
//!   pushes) and `batches`, newest first
//! - `POST /api/v1/pooling/batches` `{"period": "2026"}` (a year, `2026-Q4`, `2026-11` or a
//!   day) → `201` and the batch (`id`, `period`, `replaces`, `rows`, `sha256`, `push_state`…);
//!   refusals `422` with `no_commune_code`, `overlapping_period`, `range_not_pooled`,
//!   `no_data`, or a period's own code
//! - `GET  /api/v1/pooling/batches/{id}` → the signed file (`baom-pool/1`, JSON)
//! - `POST /api/v1/pooling/push` → `202`: the push tries now instead of at its next round

use super::json::ApiJson;
use super::{ApiError, AppState};
use crate::accounts::Session;
use crate::pooling::{BatchRow, PoolingError};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn lan_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/pooling", get(overview))
        .route("/api/v1/pooling/batches", post(make))
        .route("/api/v1/pooling/batches/{id}", get(file))
        .route("/api/v1/pooling/push", post(push))
}

impl From<PoolingError> for ApiError {
    fn from(e: PoolingError) -> ApiError {
        match e {
            PoolingError::Figures(f) => f.into(),
            PoolingError::UnknownBatch => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_batch", e.to_string())
            }
            e @ (PoolingError::Store(_) | PoolingError::Key(_) | PoolingError::Stick(_)) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            }
            e => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
        }
    }
}

fn supervisor(session: &Session) -> Result<(), ApiError> {
    if session.account.role.supervises() {
        Ok(())
    } else {
        Err(ApiError::forbidden(session.account.role))
    }
}

pub fn view(b: &BatchRow) -> Value {
    json!({
        "id": b.id, "period": b.period, "replaces": b.replaces, "made_at": b.made_at,
        "made_by": b.made_by, "rows": b.rows, "sha256": b.sha256, "push_state": b.push_state,
        "push_note": b.push_note, "pushed_at": b.pushed_at, "push_attempts": b.push_attempts,
        "on_stick": b.on_stick,
    })
}

async fn overview(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Json<Value>, ApiError> {
    supervisor(&session)?;
    let batches = state.pooling.list().await?;
    Ok(Json(json!({
        "commune_code": state.settings().commune.code,
        "public_key": state.pooling.public_key(),
        "server": state.pooling.pushes(),
        "batches": batches.iter().map(view).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MakeBody {
    period: String,
}

async fn make(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ApiJson(body): ApiJson<MakeBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    supervisor(&session)?;
    let period = state.figures.period(Some(&body.period), None, None)?;
    let made = state
        .pooling
        .make(session.account.login.clone(), period)
        .await?;
    Ok((StatusCode::CREATED, Json(view(&made))))
}

async fn file(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    supervisor(&session)?;
    let (batch, bytes) = state.pooling.file(id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.json\"", batch.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn push(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<StatusCode, ApiError> {
    supervisor(&session)?;
    state.pooling.wake_push();
    Ok(StatusCode::ACCEPTED)
}
