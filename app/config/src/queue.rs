//! `[queue]`: the priority rule's bound and the service time assumed before any is measured.

use baom_domain::QueueRules;
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueueSection {
    #[serde(default = "default_streak")]
    pub(crate) max_priority_streak: Spanned<u32>,
    #[serde(default = "default_service_minutes")]
    default_service_minutes: u32,
    /// Tickets the kiosk may issue in a minute (a process on the box must not burn the day's
    /// numbers and the paper).
    #[serde(default = "default_kiosk_tickets")]
    pub(crate) kiosk_tickets_per_minute: toml::Spanned<u32>,
}

impl Default for QueueSection {
    fn default() -> Self {
        QueueSection {
            max_priority_streak: default_streak(),
            default_service_minutes: default_service_minutes(),
            kiosk_tickets_per_minute: default_kiosk_tickets(),
        }
    }
}

fn default_streak() -> Spanned<u32> {
    Spanned::new(0..0, QueueRules::default().max_priority_streak)
}

fn default_service_minutes() -> u32 {
    10
}

/// Six times what a person at the kiosk can do; a rush of several kiosks is far below it.
pub const DEFAULT_KIOSK_TICKETS_PER_MINUTE: u32 = 60;

fn default_kiosk_tickets() -> Spanned<u32> {
    Spanned::new(0..0, DEFAULT_KIOSK_TICKETS_PER_MINUTE)
}

impl QueueSection {
    pub(crate) fn kiosk_tickets_per_minute(
        &self,
        src: crate::error::Source,
    ) -> Result<u32, crate::error::ConfigError> {
        let n = *self.kiosk_tickets_per_minute.get_ref();
        if !(1..=10_000).contains(&n) {
            return Err(src.error(
                self.kiosk_tickets_per_minute.span(),
                "queue.kiosk_tickets_per_minute",
                format!("{n}: between 1 and 10000"),
            ));
        }
        Ok(n)
    }

    /// The rules (checked as a whole with the catalogue: see `catalogue.rs`).
    pub(crate) fn rules(&self) -> QueueRules {
        QueueRules {
            max_priority_streak: *self.max_priority_streak.get_ref(),
            default_service_secs: self.default_service_minutes.saturating_mul(60),
            ..QueueRules::default()
        }
    }
}
