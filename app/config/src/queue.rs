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
}

impl Default for QueueSection {
    fn default() -> Self {
        QueueSection {
            max_priority_streak: default_streak(),
            default_service_minutes: default_service_minutes(),
        }
    }
}

fn default_streak() -> Spanned<u32> {
    Spanned::new(0..0, QueueRules::default().max_priority_streak)
}

fn default_service_minutes() -> u32 {
    10
}

impl QueueSection {
    /// The rules (checked as a whole with the catalogue: see `catalogue.rs`).
    pub(crate) fn rules(&self) -> QueueRules {
        QueueRules {
            max_priority_streak: *self.max_priority_streak.get_ref(),
            default_service_secs: self.default_service_minutes.saturating_mul(60),
            ..QueueRules::default()
        }
    }
}
