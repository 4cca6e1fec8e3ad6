//! What a page handler is given before it runs, so that it does not check by hand: the
//! reader's language ([`Tr`]), the signed-in staff member with the role the page needs
//! ([`Page`]), a form checked against the session's CSRF token ([`CsrfForm`]), and typed ids in
//! the address ([`PersonId`], [`CaseId`], [`ScanId`], [`DeskPath`]). Each refusal is a
//! [`PageError`], so it becomes the same page everywhere.

use super::language;
use super::refusal::PageError;
use crate::accounts::{Role, Session};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::auth::{SESSION_COOKIE, same_token};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;
use baom_domain::catalogue::{Desk, DeskNo};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Tr, Self::Rejection> {
        Ok(language(&parts.headers))
    }
}

/// Which roles a page admits.
pub trait Gate: Send + Sync + 'static {
    fn admits(role: Role) -> bool;
}

/// Any signed-in role (the lobby TV included).
pub struct AnyRole;
/// Officers and supervisors at a desk.
pub struct DeskWork;
/// Officers and supervisors in the dossiers.
pub struct DossierWork;
/// Supervisors only.
pub struct Supervision;
/// Technicians and supervisors (devices and health).
pub struct Devices;

impl Gate for AnyRole {
    fn admits(_: Role) -> bool {
        true
    }
}
impl Gate for DeskWork {
    fn admits(role: Role) -> bool {
        role.works_at_desk()
    }
}
impl Gate for DossierWork {
    fn admits(role: Role) -> bool {
        role.sees_dossiers()
    }
}
impl Gate for Supervision {
    fn admits(role: Role) -> bool {
        role.supervises()
    }
}
impl Gate for Devices {
    fn admits(role: Role) -> bool {
        role.sees_devices()
    }
}

/// The session of a request, looked up once and kept in the request for the form check.
async fn session(parts: &mut Parts, state: &AppState) -> Result<Session, PageError> {
    if let Some(session) = parts.extensions.get::<Session>() {
        return Ok(session.clone());
    }
    let token = CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or(PageError::LogIn)?;
    let session = state
        .staff
        .session(token)
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?
        .ok_or(PageError::LogIn)?;
    parts.extensions.insert(session.clone());
    Ok(session)
}

/// A signed-in staff member whose role the gate `G` admits and whose one-time password is
/// replaced, with the reader's language.
pub struct Page<G> {
    pub session: Session,
    pub tr: Tr,
    gate: PhantomData<G>,
}

impl<G> Page<G> {
    /// The name written in the audit log.
    pub fn actor(&self) -> String {
        self.session.account.login.clone()
    }

    pub fn role(&self) -> Role {
        self.session.account.role
    }
}

impl<G: Gate> FromRequestParts<AppState> for Page<G> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let session = session(parts, state).await?;
        if session.account.must_change_password {
            return Err(PageError::ChangePassword);
        }
        if !G::admits(session.account.role) {
            return Err(PageError::Forbidden);
        }
        Ok(Page {
            session,
            tr: language(&parts.headers),
            gate: PhantomData,
        })
    }
}

/// Signed in, even with the one-time password still to replace (the password page, logout).
pub struct SignedIn {
    pub session: Session,
    pub tr: Tr,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Ok(SignedIn {
            session: session(parts, state).await?,
            tr: language(&parts.headers),
        })
    }
}

/// A form body of type `T`, sent with this session's CSRF token in its `csrf` field (a [`Page`]
/// or [`SignedIn`] comes before it in the handler's arguments).
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PageError> {
        let expected = req
            .extensions()
            .get::<Session>()
            .map(|s| s.csrf.clone())
            .ok_or(PageError::Csrf)?;
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(PageError::BadForm);
        }
        let bytes = tokio::time::timeout(
            crate::web::connections::BODY,
            Bytes::from_request(req, state),
        )
        .await
        .map_err(|_| PageError::BadForm)?
        .map_err(|_| PageError::BadForm)?;
        let sent: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| PageError::Csrf)?;
        if !same_token(&sent.csrf, &expected) {
            return Err(PageError::Csrf);
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| PageError::BadForm)
    }
}

/// A positive number in the address, or the page for "no such thing".
fn positive_id(raw: &str, unknown: &'static str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(PageError::NotFound(unknown))
}

macro_rules! id_in_path {
    ($(#[$doc:meta])* $name:ident, $unknown:literal) => {
        $(#[$doc])*
        pub struct $name(pub i64);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = PageError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
                let Path(raw) = Path::<String>::from_request_parts(parts, state)
                    .await
                    .map_err(|_| PageError::NotFound($unknown))?;
                positive_id(&raw, $unknown).map($name)
            }
        }
    };
}

id_in_path!(
    /// `/people/{id}`: a person's number.
    PersonId,
    "dossier-unknown-person"
);
id_in_path!(
    /// `/cases/{id}`: a case's number.
    CaseId,
    "dossier-unknown-case"
);
id_in_path!(
    /// `/scans/{id}`: a dossier scan's number.
    ScanId,
    "dossier-unknown-scan"
);

id_in_path!(
    /// `/projects/{id}`: a commune project's number.
    ProjectId,
    "project-unknown"
);
id_in_path!(
    /// `/activities/{id}`: an office activity's number.
    ActivityId,
    "activity-unknown"
);
id_in_path!(
    /// `/diaspora/members/{id}`: a diaspora member's number.
    MemberId,
    "diaspora-unknown-member"
);
id_in_path!(
    /// `/contributions/{id}`: a contribution's number.
    ContributionId,
    "diaspora-unknown-contribution"
);

/// `/desk/{desk}`: one of the office's desks.
pub struct DeskPath(pub Desk);

impl FromRequestParts<AppState> for DeskPath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let tr = language(&parts.headers);
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::NotFound("error-not-found"))?;
        raw.parse::<u16>()
            .ok()
            .and_then(|n| state.queue.catalogue().desk(DeskNo(n)).cloned())
            .map(DeskPath)
            .ok_or_else(|| {
                PageError::refused(
                    axum::http::StatusCode::NOT_FOUND,
                    tr.t1("desk-number", "n", &raw),
                )
            })
    }
}

/// A form's fields as sent, in order, repeated names included (forms with rows: a procedure's
/// steps, a service's documents). Used as `CsrfForm<Fields>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct Fields(pub Vec<(String, String)>);

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }
}

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether a checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}
