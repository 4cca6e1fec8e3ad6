//! Telling systemd how the service is doing (`Type=notify`, `WatchdogSec=` in `baom.service`).
//!
//! [`ready`] is called once every listener is bound: it sends `READY=1`, so units ordered after
//! `baom.service` (the kiosk) start when the socket answers, not when the process exists. If the
//! unit has a watchdog (`WATCHDOG_USEC` in the environment), a task then sends `WATCHDOG=1` at
//! half that period, but only after the queue's writer thread has answered a ping: a process
//! whose async side still runs while its one writer is stuck (a hung fsync, a lock never
//! released) stops pinging, and systemd kills and restarts it. Without systemd (tests, the demo)
//! both are no-ops.

use crate::queue_service::{Pinger, QueueService};
use sd_notify::NotifyState;
use std::time::Duration;

/// `READY=1`, then the watchdog task if the unit asks for one. Call from inside the runtime.
pub fn ready(queue: &QueueService) {
    if let Err(e) = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status("serving")]) {
        tracing::warn!(error = %e, "cannot tell systemd the service is ready");
    }
    if let Some(timeout) = sd_notify::watchdog_enabled() {
        let period = timeout / 2;
        tracing::info!(
            ?period,
            "systemd watchdog: pinging while the queue writer answers"
        );
        tokio::spawn(watchdog(queue.pinger(), period));
    }
}

/// Every `period`: ping the writer, and only if it answers within `period`, ping systemd. Ends
/// when the service stops (the writer's channel is closed).
async fn watchdog(pinger: Pinger, period: Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stuck_since: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        match tokio::time::timeout(period, pinger.ping()).await {
            Ok(true) => {
                if let Some(since) = stuck_since.take() {
                    tracing::warn!(stuck = ?since.elapsed(), "the queue writer answers again");
                }
                if let Err(e) = sd_notify::notify(&[NotifyState::Watchdog]) {
                    tracing::warn!(error = %e, "cannot ping the systemd watchdog");
                }
            }
            Ok(false) => return,
            Err(_) => {
                // The ping was sent `period` ago.
                let since =
                    *stuck_since.get_or_insert_with(|| tokio::time::Instant::now() - period);
                tracing::error!(
                    stuck = ?since.elapsed(),
                    "the queue writer does not answer: not pinging the watchdog, so systemd restarts the service if this lasts"
                );
            }
        }
    }
}
