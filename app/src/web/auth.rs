//! Who is asking: sessions from cookies, roles, CSRF tokens and the login rate limit.
//!
//! Pages and the JSON API share one session cookie (`Secure; HttpOnly; SameSite=Strict`). Every
//! state-changing request proves it comes from our own pages: forms carry the session's CSRF
//! token in a hidden field, API calls in the `X-CSRF-Token` header. The login form, which comes
//! before any session, is protected the same way by a short-lived cookie of its own.

use super::{ApiError, AppState};
use crate::accounts::{Role, Session};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::net::IpAddr;
use std::time::Duration;

pub const SESSION_COOKIE: &str = "baom_session";
/// A browser's device token (see `accounts::guard`): where an account logged in before.
pub const DEVICE_COOKIE: &str = "baom_device";
pub const LOGIN_CSRF_COOKIE: &str = "baom_login";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session cookie, as the browser must keep it.
pub fn session_cookie(token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .build()
}

/// The device cookie: long-lived, for this site only, never read by scripts.
pub fn device_cookie(token: String) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, token))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .permanent()
        .build()
}

/// The cookies a login sets: its session, and the device token if the browser had none.
pub fn login_cookies(jar: CookieJar, logged_in: &crate::accounts::LoggedIn) -> CookieJar {
    let jar = jar.add(session_cookie(logged_in.token.clone()));
    match &logged_in.device {
        Some(device) => jar.add(device_cookie(device.clone())),
        None => jar,
    }
}

/// The device token the browser sent, if any.
pub fn device_of(jar: &CookieJar) -> Option<String> {
    jar.get(DEVICE_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn expired_session_cookie() -> Cookie<'static> {
    let mut c = session_cookie(String::new());
    c.make_removal();
    c
}

/// The session of a request, if its cookie names a valid one.
pub async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, ApiError> {
    let jar = CookieJar::from_headers(headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    state
        .staff
        .session(token)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Middleware for the JSON API: a valid session, a changed one-time password, a role that may
/// use the API (not the lobby TV's), and the CSRF header on anything that changes state.
pub async fn require_api_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/api/v1/session" && request.method() == Method::POST {
        return next.run(request).await; // logging in: there is no session yet
    }
    let session = match session_of(&state, request.headers()).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "not_logged_in",
                "log in first: POST /api/v1/session",
            )
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changing {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same_token(sent, &session.csrf) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "missing or wrong X-CSRF-Token header (GET /api/v1/session gives it)",
            )
            .into_response();
        }
    }
    let path = request.uri().path();
    let is_session_route = path.starts_with("/api/v1/session");
    if session.account.must_change_password && !is_session_route {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "change the one-time password first: POST /api/v1/session/password",
        )
        .into_response();
    }
    if !session.account.role.uses_api() && !is_session_route {
        return forbidden_api(session.account.role);
    }
    request.extensions_mut().insert(session);
    next.run(request).await
}

pub fn forbidden_api(role: Role) -> Response {
    ApiError::forbidden(role).into_response()
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Attempts allowed from one address in [`LOGIN_WINDOW`], whatever the logins tried.
pub const ATTEMPTS_PER_WINDOW: usize = 30;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Limits login attempts per client address, on top of the per-login lock-out.
pub type LoginLimiter = super::rate::RateWindow<IpAddr>;

pub fn login_limiter() -> LoginLimiter {
    LoginLimiter::new(ATTEMPTS_PER_WINDOW, LOGIN_WINDOW)
}

/// Whether a request comes with the `Origin` of this very site (or none, as from curl): a second
/// check against cross-site requests besides the CSRF tokens. The site is the `Host` header over
/// HTTP/1.1, the URI's authority over HTTP/2.
pub fn same_origin(headers: &HeaderMap, uri: &axum::http::Uri) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    origin == format!("https://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole_and_limits_hold_per_address() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd") && !same_token("abc", "ab") && !same_token("", "a"));
        let limiter = login_limiter();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..ATTEMPTS_PER_WINDOW {
            assert!(limiter.allow(a));
        }
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
        assert_eq!(urlencode("/desk/1?x=a b"), "/desk/1%3Fx%3Da%20b");
    }
}
