//! HTTP at the edge, and only here: the kiosk's narrow API on a Unix socket ([`kiosk`]), and on
//! the LAN (HTTPS) the JSON API ([`api`], [`receipts`], [`scans`]) and the pages ([`pages`]),
//! both behind staff sessions ([`auth`]). Handlers are small: they extract (sessions, roles,
//! bodies, ids), make one call to a service module (`queue_service`, `tickets`, `dossiers`,
//! `scanner`…), and shape the answer ([`views`] for JSON, maud for pages). Every API refusal is
//! an [`ApiError`] with a stable code, every page refusal a `pages::PageError` ([`error`]).

pub mod api;
pub mod auth;
pub mod connections;
pub mod error;
pub mod figures;
pub mod headers;
pub mod json;
pub mod kiosk;
pub mod pages;
pub mod pooling;
pub mod rate;
pub mod receipts;
pub mod scans;
pub mod session;
pub mod updates;
pub mod views;

pub use error::ApiError;

use crate::directory::Directory;
use crate::dossiers::Dossiers;
use crate::feedback::FeedbackBook;
use crate::office::{LiveSettings, Office};
use crate::printer::PrintQueue;
use crate::queue_service::QueueService;
use crate::reference::Reference;
use crate::scanner::Scanner;
use crate::speech::Speech;
use crate::staff::Staff;
use crate::team::Team;
use crate::tickets::Tickets;
use baom_config::Settings;
use std::sync::Arc;

/// The largest request body any endpoint accepts. Every body here is a few fields.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every handler can reach: the service's parts, one struct.
#[derive(Clone)]
pub struct AppState {
    /// The settings as they are now (the file's, with the office's changes laid over them):
    /// read them through [`AppState::settings`].
    pub live: LiveSettings,
    /// The office's services, desks, douars and clock, as supervisors change them.
    pub office: Office,
    /// Staff accounts as supervisors manage them.
    pub team: Team,
    /// Bodies and partners a referral goes to.
    pub directory: Directory,
    pub queue: QueueService,
    /// Tickets by id and by token, with their receipts.
    pub tickets: Tickets,
    /// Follow-up visits booked from cases and checked in at the kiosk.
    pub appointments: crate::appointments::Appointments,
    /// The commune's projects (its action plan), their sheets and history.
    pub projects: crate::projects::Projects,
    /// The office's activities (awareness days, meetings, trainings) and their reports.
    pub activities: crate::activities::Activities,
    /// The diaspora register: associations, members, their skills and offers.
    pub diaspora: crate::diaspora::Diaspora,
    /// The document scanner (SANE), for the kiosk's scans and the officer's.
    pub scanner: Arc<Scanner>,
    /// Anonymous satisfaction votes.
    pub feedback: Arc<FeedbackBook>,
    /// Receipts to print, and the printer's state.
    pub printer: PrintQueue,
    /// Accounts, sessions and the dossiers' key that follows each password.
    pub staff: Staff,
    pub login_limiter: Arc<auth::LoginLimiter>,
    /// Tickets the kiosk socket may issue (a process on the box must not burn the day's
    /// numbers and the paper).
    pub kiosk_tickets: Arc<rate::RateWindow<()>>,
    /// Appointment check-ins the kiosk socket may try (a stray keyboard or a guesser of codes
    /// must not use up the tickets' allowance, nor try codes by the thousand).
    pub kiosk_check_ins: Arc<rate::RateWindow<()>>,
    pub speech: Arc<Speech>,
    /// People, cases and their audit log (`dossiers.db`), open when the vault is.
    pub dossiers: Dossiers,
    /// The register of visits and the office's figures.
    pub figures: crate::figures::FiguresBook,
    /// The papers handed out and sent: slips, letters and their templates.
    pub papers: crate::papers::Papers,
    /// The pooled figures: batches made, their files, their push to the province.
    pub pooling: crate::pooling::Pooling,
    /// The update server's checks and the bundle they downloaded.
    pub feed: crate::updates::feed::Feed,
    /// The reference of procedures (shared, in `queue.db`).
    pub reference: Reference,
    /// The live pages' feed: the queue as JSON, made once per change (`pages::lobby::board_feed`).
    pub board: tokio::sync::watch::Receiver<Arc<str>>,
}

impl AppState {
    /// The settings as they are now.
    pub fn settings(&self) -> Arc<Settings> {
        self.live.get()
    }
}

/// Everything served on the LAN port: the API and the pages, one session for both.
pub fn lan_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .merge(api::router(state.clone()))
        .merge(pages::router(state.clone()))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(headers::secure))
        .with_state(state)
}
