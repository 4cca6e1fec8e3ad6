//! The settings file of a BAOM box (TOML): what it says, and every way it can be wrong; and
//! where the box keeps its files ([`DataDir`], [`write_private`]).
//!
//! The service (`baom serve`) and provisioning (`baom-provision`) read the same file through
//! [`parse`], so the two can never disagree. Parsing goes through serde, with
//! `serde_path_to_error` for the field's path and toml's spans for its line, so every problem
//! reads `FILE:LINE:COLUMN: FIELD: what is wrong`. Each section has its module, with its raw
//! shape and its checks; rules that span sections (unique letters, desks serving known
//! services…) are the domain catalogue's, mapped back to the line at fault (`catalogue.rs`).
//!
//! This crate reads a file and writes private files; it opens no database and no socket.

mod accounts;
mod appointments;
mod backup;
mod catalogue;
mod commune;
mod desks;
mod dossiers;
mod douars;
mod error;
mod files;
mod office;
mod paths;
mod pooling;
mod printer;
mod queue;
mod scanner;
mod server;
mod services;
mod tls;
mod updates;

pub use accounts::{AccountSeed, check_login};
pub use backup::BackupSection;
pub use commune::Commune;
pub use desks::{check_desk, parse_rules, rules_text};
pub use douars::{Douar, check_douars};
pub use error::ConfigError;
pub use files::write_private;
pub use office::{DeskEntry, OfficeError, OfficeSettings, ServiceEntry};
pub use paths::DataDir;
pub use pooling::PoolingSection;
pub use printer::{PrinterDriver, PrinterSettings};
pub use scanner::ScannerSettings;
pub use services::{Hours, WEEKDAYS, check_names, check_service};
pub use tls::TlsFiles;
pub use updates::UpdatesSection;

use baom_domain::catalogue::Catalogue;
use error::Source;
use serde::Deserialize;
use std::net::SocketAddr;
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
    pub scanner: ScannerSettings,
    /// Plain HTTP that only redirects to HTTPS, if wanted.
    pub redirect_listen: Option<SocketAddr>,
    /// The HTTPS certificate; `None` makes (once) a self-signed one in the data directory.
    pub tls: Option<TlsFiles>,
    /// Staff accounts to create on first start (with one-time passwords).
    pub accounts: Vec<AccountSeed>,
    /// The commune's douars (a person's douar is one of them; the census counts by douar).
    pub douars: Vec<Douar>,
    /// Years a closed dossier is kept after the person's last activity (law 09-08).
    pub retention_years: u16,
    /// Where a USB stick for nightly backups is mounted, and how many backups it keeps.
    pub backup: BackupSection,
    /// Where the pooled figures are pushed, if the box has a network.
    pub pooling: PoolingSection,
    /// Where new systems are looked for, if the box has a network.
    pub updates: UpdatesSection,
    /// How appointments are booked and checked in (`[appointments]`).
    pub appointments: baom_domain::appointments::SlotRules,
    /// Tickets the kiosk socket may issue in a minute (`[queue] kiosk_tickets_per_minute`).
    pub kiosk_tickets_per_minute: u32,
}

impl Settings {
    /// Where this configuration keeps its files.
    pub fn data(&self) -> DataDir {
        DataDir::new(&self.data_dir)
    }
}

/// The file's shape, section by section. Fields that later checks may blame are `Spanned` so
/// the error can name their line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    commune: commune::CommuneSection,
    /// The box itself and its staff: read by `baom-provision`, which turns the staff into
    /// `[[accounts]]`. The service ignores them, so one settings file is also a valid
    /// configuration.
    #[serde(default, rename = "box")]
    _box: Option<toml::Value>,
    #[serde(default)]
    douars: Vec<Spanned<Douar>>,
    #[serde(default)]
    dossiers: dossiers::DossiersSection,
    #[serde(default)]
    backup: BackupSection,
    #[serde(default)]
    pooling: PoolingSection,
    #[serde(default)]
    updates: UpdatesSection,
    #[serde(default)]
    appointments: appointments::AppointmentsSection,
    #[serde(default, rename = "staff")]
    _staff: Option<toml::Value>,
    #[serde(default)]
    server: server::ServerSection,
    #[serde(default)]
    queue: queue::QueueSection,
    printer: printer::PrinterSection,
    #[serde(default)]
    tls: Option<tls::TlsSection>,
    #[serde(default = "default_scanner")]
    scanner: Spanned<ScannerSettings>,
    services: Vec<services::ServiceSection>,
    desks: Vec<desks::DeskSection>,
    #[serde(default)]
    accounts: Vec<Spanned<AccountSeed>>,
}

fn default_scanner() -> Spanned<ScannerSettings> {
    Spanned::new(0..0, ScannerSettings::default())
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
    let src = Source { file, text };

    let server = raw.server.check(src)?;
    let tls = raw.tls.as_ref().map(|t| t.files(file));
    let accounts = accounts::check(&raw.accounts, src)?;
    let services = raw
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| s.check(i, src))
        .collect::<Result<Vec<_>, _>>()?;
    let desks = raw
        .desks
        .iter()
        .enumerate()
        .map(|(i, d)| {
            desks::check_desk(&d.entry()).map_err(|e| {
                let span = if e.field == "number" {
                    d.number.span()
                } else {
                    d.services.span()
                };
                src.error(span, format!("desks[{i}].{}", e.field), e.message)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let catalogue = catalogue::check(
        services,
        desks,
        server.time_zone,
        (&raw.services, &raw.desks, &raw.queue),
        src,
    )?;
    raw.scanner
        .get_ref()
        .check()
        .map_err(|m| src.error(raw.scanner.span(), "scanner", m))?;
    let commune = raw.commune.check(src)?;
    let printer = printer::check(&raw.printer, src)?;
    let douars = douars::check(&raw.douars, src)?;
    raw.backup.check(src)?;
    raw.pooling.check(src)?;
    raw.updates.check(src)?;
    let appointments = raw.appointments.check(src)?;
    let retention_years = raw.dossiers.retention_years(src)?;
    let kiosk_tickets_per_minute = raw.queue.kiosk_tickets_per_minute(src)?;
    Ok(Settings {
        kiosk_tickets_per_minute,
        backup: raw.backup,
        pooling: raw.pooling,
        updates: raw.updates,
        appointments,
        douars,
        retention_years,
        scanner: raw.scanner.into_inner(),
        commune,
        data_dir: raw.server.data_dir,
        listen: server.listen,
        catalogue,
        printer,
        redirect_listen: server.redirect_listen,
        tls,
        accounts,
    })
}

/// The demo commune's configuration, embedded in the binary (`baom demo`).
pub const DEMO: &str = include_str!("../demo.toml");

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
    fn a_commune_code_and_a_pooling_server_are_checked() {
        let e = error(&demo_with(
            "code = \"DEMO-TALIOUINE\"",
            "code = \"Taliouine 0631\"",
        ));
        assert!(e.contains("commune.code"), "{e}");
        let with = |pooling: &str| format!("{DEMO}\n[pooling]\n{pooling}\n");
        let e = error(&with(
            "server = \"dbname=baom\"\nca = \"/etc/baom/province.pem\"",
        ));
        assert!(e.contains("pooling.server"), "{e}");
        let e = error(&with(
            "server = \"host=stats user=x password=secret\"\nca = \"/x.pem\"",
        ));
        assert!(e.contains("password_file"), "{e}");
        let e = error(&with("server = \"host=stats user=x\""));
        assert!(e.contains("pooling.ca"), "{e}");
        let ok = parse(
            Path::new("office.toml"),
            &with("server = \"host=stats user=x\"\nca = \"/etc/baom/province.pem\""),
        )
        .expect("a server with its authority");
        assert_eq!(ok.pooling.retry_seconds, 60);
        assert_eq!(ok.commune.code, "DEMO-TALIOUINE");
        assert_eq!(ok.commune.office_phone, "0528 55 00 00");
    }

    #[test]
    fn an_update_server_is_checked() {
        let with = |updates: &str| format!("{DEMO}\n[updates]\n{updates}\n");
        for bad in [
            "feed = \"updates.example.ma/baom/\"",
            "feed = \"ftp://updates.example.ma/\"",
            "feed = \"https:///baom/\"",
            "feed = \"https://updates.example.ma/ baom/\"",
            "feed = \"https://baom:secret@updates.example.ma/\"",
        ] {
            let e = error(&with(bad));
            assert!(e.contains("updates.feed"), "{bad}: {e}");
        }
        let e = error(&with("feed = \"https://u.ma/\"\ncheck_hours = 0"));
        assert!(e.contains("updates.check_hours"), "{e}");
        let e = error(&with("retry_minutes = 100000"));
        assert!(e.contains("updates.retry_minutes"), "{e}");
        let e = error(&with("url = \"https://u.ma/\""));
        assert!(e.contains("url"), "{e}");
        let ok = parse(
            Path::new("office.toml"),
            &with("feed = \"http://192.168.1.10:8080/baom/\""),
        )
        .expect("an address on the LAN");
        assert_eq!(ok.updates.check_hours, 24);
        assert_eq!(ok.updates.retry_minutes, 30);
        let none = parse(Path::new("demo.toml"), DEMO).expect("demo");
        assert_eq!(none.updates.feed, None);
    }

    #[test]
    fn the_office_contact_and_appointments_are_checked() {
        let e = error(&demo_with(
            "office_phone = \"0528 55 00 00\"",
            "office_phone = \"call Hassan\"",
        ));
        assert!(e.contains("commune.office_phone"), "{e}");
        let e = error(&demo_with(
            "office_address = \"Hôtel de ville, Taliouine\"",
            "office_address = \"line\\nbreak\"",
        ));
        assert!(e.contains("commune.office_address"), "{e}");
        let with = |section: &str| format!("{DEMO}\n[appointments]\n{section}\n");
        for (bad, key) in [
            ("slot_minutes = 0", "appointments.slot_minutes"),
            ("late_minutes = 999", "appointments.late_minutes"),
            ("max_days_ahead = 0", "appointments.max_days_ahead"),
        ] {
            let e = error(&with(bad));
            assert!(e.contains(key), "{bad}: {e}");
        }
        let e = error(&with("slot = 30"));
        assert!(e.contains("slot"), "an unknown key is named: {e}");
        let ok = parse(Path::new("office.toml"), &with("slot_minutes = 20")).expect("valid");
        assert_eq!(ok.appointments.slot_minutes, 20);
        assert_eq!(ok.appointments.late_minutes, 15);
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
        assert_eq!(settings.printer.paper, baom_domain::printer::Paper::Mm80);
        let network = demo_with(
            "kind = \"file\"\npath = \"receipts.escpos\"",
            "kind = \"network\"\naddress = \"printer.lan:9100\"\nio_timeout_ms = 800",
        )
        .replacen("paper_width = 80", "paper_width = 58", 1)
        .replacen("qr = \"raster\"", "qr = \"native\"", 1);
        let p = parse(Path::new("office.toml"), &network)
            .expect("network")
            .printer;
        assert_eq!(p.paper, baom_domain::printer::Paper::Mm58);
        assert_eq!(p.qr, baom_domain::printer::QrMode::Native);
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
