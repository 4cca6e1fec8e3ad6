//! Kiosk figures on this machine, software renderer: time from start to first frame and
//! resident memory, with the real `baom` serving the catalogue on a temporary directory.
//!
//! `cargo bench -p baom-kiosk --bench kiosk` (builds the release binaries first; see
//! BENCHMARKS.md). The kiosk runs `--headless SECONDS`: the real window, flow, socket client and
//! software renderer, drawing into memory instead of a DRM screen (none on a build machine).

use baom_e2e::Baom;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn release_bin(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("release").join(name)
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let built = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "-p",
            "baom",
            "-p",
            "baom-kiosk",
            "--bins",
        ])
        .status()
        .expect("cargo build");
    assert!(built.success());
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let baom = Baom::spawn_with(
        &release_bin("baom"),
        &[
            "demo",
            "--data",
            baom_e2e::path_str(data),
            "--listen",
            "127.0.0.1:0",
        ],
        data,
    );
    for (w, h) in [(800u32, 480u32), (1280, 800)] {
        let mut starts = Vec::new();
        let mut peak = 0;
        let mut rss = 0;
        for _ in 0..5 {
            let t0 = Instant::now();
            let mut child = Command::new(release_bin("baom-kiosk"))
                .args(["--socket", baom_e2e::path_str(&baom.socket), "--mute"])
                .args(["--size", &format!("{w}x{h}"), "--headless", "2"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("start baom-kiosk");
            let pid = child.id();
            let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
            let first = lines.next().and_then(Result::ok).expect("first frame line");
            assert!(first.starts_with("first frame after"), "{first}");
            starts.push(t0.elapsed());
            // Let the catalogue arrive and the start screen settle, then read its memory.
            std::thread::sleep(Duration::from_millis(1500));
            rss = rss.max(status_kb(pid, "VmRSS:"));
            peak = peak.max(status_kb(pid, "VmHWM:"));
            for _ in lines {}
            assert!(child.wait().expect("wait").success());
        }
        starts.sort();
        println!(
            "{w}x{h}: start to first frame median {:.0} ms (max {:.0} ms); resident {:.1} MB, peak {:.1} MB",
            starts[starts.len() / 2].as_secs_f64() * 1000.0,
            starts[starts.len() - 1].as_secs_f64() * 1000.0,
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
}
