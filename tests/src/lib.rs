//! Helpers for the end-to-end tests: start the real `baom` binary on a temporary directory, talk
//! to it over its real sockets, and stop it the way systemd (or a power cut) would.
//!
//! The HTTP client here is deliberately tiny (HTTP/1.1, one request per connection) so the
//! tests depend on nothing but std; one contract test also uses `curl`, a client we did not write.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The directory the workspace's binaries are built into (`cargo build --bins` before the tests).
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BAOM_BIN_DIR") {
        return PathBuf::from(dir);
    }
    // target/<profile>/deps/<this test> → target/<profile>
    let exe = std::env::current_exe().expect("the test knows its own path");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

pub fn baom_bin() -> PathBuf {
    let bin = bin_dir().join("baom");
    assert!(
        bin.exists(),
        "{} is missing: build the binaries first (cargo build --workspace --bins)",
        bin.display()
    );
    bin
}

/// Where a request goes: the kiosk socket or the LAN port.
#[derive(Debug, Clone)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

/// A running `baom`.
pub struct Baom {
    pub child: Child,
    pub data: PathBuf,
    pub socket: PathBuf,
    pub lan: SocketAddr,
    /// What it printed on stdout before "ready".
    pub banner: String,
}

impl Baom {
    /// `baom demo --data DIR --listen 127.0.0.1:0`.
    pub fn demo(data: &Path) -> Baom {
        Self::spawn_with(
            &baom_bin(),
            &["demo", "--data", path_str(data), "--listen", "127.0.0.1:0"],
            data,
        )
    }

    /// `baom serve --config FILE` (the file names its data directory).
    pub fn serve(config: &Path, data: &Path) -> Baom {
        Self::spawn_with(&baom_bin(), &["serve", "--config", path_str(config)], data)
    }

    /// Starts `bin` with `args` and waits until it prints `ready`.
    pub fn spawn_with(bin: &Path, args: &[&str], data: &Path) -> Baom {
        let mut child = Command::new(bin)
            .args(args)
            .env(
                "BAOM_LOG",
                std::env::var("BAOM_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut banner = String::new();
        let (mut socket, mut lan) = (None, None);
        loop {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                _ => {
                    let status = child.wait().expect("wait for baom");
                    panic!("baom exited ({status}) before it was ready; it printed:\n{banner}");
                }
            };
            banner.push_str(&line);
            banner.push('\n');
            if let Some(s) = line.strip_prefix("kiosk socket: ") {
                socket = Some(PathBuf::from(s));
            }
            if let Some(url) = line.strip_prefix("LAN API: http://") {
                lan = url.split('/').next().and_then(|a| a.parse().ok());
            }
            if line == "ready" {
                break;
            }
        }
        // Keep draining stdout so the service never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Baom {
            child,
            data: data.to_path_buf(),
            socket: socket.expect("baom printed its kiosk socket"),
            lan: lan.expect("baom printed its LAN address"),
            banner,
        }
    }

    pub fn kiosk(&self) -> Endpoint {
        Endpoint::Unix(self.socket.clone())
    }

    pub fn api(&self) -> Endpoint {
        Endpoint::Tcp(self.lan)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// A power cut, as far as the process can tell.
    pub fn kill_hard(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// What systemd does on `systemctl stop`; returns the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "baom did not stop within 15 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resident memory in kB (VmRSS) and its peak (VmHWM).
    pub fn memory_kb(&self) -> (u64, u64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("proc status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .expect("memory field")
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Baom {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The stable error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code in {}", String::from_utf8_lossy(&self.body)))
            .to_owned()
    }
}

/// One request, one connection. `body` is sent as JSON unless `content_type` says otherwise.
pub fn request(
    to: &Endpoint,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> std::io::Result<Reply> {
    request_with(to, method, path, body, "application/json")
}

pub fn request_with(
    to: &Endpoint,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    content_type: &str,
) -> std::io::Result<Reply> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: baom\r\nConnection: close\r\n");
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    let mut raw = Vec::new();
    match to {
        Endpoint::Unix(p) => exchange(UnixStream::connect(p)?, &head, body, &mut raw)?,
        Endpoint::Tcp(a) => exchange(TcpStream::connect(a)?, &head, body, &mut raw)?,
    }
    parse_reply(&raw)
}

fn exchange<S: Read + Write>(
    mut s: S,
    head: &str,
    body: Option<&[u8]>,
    raw: &mut Vec<u8>,
) -> std::io::Result<()> {
    s.write_all(head.as_bytes())?;
    if let Some(b) = body {
        // The server may answer (413) and close before reading a large body.
        let _ = s.write_all(b);
    }
    s.flush()?;
    match s.read_to_end(raw) {
        Ok(_) => Ok(()),
        // A TLS peer that closes without close_notify after a complete answer is fine here.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => Ok(()),
        // A server refusing a body it will not read answers, then resets the connection.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !raw.is_empty() => Ok(()),
        Err(e) => Err(e),
    }
}

fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).ok_or_else(|| bad("bad chunked body"))?;
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).ok()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// POST a JSON value.
pub fn post(to: &Endpoint, path: &str, body: &Value) -> std::io::Result<Reply> {
    request(to, "POST", path, Some(body.to_string().as_bytes()))
}

pub fn get(to: &Endpoint, path: &str) -> std::io::Result<Reply> {
    request(to, "GET", path, None)
}

/// A configuration file for `baom serve`: the demo's services, `desks` desks that each serve
/// every service, and `hours` (a TOML inline table) for service D.
pub fn office_config(data: &Path, listen: &str, desks: u16, hours_of_d: &str) -> String {
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    let names = |fr: &str| {
        format!(
            r#"{{ ar = "خدمة {fr}", zgh = "ⵜⴰⵏⴰⴼⵓⵜ {fr}", fr = "Service {fr}", en = "Service {fr}" }}"#
        )
    };
    let mut toml = format!(
        "[commune]\nname_ar = \"جماعة الاختبار\"\nname_latin = \"Commune de test\"\n\n[server]\ndata_dir = {:?}\nlisten = {listen:?}\n\n[printer]\nkind = \"file\"\npath = \"receipts.escpos\"\n\n",
        path_str(data)
    );
    for letter in ["A", "B", "C", "D"] {
        let hours = if letter == "D" { hours_of_d } else { always };
        toml.push_str(&format!(
            "[[services]]\nletter = \"{letter}\"\nnames = {}\nhours = {hours}\n\n",
            names(letter)
        ));
    }
    for n in 1..=desks {
        toml.push_str(&format!("[[desks]]\nnumber = {n}\nname = \"Guichet {n}\"\nservices = [\"A\", \"B\", \"C\", \"D\"]\n\n"));
    }
    toml
}

/// Row counts that must not move when a request is refused.
pub fn counts(db: &Path) -> (i64, i64) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open queue.db");
    let tickets = conn
        .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .expect("count");
    let events = conn
        .query_row("SELECT COUNT(*) FROM ticket_events", [], |r| r.get(0))
        .expect("count");
    (tickets, events)
}

/// The Python with `emupos` that `.ci/setup` installs (`BAOM_EMUPOS_PYTHON` overrides it).
pub fn emupos_python() -> PathBuf {
    let python = std::env::var_os("BAOM_EMUPOS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/baom-venv/bin/python"));
    assert!(
        python.exists(),
        "{} is missing: run bash .ci/setup (it creates the emupos venv)",
        python.display()
    );
    python
}

/// A receipt as `emupos` decoded it: its text dump and its PNG.
pub struct Decoded {
    pub text: String,
    pub png: PathBuf,
}

/// Decodes ESC/POS bytes with `emupos` (tests/tools/emupos_dump.py): one entry per receipt
/// (each ends at a cut). Panics if emupos finds a command it does not know.
pub fn emupos_decode(bytes: &[u8], width_dots: u32, work: &Path) -> Vec<Decoded> {
    std::fs::create_dir_all(work).expect("work directory");
    let input = work.join("input.escpos");
    std::fs::write(&input, bytes).expect("write the bytes");
    let out_dir = work.join("decoded");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/emupos_dump.py");
    let out = Command::new(emupos_python())
        .arg(&script)
        .arg(&input)
        .arg(&out_dir)
        .arg(width_dots.to_string())
        .output()
        .expect("run emupos");
    assert!(
        out.status.success(),
        "emupos failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let count = String::from_utf8_lossy(&out.stdout).lines().count();
    (1..=count)
        .map(|n| Decoded {
            text: std::fs::read_to_string(out_dir.join(format!("receipt-{n}.txt")))
                .expect("text dump"),
            png: out_dir.join(format!("receipt-{n}.png")),
        })
        .collect()
}

/// A `GS v 0` raster image found in ESC/POS bytes: width and height in dots, rows packed 8
/// dots a byte, most significant bit leftmost.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rows: Vec<u8>,
}

/// Every `GS v 0` raster image of a byte stream, in order. Walks the commands this project's
/// receipts use so image data is never mistaken for a command.
pub fn rasters(bytes: &[u8]) -> Vec<Raster> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [0x1d, b'v', b'0', _, xl, xh, yl, yh, ..] => {
                let stride = u16::from_le_bytes([xl, xh]) as usize;
                let height = u16::from_le_bytes([yl, yh]) as usize;
                let end = (i + 8 + stride * height).min(bytes.len());
                found.push(Raster {
                    width: stride * 8,
                    height,
                    rows: bytes[i + 8..end].to_vec(),
                });
                i = end;
            }
            [0x1b, b'@', ..] => i += 2,
            [0x1b, b't' | b'a' | b'E' | b'J', _, ..] | [0x1d, b'!', _, ..] => i += 3,
            [0x1d, b'V', b'B', _, ..] => i += 4,
            [0x1d, b'(', b'k', pl, ph, ..] => i += 5 + u16::from_le_bytes([pl, ph]) as usize,
            _ => i += 1,
        }
    }
    found
}

impl Raster {
    /// The image as a binary PGM with a white margin, for `zbarimg`.
    pub fn to_pgm(&self, margin: usize) -> Vec<u8> {
        let (w, h) = (self.width + 2 * margin, self.height + 2 * margin);
        let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
        let stride = self.width / 8;
        for y in 0..h {
            for x in 0..w {
                let black = x >= margin
                    && y >= margin
                    && x - margin < self.width
                    && y - margin < self.height
                    && self.rows[(y - margin) * stride + (x - margin) / 8]
                        & (0x80 >> ((x - margin) % 8))
                        != 0;
                out.push(if black { 0 } else { 255 });
            }
        }
        out
    }
}

/// What `zbarimg` (Debian's zbar-tools, a reader we did not write) reads in an image file.
pub fn zbarimg(image: &Path) -> Option<String> {
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(image)
        .output()
        .expect("zbarimg is installed (.ci/setup)");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `within`.
pub fn wait_for<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
