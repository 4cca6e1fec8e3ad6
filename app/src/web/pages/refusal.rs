//! The pages' one error type, [`PageError`]: every page handler returns `Result<_, PageError>`
//! and uses `?` on the service modules' errors. A `PageError` leaves the handler as a bare
//! response marked with what went wrong; [`render`] (a layer on the pages' router) turns it into
//! the page the reader sees, in their language, or the redirect a missing login calls for.

use super::{language, layout};
use crate::accounts::Session;
use crate::dossiers::DossierStoreError;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::{self, SESSION_COOKIE};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use baom_domain::dossier::DossierError;
use maud::html;

/// Why a page was refused.
#[derive(Debug, Clone)]
pub enum PageError {
    /// No valid session: log in, then come back here.
    LogIn,
    /// The one-time password is still in use: replace it first.
    ChangePassword,
    /// This role may not open this page.
    Forbidden,
    /// A form without this session's token (stale, or from another site).
    Csrf,
    /// A form that is not a form of ours (missing or malformed fields).
    BadForm,
    /// Nothing there; the sentence's key (`dossier-unknown-person`…).
    NotFound(&'static str),
    /// An input the dossier rules refuse, named field and all.
    Invalid(DossierError),
    /// The dossiers are locked (the service restarted since this session's login).
    Locked,
    /// A refusal with its own sentence, already in the reader's language.
    Refused { status: StatusCode, message: String },
    /// Something failed inside the service: logged in full, shown as a plain sentence.
    Failed(String),
}

impl PageError {
    pub fn refused(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError::Refused {
            status,
            message: message.into(),
        }
    }
}

impl From<DossierStoreError> for PageError {
    fn from(e: DossierStoreError) -> PageError {
        match e {
            DossierStoreError::Locked => PageError::Locked,
            DossierStoreError::Invalid(d) => PageError::Invalid(d),
            DossierStoreError::NotFound(what) => PageError::NotFound(unknown_key(what)),
            other => PageError::Failed(other.to_string()),
        }
    }
}

/// The sentence's key for a thing that is not there.
pub fn unknown_key(what: &str) -> &'static str {
    match what {
        "person" => "dossier-unknown-person",
        "case" => "dossier-unknown-case",
        "referral" => "dossier-unknown-referral",
        "scan" => "dossier-unknown-scan",
        "merge" => "dossier-unknown-merge",
        "ticket" => "dossier-unknown-ticket",
        "procedure" => "dossier-unknown-procedure",
        "member" => "diaspora-unknown-member",
        "association" => "diaspora-unknown-association",
        "contribution" => "diaspora-unknown-contribution",
        _ => "error-not-found",
    }
}

/// The marker a refused handler's response carries until [`render`] makes it a page.
#[derive(Clone)]
struct Refusal(PageError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(Refusal(self));
        response
    }
}

/// A refused input as a sentence in the reader's language, naming the field.
pub fn explain(tr: Tr, e: &DossierError) -> String {
    let key = format!("dossier-error-{}", e.code);
    let sentence = tr.t(&key);
    let field = tr.t(&format!("field-{}", e.field));
    if sentence == key {
        format!("{field}: {}", e.message)
    } else {
        format!("{sentence} ({field})")
    }
}

/// Layer of the pages' router: a response marked by a [`PageError`] becomes its page.
pub async fn render(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let tr = language(request.headers());
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let cookie = CookieJar::from_headers(request.headers())
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    let response = next.run(request).await;
    let Some(Refusal(error)) = response.extensions().get::<Refusal>().cloned() else {
        return response;
    };
    // Who is refused, if anyone is signed in: their header, their way around, and a way back
    // to their own home page stay on the refusal.
    let session = match (&error, cookie) {
        (PageError::LogIn | PageError::ChangePassword, _) | (_, None) => None,
        (_, Some(token)) => state.staff.session(token).await.ok().flatten(),
    };
    let session = session.as_ref();
    let refuse = |status: StatusCode, message: &str| page_for(tr, status, message, session, &here);
    match error {
        PageError::LogIn => {
            let next = super::safe_next(Some(&here));
            Redirect::to(&format!("/login?next={}", auth::urlencode(&next))).into_response()
        }
        PageError::ChangePassword => Redirect::to("/password").into_response(),
        PageError::Forbidden => refuse(StatusCode::FORBIDDEN, &tr.t("error-forbidden")),
        PageError::Csrf => refuse(StatusCode::FORBIDDEN, &tr.t("error-csrf")),
        PageError::BadForm => refuse(StatusCode::UNPROCESSABLE_ENTITY, &tr.t("error-bad-form")),
        PageError::NotFound(key) => refuse(StatusCode::NOT_FOUND, &tr.t(key)),
        PageError::Invalid(e) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &explain(tr, &e)),
        PageError::Refused { status, message } => refuse(status, &message),
        PageError::Failed(why) => {
            tracing::error!(error = %why, page = %here, "page failed");
            refuse(StatusCode::SERVICE_UNAVAILABLE, &tr.t("error-unavailable"))
        }
        PageError::Locked => match session {
            Some(session) => locked_page(tr, session),
            None => Redirect::to("/login").into_response(),
        },
    }
}

/// A refusal as a page: what was refused, in the reader's language, and a way back.
pub fn page(tr: Tr, status: StatusCode, message: &str) -> Response {
    page_for(tr, status, message, None, "/")
}

/// A refusal for whoever is signed in: the page keeps their header and navigation, and the way
/// back leads to their own home page (their desk, the journal, the technician's page…).
fn page_for(
    tr: Tr,
    status: StatusCode,
    message: &str,
    session: Option<&Session>,
    here: &str,
) -> Response {
    let home = session.map_or("/", |s| super::home_of(s.account.role));
    let body = html! {
        section.card.refusal {
            h1 { (tr.t("error-title")) }
            p role="alert" { (message) }
            p { a.button href=(home) { (tr.t("error-back")) } }
        }
    };
    (
        status,
        layout(tr, &tr.t("error-title"), session, here, body),
    )
        .into_response()
}

/// The dossiers are locked (the service restarted since this session's login).
fn locked_page(tr: Tr, session: &Session) -> Response {
    let body = html! {
        section.card.narrow {
            h1 { (tr.t("dossiers-locked-title")) }
            p { (tr.t("dossiers-locked-explain")) }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(session.csrf);
                button.primary type="submit" { (tr.t("dossiers-login-again")) }
            }
            @if session.account.role.supervises() {
                p { a href="/vault" { (tr.t("vault-title")) } }
            }
        }
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        layout(
            tr,
            &tr.t("dossiers-locked-title"),
            Some(session),
            "/people",
            body,
        ),
    )
        .into_response()
}
