//! The HTTPS certificate: the one from the first-boot bundle on a provisioned box, or for the
//! demo a self-signed one made once (rcgen) and kept in the data directory, so a browser that
//! was told to trust it keeps trusting it across restarts.

use anyhow::{Context, Result};
use baom_config::{TlsFiles, write_private};
use std::path::Path;

/// Makes a self-signed certificate for `names` (DNS names or IP addresses) unless one is
/// already at `dir/server.crt`, and returns where it is.
pub fn self_signed(dir: &Path, names: &[String]) -> Result<TlsFiles> {
    let files = TlsFiles {
        certificate: dir.join("server.crt"),
        private_key: dir.join("server.key"),
    };
    if files.certificate.exists() && files.private_key.exists() {
        return Ok(files);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names.to_vec())
            .context("cannot make a self-signed certificate")?;
    write_private(&files.private_key, signing_key.serialize_pem().as_bytes())
        .with_context(|| format!("cannot write {}", files.private_key.display()))?;
    std::fs::write(&files.certificate, cert.pem())
        .with_context(|| format!("cannot write {}", files.certificate.display()))?;
    tracing::info!(certificate = %files.certificate.display(), "made a self-signed certificate for the demo");
    Ok(files)
}
