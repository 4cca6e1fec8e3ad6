//! `[printer]`: where receipts go (a file, a USB device file, a network printer on port 9100)
//! and how they are printed (paper width, QR mode, retries, status polling).

use crate::error::{ConfigError, Source};
use serde::Deserialize;
use std::path::PathBuf;
use toml::Spanned;

/// Where receipts go, and how they are printed (`[printer]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSettings {
    pub driver: PrinterDriver,
    /// `paper_width`: 58 or 80 (mm). Default 80.
    pub paper: baom_domain::printer::Paper,
    /// `qr`: "raster" (default, every printer) or "native" (the printer's own QR command).
    pub qr: baom_domain::printer::QrMode,
    /// `retry_max_s`: the longest wait between two attempts at a receipt that failed. Default 30.
    pub retry_max: std::time::Duration,
    /// `status_interval_s`: how often an idle printer's status is read. Default 30.
    pub status_interval: std::time::Duration,
}

/// The printer's connection (`kind`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterDriver {
    /// `kind = "file"`, `path`: receipts appended to a file (relative paths are under the data
    /// directory). For the demo and tests.
    File { path: PathBuf },
    /// `kind = "usb"`, `device`: a USB printer's device file, such as `/dev/usb/lp0`.
    Usb { device: PathBuf },
    /// `kind = "network"`, `address` (`host:port`, usually port 9100), `connect_timeout_ms`
    /// (default 2000) and `io_timeout_ms` (default 5000).
    Network {
        address: String,
        connect_timeout: std::time::Duration,
        io_timeout: std::time::Duration,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrinterSection {
    kind: Spanned<String>,
    path: Option<PathBuf>,
    device: Option<PathBuf>,
    address: Option<Spanned<String>>,
    connect_timeout_ms: Option<Spanned<u64>>,
    io_timeout_ms: Option<Spanned<u64>>,
    paper_width: Option<Spanned<u32>>,
    qr: Option<Spanned<String>>,
    retry_max_s: Option<Spanned<u64>>,
    status_interval_s: Option<Spanned<u64>>,
}

pub(crate) fn check(p: &PrinterSection, src: Source) -> Result<PrinterSettings, ConfigError> {
    let err = |span: std::ops::Range<usize>, field: String, message: String| {
        src.error(span, field, message)
    };
    use std::time::Duration;
    let kind = p.kind.get_ref().as_str();
    let kind_span = p.kind.span();
    let only = |allowed: &[&str]| -> Result<(), ConfigError> {
        for (name, present) in [
            ("path", p.path.is_some()),
            ("device", p.device.is_some()),
            ("address", p.address.is_some()),
            ("connect_timeout_ms", p.connect_timeout_ms.is_some()),
            ("io_timeout_ms", p.io_timeout_ms.is_some()),
        ] {
            if present && !allowed.contains(&name) {
                return Err(err(
                    kind_span.clone(),
                    format!("printer.{name}"),
                    format!("a {kind:?} printer does not take {name}"),
                ));
            }
        }
        Ok(())
    };
    let ms = |v: &Option<Spanned<u64>>, name: &str, default: u64| match v {
        None => Ok(Duration::from_millis(default)),
        Some(v) if (1..=60_000).contains(v.get_ref()) => Ok(Duration::from_millis(*v.get_ref())),
        Some(v) => Err(err(
            v.span(),
            format!("printer.{name}"),
            format!("{} is not between 1 and 60000 milliseconds", v.get_ref()),
        )),
    };
    let driver = match kind {
        "file" => {
            only(&["path"])?;
            let path = p.path.clone().ok_or_else(|| {
                err(
                    kind_span.clone(),
                    "printer.path".into(),
                    "a file printer needs path = \"receipts.escpos\"".into(),
                )
            })?;
            PrinterDriver::File { path }
        }
        "usb" => {
            only(&["device"])?;
            let device = p.device.clone().ok_or_else(|| {
                err(
                    kind_span.clone(),
                    "printer.device".into(),
                    "a usb printer needs device = \"/dev/usb/lp0\"".into(),
                )
            })?;
            PrinterDriver::Usb { device }
        }
        "network" => {
            only(&["address", "connect_timeout_ms", "io_timeout_ms"])?;
            let address = p.address.as_ref().ok_or_else(|| {
                err(
                    kind_span.clone(),
                    "printer.address".into(),
                    "a network printer needs address = \"192.168.1.50:9100\"".into(),
                )
            })?;
            let valid = address
                .get_ref()
                .rsplit_once(':')
                .is_some_and(|(host, port)| {
                    !host.is_empty()
                        && !host.contains(char::is_whitespace)
                        && port.parse::<u16>().is_ok_and(|p| p > 0)
                });
            if !valid {
                return Err(err(
                    address.span(),
                    "printer.address".into(),
                    format!(
                        "{:?} is not a host and port such as \"192.168.1.50:9100\"",
                        address.get_ref()
                    ),
                ));
            }
            PrinterDriver::Network {
                address: address.get_ref().clone(),
                connect_timeout: ms(&p.connect_timeout_ms, "connect_timeout_ms", 2000)?,
                io_timeout: ms(&p.io_timeout_ms, "io_timeout_ms", 5000)?,
            }
        }
        other => {
            return Err(err(
                kind_span,
                "printer.kind".into(),
                format!("{other:?} is not a printer kind: use \"file\", \"usb\" or \"network\""),
            ));
        }
    };
    let paper = match &p.paper_width {
        None => baom_domain::printer::Paper::Mm80,
        Some(w) => baom_domain::printer::Paper::from_mm(*w.get_ref()).ok_or_else(|| {
            err(
                w.span(),
                "printer.paper_width".into(),
                format!(
                    "{} mm is not a receipt paper width: use 58 or 80",
                    w.get_ref()
                ),
            )
        })?,
    };
    let qr = match p.qr.as_ref().map(|q| (q.get_ref().as_str(), q.span())) {
        None | Some(("raster", _)) => baom_domain::printer::QrMode::Raster,
        Some(("native", _)) => baom_domain::printer::QrMode::Native,
        Some((other, span)) => {
            return Err(err(
                span,
                "printer.qr".into(),
                format!("{other:?}: use \"raster\" or \"native\""),
            ));
        }
    };
    let secs = |v: &Option<Spanned<u64>>, name: &str, default: u64| match v {
        None => Ok(Duration::from_secs(default)),
        Some(v) if (1..=3600).contains(v.get_ref()) => Ok(Duration::from_secs(*v.get_ref())),
        Some(v) => Err(err(
            v.span(),
            format!("printer.{name}"),
            format!("{} is not between 1 and 3600 seconds", v.get_ref()),
        )),
    };
    Ok(PrinterSettings {
        driver,
        paper,
        qr,
        retry_max: secs(&p.retry_max_s, "retry_max_s", 30)?,
        status_interval: secs(&p.status_interval_s, "status_interval_s", 30)?,
    })
}
