//! The service's configuration file (TOML): what it says, and every way it can be wrong.
//!
//! Parsing goes through serde, with `serde_path_to_error` for the field's path and toml's spans
//! for its line, so every problem reads `FILE:LINE:COLUMN: FIELD: what is wrong`. Rules that
//! span several fields (unique letters, desks serving known services…) are the domain
//! catalogue's; their errors are mapped back to the line of the field at fault.

use baom_domain::catalogue::{
    Catalogue, CatalogueError, Desk, DeskNo, Document, Letter, Names, OpenHours, QueueRules,
    Service,
};
use jiff::civil::Time;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The configuration, checked and ready to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub commune: Commune,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub catalogue: Catalogue,
    pub printer: PrinterSettings,
    /// The document scanner; off unless `[scanner] device` is set.
    pub scanner: crate::scanner::ScannerSettings,
    /// Plain HTTP that only redirects to HTTPS, if wanted.
    pub redirect_listen: Option<SocketAddr>,
    /// The HTTPS certificate; `None` makes (once) a self-signed one in the data directory.
    pub tls: Option<crate::tls::TlsFiles>,
    /// Staff accounts to create on first start (with one-time passwords).
    pub accounts: Vec<AccountSeed>,
    /// The commune's douars (a person's douar is one of them; the census counts by douar).
    pub douars: Vec<Douar>,
    /// Years a closed dossier is kept after the person's last activity (law 09-08).
    pub retention_years: u16,
    /// The reference's procedures whose documents a service's kiosk list shows, by letter.
    pub service_procedures: Vec<(baom_domain::Letter, Vec<String>)>,
    /// Where a USB stick for nightly backups is mounted, and how many backups it keeps.
    pub backup: BackupSection,
}

/// `[backup]`: the nightly copy to a USB stick, if one is mounted at `usb_dir`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// The stick's mount point (the box's image mounts a stick labelled BAOM-BACKUP there).
    #[serde(default)]
    pub usb_dir: Option<PathBuf>,
    /// How many nightly backups stay on the stick.
    #[serde(default = "default_keep")]
    pub keep: usize,
}

impl Default for BackupSection {
    fn default() -> Self {
        BackupSection {
            usb_dir: None,
            keep: default_keep(),
        }
    }
}

fn default_keep() -> usize {
    7
}

/// A douar of the commune, with its number of households (for the census's shares).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Douar {
    pub name: String,
    pub households: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DossiersSection {
    #[serde(default = "default_retention")]
    retention_years: Spanned<u16>,
}

impl Default for DossiersSection {
    fn default() -> Self {
        DossiersSection {
            retention_years: default_retention(),
        }
    }
}

fn default_retention() -> Spanned<u16> {
    Spanned::new(
        0..0,
        baom_domain::dossier::retention::DEFAULT_RETENTION_YEARS,
    )
}

/// An account the configuration asks for. Created if missing; never overwritten.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSeed {
    pub login: String,
    pub name: String,
    #[serde(deserialize_with = "role")]
    pub role: crate::accounts::Role,
    /// An argon2id hash (PHC string) of the one-time password (`baom hash-password`).
    pub initial_password_hash: String,
}

fn role<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::accounts::Role, D::Error> {
    String::deserialize(d)?
        .parse()
        .map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commune {
    /// The commune's name in Arabic script, as on its seal.
    pub name_ar: String,
    /// The commune's name in Latin script.
    pub name_latin: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub region: String,
    /// The languages the kiosk offers, in order (all four by default).
    #[serde(default)]
    pub languages: Vec<baom_domain::Language>,
}

/// Where receipts go, and how they are printed (`[printer]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSettings {
    pub driver: PrinterDriver,
    /// `paper_width`: 58 or 80 (mm). Default 80.
    pub paper: baom_receipt::Paper,
    /// `qr`: "raster" (default, every printer) or "native" (the printer's own QR command).
    pub qr: baom_receipt::QrMode,
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
struct PrinterSection {
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

fn printer_settings(
    p: &PrinterSection,
    err: &dyn Fn(Range<usize>, String, String) -> ConfigError,
) -> Result<PrinterSettings, ConfigError> {
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
        None => baom_receipt::Paper::Mm80,
        Some(w) => baom_receipt::Paper::from_mm(*w.get_ref()).ok_or_else(|| {
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
        None | Some(("raster", _)) => baom_receipt::QrMode::Raster,
        Some(("native", _)) => baom_receipt::QrMode::Native,
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

/// A problem with a configuration file, located as precisely as the file allows.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the configuration: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {field}: {message}")]
    Invalid {
        file: PathBuf,
        line: usize,
        column: usize,
        field: String,
        message: String,
    },
}

impl ConfigError {
    /// The error for `field`, located at the start of `span` in `text` (line and column).
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        field: impl fmt::Display,
        message: impl fmt::Display,
    ) -> ConfigError {
        let offset = span.map(|s| s.start).unwrap_or(0).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        ConfigError::Invalid {
            file: file.to_owned(),
            line,
            column,
            field: field.to_string(),
            message: message.to_string(),
        }
    }
}

// The file's shape. Fields that later checks may blame are `Spanned` so the error can name their line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommuneSection {
    name_ar: Spanned<String>,
    name_latin: Spanned<String>,
    #[serde(default)]
    province: String,
    #[serde(default)]
    region: String,
    #[serde(default = "all_languages")]
    languages: Spanned<Vec<baom_domain::Language>>,
}

fn all_languages() -> Spanned<Vec<baom_domain::Language>> {
    Spanned::new(0..0, baom_domain::Language::ALL.to_vec())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    commune: CommuneSection,
    /// The box itself and its staff: read by `baom-provision`, which turns the staff into
    /// `[[accounts]]`. The service ignores them, so one settings file is also a valid
    /// configuration.
    #[serde(default, rename = "box")]
    _box: Option<toml::Value>,
    #[serde(default)]
    douars: Vec<Spanned<Douar>>,
    #[serde(default)]
    dossiers: DossiersSection,
    #[serde(default)]
    backup: BackupSection,
    #[serde(default, rename = "staff")]
    _staff: Option<toml::Value>,
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    queue: QueueSection,
    printer: PrinterSection,
    #[serde(default)]
    tls: Option<TlsSection>,
    #[serde(default = "default_scanner")]
    scanner: Spanned<crate::scanner::ScannerSettings>,
    services: Vec<ServiceSection>,
    desks: Vec<DeskSection>,
    #[serde(default)]
    accounts: Vec<Spanned<AccountSeed>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsSection {
    /// PEM certificate chain; relative paths are relative to the configuration file.
    certificate: PathBuf,
    /// PEM private key.
    private_key: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    #[serde(default = "default_data_dir")]
    data_dir: PathBuf,
    #[serde(default = "default_listen")]
    listen: Spanned<String>,
    #[serde(default = "default_time_zone")]
    time_zone: Spanned<String>,
    #[serde(default)]
    redirect_listen: Option<Spanned<String>>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            data_dir: default_data_dir(),
            listen: default_listen(),
            time_zone: default_time_zone(),
            redirect_listen: None,
        }
    }
}

fn default_scanner() -> Spanned<crate::scanner::ScannerSettings> {
    Spanned::new(0..0, crate::scanner::ScannerSettings::default())
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("/var/lib/baom")
}
fn default_listen() -> Spanned<String> {
    Spanned::new(0..0, "127.0.0.1:8443".to_owned())
}
fn default_time_zone() -> Spanned<String> {
    Spanned::new(0..0, "Africa/Casablanca".to_owned())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueSection {
    #[serde(default = "default_streak")]
    max_priority_streak: Spanned<u32>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceSection {
    letter: Spanned<Letter>,
    names: Names,
    #[serde(default)]
    documents: Vec<Document>,
    /// Ids of the reference's procedures whose documents the kiosk also lists.
    #[serde(default)]
    procedures: Vec<String>,
    hours: Spanned<HoursSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursSection {
    /// Weekday names: `mon` … `sun`.
    days: Vec<String>,
    /// `HH:MM`, local time.
    open: String,
    /// `HH:MM`, local time; `24:00` for the end of the day.
    close: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeskSection {
    number: Spanned<u16>,
    name: String,
    services: Spanned<Vec<Letter>>,
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Checks configuration text; `file` only names it in errors.
pub fn parse(file: &Path, text: &str) -> Result<Settings, ConfigError> {
    let deserializer = toml::de::Deserializer::parse(text)
        .map_err(|e| ConfigError::at(file, text, e.span(), "(file)", e.message()))?;
    let raw: File = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        // Spanned<T> shows up in serde's path as a private field: leave it out.
        let path = e
            .path()
            .to_string()
            .replace(".$__serde_spanned_private_value", "");
        let field = if path == "." {
            "(top level)".to_owned()
        } else {
            path
        };
        ConfigError::at(file, text, e.inner().span(), field, e.inner().message())
    })?;
    let err = |span: Range<usize>, field: String, message: String| {
        ConfigError::at(file, text, Some(span), field, message)
    };

    let address = |value: &Spanned<String>, field: &str| {
        value.get_ref().parse::<SocketAddr>().map_err(|_| {
            err(
                value.span(),
                field.into(),
                format!(
                    "{:?} is not an address and port such as \"0.0.0.0:443\"",
                    value.get_ref()
                ),
            )
        })
    };
    let listen = address(&raw.server.listen, "server.listen")?;
    let redirect_listen = raw
        .server
        .redirect_listen
        .as_ref()
        .map(|r| address(r, "server.redirect_listen"))
        .transpose()?;
    let base = file.parent().unwrap_or(Path::new("."));
    let tls = raw.tls.as_ref().map(|t| crate::tls::TlsFiles {
        certificate: base.join(&t.certificate),
        private_key: base.join(&t.private_key),
    });
    let mut accounts: Vec<AccountSeed> = Vec::new();
    for (i, a) in raw.accounts.iter().enumerate() {
        let seed = a.get_ref();
        let field = format!("accounts[{i}]");
        let clean = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
        if seed.login.is_empty() || seed.login.len() > 32 || !seed.login.bytes().all(clean) {
            return Err(err(
                a.span(),
                format!("{field}.login"),
                format!(
                    "{:?}: use 1 to 32 lowercase letters, digits, '.', '-' or '_'",
                    seed.login
                ),
            ));
        }
        if accounts.iter().any(|b| b.login == seed.login) {
            return Err(err(
                a.span(),
                format!("{field}.login"),
                format!("{:?} is already used by another account", seed.login),
            ));
        }
        if !seed.initial_password_hash.starts_with("$argon2id$") {
            return Err(err(
                a.span(),
                format!("{field}.initial_password_hash"),
                "must be an argon2id hash (make one with `baom hash-password`)".into(),
            ));
        }
        accounts.push(seed.clone());
    }
    let time_zone = TimeZone::get(raw.server.time_zone.get_ref()).map_err(|_| {
        err(
            raw.server.time_zone.span(),
            "server.time_zone".into(),
            format!(
                "{:?} is not a known time zone; the commune's is \"Africa/Casablanca\"",
                raw.server.time_zone.get_ref()
            ),
        )
    })?;
    let mut services = Vec::new();
    for (i, s) in raw.services.iter().enumerate() {
        let hours = parse_hours(s.hours.get_ref())
            .map_err(|m| err(s.hours.span(), format!("services[{i}].hours"), m))?;
        for (d, doc) in s.documents.iter().enumerate() {
            if doc.id.is_empty()
                || !doc
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(err(
                    s.letter.span(),
                    format!("services[{i}].documents[{d}].id"),
                    format!("{:?} must be lowercase letters, digits, - or _", doc.id),
                ));
            }
        }
        check_names(&s.names)
            .map_err(|m| err(s.letter.span(), format!("services[{i}].names"), m))?;
        services.push(Service {
            letter: *s.letter.get_ref(),
            names: s.names.clone(),
            documents: s.documents.clone(),
            hours,
        });
    }
    let desks = raw
        .desks
        .iter()
        .map(|d| Desk {
            number: DeskNo(*d.number.get_ref()),
            name: d.name.clone(),
            services: d.services.get_ref().clone(),
        })
        .collect();
    let rules = QueueRules {
        max_priority_streak: *raw.queue.max_priority_streak.get_ref(),
        default_service_secs: raw.queue.default_service_minutes.saturating_mul(60),
        ..QueueRules::default()
    };
    let catalogue = Catalogue::new(services, desks, time_zone, rules).map_err(|e| {
        let (span, field) = match &e {
            CatalogueError::NoServices => (0..0, "services".to_owned()),
            CatalogueError::NoDesks => (0..0, "desks".to_owned()),
            CatalogueError::DuplicateLetter { index, .. }
            | CatalogueError::ServiceWithoutDesk { index, .. } => (
                raw.services[*index].letter.span(),
                format!("services[{index}].letter"),
            ),
            CatalogueError::DuplicateDesk { index, .. } => (
                raw.desks[*index].number.span(),
                format!("desks[{index}].number"),
            ),
            CatalogueError::DeskWithoutServices { index, .. }
            | CatalogueError::DeskServesUnknown { index, .. } => (
                raw.desks[*index].services.span(),
                format!("desks[{index}].services"),
            ),
            CatalogueError::ZeroPriorityStreak => (
                raw.queue.max_priority_streak.span(),
                "queue.max_priority_streak".to_owned(),
            ),
            CatalogueError::ZeroRecentWindow => (0..0, "queue".to_owned()),
        };
        err(span, field, e.to_string())
    })?;
    raw.scanner
        .get_ref()
        .check()
        .map_err(|m| err(raw.scanner.span(), "scanner".into(), m))?;
    let c = &raw.commune;
    for (field, lang, value) in [
        ("commune.name_ar", "ar", &c.name_ar),
        ("commune.name_latin", "fr", &c.name_latin),
    ] {
        if value.get_ref().trim().is_empty() {
            return Err(err(value.span(), field.into(), "is empty".into()));
        }
        check_script(lang, value.get_ref()).map_err(|m| err(value.span(), field.into(), m))?;
    }
    let languages = c.languages.get_ref().clone();
    if languages.is_empty()
        || languages
            .iter()
            .enumerate()
            .any(|(i, l)| languages[..i].contains(l))
    {
        return Err(err(
            c.languages.span(),
            "commune.languages".into(),
            "list each of ar, zgh, fr, en at most once, and at least one".into(),
        ));
    }
    let commune = Commune {
        name_ar: c.name_ar.get_ref().clone(),
        name_latin: c.name_latin.get_ref().clone(),
        province: c.province.clone(),
        region: c.region.clone(),
        languages,
    };
    let printer = printer_settings(&raw.printer, &err)?;
    let mut douars: Vec<Douar> = Vec::new();
    for (i, d) in raw.douars.iter().enumerate() {
        let douar = d.get_ref();
        if douar.name.trim().is_empty() || douars.iter().any(|o| o.name == douar.name) {
            return Err(err(
                d.span(),
                format!("douars[{i}].name"),
                format!("{:?}: each douar needs its own, non-empty name", douar.name),
            ));
        }
        douars.push(douar.clone());
    }
    if raw.backup.keep == 0 {
        return Err(err(
            0..0,
            "backup.keep".into(),
            "0 would delete each backup as soon as it is written: keep at least 1".into(),
        ));
    }
    let retention_years = *raw.dossiers.retention_years.get_ref();
    if !(1..=30).contains(&retention_years) {
        return Err(err(
            raw.dossiers.retention_years.span(),
            "dossiers.retention_years".into(),
            format!("{retention_years}: between 1 and 30 years"),
        ));
    }
    let service_procedures = raw
        .services
        .iter()
        .map(|s| (*s.letter.get_ref(), s.procedures.clone()))
        .collect();
    Ok(Settings {
        backup: raw.backup,
        douars,
        retention_years,
        service_procedures,
        scanner: raw.scanner.into_inner(),
        commune,
        data_dir: raw.server.data_dir,
        listen,
        catalogue,
        printer,
        redirect_listen,
        tls,
        accounts,
    })
}

fn check_names(names: &Names) -> Result<(), String> {
    for (lang, name) in [
        ("ar", &names.ar),
        ("zgh", &names.zgh),
        ("fr", &names.fr),
        ("en", &names.en),
    ] {
        if name.trim().is_empty() {
            return Err(format!(
                "the {lang} name is empty: every language needs a name"
            ));
        }
        if name.chars().count() > 80 {
            return Err(format!(
                "the {lang} name is longer than 80 characters: it must fit a kiosk button"
            ));
        }
        check_script(lang, name)?;
    }
    Ok(())
}

/// Arabic script, as the `ar` texts need (Unicode's Arabic blocks).
pub fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Tifinagh, as the `zgh` texts need.
pub fn is_tifinagh(c: char) -> bool {
    ('\u{2D30}'..='\u{2D7F}').contains(&c)
}

/// A text in `lang` must be written in that language's script: Arabic letters for `ar`,
/// Tifinagh for `zgh`, and no Arabic or Tifinagh in the Latin-script languages.
pub fn check_script(lang: &str, text: &str) -> Result<(), String> {
    let ok = match lang {
        "ar" => text.chars().any(is_arabic),
        "zgh" => text.chars().any(is_tifinagh),
        _ => !text.chars().any(|c| is_arabic(c) || is_tifinagh(c)),
    };
    if ok {
        return Ok(());
    }
    Err(match lang {
        "ar" => format!("{text:?} has no Arabic letters: write the ar text in Arabic script"),
        "zgh" => format!("{text:?} has no Tifinagh letters: write the zgh text in Tifinagh"),
        _ => format!(
            "{text:?} mixes in Arabic or Tifinagh letters: write the {lang} text in Latin script"
        ),
    })
}

fn parse_hours(h: &HoursSection) -> Result<OpenHours, String> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut days = [false; 7];
    for d in &h.days {
        let i = DAYS.iter().position(|x| x == d).ok_or_else(|| {
            format!("{d:?} is not a weekday: use mon, tue, wed, thu, fri, sat, sun")
        })?;
        days[i] = true;
    }
    if !days.contains(&true) {
        return Err("days is empty: a service must open on at least one day".into());
    }
    let open = parse_hhmm(&h.open)
        .ok_or_else(|| format!("open = {:?} is not a time such as \"08:30\"", h.open))?;
    let close = parse_hhmm(&h.close).ok_or_else(|| {
        format!(
            "close = {:?} is not a time such as \"16:30\" (or \"24:00\")",
            h.close
        )
    })?;
    let open_time = Time::new((open / 60) as i8, (open % 60) as i8, 0, 0)
        .map_err(|_| format!("open = {:?} must be before 24:00", h.open))?;
    OpenHours::new(days, open_time, close)
        .ok_or_else(|| format!("open ({}) must be before close ({})", h.open, h.close))
}

/// `HH:MM` in minutes since midnight, 00:00 to 24:00.
fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= 24 * 60).then_some(minutes)
}

/// The demo commune's configuration, embedded in the binary (`baom demo`).
pub const DEMO: &str = include_str!("../config/demo.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        match parse(Path::new("office.toml"), text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    /// The demo file with one line replaced, so each test breaks exactly one thing.
    fn demo_with(from: &str, to: &str) -> String {
        assert!(DEMO.contains(from), "demo.toml no longer contains {from:?}");
        DEMO.replacen(from, to, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .expect("needle in text")
            + 1
    }

    #[test]
    fn the_demo_configuration_is_valid() {
        let settings = parse(Path::new("demo.toml"), DEMO).expect("demo.toml is valid");
        assert_eq!(settings.catalogue.services().len(), 4);
        assert_eq!(settings.catalogue.desks().len(), 3);
    }

    #[test]
    fn a_wrong_type_names_file_line_and_field() {
        let text = demo_with("number = 2", "number = \"two\"");
        let e = error(&text);
        assert!(
            e.starts_with(&format!(
                "office.toml:{}:",
                line_of(&text, "number = \"two\"")
            )),
            "{e}"
        );
        assert!(e.contains("desks[1].number"), "{e}");
    }

    #[test]
    fn a_duplicate_letter_points_at_the_second_one() {
        let text = demo_with("letter = \"B\"", "letter = \"A\"");
        let e = error(&text);
        let second = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "letter = \"A\"")
            .nth(1)
            .expect("two A letters")
            .0
            + 1;
        assert!(e.starts_with(&format!("office.toml:{second}:")), "{e}");
        assert!(
            e.contains("services[1].letter") && e.contains("already used"),
            "{e}"
        );
    }

    #[test]
    fn bad_letters_hours_zones_and_addresses_are_explained() {
        assert!(
            error(&demo_with("letter = \"B\"", "letter = \"b\"")).contains("not a service letter")
        );
        assert!(
            error(&demo_with("letter = \"B\"", "letter = \"BB\"")).contains("services[1].letter")
        );
        let e = error(&demo_with(
            "time_zone = \"Africa/Casablanca\"",
            "time_zone = \"Mars/Olympus\"",
        ));
        assert!(
            e.contains("server.time_zone") && e.contains("Mars/Olympus"),
            "{e}"
        );
        let e = error(&demo_with(
            "listen = \"127.0.0.1:8443\"",
            "listen = \"localhost\"",
        ));
        assert!(e.contains("server.listen"), "{e}");
        assert!(error(&DEMO.replace("close = \"24:00\"", "close = \"25:00\"")).contains("hours"));
        assert!(error(&DEMO.replace("open = \"00:00\"", "open = \"24:00\"")).contains("before"));
        assert!(
            error(&DEMO.replacen("hours = { days = [", "hours = { days = [\"funday\", ", 1))
                .contains("funday")
        );
    }

    #[test]
    fn unknown_fields_missing_fields_and_broken_syntax_are_refused() {
        assert!(
            error(&demo_with("[queue]", "[queue]\nmax_priority_streek = 2"))
                .contains("unknown field")
        );
        let e = error(&demo_with("name_latin = ", "# name_latin = "));
        assert!(e.contains("commune") && e.contains("name_latin"), "{e}");
        let e = error("[commune\nname_ar = 1");
        assert!(e.starts_with("office.toml:1:"), "{e}");
        assert!(
            error(&demo_with(
                "max_priority_streak = 3",
                "max_priority_streak = 0"
            ))
            .contains("queue.max_priority_streak")
        );
        assert!(
            error(&demo_with(
                "max_priority_streak = 3",
                "max_priority_streak = -1"
            ))
            .contains("queue.max_priority_streak")
        );
    }

    #[test]
    fn desks_must_serve_known_services_and_every_service_needs_a_desk() {
        let e = error(&demo_with(
            "services = [\"A\", \"B\"]",
            "services = [\"A\", \"Q\"]",
        ));
        assert!(e.contains("desks[0].services") && e.contains("Q"), "{e}");
        let e = error(&demo_with("services = [\"A\", \"B\"]", "services = []"));
        assert!(e.contains("desks[0].services"), "{e}");
    }

    #[test]
    fn every_language_needs_a_name() {
        let e = error(&demo_with(
            "en = \"Reception and orientation\"",
            "en = \"  \"",
        ));
        assert!(e.contains("services[0].names") && e.contains("en"), "{e}");
        let e = error(&demo_with(
            "en = \"Reception and orientation\"",
            "de = \"Empfang\"",
        ));
        assert!(e.contains("services[0].names"), "{e}");
    }

    #[test]
    fn accounts_need_a_known_role_a_clean_login_and_an_argon2_hash() {
        let account = |login: &str, role: &str, hash: &str| {
            DEMO.to_owned()
                + &format!(
                    "\n[[accounts]]\nlogin = {login:?}\nname = \"A\"\nrole = {role:?}\ninitial_password_hash = {hash:?}\n"
                )
        };
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$abc$def";
        let e = error(&account("amina", "mayor", hash));
        assert!(e.contains("accounts[0].role") && e.contains("mayor"), "{e}");
        assert!(error(&account("Amina El", "officer", hash)).contains("accounts[0].login"));
        assert!(
            error(&account("amina", "officer", "plaintext"))
                .contains("accounts[0].initial_password_hash")
        );
        let twice =
            account("amina", "officer", hash) + &account("amina", "officer", hash)[DEMO.len()..];
        assert!(error(&twice).contains("accounts[1].login"));
        let settings = parse(
            Path::new("/etc/baom/office.toml"),
            &(account("amina", "officer", hash)
                + "[tls]\ncertificate = \"tls/server.crt\"\nprivate_key = \"/k.pem\"\n"),
        )
        .expect("valid");
        let tls = settings.tls.expect("tls");
        assert_eq!(
            (tls.certificate.to_str(), tls.private_key.to_str()),
            (Some("/etc/baom/tls/server.crt"), Some("/k.pem"))
        );
    }

    #[test]
    fn each_text_is_in_its_own_script() {
        let e = error(&demo_with(
            "name_ar = \"جماعة تالوين (تجريبية)\"",
            "name_ar = \"Taliouine\"",
        ));
        assert!(e.contains("commune.name_ar") && e.contains("Arabic"), "{e}");
        let e = error(&demo_with(
            "name_latin = \"Commune de Taliouine (démo)\"",
            "name_latin = \"تالوين\"",
        ));
        assert!(
            e.contains("commune.name_latin") && e.contains("Latin"),
            "{e}"
        );
        let e = error(&demo_with("zgh = \"ⴰⵙⵏⵓⴱⴳ ⴷ ⵓⵙⵏⵎⴰⵍ\"", "zgh = \"Asnubg\""));
        assert!(
            e.contains("services[0].names") && e.contains("Tifinagh"),
            "{e}"
        );
        let e = error(&demo_with(
            "fr = \"Accueil et orientation\"",
            "fr = \"الاستقبال\"",
        ));
        assert!(e.contains("services[0].names") && e.contains("fr"), "{e}");
        let e = error(&demo_with(
            "[commune]",
            "[commune]\nlanguages = [\"fr\", \"fr\"]",
        ));
        assert!(e.contains("commune.languages"), "{e}");
        let e = error(&demo_with("[commune]", "[commune]\nlanguages = [\"de\"]"));
        assert!(e.contains("commune.languages"), "{e}");
    }

    #[test]
    fn printer_kinds_and_their_fields() {
        let settings = parse(Path::new("demo.toml"), DEMO).expect("demo");
        assert_eq!(
            settings.printer.driver,
            PrinterDriver::File {
                path: "receipts.escpos".into()
            }
        );
        assert_eq!(settings.printer.paper, baom_receipt::Paper::Mm80);
        let network = demo_with(
            "kind = \"file\"\npath = \"receipts.escpos\"",
            "kind = \"network\"\naddress = \"printer.lan:9100\"\nio_timeout_ms = 800",
        )
        .replacen("paper_width = 80", "paper_width = 58", 1)
        .replacen("qr = \"raster\"", "qr = \"native\"", 1);
        let p = parse(Path::new("office.toml"), &network)
            .expect("network")
            .printer;
        assert_eq!(p.paper, baom_receipt::Paper::Mm58);
        assert_eq!(p.qr, baom_receipt::QrMode::Native);
        assert!(
            matches!(p.driver, PrinterDriver::Network { ref address, io_timeout, .. }
            if address == "printer.lan:9100" && io_timeout.as_millis() == 800)
        );
        let usb = demo_with(
            "kind = \"file\"\npath = \"receipts.escpos\"",
            "kind = \"usb\"\ndevice = \"/dev/usb/lp0\"",
        );
        assert!(matches!(
            parse(Path::new("office.toml"), &usb)
                .expect("usb")
                .printer
                .driver,
            PrinterDriver::Usb { .. }
        ));
    }

    #[test]
    fn printer_mistakes_name_their_line_and_field() {
        let cases = [
            (
                "kind = \"file\"",
                "kind = \"laser\"",
                "printer.kind",
                "laser",
            ),
            (
                "paper_width = 80",
                "paper_width = 72",
                "printer.paper_width",
                "58 or 80",
            ),
            ("qr = \"raster\"", "qr = \"big\"", "printer.qr", "big"),
            (
                "retry_max_s = 30",
                "retry_max_s = 0",
                "printer.retry_max_s",
                "between",
            ),
            (
                "path = \"receipts.escpos\"",
                "device = \"/dev/usb/lp0\"",
                "printer.device",
                "does not take",
            ),
            (
                "path = \"receipts.escpos\"",
                "# no path",
                "printer.path",
                "needs path",
            ),
            (
                "path = \"receipts.escpos\"",
                "path = \"r\"\naddress = \"p:9100\"",
                "printer.address",
                "does not take",
            ),
            (
                "kind = \"file\"\npath = \"receipts.escpos\"",
                "kind = \"network\"\naddress = \"printer\"",
                "printer.address",
                "host and port",
            ),
            (
                "kind = \"file\"\npath = \"receipts.escpos\"",
                "kind = \"network\"\naddress = \"p:9100\"\nconnect_timeout_ms = 0",
                "printer.connect_timeout_ms",
                "between",
            ),
            (
                "kind = \"file\"\npath = \"receipts.escpos\"",
                "kind = \"network\"",
                "printer.address",
                "needs address",
            ),
            (
                "path = \"receipts.escpos\"",
                "path = \"r\"\nspeed = 3",
                "printer",
                "unknown field",
            ),
        ];
        for (from, to, field, words) in cases {
            let text = demo_with(from, to);
            let e = error(&text);
            assert!(e.contains(field) && e.contains(words), "{to}: {e}");
            let culprit = to.lines().last().expect("line");
            let blamed = e
                .strip_prefix("office.toml:")
                .and_then(|r| r.split(':').next())
                .and_then(|l| l.parse::<usize>().ok())
                .expect("a line");
            // The field at fault, or the kind that does not take it (or lacks it).
            assert!(
                blamed == line_of(&text, culprit) || blamed == line_of(&text, "kind = \""),
                "{to}: blamed line {blamed} in {e}"
            );
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = load(Path::new("/nonexistent/office.toml")).expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("/nonexistent/office.toml: cannot read"),
            "{e}"
        );
    }
}
