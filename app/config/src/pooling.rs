//! `[pooling]`: where a box that has a network pushes its pooled figures: the province's
//! PostgreSQL server, always over TLS checked against the province's authority. Without it the
//! figures leave as files (a download, or the backup stick).

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolingSection {
    /// The server, as a PostgreSQL connection string (`host=… port=… dbname=… user=…`).
    #[serde(default)]
    pub server: Option<String>,
    /// A file holding the server's password for that user (kept out of this file).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The province's certificate authority (PEM): the server's certificate must chain to it.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// Seconds between two tries while the server cannot be reached.
    #[serde(default = "default_retry")]
    pub retry_seconds: u64,
}

fn default_retry() -> u64 {
    60
}

impl PoolingSection {
    pub(crate) fn check(&self, src: Source) -> Result<(), ConfigError> {
        let Some(server) = &self.server else {
            return Ok(());
        };
        if server.trim().is_empty() || !server.contains("host=") {
            return Err(src.error(
                0..0,
                "pooling.server",
                "a connection string naming its host, such as \"host=stats.province.ma port=5432 dbname=baom user=taliouine\"",
            ));
        }
        if server.contains("password=") {
            return Err(src.error(
                0..0,
                "pooling.server",
                "keep the password out of this file: put it in pooling.password_file",
            ));
        }
        if self.ca.is_none() {
            return Err(src.error(
                0..0,
                "pooling.ca",
                "the province's certificate authority is needed: figures are only pushed over checked TLS",
            ));
        }
        if !(5..=86_400).contains(&self.retry_seconds) {
            return Err(src.error(0..0, "pooling.retry_seconds", "between 5 and 86400"));
        }
        Ok(())
    }
}
