//! What a technician comes to check on the box, gathered for their page: the disk's free
//! space, the last errors of the service's journal, and the last backup (the printer, scanner
//! and clock answer from their own modules).
//!
//! The journal is read with `journalctl -u baom -p err` (a few seconds at most); outside systemd
//! (the demo, the tests) there is none, and the page says so.

use std::path::Path;
use std::time::Duration;

/// Space on the data directory's file system, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Disk {
    pub total: u64,
    pub free: u64,
}

/// The file system holding `dir`: its size and the space left for the service.
pub fn disk(dir: &Path) -> std::io::Result<Disk> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("a path with a NUL byte"))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid C string and `stat` is written by statvfs before it is read.
    let rc = unsafe { libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    // The fields are `c_ulong`/`fsblkcnt_t`: 64 bits here, 32 on some 32-bit targets.
    #[allow(clippy::unnecessary_cast)]
    let (block, blocks, avail) = (
        stat.f_frsize as u64,
        stat.f_blocks as u64,
        stat.f_bavail as u64,
    );
    Ok(Disk {
        total: blocks * block,
        free: avail * block,
    })
}

/// The journal's last errors, or why there is none to read.
#[derive(Debug, Clone)]
pub enum Journal {
    Lines(Vec<String>),
    /// Not under systemd: no journal of this service.
    NoSystemd,
    /// `journalctl` failed; its message.
    Unreadable(String),
}

/// The service's last `count` errors, newest last.
pub async fn journal(count: usize) -> Journal {
    if !Path::new("/run/systemd/system").exists() || std::env::var_os("INVOCATION_ID").is_none() {
        return Journal::NoSystemd;
    }
    let run = tokio::process::Command::new("journalctl")
        .args([
            "-u",
            "baom",
            "-p",
            "err",
            "--no-pager",
            "-o",
            "short-iso",
            "-n",
        ])
        .arg(count.to_string())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(Duration::from_secs(5), run).await {
        Err(_) => Journal::Unreadable("journalctl did not answer within 5 s".into()),
        Ok(Err(e)) => Journal::Unreadable(format!("cannot run journalctl: {e}")),
        Ok(Ok(out)) if !out.status.success() => {
            Journal::Unreadable(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
        Ok(Ok(out)) => Journal::Lines(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| !l.starts_with("-- "))
                .map(str::to_owned)
                .collect(),
        ),
    }
}

/// Everything the technician's page shows, gathered at once.
pub struct Report {
    pub version: &'static str,
    pub data_dir: std::path::PathBuf,
    pub disk: Result<Disk, String>,
    pub printer: crate::printer::PrinterStatus,
    pub scanner_configured: bool,
    pub last_backup: Result<Option<crate::backup::LastBackup>, String>,
    pub usb_dir: Option<std::path::PathBuf>,
    pub clock: crate::clock::Status,
    pub journal: Journal,
    pub tickets_today: usize,
}

impl Report {
    pub async fn gather(
        data: baom_config::DataDir,
        usb_dir: Option<std::path::PathBuf>,
        printer: &crate::printer::PrintQueue,
        scanner: &crate::scanner::Scanner,
        queue: &crate::queue_service::QueueService,
    ) -> Report {
        let root = data.root().to_owned();
        let disk = {
            let root = root.clone();
            tokio::task::spawn_blocking(move || disk(&root))
                .await
                .map_err(|e| e.to_string())
                .and_then(|d| d.map_err(|e| e.to_string()))
        };
        Report {
            version: env!("CARGO_PKG_VERSION"),
            data_dir: root,
            disk,
            printer: printer.status(),
            scanner_configured: scanner.is_configured(),
            last_backup: crate::backup::last(data).await.map_err(|e| e.to_string()),
            usb_dir,
            clock: crate::clock::status(),
            journal: journal(20).await,
            tickets_today: queue.snapshot().tickets().len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disk_of_a_folder_has_a_size() {
        let d = disk(Path::new("/")).expect("statvfs");
        assert!(d.total > 0 && d.free <= d.total);
        assert!(disk(Path::new("/no/such/folder")).is_err());
    }
}
