//! The service's time: the one source of "now" for everything it records (ticket events, dossier
//! and audit lines, receipts, sessions), so that nothing is ever dated before the last thing it
//! recorded.
//!
//! A box may have no battery-backed clock and no network. At start the service reads the time
//! of the last thing recorded in `queue.db` and `accounts.db` (and, once they open, the
//! dossiers' audit log): that is its floor. [`now`] is the system's clock, but never before the
//! floor plus the time the service has run since, nor before the last time it gave
//! (`baom_domain::clock::service_time`). A clock found behind is reported ([`status`]) on the
//! technician's and supervisor's pages while tickets go on being issued, in order.
//!
//! Setting the time ([`set`]): the service runs with `ProtectClock=yes`, so it asks a small
//! privileged helper by writing `set-time.request` (seconds since the epoch) in the data
//! directory; the image's `baom-set-time.path` unit runs `baom-set-time` as root, which sets the
//! clock (and the saved clock `systemd-timesyncd` restores at boot) and removes the request.
//! The service waits for its clock to move.
//!
//! Test hook: `BAOM_TEST_CLOCK_OFFSET_SECONDS=N` (never set on a box) makes the system's clock
//! read N seconds off the host's, and a set time moves that offset instead of waiting for the
//! helper (the request file is still written, as on a box), so the tests can start a service
//! with its clock a day behind and set it from the page.

use baom_domain::clock::{self as rules, ClockError, ClockState, EARLIEST};
use jiff::{SignedDuration, Timestamp};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable of the test hook (see the module's documentation).
pub const TEST_OFFSET_VAR: &str = "BAOM_TEST_CLOCK_OFFSET_SECONDS";

/// How long [`set`] waits for the helper to move the clock.
const HELPER_WAIT: Duration = Duration::from_secs(15);

struct Clock {
    /// Seconds added to the host's clock: the test hook's, `None` on a box.
    test_offset: Option<AtomicI64>,
    state: Mutex<State>,
}

struct State {
    floor: Timestamp,
    floor_at: Instant,
    last_given: Timestamp,
    /// Where a request to set the clock goes (the data directory's `set-time.request`).
    request: Option<PathBuf>,
}

static CLOCK: OnceLock<Clock> = OnceLock::new();

fn clock() -> &'static Clock {
    CLOCK.get_or_init(|| Clock {
        test_offset: None,
        state: Mutex::new(State {
            floor: EARLIEST,
            floor_at: Instant::now(),
            last_given: EARLIEST,
            request: None,
        }),
    })
}

fn state() -> std::sync::MutexGuard<'static, State> {
    // A panic while holding this lock leaves plain timestamps behind: still usable.
    clock()
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Starts the service's clock: `recorded` is the time of the last thing recorded on disk,
/// `request` where a request to set the clock goes. Reads the test hook from the environment.
/// Call once, before anything is recorded.
pub fn start(recorded: Option<Timestamp>, request: PathBuf) -> Result<(), ClockSetError> {
    let offset = match std::env::var(TEST_OFFSET_VAR) {
        Ok(v) => Some(
            v.trim()
                .parse::<i64>()
                .map_err(|_| ClockSetError::BadTestHook(v.clone()))?,
        ),
        Err(_) => None,
    };
    let fresh = CLOCK
        .set(Clock {
            test_offset: offset.map(AtomicI64::new),
            state: Mutex::new(State {
                floor: EARLIEST,
                floor_at: Instant::now(),
                last_given: EARLIEST,
                request: None,
            }),
        })
        .is_ok();
    if !fresh && offset.is_some() {
        tracing::warn!("the clock had already started: the test hook is ignored");
    }
    if let Some(offset) = offset {
        tracing::warn!(
            offset_s = offset,
            "TEST HOOK: the clock reads off the host's ({TEST_OFFSET_VAR}); never on a box"
        );
    }
    state().request = Some(request);
    if let Some(t) = recorded {
        raise_floor(t);
    }
    let status = status();
    if let ClockState::Behind { by } = status.state {
        tracing::warn!(
            system = %status.system,
            last_recorded = %status.floor,
            behind_s = by.as_secs(),
            "the clock is behind the last thing recorded: dating from there until it is set"
        );
    }
    Ok(())
}

/// The system's clock (through the test hook, if set).
pub fn system_now() -> Timestamp {
    let host = Timestamp::now();
    match &clock().test_offset {
        Some(offset) => host
            .checked_add(SignedDuration::from_secs(offset.load(Ordering::SeqCst)))
            .unwrap_or(host),
        None => host,
    }
}

/// The service's time: what every record is dated with.
pub fn now() -> Timestamp {
    let system = system_now();
    let mut s = state();
    let t = rules::service_time(
        system,
        s.floor,
        SignedDuration::try_from(s.floor_at.elapsed()).unwrap_or(SignedDuration::MAX),
        s.last_given,
    );
    s.last_given = t;
    t
}

/// Something was recorded at `t` (read back from a database that just opened): nothing from
/// now on is dated before it.
pub fn raise_floor(t: Timestamp) {
    let mut s = state();
    if t > s.floor {
        s.floor = t;
        s.floor_at = Instant::now();
    }
}

/// The clock as the pages show it.
#[derive(Debug, Clone, Copy)]
pub struct Status {
    pub system: Timestamp,
    pub service: Timestamp,
    /// The latest time the service recorded or gave.
    pub floor: Timestamp,
    pub state: ClockState,
    /// Whether the test hook is on.
    pub test_hook: bool,
}

/// The clock now: the system's, the service's, and whether the first is behind.
pub fn status() -> Status {
    let service = now();
    let system = system_now();
    Status {
        system,
        service,
        floor: state().floor.max(service),
        state: rules::state(system, service),
        test_hook: clock().test_offset.is_some(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClockSetError {
    #[error(transparent)]
    Refused(#[from] ClockError),
    #[error("{TEST_OFFSET_VAR}={0:?} is not a number of seconds")]
    BadTestHook(String),
    #[error("the request to set the clock could not be written: {0}")]
    Request(String),
    #[error(
        "the clock did not change within {0} seconds: this box has no clock helper (baom-set-time), or it failed; see the journal"
    )]
    NoHelper(u64),
}

impl ClockSetError {
    pub fn code(&self) -> &'static str {
        match self {
            ClockSetError::Refused(e) => e.code(),
            ClockSetError::BadTestHook(_) => "test_hook",
            ClockSetError::Request(_) => "request",
            ClockSetError::NoHelper(_) => "no_helper",
        }
    }
}

/// Sets the system's clock to `target`, if the rules allow it against the last thing recorded
/// (`baom_domain::clock::check_new_time`). Returns how far the service's time moved.
pub async fn set(target: Timestamp) -> Result<SignedDuration, ClockSetError> {
    let before = now();
    rules::check_new_time(target, before)?;
    let request = state()
        .request
        .clone()
        .ok_or_else(|| ClockSetError::Request("the clock was not started".into()))?;
    let line = format!("{}\n", target.as_second());
    let path = request.clone();
    tokio::task::spawn_blocking(move || baom_config::write_private(&path, line.as_bytes()))
        .await
        .map_err(|e| ClockSetError::Request(e.to_string()))?
        .map_err(|e| ClockSetError::Request(e.to_string()))?;
    let asked = Instant::now();
    if let Some(offset) = &clock().test_offset {
        // The test hook plays the helper: the host's clock stays, the offset moves.
        let host = Timestamp::now();
        offset.store(target.duration_since(host).as_secs(), Ordering::SeqCst);
    } else {
        loop {
            let expected = target
                .checked_add(SignedDuration::try_from(asked.elapsed()).unwrap_or_default())
                .unwrap_or(target);
            if system_now().duration_since(expected).abs() < SignedDuration::from_secs(30) {
                break;
            }
            if asked.elapsed() > HELPER_WAIT {
                let _ = std::fs::remove_file(&request);
                return Err(ClockSetError::NoHelper(HELPER_WAIT.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let after = now();
    tracing::warn!(from = %before, to = %after, "the clock was set");
    Ok(after.duration_since(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The floor's rules are `baom_domain::clock`'s (tested there); a clock behind its floor is
    // tested end to end (`tests/tests/clock.rs`), as moving this process's floor would date
    // the other unit tests' records ahead.
    #[test]
    fn time_never_goes_backwards() {
        let mut last = now();
        for _ in 0..1000 {
            let t = now();
            assert!(t >= last);
            last = t;
        }
        raise_floor(EARLIEST);
        assert!(now() >= last);
        assert_eq!(status().state, ClockState::Right);
    }
}
