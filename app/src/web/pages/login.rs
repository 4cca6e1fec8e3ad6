//! Logging in and out, and replacing a one-time password, as forms.

use super::extract::{CsrfForm, SignedIn};
use super::refusal::{self, PageError};
use super::{home_of, language, layout, safe_next};
use crate::accounts::AccountError;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::{self, LOGIN_CSRF_COOKIE};
use crate::web::session::check_login;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;

fn login_page(
    headers: &HeaderMap,
    jar: CookieJar,
    next: &str,
    problem: Option<&str>,
    status: StatusCode,
) -> Response {
    let tr = language(headers);
    // A fresh token for this form, kept in a cookie of its own (there is no session yet).
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        return PageError::Failed("no randomness for the login form".into()).into_response();
    }
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
        .path("/login")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    let body = html! {
        section.card.narrow {
            h1 { (tr.t("login-title")) }
            @if let Some(problem) = problem { p.problem role="alert" { (problem) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label { (tr.t("login-name")) input name="login" autocomplete="username" autofocus required; }
                label { (tr.t("login-password")) input name="password" type="password" autocomplete="current-password" required; }
                button.primary type="submit" { (tr.t("login-submit")) }
            }
        }
    };
    (
        status,
        jar.add(cookie),
        layout(tr, &tr.t("login-title"), None, "/login", body),
    )
        .into_response()
}

pub async fn form(
    headers: HeaderMap,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let next = safe_next(query.get("next").map(String::as_str));
    login_page(&headers, jar, &next, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = language(&headers);
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let token_ok = !expected.is_empty() && auth::same_token(&form.csrf, &expected);
    if !token_ok || !auth::same_origin(&headers, &uri) {
        tracing::warn!(token_ok, origin = ?headers.get(axum::http::header::ORIGIN), host = ?headers.get(axum::http::header::HOST), "login form refused: cross-site or stale");
        return refusal::page(tr, StatusCode::FORBIDDEN, &tr.t("error-csrf"));
    }
    let next = safe_next(Some(&form.next));
    match check_login(&state, from, &jar, form.login, form.password).await {
        Ok(logged_in) => {
            let session = &logged_in.session;
            tracing::info!(login = %session.account.login, role = %session.account.role, "logged in");
            let target = if session.account.must_change_password {
                "/password".to_owned()
            } else if next == "/" {
                home_of(session.account.role).to_owned()
            } else {
                next
            };
            let jar = auth::login_cookies(
                jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")),
                &logged_in,
            );
            (jar, Redirect::to(&target)).into_response()
        }
        Err(e) => {
            let problem = match e.code {
                "account_locked" => tr.t("login-locked"),
                "too_many_attempts" | "busy" => tr.t("login-too-many"),
                "wrong_credentials" => tr.t("login-wrong"),
                "account_disabled" => tr.t("login-disabled"),
                _ => e.message.clone(),
            };
            login_page(&headers, jar, &next, Some(&problem), e.status)
        }
    }
}

#[derive(Deserialize)]
pub struct Nothing {}

pub async fn logout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    jar: CookieJar,
    _: CsrfForm<Nothing>,
) -> Result<Response, PageError> {
    if let Err(e) = state.staff.log_out(signed_in.session).await {
        tracing::error!(error = %e, "a session could not be ended");
    }
    Ok((
        jar.add(auth::expired_session_cookie()),
        Redirect::to("/login"),
    )
        .into_response())
}

fn password_page(
    tr: Tr,
    session: &crate::accounts::Session,
    problem: Option<&str>,
    status: StatusCode,
) -> Response {
    let body = html! {
        section.card.narrow {
            h1 { (tr.t("password-title")) }
            @if session.account.must_change_password { p { (tr.t("password-explain")) } }
            @if let Some(problem) = problem { p.problem role="alert" { (problem) } }
            // The rules, said before typing.
            ul.rules #password-rules {
                li { (tr.t("password-rule-too_short")) }
                li { (tr.t("password-rule-contains_login")) }
                li { (tr.t("password-rule-same_as_current")) }
            }
            form method="post" action="/password" {
                input type="hidden" name="csrf" value=(session.csrf);
                label { (tr.t("password-current")) input name="current" type="password" autocomplete="current-password" required; }
                label { (tr.t("password-new")) input name="new" type="password" autocomplete="new-password" minlength="10" required; }
                label { (tr.t("password-repeat")) input name="repeat" type="password" autocomplete="new-password" minlength="10" required; }
                button.primary type="submit" { (tr.t("password-submit")) }
            }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("password-title"),
            Some(session),
            "/password",
            body,
        ),
    )
        .into_response()
}

pub async fn password_form(SignedIn { session, tr }: SignedIn) -> Response {
    password_page(tr, &session, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    SignedIn { session, tr }: SignedIn,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let refused = |problem: String| {
        password_page(
            tr,
            &session,
            Some(&problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if form.new != form.repeat {
        return Ok(refused(tr.t("password-mismatch")));
    }
    let role = session.account.role;
    match state
        .staff
        .change_password(session.clone(), form.current, form.new)
        .await
    {
        // A new password, a new session.
        Ok((token, _)) => Ok((
            jar.add(auth::session_cookie(token)),
            Redirect::to(home_of(role)),
        )
            .into_response()),
        Err(AccountError::WrongCredentials) => Ok(refused(tr.t("password-wrong"))),
        Err(AccountError::Locked { .. }) => Ok(refused(tr.t("login-locked"))),
        Err(AccountError::WeakPassword(rule)) => Ok(refused(tr.t1(
            "password-weak",
            "reason",
            &tr.t(&format!("password-rule-{}", rule.code())),
        ))),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}
