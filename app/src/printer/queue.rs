//! The print queue: one thread that prints kiosk receipts in order, after their tickets are
//! committed, and keeps trying until each is printed.
//!
//! **Invariant:** a ticket never depends on its receipt. The kiosk handler commits the ticket
//! first (queue writer), then hands the receipt here; a printer out of paper, open or offline
//! only delays the receipt. Pending receipts are rows of `receipts` in `queue.db`, so a restart
//! resumes them. A receipt whose ticket has left the waiting line (called, cancelled, or of an
//! earlier day) before the printer came back is dropped, with an event: printing it then would
//! hand a stale number to the next visitor.
//!
//! This thread writes only `receipts` and `printer_events`, on its own connection; the queue
//! writer never touches them, and SQLite (WAL, busy timeout) orders the two writers' commits.

use super::driver::Driver;
use super::status::PrinterState;
use crate::queue_service::QueueService;
use crate::store::receipts::{self, ReceiptState};
use crate::store::{self, StoreError, tickets};
use baom_config::Settings;
use baom_domain::queue::{Estimate, TicketId, TicketState};
use jiff::Timestamp;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The first wait after a failure; it doubles up to `printer.retry_max_s`.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// What `GET /v1/printer` answers.
#[derive(Debug, Clone, Serialize)]
pub struct PrinterStatus {
    pub state: PrinterState,
    /// When the state was last learnt from the printer (or from a print attempt).
    pub checked_at: Option<Timestamp>,
    /// Receipts waiting to be printed.
    pub pending: usize,
    pub last_error: Option<String>,
    /// `file`, `usb` or `network`.
    pub kind: &'static str,
    pub paper_width_mm: u32,
}

struct Job {
    ticket: TicketId,
    token: String,
    first_attempt: Option<oneshot::Sender<ReceiptState>>,
}

/// What the print thread is sent: a ticket's receipt, a paper for a visitor (an orientation
/// slip: printed now, once, its result answered), or the technician's test page.
enum Message {
    Receipt(Job),
    Paper {
        what: &'static str,
        paper: baom_receipt::paper::PaperInput,
        reply: oneshot::Sender<Result<PrinterState, String>>,
    },
    Test {
        language: baom_domain::language::Language,
        title: String,
        reply: oneshot::Sender<Result<PrinterState, String>>,
    },
}

/// The handle the web layer holds. Cheap to clone.
#[derive(Clone)]
pub struct PrintQueue {
    jobs: mpsc::Sender<Message>,
    status: Arc<Mutex<PrinterStatus>>,
}

pub struct PrintThread(std::thread::JoinHandle<()>);

impl PrintThread {
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the print queue thread panicked");
        }
    }
}

impl PrintQueue {
    /// Starts the print thread on `db` (already migrated by the queue writer) and picks up the
    /// receipts a previous run left unprinted.
    pub fn start(
        settings: Arc<Settings>,
        db: &Path,
        queue: QueueService,
    ) -> Result<(PrintQueue, PrintThread), StoreError> {
        let conn = store::open_print_writer(db)?;
        let mut pending = VecDeque::new();
        for (ticket, attempts) in receipts::pending(&conn)? {
            match tickets::token_of(&conn, ticket)? {
                Some(token) => pending.push_back(Pending {
                    job: Job {
                        ticket,
                        token,
                        first_attempt: None,
                    },
                    attempts,
                }),
                None => tracing::warn!(%ticket, "a pending receipt has no ticket"),
            }
        }
        if !pending.is_empty() {
            tracing::info!(count = pending.len(), "resuming unprinted receipts");
        }
        let p = &settings.printer;
        let status = Arc::new(Mutex::new(PrinterStatus {
            state: PrinterState::Unknown,
            checked_at: None,
            pending: pending.len(),
            last_error: None,
            kind: match p.driver {
                baom_config::PrinterDriver::File { .. } => "file",
                baom_config::PrinterDriver::Usb { .. } => "usb",
                baom_config::PrinterDriver::Network { .. } => "network",
            },
            paper_width_mm: p.paper.mm(),
        }));
        let (jobs, rx) = mpsc::channel();
        let worker = Worker {
            driver: Driver::new(p.driver.clone(), &settings.data_dir),
            settings: settings.clone(),
            conn,
            queue,
            status: status.clone(),
            pending,
            backoff: FIRST_RETRY,
            next_try: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("print-queue".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the print thread: {e}")))?;
        Ok((PrintQueue { jobs, status }, PrintThread(thread)))
    }

    /// Queues the receipt of a committed ticket. The answer is the first attempt's outcome.
    pub fn print(&self, ticket: TicketId, token: String) -> oneshot::Receiver<ReceiptState> {
        let (tx, rx) = oneshot::channel();
        let job = Job {
            ticket,
            token,
            first_attempt: Some(tx),
        };
        if self.jobs.send(Message::Receipt(job)).is_err() {
            tracing::error!(%ticket, "the print queue is stopped; the receipt is not queued");
        }
        rx
    }

    /// Prints a test page now (the technician's check), ahead of any receipt waiting, headed
    /// `title` in `language`; answers the printer's state after it, or why it failed.
    /// Recorded as a `test_print` event.
    pub async fn test_print(
        &self,
        language: baom_domain::language::Language,
        title: String,
    ) -> Result<PrinterState, String> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Message::Test {
                language,
                title,
                reply,
            })
            .map_err(|_| "the print queue is stopped".to_owned())?;
        rx.await
            .map_err(|_| "the print queue is stopped".to_owned())?
    }

    /// Prints a paper for a visitor now (`what` names it in the printer's events), ahead of
    /// any receipt waiting; answers the printer's state after it, or why it failed. A paper is
    /// not queued for later: the visitor is at the desk, and the page prints it on A4 too.
    pub async fn print_paper(
        &self,
        what: &'static str,
        paper: baom_receipt::paper::PaperInput,
    ) -> Result<PrinterState, String> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Message::Paper { what, paper, reply })
            .map_err(|_| "the print queue is stopped".to_owned())?;
        rx.await
            .map_err(|_| "the print queue is stopped".to_owned())?
    }

    pub fn status(&self) -> PrinterStatus {
        match self.status.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

struct Pending {
    job: Job,
    attempts: u32,
}

struct Worker {
    driver: Driver,
    settings: Arc<Settings>,
    conn: Connection,
    queue: QueueService,
    status: Arc<Mutex<PrinterStatus>>,
    pending: VecDeque<Pending>,
    backoff: Duration,
    next_try: Instant,
}

impl Worker {
    fn run(mut self, rx: mpsc::Receiver<Message>) {
        let interval = self.settings.printer.status_interval;
        let mut next_poll = Instant::now();
        loop {
            let now = Instant::now();
            let wake = if self.pending.is_empty() {
                next_poll
            } else {
                self.next_try
            };
            match rx.recv_timeout(wake.saturating_duration_since(now)) {
                Ok(message) => {
                    self.take(message);
                    while let Ok(message) = rx.try_recv() {
                        self.take(message);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if self.pending.is_empty() {
                if Instant::now() >= next_poll {
                    let state = self.driver.status();
                    self.observe(state, None);
                    next_poll = Instant::now() + interval;
                }
                continue;
            }
            while !self.pending.is_empty() && Instant::now() >= self.next_try {
                self.attempt();
            }
            next_poll = Instant::now() + interval;
        }
        tracing::info!(pending = self.pending.len(), "print queue stopped");
    }

    fn take(&mut self, message: Message) {
        match message {
            Message::Receipt(job) => self.accept(job),
            Message::Test {
                language,
                title,
                reply,
            } => {
                let _ = reply.send(self.test_page(language, &title));
            }
            Message::Paper { what, paper, reply } => {
                let options = baom_receipt::Options {
                    paper: self.settings.printer.paper,
                    qr: self.settings.printer.qr,
                };
                let bytes = baom_receipt::paper::paper(&paper, options).escpos();
                let _ = reply.send(self.print_now(what, &bytes));
            }
        }
    }

    /// A sample receipt, numbered TEST.
    fn test_page(
        &mut self,
        language: baom_domain::language::Language,
        title: &str,
    ) -> Result<PrinterState, String> {
        let now = crate::clock::now();
        let zone = self.queue.catalogue().time_zone().clone();
        let input = baom_receipt::ReceiptInput {
            commune_ar: &self.settings.commune.name_ar,
            commune_latin: &self.settings.commune.name_latin,
            number: "TEST",
            service: title,
            documents: Vec::new(),
            issued: now.to_zoned_datetime(zone).datetime(),
            ahead: 0,
            wait_minutes: 0,
            token: "TEST",
            language,
        };
        let options = baom_receipt::Options {
            paper: self.settings.printer.paper,
            qr: self.settings.printer.qr,
        };
        let bytes = baom_receipt::layout(&input, options)
            .map_err(|e| e.to_string())?
            .escpos();
        self.print_now("test_print", &bytes)
    }

    /// Prints `bytes` once, now, recorded as the event `kind`.
    fn print_now(&mut self, kind: &str, bytes: &[u8]) -> Result<PrinterState, String> {
        match self.driver.print(bytes) {
            Ok(state) => {
                self.observe(state, None);
                self.event(kind, state, None, "printed");
                Ok(state)
            }
            Err(e) => {
                let why = e.to_string();
                self.observe(e.state(), Some(&why));
                self.event(kind, e.state(), None, &why);
                Err(why)
            }
        }
    }

    fn accept(&mut self, mut job: Job) {
        if let Err(e) = receipts::enqueue(&self.conn, job.ticket, crate::clock::now()) {
            tracing::error!(error = %e, ticket = %job.ticket, "cannot record a queued receipt");
        }
        // Behind a receipt the printer just refused, this one will not print now either: say
        // so at once (the kiosk shows the ticket on screen) rather than after the wait.
        let blocked = self.pending.front().is_some_and(|p| p.attempts > 0)
            && matches!(
                self.status().state,
                PrinterState::PaperOut | PrinterState::CoverOpen | PrinterState::Offline
            );
        if blocked {
            let status = self.status();
            let why = status.last_error.unwrap_or_default();
            self.event("print_failed", status.state, Some(job.ticket), &why);
            if let Err(e) = receipts::set_state(
                &self.conn,
                job.ticket,
                ReceiptState::Failed,
                0,
                Some(&why),
                crate::clock::now(),
            ) {
                tracing::error!(error = %e, "cannot record a receipt's state");
            }
            if let Some(tx) = job.first_attempt.take() {
                let _ = tx.send(ReceiptState::Failed);
            }
        }
        self.pending.push_back(Pending { job, attempts: 0 });
        self.set_pending();
    }

    fn set_pending(&self) {
        if let Ok(mut s) = self.status.lock() {
            s.pending = self.pending.len();
        }
    }

    /// Records the printer's state, and an event when it changed.
    fn observe(&self, state: PrinterState, error: Option<&str>) {
        let before = match self.status.lock() {
            Ok(mut s) => {
                let before = s.state;
                s.state = state;
                s.checked_at = Some(crate::clock::now());
                s.last_error = error.map(str::to_owned);
                before
            }
            Err(_) => return,
        };
        if before != state {
            tracing::info!(
                from = before.as_str(),
                to = state.as_str(),
                "printer state changed"
            );
            self.event("state_changed", state, None, error.unwrap_or(""));
        }
    }

    fn event(&self, kind: &str, state: PrinterState, ticket: Option<TicketId>, detail: &str) {
        if let Err(e) = receipts::record_event(
            &self.conn,
            crate::clock::now(),
            kind,
            state.as_str(),
            ticket,
            detail,
        ) {
            tracing::error!(error = %e, kind, "cannot record a printer event");
        }
    }

    fn finish(&mut self, state: ReceiptState, error: Option<&str>) {
        if let Some(mut p) = self.pending.pop_front() {
            if let Err(e) = receipts::set_state(
                &self.conn,
                p.job.ticket,
                state,
                p.attempts,
                error,
                crate::clock::now(),
            ) {
                tracing::error!(error = %e, "cannot record a receipt's state");
            }
            if let Some(tx) = p.job.first_attempt.take() {
                let _ = tx.send(state);
            }
        }
        self.set_pending();
    }

    fn attempt(&mut self) {
        let Some(head) = self.pending.front_mut() else {
            return;
        };
        head.attempts += 1;
        let (id, attempts) = (head.job.ticket, head.attempts);
        let snapshot = self.queue.snapshot();
        let ticket = match snapshot.ticket(id).copied() {
            Some(t) => Some(t),
            None => tickets::by_id(&self.conn, id).ok().flatten(),
        };
        let ticket = match ticket {
            Some(t) if t.day == snapshot.day() && t.state == TicketState::Waiting => t,
            other => {
                let why = match other {
                    None => "the ticket is gone".to_owned(),
                    Some(t) if t.day != snapshot.day() => {
                        format!("{} is of an earlier day", t.number)
                    }
                    Some(t) => format!("{} is no longer waiting ({})", t.number, t.state.as_str()),
                };
                tracing::info!(%id, why, "receipt dropped");
                let state = self.status().state;
                self.event("dropped", state, Some(id), &why);
                self.finish(ReceiptState::Failed, Some(&why));
                return;
            }
        };
        let estimate: Estimate = snapshot.estimate(id);
        let token = self
            .pending
            .front()
            .map(|p| p.job.token.clone())
            .unwrap_or_default();
        let bytes = match super::receipt_for(
            &self.settings,
            snapshot.catalogue(),
            &ticket,
            &token,
            estimate,
        ) {
            Ok(r) => r.escpos(),
            Err(e) => {
                let why = e.to_string();
                tracing::error!(%id, why, "receipt cannot be laid out");
                let state = self.status().state;
                self.event("print_failed", state, Some(id), &why);
                self.finish(ReceiptState::Failed, Some(&why));
                return;
            }
        };
        match self.driver.print(&bytes) {
            Ok(state) => {
                self.observe(state, None);
                if attempts > 1 {
                    self.event(
                        "printed_late",
                        state,
                        Some(id),
                        &format!("printed after {attempts} attempts"),
                    );
                }
                tracing::info!(number = %ticket.number, bytes = bytes.len(), "receipt printed");
                self.backoff = FIRST_RETRY;
                self.next_try = Instant::now();
                self.finish(ReceiptState::Printed, None);
            }
            Err(e) => {
                let why = e.to_string();
                let state = e.state();
                self.observe(state, Some(&why));
                if attempts == 1 {
                    self.event("print_failed", state, Some(id), &why);
                }
                tracing::warn!(number = %ticket.number, attempts, error = %why, "receipt not printed; will retry");
                if let Err(e) = receipts::set_state(
                    &self.conn,
                    id,
                    ReceiptState::Failed,
                    attempts,
                    Some(&why),
                    crate::clock::now(),
                ) {
                    tracing::error!(error = %e, "cannot record a receipt's state");
                }
                if let Some(p) = self.pending.front_mut()
                    && let Some(tx) = p.job.first_attempt.take()
                {
                    let _ = tx.send(ReceiptState::Failed);
                }
                self.next_try = Instant::now() + self.backoff;
                self.backoff = (self.backoff * 2).min(self.settings.printer.retry_max);
            }
        }
    }

    fn status(&self) -> PrinterStatus {
        match self.status.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}
