//! HTTP at the edge: the kiosk's narrow API on a Unix socket ([`kiosk`]), and on the LAN (HTTPS)
//! the JSON API ([`api`]) and the pages ([`pages`]), both behind staff sessions ([`auth`]). Handlers are small: they parse ([`json`]), call the queue service or read its
//! snapshot, and shape the answer ([`views`]); every failure is an [`ApiError`] with a stable code.

pub mod api;
pub mod auth;
pub mod error;
pub mod json;
pub mod kiosk;
pub mod pages;
pub mod receipts;
pub mod session;
pub mod views;

pub use error::ApiError;

use crate::config::Settings;
use crate::queue_service::QueueService;
use crate::store::{StoreError, tickets};
use baom_domain::queue::{Ticket, TicketId};
use rusqlite::Connection;
use std::sync::{Arc, Mutex};

/// The largest request body any endpoint accepts. Every body here is a few fields.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub queue: QueueService,
    /// A read-only connection for what the in-memory day does not hold (other days, tokens).
    pub reader: Arc<Mutex<Connection>>,
    /// The document scanner (SANE), for the kiosk's scans and the officer's list.
    pub scanner: Arc<crate::scanner::Scanner>,
    /// Anonymous satisfaction votes.
    pub feedback: Arc<crate::feedback::FeedbackBook>,
    /// Receipts to print, and the printer's state.
    pub printer: crate::printer::PrintQueue,
    /// Signs and checks ticket tokens.
    pub tokens: crate::token::TokenKey,
    pub accounts: crate::accounts::Accounts,
    pub login_limiter: Arc<auth::LoginLimiter>,
    pub speech: Arc<crate::speech::Speech>,
    /// The dossiers' key: locked after a boot, open after the first login of a holder.
    pub vault: Arc<crate::vault::Vault>,
    /// People, cases and their audit log (`dossiers.db`), open when the vault is.
    pub dossiers: crate::dossiers::Dossiers,
    /// The reference of procedures (shared, in `queue.db`).
    pub reference: crate::reference::Reference,
    /// The live pages' feed: the queue as JSON, made once per change (`pages::lobby::board_feed`).
    pub board: tokio::sync::watch::Receiver<Arc<str>>,
}

/// Everything served on the LAN port: the API and the pages, one session for both.
pub fn lan_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .merge(api::router(state.clone()))
        .merge(pages::router())
        .fallback(pages::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

impl AppState {
    /// Runs a read on the reader connection off the async threads.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader
                .lock()
                .map_err(|_| StoreError::Corrupt("reader lock poisoned".into()))?;
            f(&conn)
        })
        .await
        .map_err(|e| ApiError::internal(format!("read task failed: {e}")))?
        .map_err(ApiError::from)
    }

    /// What a visitor should bring for a service (its own list and its procedures').
    pub fn service_documents(&self, service: &baom_domain::Service) -> Vec<baom_domain::Document> {
        let procedures = self
            .settings
            .service_procedures
            .iter()
            .find(|(l, _)| *l == service.letter)
            .map(|(_, p)| p.as_slice())
            .unwrap_or_default();
        self.reference.documents_for(&service.documents, procedures)
    }

    /// A ticket by id: today's from the live queue, older ones from disk.
    pub async fn ticket(&self, id: TicketId) -> Result<Ticket, ApiError> {
        if let Some(t) = self.queue.snapshot().ticket(id) {
            return Ok(*t);
        }
        self.read(move |c| tickets::by_id(c, id))
            .await?
            .ok_or_else(|| ApiError::unknown_ticket(&id.to_string()))
    }
}
