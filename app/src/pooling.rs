//! Pooling the office's figures with the province: a supervisor makes a period's batch (the
//! office's figures as `baom_pooling` shapes them, signed by the box's key), downloads it or
//! copies it to the backup stick; where `[pooling] server` is set, the box also pushes every
//! batch to the province's PostgreSQL server over checked TLS, queueing them while the link is
//! down. The box never waits on that link: the push runs on its own task, and the page says
//! what was sent and when.
//!
//! Rules kept here:
//! - a batch of a period already sent *replaces* the newest one of that period (a correction);
//! - a period that overlaps one already sent without being the same is refused: the province
//!   adds periods up itself, and a year sent over its quarters would let a cell a quarter hid
//!   be worked out by subtraction;
//! - the key (`pool.key`, made at provisioning, or here on first start if missing) never leaves
//!   the box; its public part is on the handover sheet and on the pooling page.

use crate::figures::{FiguresBook, FiguresError};
use crate::office::LiveSettings;
use crate::store::StoreError;
use baom_config::DataDir;
use baom_domain::figures::{Period, Scope};
use baom_pooling::Batch;
use baom_pooling::client::{Load, connect, load};
use baom_pooling::format::Header;
use ed25519_dalek::SigningKey;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum PoolingError {
    #[error(
        "the commune has no code yet: the province gives it, and the settings file holds it as [commune] code"
    )]
    NoCode,
    #[error(transparent)]
    Figures(#[from] FiguresError),
    #[error(
        "{asked} overlaps {sent}, already sent: the province adds periods up itself, so send {sent} again (a correction) or a period beside it"
    )]
    Overlaps { asked: String, sent: String },
    #[error(
        "two dates are not a period the province can add up: pool a year, a quarter, a month or a day"
    )]
    RangeNotPooled,
    #[error("no such batch")]
    UnknownBatch,
    #[error("no backup stick is plugged in (or the box has none set)")]
    NoStick,
    #[error("the batch could not be copied to the stick: {0}")]
    Stick(String),
    #[error("the box's pooling key cannot be read or made: {0}")]
    Key(String),
    #[error("the province's server cannot be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PoolingError {
    pub fn code(&self) -> &'static str {
        match self {
            PoolingError::NoCode => "no_commune_code",
            PoolingError::Figures(e) => e.code(),
            PoolingError::Overlaps { .. } => "overlapping_period",
            PoolingError::RangeNotPooled => "range_not_pooled",
            PoolingError::UnknownBatch => "unknown_batch",
            PoolingError::NoStick => "no_stick",
            PoolingError::Unreachable(_) => "unreachable",
            PoolingError::Stick(_) | PoolingError::Key(_) | PoolingError::Store(_) => "internal",
        }
    }
}

impl From<rusqlite::Error> for PoolingError {
    fn from(e: rusqlite::Error) -> Self {
        PoolingError::Store(e.into())
    }
}

/// A batch as the page lists it.
#[derive(Debug, Clone)]
pub struct BatchRow {
    pub id: String,
    pub period: String,
    pub replaces: Option<String>,
    pub made_at: String,
    pub made_by: String,
    pub rows: i64,
    pub sha256: String,
    /// `waiting`, `sent` or `refused`.
    pub push_state: String,
    pub push_note: Option<String>,
    pub pushed_at: Option<String>,
    pub push_attempts: i64,
    pub on_stick: Option<String>,
}

const COLUMNS: &str = "id, period, replaces, made_at, made_by, rows, sha256, push_state, push_note, pushed_at, push_attempts, on_stick";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        period: r.get(1)?,
        replaces: r.get(2)?,
        made_at: r.get(3)?,
        made_by: r.get(4)?,
        rows: r.get(5)?,
        sha256: r.get(6)?,
        push_state: r.get(7)?,
        push_note: r.get(8)?,
        pushed_at: r.get(9)?,
        push_attempts: r.get(10)?,
        on_stick: r.get(11)?,
    })
}

/// The box's signing key: read, or made (mode 0600) if there is none.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, PoolingError> {
    let bad = |e: String| PoolingError::Key(format!("{}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes: Vec<u8> = (0..text.trim().len())
                .step_by(2)
                .map(|i| {
                    text.trim()
                        .get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| bad("not hexadecimal".into()))?;
            let seed: [u8; 32] = bytes.try_into().map_err(|_| bad("not 32 bytes".into()))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| bad(e.to_string()))?;
            let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
            baom_config::write_private(path, format!("{hex}\n").as_bytes())
                .map_err(|e| bad(e.to_string()))?;
            let key = SigningKey::from_bytes(&seed);
            tracing::info!(
                public_key = baom_pooling::file::public_key(&key),
                "made the box's pooling key"
            );
            Ok(key)
        }
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The office's pooled figures. Cheap to clone.
#[derive(Clone)]
pub struct Pooling {
    figures: FiguresBook,
    live: LiveSettings,
    /// The key, or why it cannot be had (the box keeps serving; pooling says why it cannot).
    key: Result<Arc<SigningKey>, String>,
    /// This module's own connection to `queue.db` (its table only).
    conn: Arc<Mutex<Connection>>,
    /// Wakes the push when a batch is made.
    wake: Arc<tokio::sync::Notify>,
}

impl Pooling {
    pub fn open(
        data: &DataDir,
        figures: FiguresBook,
        live: LiveSettings,
    ) -> Result<Pooling, PoolingError> {
        let key = load_or_create_key(&data.pool_key())
            .map(Arc::new)
            .map_err(|e| {
                tracing::error!("pooled figures cannot be signed: {e}");
                e.to_string()
            });
        let conn = crate::store::open_print_writer(&data.queue_db())?;
        Ok(Pooling {
            figures,
            live,
            key,
            conn: Arc::new(Mutex::new(conn)),
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// The box's public key, hexadecimal (as the handover sheet and the province's registry
    /// write it).
    pub fn public_key(&self) -> String {
        match &self.key {
            Ok(key) => baom_pooling::file::public_key(key),
            Err(why) => why.clone(),
        }
    }

    /// Asks the push to try now.
    pub fn wake_push(&self) {
        self.wake.notify_one();
    }

    /// Whether the box pushes to a server.
    pub fn pushes(&self) -> bool {
        self.live.get().pooling.server.is_some()
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, PoolingError> + Send + 'static,
    ) -> Result<T, PoolingError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn
                .lock()
                .map_err(|_| StoreError::Corrupt("pooling lock poisoned".into()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| PoolingError::Store(StoreError::Corrupt(format!("pooling task: {e}"))))?
    }

    /// Makes `period`'s batch of the office's figures (a correction of the period's newest
    /// batch if there is one), keeps it, and wakes the push.
    pub async fn make(&self, actor: String, period: Period) -> Result<BatchRow, PoolingError> {
        let settings = self.live.get();
        let code = settings.commune.code.clone();
        if code.is_empty() {
            return Err(PoolingError::NoCode);
        }
        if period.kind == baom_domain::figures::period::PeriodKind::Range {
            return Err(PoolingError::RangeNotPooled);
        }
        let period_code = period.code();
        let (from, to) = (period.from.to_string(), period.to.to_string());
        // Refused before the figures are read.
        {
            let (asked, from, to) = (period_code.clone(), from.clone(), to.clone());
            self.run(move |c| overlap(c, &asked, &from, &to)).await?;
        }
        let figures = self
            .figures
            .compute_for_export(actor.clone(), period, Scope::Office)
            .await?;
        let mut random = [0u8; 4];
        getrandom::fill(&mut random)
            .map_err(|e| PoolingError::Key(format!("no randomness for the batch id: {e}")))?;
        let id = format!(
            "{code}-{period_code}-{}",
            random
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let key = self.key.clone().map_err(PoolingError::Key)?;
        let commune = settings.commune.name_latin.clone();
        let made_at = crate::clock::now().to_string();
        let made = self
            .run(move |c| {
                let tx = c.transaction()?;
                overlap(&tx, &period_code, &from, &to)?;
                let replaces: Option<String> = tx
                    .query_row(
                        "SELECT id FROM pool_batches WHERE period = ?1 ORDER BY rowid DESC LIMIT 1",
                        [&period_code],
                        |r| r.get(0),
                    )
                    .optional()?;
                let batch = Batch::from_figures(
                    &figures,
                    &Header {
                        batch: &id,
                        replaces: replaces.as_deref(),
                        org_unit: &code,
                        commune: &commune,
                        made_at: &made_at,
                    },
                );
                let file = baom_pooling::sign(&batch, &key);
                let sha: String = Sha256::digest(&file)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                tx.execute(
                    "INSERT INTO pool_batches (id, period, period_from, period_to, replaces, made_at, made_by, file, sha256, rows)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![id, period_code, from, to, replaces, made_at, actor, file, sha, batch.row_count as i64],
                )?;
                let made = tx.query_row(
                    &format!("SELECT {COLUMNS} FROM pool_batches WHERE id = ?1"),
                    [&id],
                    row,
                )?;
                tx.commit()?;
                Ok(made)
            })
            .await?;
        tracing::info!(batch = made.id, rows = made.rows, "pooled figures made");
        self.wake.notify_one();
        Ok(made)
    }

    /// The batches made, newest first.
    pub async fn list(&self) -> Result<Vec<BatchRow>, PoolingError> {
        self.run(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM pool_batches ORDER BY rowid DESC"
            ))?;
            let rows = stmt
                .query_map([], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    /// A batch and its signed file.
    pub async fn file(&self, id: String) -> Result<(BatchRow, Vec<u8>), PoolingError> {
        self.run(move |c| {
            c.query_row(
                &format!("SELECT {COLUMNS}, file FROM pool_batches WHERE id = ?1"),
                [&id],
                |r| Ok((row(r)?, r.get::<_, Vec<u8>>(12)?)),
            )
            .optional()?
            .ok_or(PoolingError::UnknownBatch)
        })
        .await
    }

    /// Copies a batch's file to the backup stick, if one is plugged in.
    pub async fn copy_to_stick(&self, id: String) -> Result<PathBuf, PoolingError> {
        let dir = self
            .live
            .get()
            .backup
            .usb_dir
            .clone()
            .ok_or(PoolingError::NoStick)?;
        if !crate::backup::is_mount_point(&dir) {
            return Err(PoolingError::NoStick);
        }
        let (batch, file) = self.file(id.clone()).await?;
        let target = dir.join("pooling").join(format!("{}.json", batch.id));
        let to = target.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = to.with_extension("json.part");
            std::fs::write(&tmp, &file)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &to)
        })
        .await
        .map_err(|e| PoolingError::Stick(e.to_string()))?
        .map_err(|e| PoolingError::Stick(e.to_string()))?;
        let place = target.display().to_string();
        let p = place.clone();
        self.run(move |c| {
            c.execute(
                "UPDATE pool_batches SET on_stick = ?2 WHERE id = ?1",
                params![id, p],
            )?;
            Ok(())
        })
        .await?;
        Ok(target)
    }

    /// Pushes the batches not sent yet, oldest first, when one is made and every
    /// `retry_seconds`; a batch the server refuses is marked and not tried again; a link that
    /// is down is tried again later. Never returns.
    pub async fn push_forever(self) {
        loop {
            let retry = self.live.get().pooling.retry_seconds.max(5);
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(retry)) => {}
            }
            if let Err(e) = self.push_waiting().await {
                tracing::warn!("the pooled figures could not be pushed: {e}");
            }
        }
    }

    /// One round of the push: returns how many batches were settled (sent or refused).
    pub async fn push_waiting(&self) -> Result<usize, PoolingError> {
        let settings = self.live.get();
        let Some(server) = settings.pooling.server.clone() else {
            return Ok(0);
        };
        let waiting: Vec<(String, Vec<u8>)> = self
            .run(|c| {
                let mut stmt = c.prepare(
                    "SELECT id, file FROM pool_batches WHERE push_state = 'waiting' ORDER BY rowid",
                )?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let link = connect(
            &server,
            settings.pooling.password_file.as_deref(),
            settings.pooling.ca.as_deref(),
        )
        .await;
        let mut client = match link {
            Ok(c) => c,
            Err(e) => {
                let (id, note) = (waiting[0].0.clone(), e.clone());
                self.note(id, "waiting", note).await?;
                return Err(PoolingError::Unreachable(e));
            }
        };
        let mut settled = 0;
        for (id, file) in waiting {
            let outcome = match baom_pooling::open(&file) {
                Ok(signed) => load(&mut client, &signed).await,
                Err(e) => Err(Load::Refused(e.to_string())),
            };
            match outcome {
                Ok(what) => {
                    self.note(id, "sent", what.to_owned()).await?;
                    settled += 1;
                }
                Err(Load::Refused(why)) => {
                    tracing::warn!(batch = id, "the province's server refused a batch: {why}");
                    self.note(id, "refused", why).await?;
                    settled += 1;
                }
                Err(Load::Link(e)) => {
                    self.note(id, "waiting", e).await?;
                    break;
                }
            }
        }
        Ok(settled)
    }

    async fn note(
        &self,
        id: String,
        state: &'static str,
        note: String,
    ) -> Result<(), PoolingError> {
        let now = crate::clock::now().to_string();
        self.run(move |c| {
            c.execute(
                "UPDATE pool_batches SET push_state = ?2, push_note = ?3, push_attempts = push_attempts + 1,
                    pushed_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE pushed_at END
                 WHERE id = ?1",
                params![id, state, note, now],
            )?;
            Ok(())
        })
        .await
    }
}

/// A period overlapping `from..=to` already sent under another code, if any.
fn overlap(c: &Connection, asked: &str, from: &str, to: &str) -> Result<(), PoolingError> {
    let sent: Option<String> = c
        .query_row(
            "SELECT period FROM pool_batches
             WHERE period != ?1 AND period_from <= ?3 AND period_to >= ?2 LIMIT 1",
            params![asked, from, to],
            |r| r.get(0),
        )
        .optional()?;
    match sent {
        Some(sent) => Err(PoolingError::Overlaps {
            asked: asked.to_owned(),
            sent,
        }),
        None => Ok(()),
    }
}
