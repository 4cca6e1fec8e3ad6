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
}

/// Where receipts go. Only `file` exists until the receipts work lands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PrinterSettings {
    /// Receipts appended to a file (relative paths are under the data directory).
    File { path: PathBuf },
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
    fn at(
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
struct File {
    commune: Commune,
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    queue: QueueSection,
    printer: PrinterSettings,
    #[serde(default = "default_scanner")]
    scanner: Spanned<crate::scanner::ScannerSettings>,
    services: Vec<ServiceSection>,
    desks: Vec<DeskSection>,
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
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            data_dir: default_data_dir(),
            listen: default_listen(),
            time_zone: default_time_zone(),
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
    Spanned::new(0..0, "127.0.0.1:8080".to_owned())
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
        let field = match e.path().to_string() {
            p if p == "." => "(top level)".to_owned(),
            p => p,
        };
        ConfigError::at(file, text, e.inner().span(), field, e.inner().message())
    })?;
    let err = |span: Range<usize>, field: String, message: String| {
        ConfigError::at(file, text, Some(span), field, message)
    };

    let listen = raw
        .server
        .listen
        .get_ref()
        .parse::<SocketAddr>()
        .map_err(|_| {
            err(
                raw.server.listen.span(),
                "server.listen".into(),
                format!(
                    "{:?} is not an address and port such as \"0.0.0.0:8080\"",
                    raw.server.listen.get_ref()
                ),
            )
        })?;
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
    Ok(Settings {
        scanner: raw.scanner.into_inner(),
        commune: raw.commune,
        data_dir: raw.server.data_dir,
        listen,
        catalogue,
        printer: raw.printer,
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
    }
    Ok(())
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
            "listen = \"127.0.0.1:8080\"",
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
    fn a_missing_file_is_named() {
        let e = load(Path::new("/nonexistent/office.toml")).expect_err("missing");
        assert!(
            e.to_string()
                .starts_with("/nonexistent/office.toml: cannot read"),
            "{e}"
        );
    }
}
