//! `[appointments]`: how the office books follow-up visits: the length of a slot, how early
//! and how late a visitor may check in and still go ahead of walk-ins, and how far ahead a
//! slot may be booked. Every key is optional (30, 30, 15 and 120).

use crate::error::{ConfigError, Source};
use baom_domain::appointments::SlotRules;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentsSection {
    #[serde(default = "defaults::slot")]
    pub slot_minutes: u16,
    #[serde(default = "defaults::early")]
    pub early_minutes: u16,
    #[serde(default = "defaults::late")]
    pub late_minutes: u16,
    #[serde(default = "defaults::ahead")]
    pub max_days_ahead: u16,
}

mod defaults {
    use baom_domain::appointments::SlotRules;
    pub fn slot() -> u16 {
        SlotRules::default().slot_minutes
    }
    pub fn early() -> u16 {
        SlotRules::default().early_minutes
    }
    pub fn late() -> u16 {
        SlotRules::default().late_minutes
    }
    pub fn ahead() -> u16 {
        SlotRules::default().max_days_ahead
    }
}

impl Default for AppointmentsSection {
    fn default() -> Self {
        let d = SlotRules::default();
        AppointmentsSection {
            slot_minutes: d.slot_minutes,
            early_minutes: d.early_minutes,
            late_minutes: d.late_minutes,
            max_days_ahead: d.max_days_ahead,
        }
    }
}

impl AppointmentsSection {
    pub(crate) fn check(&self, src: Source) -> Result<SlotRules, ConfigError> {
        let within = |value: u16, range: std::ops::RangeInclusive<u16>, key: &str| {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(src.error(
                    0..0,
                    format!("appointments.{key}"),
                    format!("{value}: between {} and {}", range.start(), range.end()),
                ))
            }
        };
        within(self.slot_minutes, 5..=240, "slot_minutes")?;
        within(self.early_minutes, 0..=240, "early_minutes")?;
        within(self.late_minutes, 0..=240, "late_minutes")?;
        within(self.max_days_ahead, 1..=366, "max_days_ahead")?;
        Ok(SlotRules {
            slot_minutes: self.slot_minutes,
            early_minutes: self.early_minutes,
            late_minutes: self.late_minutes,
            max_days_ahead: self.max_days_ahead,
        })
    }
}
