//! `[tls]`: the HTTPS certificate and key the bundle installed. Without it the service makes a
//! self-signed certificate once, in the data directory (the demo).

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where the certificate and key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TlsSection {
    /// PEM certificate chain; relative paths are relative to the configuration file.
    certificate: PathBuf,
    /// PEM private key.
    private_key: PathBuf,
}

impl TlsSection {
    /// The files, relative paths taken from the configuration file's folder.
    pub(crate) fn files(&self, config_file: &Path) -> TlsFiles {
        let base = config_file.parent().unwrap_or(Path::new("."));
        TlsFiles {
            certificate: base.join(&self.certificate),
            private_key: base.join(&self.private_key),
        }
    }
}
