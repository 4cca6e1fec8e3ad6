//! The JSON API's login, logout and password change (`/api/v1/session`). Pages use the same
//! accounts through their forms (`pages::login`).

use super::auth::{self, LoginLimiter};
use super::json::ApiJson;
use super::{ApiError, AppState};
use crate::accounts::{AccountError, Session};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    login: String,
    password: String,
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> ApiError {
        match e {
            AccountError::WrongCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "wrong_credentials", e.to_string())
            }
            AccountError::Locked { .. } => {
                ApiError::new(StatusCode::LOCKED, "account_locked", e.to_string())
            }
            AccountError::WeakPassword(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "weak_password",
                e.to_string(),
            ),
            AccountError::Exists(_) => {
                ApiError::new(StatusCode::CONFLICT, "account_exists", e.to_string())
            }
            AccountError::Store(_) | AccountError::Hashing(_) => ApiError::internal(e.to_string()),
        }
    }
}

fn describe(session: &Session) -> Value {
    json!({
        "login": session.account.login,
        "name": session.account.display_name,
        "role": session.account.role,
        "must_change_password": session.account.must_change_password,
        "csrf": session.csrf,
    })
}

/// Shared by the form and the API: the address limit, then the account's own checks.
pub async fn check_login(
    state: &AppState,
    limiter: &LoginLimiter,
    from: SocketAddr,
    login: String,
    password: String,
) -> Result<(String, Session), ApiError> {
    if !limiter.allow(from.ip()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many login attempts from this address; wait a few minutes",
        ));
    }
    if login.len() > 64 || password.len() > 256 {
        return Err(AccountError::WrongCredentials.into());
    }
    let accounts = state.accounts.clone();
    let vault = state.vault.clone();
    let result = tokio::task::spawn_blocking(move || {
        let result = accounts.login(&login, &password, Timestamp::now());
        if let Ok((_, session)) = &result {
            // The password that opened the session also opens (or joins) the dossiers' key.
            let account = &session.account;
            if let Err(e) = vault.after_login(&account.login, account.role, &password) {
                tracing::error!(login = %account.login, error = %e, "the dossiers' key could not follow this login");
            }
        }
        result
    })
    .await
    .map_err(|e| ApiError::internal(format!("login task failed: {e}")))?;
    Ok(result?)
}

/// Changes a password (form or API); the account's wrap of the dossiers' key follows it.
pub async fn replace_password(
    state: &AppState,
    session: Session,
    current: String,
    new: String,
) -> Result<(), AccountError> {
    let accounts = state.accounts.clone();
    let vault = state.vault.clone();
    tokio::task::spawn_blocking(move || {
        accounts.change_password(&session, &current, &new)?;
        let account = &session.account;
        if let Err(e) = vault.after_password_change(&account.login, account.role, &current, &new) {
            tracing::error!(login = %account.login, error = %e, "the dossiers' key could not follow this password");
        }
        Ok(())
    })
    .await
    .map_err(|e| AccountError::Hashing(format!("password task failed: {e}")))?
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<Value>), ApiError> {
    let (token, session) = check_login(
        &state,
        &state.login_limiter,
        from,
        request.login,
        request.password,
    )
    .await?;
    tracing::info!(login = %session.account.login, role = %session.account.role, "logged in (API)");
    Ok((
        jar.add(auth::session_cookie(token)),
        Json(describe(&session)),
    ))
}

pub async fn current(Extension(session): Extension<Session>) -> Json<Value> {
    Json(describe(&session))
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let accounts = state.accounts.clone();
    tokio::task::spawn_blocking(move || accounts.logout(&session))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok((
        jar.add(auth::expired_session_cookie()),
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ApiJson(request): ApiJson<PasswordRequest>,
) -> Result<StatusCode, ApiError> {
    replace_password(&state, session, request.current, request.new).await?;
    Ok(StatusCode::NO_CONTENT)
}
