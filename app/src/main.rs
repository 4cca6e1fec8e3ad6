//! `baom`, the service binary: `baom serve --config FILE`, `baom demo`, `baom check-config FILE`,
//! `baom restore FILE --data DIR`,
//! `baom hash-password`.

use anyhow::{Context, Result};
use baom::server::{Options, RecoveryKeyTo, Started};
use baom_config as config;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "baom",
    version,
    about = "The BAOM service: queue, kiosk socket and LAN API of a migrant reception office"
)]
struct Cli {
    /// Log as JSON lines (for collectors) instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Run the office from a configuration file.
    Serve {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// If this start makes the dossiers' key (no bundle brought one), write its recovery key
        /// to FILE (e.g. on a USB stick) instead of showing it on the terminal. It is never
        /// written to the log.
        #[arg(long, value_name = "FILE")]
        recovery_key_out: Option<PathBuf>,
    },
    /// Run the demo commune (4 services, 3 desks, receipts to a file) on its own data directory.
    Demo {
        /// Data directory (created if missing). Default: ~/.local/share/baom-demo.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Address of the LAN pages and API (HTTPS). Default: 127.0.0.1:8443 (HTTPS); port 0 picks a free port.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Start on a year of generated activity (visits, people, cases, referrals, households,
        /// votes), so the figures and the annual report are filled. Only into an empty demo.
        #[arg(long)]
        year_of_activity: bool,
    },
    /// Check a configuration file and explain every problem, then exit.
    CheckConfig { file: PathBuf },
    /// Bring a backup (downloaded by a supervisor, or from the nightly USB stick) back into a new,
    /// empty data directory. The recovery key from the handover sheet is read on standard input.
    Restore {
        /// The `.baombak` file.
        file: PathBuf,
        /// The new box's data directory (empty or missing), e.g. /var/lib/baom.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
    },
    /// Read a password on standard input and print its argon2id hash (for `[[accounts]]`).
    HashPassword,
    /// Render a sample receipt (ticket A-012, 3 people ahead) to a PNG preview and, if asked,
    /// to the ESC/POS bytes the printer would get. Its QR code holds a token signed by a
    /// throwaway key, so no office accepts it.
    ReceiptPreview {
        /// ar, zgh, fr or en.
        #[arg(long, default_value = "fr")]
        language: String,
        /// The office's configuration (default: the demo commune).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Paper width in mm, 58 or 80 (default: the configuration's).
        #[arg(long)]
        paper: Option<u32>,
        /// Where to write the PNG.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Where to write the ESC/POS bytes, if wanted.
        #[arg(long, value_name = "FILE")]
        escpos: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    // Files the service creates (databases with password hashes, scans, receipts) are for the
    // service and its group only.
    // SAFETY: umask only sets this process's file-creation mask, before any file is created.
    unsafe { libc::umask(0o027) };
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    init_logging(cli.log_json);
    match cli.command {
        Commands::Serve {
            config,
            recovery_key_out,
        } => {
            let settings = config::load(&config)?;
            // Shown on a terminal a person reads; under systemd stdout is the journal.
            let recovery_key = match recovery_key_out {
                Some(file) => RecoveryKeyTo::File(file),
                None if std::io::stdout().is_terminal() => RecoveryKeyTo::Banner,
                None => RecoveryKeyTo::Nowhere,
            };
            let options = Options {
                demo_accounts: false,
                year_of_activity: false,
                recovery_key,
            };
            runtime()?.block_on(baom::server::run(settings, options, |started| {
                announce("BAOM", started)
            }))
        }
        Commands::Demo {
            data,
            listen,
            year_of_activity,
        } => {
            let mut settings =
                config::parse(std::path::Path::new("demo.toml (embedded)"), config::DEMO)?;
            settings.data_dir = data.unwrap_or_else(default_demo_dir);
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            let title = format!("BAOM demo: {}", settings.commune.name_latin);
            runtime()?.block_on(baom::server::run(
                settings,
                Options {
                    demo_accounts: true,
                    year_of_activity,
                    recovery_key: RecoveryKeyTo::Banner,
                },
                |started| announce(&title, started),
            ))
        }
        Commands::HashPassword => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password")?;
            let password = password.trim_end_matches(['\n', '\r']);
            anyhow::ensure!(!password.is_empty(), "the password is empty");
            println!("{}", baom::accounts::hash_password(password)?);
            Ok(())
        }
        Commands::ReceiptPreview {
            language,
            config: file,
            paper,
            out,
            escpos,
        } => receipt_preview(&language, file.as_deref(), paper, &out, escpos.as_deref()),
        Commands::Restore { file, data } => {
            let mut key = String::new();
            std::io::stdin()
                .read_line(&mut key)
                .context("cannot read the recovery key on standard input")?;
            let key = baom::vault::RecoveryKey::parse(&key)?;
            let mut input = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .with_context(|| format!("cannot open {}", file.display()))?,
            );
            let restored =
                baom::backup::restore(&mut input, &key, &baom_config::DataDir::new(&data))
                    .with_context(|| format!("cannot restore {}", file.display()))?;
            println!(
                "restored the backup of {} made {} into {} ({} files); start baom on it",
                restored.commune,
                restored.created_at,
                data.display(),
                restored.files
            );
            match &restored.audit {
                Some(v) if v.holds() => println!(
                    "audit log: {} lines, its chain whole and ending where the backup recorded it",
                    v.lines
                ),
                Some(v) => println!(
                    "audit log: {} lines, but it does NOT match the head the backup recorded (broken at {:?}, cut {:?}, rewritten at {:?}): keep this backup aside and tell the supervisor",
                    v.lines, v.broken_at, v.cut, v.rewritten_at
                ),
                None => {}
            }
            Ok(())
        }
        Commands::CheckConfig { file } => {
            let settings = config::load(&file)?;
            println!(
                "{}: valid ({} services, {} desks)",
                file.display(),
                settings.catalogue.services().len(),
                settings.catalogue.desks().len()
            );
            Ok(())
        }
    }
}

/// Each password check allocates argon2's 19 MiB working memory. glibc's malloc would raise its
/// mmap threshold after the first one is freed and then keep every later block in its arenas:
/// fixing the threshold at 1 MiB makes large blocks go straight back to the system, so the
/// service stays small after logins (about 10 MB rather than 100).
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only sets allocator parameters; called once, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn receipt_preview(
    language: &str,
    file: Option<&std::path::Path>,
    paper: Option<u32>,
    out: &std::path::Path,
    escpos: Option<&std::path::Path>,
) -> Result<()> {
    use baom_domain::catalogue::Letter;
    use baom_domain::language::Language;
    use baom_domain::queue::{Estimate, Ticket, TicketId, TicketNumber, TicketState};
    let mut settings = match file {
        Some(f) => config::load(f)?,
        None => config::parse(std::path::Path::new("demo.toml (embedded)"), config::DEMO)?,
    };
    if let Some(mm) = paper {
        settings.printer.paper = baom_receipt::Paper::from_mm(mm)
            .with_context(|| format!("--paper {mm}: use 58 or 80"))?;
    }
    let language: Language = language
        .parse()
        .map_err(|e| anyhow::anyhow!("--language {language:?}: {e}"))?;
    let service = settings
        .catalogue
        .services()
        .first()
        .context("the configuration has no service")?;
    let letter: Letter = service.letter;
    let issued = jiff::civil::date(2026, 11, 24)
        .at(10, 32, 0, 0)
        .to_zoned_datetime(settings.catalogue.time_zone().clone())?
        .timestamp();
    let ticket = Ticket {
        id: TicketId(12),
        day: jiff::civil::date(2026, 11, 24),
        number: TicketNumber { letter, seq: 12 },
        service: letter,
        priority: false,
        appointment: None,
        language,
        issued_at: issued,
        state: TicketState::Waiting,
        desk: None,
        calls: 0,
        passed: 0,
        called_at: None,
        started_at: None,
        finished_at: None,
    };
    let mut throwaway = [0u8; 32];
    getrandom::fill(&mut throwaway).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let token = baom::token::TokenKey::from_bytes(throwaway).issue()?;
    let estimate = Estimate {
        ahead: 3,
        wait_secs: 25 * 60,
    };
    let receipt =
        baom::printer::receipt_for(&settings, &settings.catalogue, &ticket, &token, estimate)?;
    let png = baom::printer::png(&receipt.preview())?;
    std::fs::write(out, png).with_context(|| format!("cannot write {}", out.display()))?;
    if let Some(path) = escpos {
        std::fs::write(path, receipt.escpos())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    // Few blocking threads: each costs memory (its stack, a malloc arena), and their work here
    // (database reads, password checks) is short.
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn default_demo_dir() -> PathBuf {
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/baom-demo"),
        None => PathBuf::from("baom-demo"),
    }
}

/// A rule above and below the banner, so it stands apart from the log lines printed before it.
const RULE: &str = "────────────────────────────────────────────────────────────────";

/// Tells the person (or test) that started the service where it is. One line per fact,
/// between two rules, after the log lines written so far.
fn announce(title: &str, started: &Started) {
    let _ = std::io::stderr().flush();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out);
    let _ = writeln!(out, "{RULE}");
    let _ = writeln!(out, "{title}");
    let _ = writeln!(out, "data directory: {}", started.data_dir.display());
    let _ = writeln!(out, "kiosk socket: {}", started.socket.display());
    let _ = writeln!(out, "LAN: https://{}/", started.lan);
    if let Some(redirect) = started.redirect {
        let _ = writeln!(out, "redirect: http://{redirect}/");
    }
    let _ = writeln!(out, "certificate: {}", started.certificate.display());
    for (login, role, password) in started.demo_accounts {
        let _ = match password {
            Some(password) => writeln!(
                out,
                "demo account: {login} ({role}) one-time password: {password}"
            ),
            None => writeln!(
                out,
                "demo account: {login} ({role}) password already chosen"
            ),
        };
    }
    if let Some(key) = &started.recovery_key {
        let _ = writeln!(
            out,
            "recovery key for the dossiers (write it down and keep it locked away; it is shown only now): {key}"
        );
    }
    let _ = writeln!(out, "{RULE}");
    let _ = writeln!(out, "ready");
    let _ = out.flush();
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BAOM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: under systemd stderr is the journal, where escape codes
    // would end up in the technician page's list of errors.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
