//! The JSON API's login, logout and password change (`/api/v1/session`). Pages use the same
//! accounts through their forms (`pages::login`).

use super::auth;
use super::json::ApiJson;
use super::{ApiError, AppState};
use crate::accounts::{LoggedIn, Session};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    login: String,
    password: String,
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

/// Shared by the form and the API: the address limit, then the account's own checks (with the
/// browser's device token, if it sent one).
pub async fn check_login(
    state: &AppState,
    from: SocketAddr,
    jar: &CookieJar,
    login: String,
    password: String,
) -> Result<LoggedIn, ApiError> {
    if !state.login_limiter.allow(from.ip()) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many login attempts from this address; wait a few minutes",
        ));
    }
    let attempted = login.clone();
    let result = state
        .staff
        .log_in(login, password, auth::device_of(jar))
        .await
        .map_err(ApiError::from);
    // The journal keeps logins; while the dossiers are still locked (before the first login
    // after a start) it cannot, and the service's log has the line.
    let (let_in, why) = match &result {
        Ok(_) => (true, String::new()),
        Err(e) => (false, e.code.to_owned()),
    };
    let address = from.ip().to_string();
    let journal = state
        .dossiers
        .run(move |db| {
            crate::dossiers::oversight::record_login(db, &attempted, let_in, &address, &why)
        })
        .await;
    if let Err(e) = journal {
        tracing::debug!(error = %e, "login not in the journal");
    }
    result
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<Value>), ApiError> {
    let logged_in = check_login(&state, from, &jar, request.login, request.password).await?;
    let session = &logged_in.session;
    tracing::info!(login = %session.account.login, role = %session.account.role, "logged in (API)");
    Ok((
        auth::login_cookies(jar, &logged_in),
        Json(describe(session)),
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
    state.staff.log_out(session).await?;
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

/// `204`, with the new session's cookie: a new password starts a new session (the CSRF token
/// stays the same).
pub async fn change_password(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    jar: CookieJar,
    ApiJson(request): ApiJson<PasswordRequest>,
) -> Result<(CookieJar, StatusCode), ApiError> {
    let (token, _) = state
        .staff
        .change_password(session, request.current, request.new)
        .await?;
    Ok((jar.add(auth::session_cookie(token)), StatusCode::NO_CONTENT))
}
