//! `[updates]`: where a box that has a network looks for a new system each day: a folder on
//! a web server (HTTPS, or plain HTTP: what the box trusts is the bundle's signature, which
//! RAUC checks as for a bundle from a stick). Without it, updates come on a stick or as an
//! upload on the technician's page.

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatesSection {
    /// The folder's address, such as `https://updates.example.ma/baom/stable/`: the box reads
    /// `baom-box-<arch>.json` there (its machine kind), which names the bundle.
    #[serde(default)]
    pub feed: Option<String>,
    /// A certificate authority (PEM) for an HTTPS server with its own; without it the
    /// system's authorities are trusted.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// Hours between two checks.
    #[serde(default = "default_check_hours")]
    pub check_hours: u64,
    /// Minutes before a failed check, or a download cut half-way, is tried again (it resumes
    /// where it stopped).
    #[serde(default = "default_retry_minutes")]
    pub retry_minutes: u64,
}

impl Default for UpdatesSection {
    fn default() -> Self {
        UpdatesSection {
            feed: None,
            ca: None,
            check_hours: default_check_hours(),
            retry_minutes: default_retry_minutes(),
        }
    }
}

fn default_check_hours() -> u64 {
    24
}

fn default_retry_minutes() -> u64 {
    30
}

impl UpdatesSection {
    pub(crate) fn check(&self, src: Source) -> Result<(), ConfigError> {
        if let Some(feed) = &self.feed {
            let rest = feed
                .strip_prefix("https://")
                .or_else(|| feed.strip_prefix("http://"));
            let host = rest.and_then(|r| r.split('/').next()).unwrap_or("");
            if host.is_empty() || feed.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(src.error(
                    0..0,
                    "updates.feed",
                    "an address such as \"https://updates.example.ma/baom/stable/\"",
                ));
            }
            if host.contains('@') {
                return Err(src.error(
                    0..0,
                    "updates.feed",
                    "no user or password in the address: it is shown on the technician's page",
                ));
            }
        }
        if !(1..=24 * 31).contains(&self.check_hours) {
            return Err(src.error(0..0, "updates.check_hours", "between 1 and 744"));
        }
        if !(1..=24 * 60).contains(&self.retry_minutes) {
            return Err(src.error(0..0, "updates.retry_minutes", "between 1 and 1440"));
        }
        Ok(())
    }
}
