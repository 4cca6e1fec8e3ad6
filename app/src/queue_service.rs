//! The queue's single writer: one thread owns the `queue.db` connection and the engine's state.
//!
//! Commands arrive on a channel. The thread takes every command waiting (up to a batch), asks the
//! engine to decide each one, writes the resulting events in one transaction, commits (an fsync),
//! and only then answers the callers and publishes a new read snapshot. So a ticket exists on
//! disk before anyone is told its number, two desks calling at once are served one after the
//! other, and under load many commands share one fsync (group commit).
//!
//! The office's catalogue (services, desks) changes here too, between batches
//! ([`QueueService::replace_catalogue`]): the engine checks that today's queue does not need
//! what the new one drops, the change's record is committed, and only then do tickets follow
//! the new catalogue. Every time comes from the service's clock (`crate::clock`).

use crate::store::appointments::{self, AppointmentState};
use crate::store::{self, StoreError, tickets};
use crate::token::TokenKey;
use baom_domain::catalogue::Catalogue;
use baom_domain::queue::{
    CatalogueChangeError, Change, Command, Estimate, Event, Queue, QueueError, Ticket,
};
use jiff::Timestamp;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, watch};

/// How many commands share one transaction at most.
const MAX_BATCH: usize = 128;

/// What a caller gets back once its command is on disk.
#[derive(Debug, Clone)]
pub struct Done {
    pub event: Event,
    pub ticket: Ticket,
    pub estimate: Estimate,
    /// The new ticket's token, for an issue.
    pub token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Refused(#[from] QueueError),
    #[error("the queue could not be saved: {0}")]
    Storage(String),
    #[error("the queue service is stopping")]
    Stopping,
    #[error("this appointment was already checked in or cancelled")]
    AppointmentTaken,
}

/// An appointment that a check-in's ticket settles, in the ticket's own transaction.
#[derive(Debug, Clone)]
pub struct Claim {
    pub appointment: i64,
    /// [`AppointmentState::CheckedIn`] or [`AppointmentState::WalkIn`].
    pub state: AppointmentState,
    /// Early or late by how much, for the case's history.
    pub note: Option<String>,
}

/// What the writer thread is sent: a command, a new catalogue, or the watchdog asking whether
/// it still answers.
enum Message {
    Job(Job),
    Catalogue(NewCatalogue),
    Ping(oneshot::Sender<()>),
}

/// Writes the record of a catalogue change inside the writer's transaction.
pub type Record = Box<dyn FnOnce(&Connection, Timestamp) -> Result<(), StoreError> + Send>;

struct NewCatalogue {
    catalogue: Arc<Catalogue>,
    record: Record,
    reply: oneshot::Sender<Result<(), CatalogueSwapError>>,
}

/// Why the catalogue was not replaced.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueSwapError {
    #[error(transparent)]
    InUse(#[from] CatalogueChangeError),
    #[error("the change could not be saved: {0}")]
    Storage(String),
    #[error("the queue service is stopping")]
    Stopping,
}

struct Job {
    command: Command,
    account: Option<String>,
    claim: Option<Claim>,
    reply: oneshot::Sender<Result<Done, ServiceError>>,
}

/// The handle the web layer holds. Cheap to clone.
#[derive(Clone)]
pub struct QueueService {
    jobs: mpsc::Sender<Message>,
    snapshot: watch::Receiver<Arc<Queue>>,
}

/// Owns the writer thread; dropping every [`QueueService`] and then calling
/// [`Writer::join`] stops it after its last batch.
pub struct Writer {
    thread: JoinHandle<()>,
}

impl Writer {
    pub fn join(self) {
        if self.thread.join().is_err() {
            tracing::error!("the queue writer thread panicked");
        }
    }
}

impl QueueService {
    /// Opens `queue.db` at `path`, loads today and starts the writer thread.
    pub fn start(
        path: &Path,
        catalogue: Arc<Catalogue>,
        key: TokenKey,
    ) -> Result<(QueueService, Writer), StoreError> {
        let conn = store::open_writer(path)?;
        let queue = load_day(&conn, &catalogue, crate::clock::now())?;
        let (snapshot_tx, snapshot) = watch::channel(Arc::new(queue.clone()));
        let (jobs, rx) = mpsc::channel(1024);
        let thread = std::thread::Builder::new()
            .name("queue-writer".into())
            .spawn(move || run(conn, queue, rx, snapshot_tx, key))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok((QueueService { jobs, snapshot }, Writer { thread }))
    }

    /// Runs a command; returns once its event is committed to disk.
    pub async fn execute(
        &self,
        command: Command,
        account: Option<String>,
    ) -> Result<Done, ServiceError> {
        self.submit(command, account, None).await
    }

    /// Issues the ticket of an appointment's check-in (`command` is an issue or a check-in)
    /// and settles the appointment in the same transaction: if it was checked in meanwhile, no
    /// ticket is issued.
    pub async fn check_in(&self, command: Command, claim: Claim) -> Result<Done, ServiceError> {
        self.submit(command, None, Some(claim)).await
    }

    async fn submit(
        &self,
        command: Command,
        account: Option<String>,
        claim: Option<Claim>,
    ) -> Result<Done, ServiceError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Message::Job(Job {
                command,
                account,
                claim,
                reply,
            }))
            .await
            .map_err(|_| ServiceError::Stopping)?;
        answer.await.map_err(|_| ServiceError::Stopping)?
    }

    /// Replaces the office's services and desks: refused if today's queue still needs what the
    /// new catalogue drops (a service with tickets waiting or at a desk, a desk holding a
    /// ticket). `record` writes the change's record in the same transaction; once it is
    /// committed, tickets follow the new catalogue and a new snapshot is published.
    pub async fn replace_catalogue(
        &self,
        catalogue: Arc<Catalogue>,
        record: Record,
    ) -> Result<(), CatalogueSwapError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Message::Catalogue(NewCatalogue {
                catalogue,
                record,
                reply,
            }))
            .await
            .map_err(|_| CatalogueSwapError::Stopping)?;
        answer.await.map_err(|_| CatalogueSwapError::Stopping)?
    }

    /// The office's services and desks as tickets follow them now.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        self.snapshot.borrow().catalogue().clone()
    }

    /// The queue as of the last commit.
    pub fn snapshot(&self) -> Arc<Queue> {
        self.snapshot.borrow().clone()
    }

    /// Notified after every commit (for live pages).
    pub fn subscribe(&self) -> watch::Receiver<Arc<Queue>> {
        self.snapshot.clone()
    }

    /// A handle for the watchdog that does not keep the writer running.
    pub fn pinger(&self) -> Pinger {
        Pinger(self.jobs.downgrade())
    }
}

/// Asks the writer thread whether it still takes work off its channel (see `systemd.rs`). Unlike
/// a [`QueueService`], it does not keep the writer alive: the writer still stops once the last
/// service handle is dropped.
#[derive(Clone)]
pub struct Pinger(mpsc::WeakSender<Message>);

impl Pinger {
    /// `true` once the writer thread has taken the ping off its channel, which it does between
    /// batches; `false` if the service is stopping. Never returns while the writer is stuck.
    pub async fn ping(&self) -> bool {
        let Some(jobs) = self.0.upgrade() else {
            return false;
        };
        let (alive, answer) = oneshot::channel();
        if jobs.send(Message::Ping(alive)).await.is_err() {
            return false;
        }
        drop(jobs);
        answer.await.is_ok()
    }
}

fn load_day(
    conn: &Connection,
    catalogue: &Arc<Catalogue>,
    now: Timestamp,
) -> Result<Queue, StoreError> {
    let day = catalogue.local_day(now);
    Ok(Queue::restore(
        catalogue.clone(),
        day,
        tickets::day(conn, day)?,
        tickets::next_id(conn)?,
    ))
}

fn run(
    mut conn: Connection,
    mut queue: Queue,
    mut rx: mpsc::Receiver<Message>,
    snapshot: watch::Sender<Arc<Queue>>,
    key: TokenKey,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        // A new catalogue waits for the commands taken before it.
        let mut new_catalogue = None;
        match first {
            Message::Job(job) => batch.push(job),
            Message::Catalogue(c) => new_catalogue = Some(c),
            Message::Ping(alive) => {
                let _ = alive.send(());
                continue;
            }
        }
        while batch.len() < MAX_BATCH && new_catalogue.is_none() {
            match rx.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Catalogue(c)) => new_catalogue = Some(c),
                Ok(Message::Ping(alive)) => {
                    let _ = alive.send(());
                }
                Err(_) => break,
            }
        }
        let now = crate::clock::now();
        let catalogue = queue.catalogue().clone();
        if catalogue.local_day(now) != queue.day() {
            match load_day(&conn, &catalogue, now) {
                Ok(q) => {
                    tracing::info!(day = %q.day(), tickets = q.tickets().len(), "new day: numbering restarts");
                    queue = q;
                }
                Err(e) => {
                    fail(batch.drain(..), &e);
                    if let Some(c) = new_catalogue {
                        let _ = c
                            .reply
                            .send(Err(CatalogueSwapError::Storage(e.to_string())));
                    }
                    continue;
                }
            }
        }
        if !batch.is_empty() {
            match commit_batch(&mut conn, &mut queue, &mut batch, now, &key) {
                Ok(replies) => {
                    snapshot.send_replace(Arc::new(queue.clone()));
                    for (reply, result) in replies {
                        let _ = reply.send(result);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "queue batch rolled back; reloading the day from disk");
                    fail(batch.drain(..), &e);
                    match load_day(&conn, &catalogue, now) {
                        Ok(q) => queue = q,
                        Err(e) => tracing::error!(error = %e, "cannot reload the queue"),
                    }
                }
            }
        }
        if let Some(c) = new_catalogue {
            let result = swap_catalogue(&mut conn, &queue, c.catalogue, c.record, now);
            let result = result.map(|q| {
                queue = q;
                snapshot.send_replace(Arc::new(queue.clone()));
                tracing::info!(
                    services = queue.catalogue().services().len(),
                    desks = queue.catalogue().desks().len(),
                    "the office's catalogue changed"
                );
            });
            let _ = c.reply.send(result);
        }
    }
    tracing::info!("queue writer stopped");
}

/// The queue under the new catalogue, once the change's record is committed.
fn swap_catalogue(
    conn: &mut Connection,
    queue: &Queue,
    catalogue: Arc<Catalogue>,
    record: Record,
    now: Timestamp,
) -> Result<Queue, CatalogueSwapError> {
    let next = queue.with_catalogue(catalogue)?;
    let storage = |e: StoreError| CatalogueSwapError::Storage(e.to_string());
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| storage(e.into()))?;
    record(&tx, now).map_err(storage)?;
    tx.commit().map_err(|e| storage(e.into()))?;
    Ok(next)
}

type Reply = (
    oneshot::Sender<Result<Done, ServiceError>>,
    Result<Done, ServiceError>,
);

/// Decides, applies and writes every job of the batch in one transaction. On error nothing is
/// committed and the jobs are left in `batch` for the caller to fail.
fn commit_batch(
    conn: &mut Connection,
    queue: &mut Queue,
    batch: &mut Vec<Job>,
    now: Timestamp,
    key: &TokenKey,
) -> Result<Vec<Reply>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch.iter() {
        let outcome = match queue.decide(&job.command, job.account.as_deref(), now) {
            Err(e) => Err(ServiceError::Refused(e)),
            Ok(event) => 'job: {
                if let Some(claim) = &job.claim
                    && !appointments::claim(
                        &tx,
                        claim.appointment,
                        claim.state,
                        event.ticket.0,
                        now,
                        claim.note.as_deref(),
                    )?
                {
                    break 'job Err(ServiceError::AppointmentTaken);
                }
                let token = match event.change {
                    Change::Issued { .. } => Some(
                        key.issue()
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ),
                    _ => None,
                };
                let changed_ids = queue.apply(&event);
                let changed: Vec<Ticket> = changed_ids
                    .iter()
                    .filter_map(|id| queue.ticket(*id).copied())
                    .collect();
                tickets::record(&tx, &event, token.as_deref(), &changed)?;
                let ticket = *queue
                    .ticket(event.ticket)
                    .ok_or_else(|| StoreError::Corrupt("an event's ticket vanished".into()))?;
                Ok((event, ticket, token))
            }
        };
        outcomes.push(outcome);
    }
    tx.commit()?;
    // Estimates are computed once the whole batch is in, so each caller sees the same queue.
    Ok(batch
        .drain(..)
        .zip(outcomes)
        .map(|(job, outcome)| {
            let result = outcome.map(|(event, ticket, token)| Done {
                estimate: queue.estimate(ticket.id),
                event,
                ticket,
                token,
            });
            (job.reply, result)
        })
        .collect())
}

fn fail(jobs: impl Iterator<Item = Job>, error: &StoreError) {
    for job in jobs {
        let _ = job
            .reply
            .send(Err(ServiceError::Storage(error.to_string())));
    }
}
