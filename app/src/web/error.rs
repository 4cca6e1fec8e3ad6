//! The one error type of the JSON APIs (kiosk and LAN): a status, a stable machine `code` and a
//! sentence. Every refusal of the service's modules, from a bad body to a queue rule, a scanner
//! that is busy or a locked vault, leaves through here as `{"code": "...", "message": "..."}`.
//! (Pages have their own, `pages::PageError`, which renders a page in the reader's language.)

use crate::accounts::AccountError;
use crate::dossiers::DossierStoreError;
use crate::feedback::FeedbackError;
use crate::queue_service::ServiceError;
use crate::reference::ReferenceStoreError;
use crate::scanner::ScanError;
use crate::store::StoreError;
use crate::tickets::TicketError;
use crate::vault::VaultError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baom_domain::queue::QueueError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    pub fn forbidden(role: crate::accounts::Role) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the {role} role may not do this"),
        )
    }

    pub fn unknown_ticket(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_ticket",
            format!("there is no ticket {what}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // What went wrong inside the service (paths, database errors) goes to the log; the
        // client reads the code and a sentence that gives nothing of the box away.
        let message = if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
            server_error_sentence(self.code).to_owned()
        } else {
            self.message
        };
        (
            self.status,
            Json(json!({ "code": self.code, "message": message })),
        )
            .into_response()
    }
}

/// What a client is told of a failure inside the service, by code.
fn server_error_sentence(code: &str) -> &'static str {
    match code {
        "dossiers_locked" => {
            "the dossiers are locked: they open when an officer or supervisor who holds the key logs in"
        }
        "scanner_not_configured" => "this office has no scanner configured",
        "scanner_failed" => "the scanner did not give a page; check that it is on and try again",
        "stopping" => "the service is stopping; try again in a moment",
        "busy" => "too many logins at once; try again in a moment",
        "storage_unavailable" | "dossiers_unavailable" => {
            "the service could not reach its data; try again, and tell the technician if it goes on"
        }
        _ => "the service failed to do this; the technician will find the details in its log",
    }
}

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> ApiError {
        let status = match e {
            QueueError::UnknownTicket(_) | QueueError::UnknownDesk(_) => StatusCode::NOT_FOUND,
            QueueError::UnknownService(_) | QueueError::TransferToSameService(..) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            QueueError::ServiceClosed(_)
            | QueueError::NoWaitingTicket(_)
            | QueueError::DeskBusy { .. }
            | QueueError::DeskDoesNotServe { .. }
            | QueueError::WrongDesk { .. }
            | QueueError::InvalidState { .. }
            | QueueError::DailyLimitReached(_) => StatusCode::CONFLICT,
            QueueError::DayChanged { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::Refused(e) => e.into(),
            ServiceError::Storage(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                e.to_string(),
            ),
            ServiceError::Stopping => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "stopping", e.to_string())
            }
            ServiceError::AppointmentTaken => {
                ApiError::new(StatusCode::CONFLICT, "appointment_used", e.to_string())
            }
        }
    }
}

impl From<crate::appointments::AppointmentError> for ApiError {
    fn from(e: crate::appointments::AppointmentError) -> ApiError {
        use crate::appointments::AppointmentError as E;
        let status = match &e {
            E::Refused(_) | E::CaseClosed => StatusCode::UNPROCESSABLE_ENTITY,
            E::Malformed | E::Forged => StatusCode::BAD_REQUEST,
            E::UnknownCode | E::Unknown(_) => StatusCode::NOT_FOUND,
            E::OtherDay { .. } | E::Used(_) => StatusCode::CONFLICT,
            E::Queue(_) | E::Dossiers(_) | E::Store(_) | E::Token(_) => {
                return match e {
                    E::Queue(q) => q.into(),
                    E::Dossiers(d) => d.into(),
                    E::Store(s) => s.into(),
                    other => ApiError::internal(other.to_string()),
                };
            }
        };
        ApiError::new(status, e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            e.to_string(),
        )
    }
}

impl From<TicketError> for ApiError {
    fn from(e: TicketError) -> ApiError {
        match e {
            TicketError::Unknown(what) => ApiError::unknown_ticket(&what),
            TicketError::InvalidToken(t) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", t.to_string())
            }
            TicketError::Store(s) => s.into(),
            TicketError::Token(t) => ApiError::internal(t.to_string()),
        }
    }
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
            AccountError::Busy => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string())
            }
            AccountError::Disabled => {
                ApiError::new(StatusCode::FORBIDDEN, "account_disabled", e.to_string())
            }
            AccountError::Unknown(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_account", e.to_string())
            }
            AccountError::Store(_) | AccountError::Hashing(_) => ApiError::internal(e.to_string()),
        }
    }
}

impl From<ScanError> for ApiError {
    fn from(e: ScanError) -> ApiError {
        let (status, code) = match e {
            ScanError::Vault(v) => return v.into(),
            ScanError::Dossiers(d) => return d.into(),
            ScanError::NotConfigured => (StatusCode::SERVICE_UNAVAILABLE, "scanner_not_configured"),
            ScanError::Busy => (StatusCode::CONFLICT, "scanner_busy"),
            ScanError::Failed(_) => (StatusCode::BAD_GATEWAY, "scanner_failed"),
            ScanError::TicketClosed => (StatusCode::CONFLICT, "ticket_closed"),
            ScanError::TooMany => (StatusCode::CONFLICT, "too_many_scans"),
            ScanError::Unknown => (StatusCode::NOT_FOUND, "unknown_scan"),
            ScanError::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl From<FeedbackError> for ApiError {
    fn from(e: FeedbackError) -> ApiError {
        let (status, code) = match &e {
            FeedbackError::UnknownRating => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_rating"),
            FeedbackError::UnknownReason => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_reason"),
            FeedbackError::UnknownService(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unknown_service")
            }
            FeedbackError::UnknownLanguage(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "unknown_language")
            }
            FeedbackError::TooMany => (StatusCode::TOO_MANY_REQUESTS, "too_many_votes"),
            FeedbackError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

/// For routes that do not exist: the same JSON shape as every other error.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method",
    )
}

impl From<VaultError> for ApiError {
    fn from(e: VaultError) -> ApiError {
        match e {
            VaultError::Locked => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "dossiers_locked",
                e.to_string(),
            ),
            VaultError::WrongKey | VaultError::MalformedRecoveryKey => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "wrong_key", e.to_string())
            }
            VaultError::Damaged => ApiError::new(StatusCode::CONFLICT, "damaged", e.to_string()),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

impl From<DossierStoreError> for ApiError {
    fn from(e: DossierStoreError) -> ApiError {
        use DossierStoreError as E;
        match e {
            E::Locked => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "dossiers_locked",
                e.to_string(),
            ),
            E::Unavailable(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "dossiers_unavailable",
                e.to_string(),
            ),
            E::Invalid(d) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, d.code, d.to_string()),
            E::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                match what {
                    "person" => "unknown_person",
                    "case" => "unknown_case",
                    "referral" => "unknown_referral",
                    "scan" => "unknown_scan",
                    _ => "not_found",
                },
                e.to_string(),
            ),
            E::Vault(v) => v.into(),
            E::Store(_) | E::Io(_) => ApiError::internal(e.to_string()),
        }
    }
}

impl From<ReferenceStoreError> for ApiError {
    fn from(e: ReferenceStoreError) -> ApiError {
        use ReferenceStoreError as E;
        match e {
            E::Syntax(_) | E::Invalid(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_reference",
                e.to_string(),
            ),
            E::TooLarge(_) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            E::Exists(_) => ApiError::new(StatusCode::CONFLICT, "procedure_exists", e.to_string()),
            E::Stale => ApiError::new(StatusCode::CONFLICT, "stale_preview", e.to_string()),
            E::Unknown(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_procedure", e.to_string())
            }
            E::Store(_) => ApiError::internal(e.to_string()),
        }
    }
}
