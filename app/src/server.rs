//! Starting and stopping the service: take the data directory, open the queue, serve the kiosk
//! socket and the LAN port, and on SIGTERM or Ctrl-C stop accepting, let requests finish, let
//! the writer commit its last batch, and remove the socket.

use crate::config::Settings;
use crate::queue_service::QueueService;
use crate::store;
use crate::web::{self, AppState};
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;

/// Where each part of the service lives under the data directory.
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn queue_db(&self) -> PathBuf {
        self.root.join("queue.db")
    }
    pub fn kiosk_socket(&self) -> PathBuf {
        self.root.join("kiosk.sock")
    }
    fn lock_file(&self) -> PathBuf {
        self.root.join("baom.lock")
    }
}

/// Runs the service until SIGTERM or SIGINT. `banner` is printed to stdout once it listens.
pub async fn run(
    settings: Settings,
    banner: impl FnOnce(&Path, &Path, std::net::SocketAddr),
) -> Result<()> {
    let data = DataDir {
        root: settings.data_dir.clone(),
    };
    std::fs::create_dir_all(&data.root)
        .with_context(|| format!("cannot create the data directory {}", data.root.display()))?;
    // One service per data directory: the queue has one writer.
    let lock = File::create(data.lock_file())
        .with_context(|| format!("cannot write in {}", data.root.display()))?;
    if lock.try_lock().is_err() {
        bail!("another baom is already running on {}", data.root.display());
    }

    let catalogue = Arc::new(settings.catalogue.clone());
    let (queue, writer) = QueueService::start(&data.queue_db(), catalogue)
        .context("cannot open the queue database")?;
    let reader = store::open_reader(&data.queue_db())
        .context("cannot open the queue database for reading")?;
    let scanner_settings = settings.scanner.clone();
    let state = AppState {
        settings: Arc::new(settings),
        queue,
        reader: Arc::new(Mutex::new(reader)),
        scanner: Arc::new(crate::scanner::Scanner::new(scanner_settings, &data.root)),
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
    let listen = state.settings.listen;
    let lan_listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let lan_addr = lan_listener.local_addr()?;
    tracing::info!(socket = %socket_path.display(), lan = %lan_addr, "baom is serving");
    banner(&data.root, &socket_path, lan_addr);

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let kiosk = tokio::spawn(
        axum::serve(kiosk_listener, web::kiosk::router(state.clone()))
            .with_graceful_shutdown(stopped(stop_rx.clone()))
            .into_future(),
    );
    let lan = tokio::spawn(
        axum::serve(lan_listener, web::api::router(state.clone()))
            .with_graceful_shutdown(stopped(stop_rx))
            .into_future(),
    );
    drop(state);

    shutdown_signal().await;
    tracing::info!("stopping: finishing requests in flight");
    let _ = stop_tx.send(true);
    for (name, task) in [("kiosk socket", kiosk), ("LAN", lan)] {
        match tokio::time::timeout(std::time::Duration::from_secs(10), task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::error!(server = name, error = %e, "server failed"),
            Ok(Err(e)) => tracing::error!(server = name, error = %e, "server task failed"),
            Err(_) => tracing::warn!(
                server = name,
                "requests still open after 10 s; stopping anyway"
            ),
        }
    }
    // Every handle to the queue is gone with the routers: the writer ends after its last batch.
    tokio::task::spawn_blocking(move || writer.join()).await?;
    let _ = std::fs::remove_file(&socket_path);
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot watch SIGTERM; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
    }
}
