//! Starting and stopping the service: take the data directory, open the databases, serve the
//! kiosk socket and the LAN (HTTPS, plus an optional plain-HTTP port that only redirects), and
//! on SIGTERM or Ctrl-C stop accepting, let requests finish, let the writer commit its last
//! batch, and remove the socket.

use crate::accounts::{Accounts, Role, new_one_time_password};
use crate::queue_service::QueueService;
use crate::web::{self, AppState};
use crate::{store, tls};
use anyhow::{Context, Result, bail};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::Handle;
use baom_config::Settings;
use std::fs::File;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UnixListener;
use tokio::sync::watch;

/// How this run differs from a provisioned box.
#[derive(Default)]
pub struct Options {
    /// Create (or reset) one account per role with a fresh one-time password, and print them.
    pub demo_accounts: bool,
    /// The demo starts on a year of generated activity (`demo_year`), if it is empty.
    pub year_of_activity: bool,
    /// Where the recovery key of a vault made at this start goes (a box brings its vault in its
    /// bundle; this is for a start without one).
    pub recovery_key: RecoveryKeyTo,
}

/// Where a new vault's recovery key may be shown. Never the journal: a box's logs are read by
/// technicians, copied to sticks and kept for weeks.
#[derive(Default, Clone)]
pub enum RecoveryKeyTo {
    /// Nowhere: a start that would have to make a vault refuses to.
    #[default]
    Nowhere,
    /// The banner, on a terminal a person reads (or the demo's).
    Banner,
    /// A file written for the owner only (a USB stick), named in the banner.
    File(PathBuf),
}

/// What the service tells whoever started it, once it listens.
pub struct Started<'a> {
    pub data_dir: &'a Path,
    pub socket: &'a Path,
    pub lan: SocketAddr,
    pub redirect: Option<SocketAddr>,
    pub certificate: &'a Path,
    /// `(login, role, one-time password if it is still to be used)` of the demo accounts.
    pub demo_accounts: &'a [(String, Role, Option<String>)],
    /// The recovery key of a vault made at this start (no bundle brought one): shown once.
    pub recovery_key: Option<String>,
}

/// The demo's accounts: one per role. Display names are names only (the page says the role in
/// the reader's language), so that no page shows French words on an Arabic screen.
const DEMO_ACCOUNTS: [(&str, &str, Role); 4] = [
    ("amina", "Amina", Role::Officer),
    ("youssef", "Youssef", Role::Supervisor),
    ("karim", "Karim", Role::Technician),
    ("lobby", "TV", Role::Display),
];

/// Runs the service until SIGTERM or SIGINT.
pub async fn run(
    settings: Settings,
    options: Options,
    banner: impl FnOnce(&Started),
) -> Result<()> {
    let data = settings.data();
    std::fs::create_dir_all(data.root())
        .with_context(|| format!("cannot create the data directory {}", data.root().display()))?;
    // One service per data directory: each database has one writer.
    let lock = File::create(data.lock_file())
        .with_context(|| format!("cannot write in {}", data.root().display()))?;
    if lock.try_lock().is_err() {
        bail!(
            "another baom is already running on {}",
            data.root().display()
        );
    }

    let accounts =
        Accounts::open(&data.accounts_db()).context("cannot open the accounts database")?;
    // The office's own settings (services, desks, douars) over the file's, then the clock:
    // nothing is dated before the last thing recorded.
    let (settings, office_problem) = crate::office::load(&data.queue_db(), settings)
        .context("cannot read the office's settings")?;
    crate::clock::start(
        crate::store::last_recorded(&data.queue_db(), &accounts),
        data.clock_request(),
    )?;
    for seed in &settings.accounts {
        match accounts.create_with_hash(
            &seed.login,
            &seed.name,
            seed.role,
            &seed.initial_password_hash,
        ) {
            Ok(_) => {
                tracing::info!(login = %seed.login, role = %seed.role, "account created from the configuration")
            }
            Err(crate::accounts::AccountError::Exists(_)) => {}
            Err(e) => return Err(e).context("cannot create the configured accounts"),
        }
    }
    let mut demo_accounts = Vec::new();
    if options.demo_accounts {
        // New accounts, and those whose one-time password was never used, get a fresh one; an
        // account whose owner chose a password keeps it (and its sessions: the lobby TV's).
        for (login, name, role) in DEMO_ACCOUNTS {
            let password = new_one_time_password()?;
            let shown = match accounts.still_one_time(login)? {
                None => {
                    accounts.create(login, name, role, &password)?;
                    Some(password)
                }
                Some(true) => {
                    accounts.reset_password(login, &password)?;
                    Some(password)
                }
                Some(false) => None,
            };
            demo_accounts.push((login.to_owned(), role, shown));
        }
    }

    // The dossiers' key: brought by the bundle, or made now (and its recovery key shown once).
    if accounts.vault()?.is_none() && data.vault_import().exists() {
        let text = std::fs::read(data.vault_import())
            .with_context(|| format!("cannot read {}", data.vault_import().display()))?;
        let stored: crate::accounts::StoredVault = serde_json::from_slice(&text)
            .with_context(|| format!("{} is not a vault", data.vault_import().display()))?;
        accounts.create_vault(&stored)?;
        tracing::info!("the dossiers' key came from the provisioning bundle");
    }
    // Once in accounts.db, the bundle's copy goes: its wraps open with the handover sheet's
    // one-time passwords, which must stop opening anything once changed.
    if data.vault_import().exists() && accounts.vault()?.is_some() {
        std::fs::remove_file(data.vault_import())
            .with_context(|| format!("cannot remove {}", data.vault_import().display()))?;
    }
    if accounts.vault()?.is_none() && matches!(options.recovery_key, RecoveryKeyTo::Nowhere) {
        bail!(
            "this box has no dossiers' key yet, and its recovery key would be shown nowhere: provision it with a bundle (baom-provision), start it once from a terminal, or give --recovery-key-out FILE"
        );
    }
    let (vault, recovery) = crate::vault::Vault::open_or_create(accounts.clone())
        .context("cannot open the dossiers' key")?;
    let vault = Arc::new(vault);
    let mut recovery_key = recovery.map(|r| r.display());
    if let (RecoveryKeyTo::File(path), Some(key)) = (&options.recovery_key, &recovery_key) {
        baom_config::write_private(path, format!("{key}\n").as_bytes())
            .with_context(|| format!("cannot write the recovery key to {}", path.display()))?;
        tracing::warn!(file = %path.display(), "the dossiers' recovery key was written to a file: copy it, keep it locked away, and delete the file");
        recovery_key = None;
    }
    if options.demo_accounts {
        match &recovery_key {
            Some(key) => baom_config::write_private(&data.demo_recovery_key(), key.as_bytes())
                .context("cannot keep the demo's recovery key")?,
            None => {
                if let Ok(key) = std::fs::read_to_string(data.demo_recovery_key()) {
                    let key = crate::vault::RecoveryKey::parse(&key)?;
                    vault.unlock_with_recovery(&key)?;
                }
            }
        }
        if options.year_of_activity {
            if let Some(key) = &recovery_key {
                vault.unlock_with_recovery(&crate::vault::RecoveryKey::parse(key)?)?;
            }
            if let Some(key) = vault.key() {
                let today = crate::clock::now()
                    .to_zoned_datetime(settings.catalogue.time_zone().clone())
                    .date();
                crate::demo_year::seed(&data, &key, &settings, today)
                    .context("cannot generate the demo's year of activity")?;
            }
        }
    }

    let tls_files = match &settings.tls {
        Some(files) => files.clone(),
        None => tls::self_signed(
            &data.tls_dir(),
            &[
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                settings.listen.ip().to_string(),
            ],
        )?,
    };
    let rustls = rustls_config(&tls_files).await?;

    let tokens = crate::token::TokenKey::load_or_create(&data.token_key())?;
    let catalogue = Arc::new(settings.catalogue.clone());
    let (queue, writer) = QueueService::start(&data.queue_db(), catalogue, tokens.clone())
        .context("cannot open the queue database")?;
    let live = crate::office::LiveSettings::new(settings);
    let settings = live.get();
    let (printer, print_thread) =
        crate::printer::PrintQueue::start(settings.clone(), &data.queue_db(), queue.clone())
            .context("cannot start the print queue")?;
    let reader = store::Reader::open(&data.queue_db())
        .context("cannot open the queue database for reading")?;
    let board = web::pages::lobby::board_feed(queue.subscribe());
    let scanner_settings = settings.scanner.clone();
    let reference = crate::reference::Reference::open(&data.queue_db())
        .context("cannot open the reference of procedures")?;
    let dossiers = crate::dossiers::Dossiers::new(
        &data,
        vault.clone(),
        accounts.clone(),
        live.clone(),
        settings.retention_years,
    );
    let office = crate::office::Office::new(
        live.clone(),
        &data.queue_db(),
        queue.clone(),
        dossiers.clone(),
        office_problem,
    );
    let team = crate::team::Team::new(accounts.clone(), vault.clone(), dossiers.clone());
    let directory = crate::directory::Directory::open(&data.queue_db())
        .context("cannot open the directory of partners")?;
    tokio::spawn(crate::dossiers::retention::nightly(
        dossiers.clone(),
        settings.catalogue.time_zone().clone(),
    ));
    tokio::spawn(crate::backup::nightly(
        data.clone(),
        vault.clone(),
        accounts.clone(),
        settings.clone(),
    ));
    let scanner = Arc::new(crate::scanner::Scanner::new(
        scanner_settings,
        data.scans_dir(),
        vault.clone(),
    ));
    tokio::spawn(crate::scanner::forget_old_scans(scanner.clone()));
    tokio::spawn(crate::figures::ticket_months::keep_every_hour(
        data.queue_db(),
        live.clone(),
    ));
    let kiosk_tickets = Arc::new(web::rate::RateWindow::new(
        settings.kiosk_tickets_per_minute as usize,
        web::kiosk::TICKET_WINDOW,
    ));
    // The figures read a year of tickets at once: their own connection, so that a ticket's
    // look-up never waits behind them.
    let figures = crate::figures::FiguresBook::new(
        dossiers.clone(),
        store::Reader::open(&data.queue_db())
            .context("cannot open the queue database for the figures")?,
        live.clone(),
        reference.clone(),
    );
    let papers = crate::papers::Papers::open(
        &data.queue_db(),
        dossiers.clone(),
        directory.clone(),
        reference.clone(),
        live.clone(),
    )
    .context("cannot open the letters' templates")?;
    let pooling = crate::pooling::Pooling::open(&data, figures.clone(), live.clone())
        .context("cannot open the pooled figures")?;
    tokio::spawn(pooling.clone().push_forever());
    crate::updates::forget_partial_upload(&data);
    let feed = crate::updates::feed::Feed::new(data.clone(), live.clone());
    tokio::spawn(feed.clone().forever());
    let appointments = crate::appointments::Appointments::new(
        &data.queue_db(),
        tokens.clone(),
        queue.clone(),
        dossiers.clone(),
        live.clone(),
    );
    let state = AppState {
        projects: crate::projects::Projects::new(&data.queue_db(), live.clone()),
        activities: crate::activities::Activities::new(&data.queue_db(), directory.clone()),
        diaspora: crate::diaspora::Diaspora::new(dossiers.clone(), live.clone()),
        appointments,
        kiosk_tickets,
        kiosk_check_ins: Arc::new(web::rate::RateWindow::new(
            web::kiosk::CHECK_INS_PER_MINUTE,
            web::kiosk::TICKET_WINDOW,
        )),
        papers,
        pooling,
        feed,
        figures,
        dossiers,
        reference,
        live,
        office,
        team,
        directory,
        board,
        tickets: crate::tickets::Tickets::new(queue.clone(), reader, tokens),
        queue,
        staff: crate::staff::Staff::new(accounts, vault.clone()),
        login_limiter: Arc::new(web::auth::login_limiter()),
        speech: Arc::default(),
        printer,
        scanner: scanner.clone(),
        feedback: Arc::new(
            crate::feedback::FeedbackBook::open(&data.queue_db())
                .context("cannot open the queue database for votes")?,
        ),
    };

    let socket_path = data.kiosk_socket();
    match std::fs::remove_file(&socket_path) {
        Ok(()) => tracing::info!(path = %socket_path.display(), "removed a stale kiosk socket"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(e).with_context(|| {
                format!("cannot remove the old socket {}", socket_path.display())
            });
        }
    }
    let kiosk_listener = UnixListener::bind(&socket_path)
        .with_context(|| format!("cannot listen on {}", socket_path.display()))?;
    // The kiosk runs as its own user in the service's group.
    std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o660))?;

    let listen = settings.listen;
    let lan_listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    lan_listener.set_nonblocking(true)?;
    let lan_addr = lan_listener.local_addr()?;
    let redirect_listener = match settings.redirect_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?,
        ),
        None => None,
    };
    let redirect_addr = redirect_listener
        .as_ref()
        .map(|l| l.local_addr())
        .transpose()?;

    // Watched before saying ready: a SIGTERM right after "ready" stops the service cleanly
    // (it killed it, before the signal was watched).
    let stop_signal = shutdown_signal();
    tracing::info!(socket = %socket_path.display(), lan = %lan_addr, "baom is serving");
    banner(&Started {
        data_dir: data.root(),
        socket: &socket_path,
        lan: lan_addr,
        redirect: redirect_addr,
        certificate: &tls_files.certificate,
        demo_accounts: &demo_accounts,
        recovery_key,
    });
    crate::systemd::ready(&state.queue);

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let kiosk = tokio::spawn(
        axum::serve(kiosk_listener, web::kiosk::router(state.clone()))
            .with_graceful_shutdown(stopped(stop_rx.clone()))
            .into_future(),
    );
    let lan_handle = Handle::new();
    let lan_app =
        web::lan_router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    // Bounded connections per address and in all, then TLS (whose handshake has its own time
    // limit); the limiter also sets TCP_NODELAY: a TLS handshake is several small writes, and
    // Nagle's algorithm would hold them for the peer's delayed ACK.
    use web::connections;
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(rustls)
        .handshake_timeout(connections::HANDSHAKE)
        .acceptor(connections::Limits::new(
            axum_server::accept::DefaultAcceptor::new(),
            connections::PER_ADDRESS,
            connections::IN_ALL,
        ));
    let mut lan_server = axum_server::from_tcp(lan_listener)?
        .acceptor(acceptor)
        .handle(lan_handle.clone())
        .first_request_timeout(connections::FIRST_REQUEST);
    lan_server
        .http_builder()
        .http1()
        .header_read_timeout(connections::HEADERS);
    lan_server
        .http_builder()
        .http2()
        .keep_alive_interval(connections::HEADERS)
        .keep_alive_timeout(connections::HEADERS);
    let lan = tokio::spawn(lan_server.serve(lan_app));
    let redirect = redirect_listener.map(|l| {
        let https_port = lan_addr.port();
        let app = axum::Router::new().fallback(
            move |uri: Uri, headers: axum::http::HeaderMap| async move {
                to_https(&uri, &headers, https_port)
            },
        );
        tokio::spawn(
            axum::serve(l, app)
                .with_graceful_shutdown(stopped(stop_rx.clone()))
                .into_future(),
        )
    });
    drop(state);

    stop_signal.await;
    tracing::info!("stopping: finishing requests in flight");
    let _ = stop_tx.send(true);
    // Live pages keep their connections open: give them a moment, then close them.
    lan_handle.graceful_shutdown(Some(Duration::from_secs(3)));
    wait("LAN", async {
        lan.await.map(|r| r.map_err(anyhow::Error::from))
    })
    .await;
    wait("kiosk socket", async {
        kiosk.await.map(|r| r.map_err(anyhow::Error::from))
    })
    .await;
    if let Some(redirect) = redirect {
        wait("redirect", async {
            redirect.await.map(|r| r.map_err(anyhow::Error::from))
        })
        .await;
    }
    // Every handle to the queue is gone with the routers: the print queue ends (receipts not
    // printed yet stay queued on disk), then the writer after its last batch.
    tokio::task::spawn_blocking(move || {
        print_thread.join();
        writer.join()
    })
    .await?;
    let _ = std::fs::remove_file(&socket_path);
    tracing::info!("stopped");
    Ok(())
}

async fn wait(
    name: &str,
    task: impl std::future::Future<Output = Result<Result<()>, tokio::task::JoinError>>,
) {
    match tokio::time::timeout(Duration::from_secs(10), task).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => tracing::error!(server = name, error = %e, "server failed"),
        Ok(Err(e)) => tracing::error!(server = name, error = %e, "server task failed"),
        Err(_) => tracing::warn!(
            server = name,
            "requests still open after 10 s; stopping anyway"
        ),
    }
}

/// The plain-HTTP port's only answer: go to the same place over HTTPS.
fn to_https(uri: &Uri, headers: &axum::http::HeaderMap, https_port: u16) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    // Keep the host name, drop any port (IPv6 literals keep their brackets).
    let name = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    };
    let clean = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c));
    let name = if clean && !name.is_empty() {
        name
    } else {
        "localhost"
    };
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, format!("https://{name}{port}{path}"))],
    )
        .into_response()
}

/// Starts watching SIGTERM and SIGINT now; the future ends at the first of them.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            },
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot watch SIGTERM or SIGINT; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// The rustls configuration axum-server serves with.
pub async fn rustls_config(
    files: &baom_config::TlsFiles,
) -> Result<axum_server::tls_rustls::RustlsConfig> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.certificate, &files.private_key)
        .await
        .with_context(|| {
            format!(
                "cannot use the certificate {} with the key {}",
                files.certificate.display(),
                files.private_key.display()
            )
        })
}
