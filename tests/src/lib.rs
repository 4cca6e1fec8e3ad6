//! Helpers for the end-to-end tests: start the real `baom` binary on a temporary directory, talk
//! to it over its real sockets, and stop it the way systemd (or a power cut) would.
//!
//! The HTTP client here is deliberately tiny (HTTP/1.1, one request per connection) so the
//! tests depend on nothing but std; one contract test also uses `curl`, a client we did not write.

pub mod postgres;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
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

/// Where a request goes: the kiosk socket, or the LAN port over HTTPS (with a session, once
/// logged in).
#[derive(Debug, Clone)]
pub enum Endpoint {
    Unix(PathBuf),
    Lan(Lan),
}

/// The LAN port as a browser on the office network sees it.
#[derive(Debug, Clone)]
pub struct Lan {
    pub addr: SocketAddr,
    tls: Arc<rustls::ClientConfig>,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// The local address to connect from (another loopback address plays another PC).
    pub source: Option<std::net::IpAddr>,
    /// The device token a login gave this browser (`baom_device`), sent back with each request.
    pub device: Option<String>,
    /// Other cookies a browser would send back (the remembered desk, …), as (name, value).
    pub cookies: Vec<(String, String)>,
}

impl Lan {
    /// A client that trusts exactly the certificate in `certificate` (PEM).
    pub fn new(addr: SocketAddr, certificate: &Path) -> Lan {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(certificate).expect("certificate file") {
            roots
                .add(cert.expect("PEM certificate"))
                .expect("trusted certificate");
        }
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Lan {
            addr,
            tls: Arc::new(config),
            cookie: None,
            csrf: None,
            source: None,
            device: None,
            cookies: Vec::new(),
        }
    }

    /// The `Cookie:` header line this browser sends, if it has cookies.
    pub fn cookie_line(&self) -> String {
        let mut cookies = Vec::new();
        if let Some(c) = &self.cookie {
            cookies.push(format!("baom_session={c}"));
        }
        if let Some(d) = &self.device {
            cookies.push(format!("baom_device={d}"));
        }
        for (name, value) in &self.cookies {
            cookies.push(format!("{name}={value}"));
        }
        if cookies.is_empty() {
            String::new()
        } else {
            format!("Cookie: {}\r\n", cookies.join("; "))
        }
    }

    /// The same client, connecting from `ip` (any of 127.0.0.0/8 on loopback).
    pub fn from_address(&self, ip: std::net::IpAddr) -> Lan {
        Lan {
            source: Some(ip),
            ..self.clone()
        }
    }

    /// A TCP connection to the LAN port, from [`Lan::source`] if set.
    pub fn tcp(&self) -> std::io::Result<TcpStream> {
        let Some(source) = self.source else {
            return TcpStream::connect(self.addr);
        };
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(self.addr),
            socket2::Type::STREAM,
            None,
        )?;
        socket.bind(&SocketAddr::new(source, 0).into())?;
        socket.connect(&self.addr.into())?;
        Ok(socket.into())
    }

    pub fn connect(
        &self,
    ) -> std::io::Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
        // Like a browser: no Nagle delay between the request's small TLS records.
        let tcp = self.tcp()?;
        tcp.set_nodelay(true)?;
        self.tls_client(tcp)
    }

    /// TLS over `tcp`, trusting the service's certificate (the handshake starts on first use).
    pub fn tls_client(
        &self,
        tcp: TcpStream,
    ) -> std::io::Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
        let name = rustls::pki_types::ServerName::IpAddress(self.addr.ip().into());
        let conn =
            rustls::ClientConnection::new(self.tls.clone(), name).map_err(std::io::Error::other)?;
        Ok(rustls::StreamOwned::new(conn, tcp))
    }

    /// Opens a long answer (an event stream): sends the request and returns the connection
    /// positioned after the headers.
    pub fn open_stream(&self, path: &str) -> std::io::Result<impl Read + use<>> {
        let mut s = self.connect()?;
        let mut head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n",
            self.addr
        );
        head.push_str(&self.cookie_line());
        head.push_str("\r\n");
        s.write_all(head.as_bytes())?;
        let mut reader = BufReader::new(s);
        let mut status = String::new();
        reader.read_line(&mut status)?;
        if !status.contains(" 200 ") {
            return Err(std::io::Error::other(format!(
                "event stream refused: {status}"
            )));
        }
        let mut line = String::new();
        while reader.read_line(&mut line)? > 2 {
            line.clear();
        }
        Ok(reader)
    }

    /// A connection kept open for many requests, as a browser at a desk keeps one.
    pub fn keep_alive(&self) -> std::io::Result<KeptConnection> {
        Ok(KeptConnection {
            stream: BufReader::new(self.connect()?),
            lan: self.clone(),
        })
    }

    /// Logs in through the API; with `new_password`, also replaces a one-time password.
    pub fn login(
        &self,
        login: &str,
        password: &str,
        new_password: Option<&str>,
    ) -> Result<Lan, Reply> {
        let me = Endpoint::Lan(self.clone());
        let r = post(
            &me,
            "/api/v1/session",
            &serde_json::json!({"login": login, "password": password}),
        )
        .expect("login answer");
        if r.status != 200 {
            return Err(r);
        }
        let mut lan = self.clone();
        lan.cookie = r.set_cookie("baom_session");
        lan.device = r.set_cookie("baom_device").or(lan.device);
        lan.csrf = r.json()["csrf"].as_str().map(str::to_owned);
        if let (Some(new), true) = (new_password, r.json()["must_change_password"] == true) {
            let change = post(
                &Endpoint::Lan(lan.clone()),
                "/api/v1/session/password",
                &serde_json::json!({"current": password, "new": new}),
            )
            .expect("answer");
            if change.status != 204 {
                return Err(change);
            }
            // A new password starts a new session.
            lan.cookie = change.set_cookie("baom_session").or(lan.cookie);
        }
        Ok(lan)
    }
}

/// A running `baom`.
pub struct Baom {
    pub child: Child,
    pub data: PathBuf,
    pub socket: PathBuf,
    pub lan: SocketAddr,
    pub certificate: PathBuf,
    pub redirect: Option<SocketAddr>,
    /// `(login, one-time password)` printed by `baom demo`.
    pub demo_accounts: Vec<(String, String)>,
    /// What it printed on stdout before "ready".
    pub banner: String,
    /// The recovery key of a vault made at this start, as it was shown (banner or file).
    pub recovery_key: Option<String>,
    /// How it was started, for [`Baom::restart`] (empty when not restartable).
    pub args: Vec<String>,
}

/// The password tests choose when they replace a one-time password.
pub const NEW_PASSWORD: &str = "une phrase de passe solide 2026";

impl Baom {
    /// `baom demo --data DIR --listen 127.0.0.1:0`.
    pub fn demo(data: &Path) -> Baom {
        Self::spawn_with(
            &baom_bin(),
            &["demo", "--data", path_str(data), "--listen", "127.0.0.1:0"],
            data,
        )
    }

    /// `baom demo` on a fixed address, so it can be restarted where browsers expect it.
    pub fn demo_on(data: &Path, listen: &str) -> Baom {
        let mut baom = Self::spawn_with(
            &baom_bin(),
            &["demo", "--data", path_str(data), "--listen", listen],
            data,
        );
        baom.args = vec![
            "demo".into(),
            "--data".into(),
            path_str(data).into(),
            "--listen".into(),
            listen.into(),
        ];
        baom
    }

    /// Stops with SIGTERM and starts again with the same arguments.
    pub fn restart(self) -> Baom {
        let (args, data) = (self.args.clone(), self.data.clone());
        assert!(
            !args.is_empty(),
            "restart needs a Baom started with demo_on"
        );
        let status = self.stop();
        assert!(status.success(), "{status}");
        let mut baom = Self::spawn_with(
            &baom_bin(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &data,
        );
        baom.args = args;
        baom
    }

    /// `baom serve --config FILE` (the file names its data directory). Its stdout is a pipe, not a terminal, so the recovery key
    /// of a vault made at this start goes to a file beside the data directory, read into
    /// [`Baom::recovery_key`] and removed.
    pub fn serve(config: &Path, data: &Path) -> Baom {
        Self::serve_env(config, data, &[])
    }

    /// [`Baom::serve`] with extra environment variables (the clock's test hook).
    pub fn serve_env(config: &Path, data: &Path, env: &[(&str, &str)]) -> Baom {
        let key_file = data.with_extension("recovery-key");
        let mut baom = Self::spawn_with_env(
            &baom_bin(),
            &[
                "serve",
                "--config",
                path_str(config),
                "--recovery-key-out",
                path_str(&key_file),
            ],
            data,
            env,
        );
        baom.recovery_key = std::fs::read_to_string(&key_file)
            .ok()
            .map(|k| k.trim().to_owned());
        let _ = std::fs::remove_file(&key_file);
        baom
    }

    /// The LAN API as the [`OFFICER`] of an [`office_config`], one-time password replaced.
    pub fn officer(&self) -> Endpoint {
        let lan = self.lan();
        let session = lan
            .login(OFFICER.0, OFFICER.1, Some(NEW_PASSWORD))
            .or_else(|_| lan.login(OFFICER.0, NEW_PASSWORD, None))
            .unwrap_or_else(|r| {
                panic!(
                    "cannot log in: {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )
            });
        Endpoint::Lan(session)
    }

    /// Starts `bin` with `args` and waits until it prints `ready`.
    pub fn spawn_with(bin: &Path, args: &[&str], data: &Path) -> Baom {
        Self::spawn_with_env(bin, args, data, &[])
    }

    /// [`Baom::spawn_with`] with extra environment variables (as systemd would set them).
    pub fn spawn_with_env(bin: &Path, args: &[&str], data: &Path, env: &[(&str, &str)]) -> Baom {
        let mut child = Command::new(bin)
            .args(args)
            .envs(env.iter().copied())
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
        let (mut socket, mut lan, mut certificate, mut redirect) = (None, None, None, None);
        let mut demo_accounts = Vec::new();
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
            if let Some(url) = line.strip_prefix("LAN: https://") {
                lan = url.split('/').next().and_then(|a| a.parse().ok());
            }
            if let Some(url) = line.strip_prefix("redirect: http://") {
                redirect = url.split('/').next().and_then(|a| a.parse().ok());
            }
            if let Some(path) = line.strip_prefix("certificate: ") {
                certificate = Some(PathBuf::from(path));
            }
            if let Some((account, password)) = line
                .strip_prefix("demo account: ")
                .and_then(|r| r.split_once(" one-time password: "))
            {
                let login = account
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                demo_accounts.push((login, password.to_owned()));
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
            certificate: certificate.expect("baom printed its certificate"),
            redirect,
            recovery_key: recovery_key(&banner),
            demo_accounts,
            banner,
            args: Vec::new(),
        }
    }

    pub fn kiosk(&self) -> Endpoint {
        Endpoint::Unix(self.socket.clone())
    }

    /// The LAN port without a session.
    pub fn lan(&self) -> Lan {
        Lan::new(self.lan, &self.certificate)
    }

    /// The LAN port without a session, as an endpoint.
    pub fn anonymous(&self) -> Endpoint {
        Endpoint::Lan(self.lan())
    }

    /// The one-time password `baom demo` printed for `login` (or, once replaced, [`NEW_PASSWORD`]).
    pub fn demo_password(&self, login: &str) -> String {
        self.demo_accounts
            .iter()
            .find(|(l, _)| l == login)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| NEW_PASSWORD.to_owned())
    }

    /// The LAN API as an officer at work: the demo's `amina` (or an [`office_config`]'s
    /// [`OFFICER`]), whose one-time password is replaced on first use (later calls log in with the
    /// new one).
    pub fn api(&self) -> Endpoint {
        if self.demo_accounts.is_empty() && !self.banner.contains("demo account:") {
            self.officer()
        } else {
            self.api_as("amina")
        }
    }

    /// The LAN API as a demo account (see [`Baom::api`]).
    pub fn api_as(&self, login: &str) -> Endpoint {
        let lan = self.lan();
        let session = lan
            .login(login, &self.demo_password(login), Some(NEW_PASSWORD))
            .or_else(|_| lan.login(login, NEW_PASSWORD, None))
            .unwrap_or_else(|r| {
                panic!(
                    "cannot log in as {login}: {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )
            });
        Endpoint::Lan(session)
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

    /// The value of a cookie the answer sets.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookie_lines().into_iter().find_map(|l| {
            l.split(';')
                .next()
                .and_then(|kv| kv.trim().strip_prefix(&format!("{name}=")))
                .map(str::to_owned)
        })
    }

    /// Every `Set-Cookie` header, whole.
    pub fn set_cookie_lines(&self) -> Vec<String> {
        self.headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
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
    let host = match to {
        Endpoint::Unix(_) => "baom".to_owned(),
        Endpoint::Lan(lan) => lan.addr.to_string(),
    };
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    if let Endpoint::Lan(lan) = to {
        head.push_str(&lan.cookie_line());
        if let Some(csrf) = &lan.csrf {
            head.push_str(&format!("X-CSRF-Token: {csrf}\r\n"));
        }
    }
    head.push_str("\r\n");
    let mut raw = Vec::new();
    match to {
        Endpoint::Unix(p) => exchange(UnixStream::connect(p)?, &head, body, &mut raw)?,
        Endpoint::Lan(lan) => exchange_tls(lan.connect()?, &head, body, &mut raw)?,
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
    // The server may answer (413, or 403 from the page's gate) and close before reading a large
    // body: the write or the flush then fails with a broken pipe, but its answer is there to read.
    let sent = match body {
        Some(b) => s.write_all(b).and_then(|()| s.flush()),
        None => s.flush(),
    };
    match s.read_to_end(raw) {
        Ok(_) if raw.is_empty() => sent,
        Ok(_) => Ok(()),
        // A TLS peer that closes without close_notify after a complete answer is fine here.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => Ok(()),
        // A server refusing a body it will not read answers, then resets the connection.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !raw.is_empty() => Ok(()),
        Err(e) => sent.and(Err(e)),
    }
}

/// Like [`exchange`] over TLS. When the server answered and closed before taking the whole body,
/// rustls would retry sending the rest before every read: the answer is then read from the
/// socket's records directly.
fn exchange_tls(
    mut s: rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
    head: &str,
    body: Option<&[u8]>,
    raw: &mut Vec<u8>,
) -> std::io::Result<()> {
    use std::io::ErrorKind;
    let Some(b) = body else {
        return exchange(s, head, None, raw);
    };
    s.write_all(head.as_bytes())?;
    let sent = s.write_all(b).and_then(|()| s.flush());
    if sent.is_ok() {
        return exchange_read(&mut s, raw);
    }
    let (conn, sock) = (&mut s.conn, &mut s.sock);
    loop {
        match conn.read_tls(sock) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => return sent.and(Err(e)),
        }
        if conn.process_new_packets().is_err() {
            break;
        }
        match conn.reader().read_to_end(raw) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    if raw.is_empty() { sent } else { Ok(()) }
}

fn exchange_read<S: Read>(s: &mut S, raw: &mut Vec<u8>) -> std::io::Result<()> {
    match s.read_to_end(raw) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => Ok(()),
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

/// The argon2id hash `baom hash-password` makes of `password`.
pub fn hash_password(password: &str) -> String {
    let mut child = Command::new(baom_bin())
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("baom hash-password");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write password");
    let out = child.wait_with_output().expect("hash");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// The officer account of [`office_config`] and its one-time password.
pub const OFFICER: (&str, &str) = ("amina", "mot-de-passe-initial");

/// A configuration file for `baom serve`: the demo's services, `desks` desks that each serve
/// every service, `hours` (a TOML inline table) for service D, and the officer [`OFFICER`].
pub fn office_config(data: &Path, listen: &str, desks: u16, hours_of_d: &str) -> String {
    office_config_with(data, listen, desks, hours_of_d, &hash_password(OFFICER.1))
}

/// [`office_config`] with the officer's password hash given (to hash it once for many files).
pub fn office_config_with(
    data: &Path,
    listen: &str,
    desks: u16,
    hours_of_d: &str,
    officer_hash: &str,
) -> String {
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    let names = |fr: &str| {
        format!(
            r#"{{ ar = "خدمة {fr}", zgh = "ⵜⴰⵏⴰⴼⵓⵜ {fr}", fr = "Service {fr}", en = "Service {fr}" }}"#
        )
    };
    let mut toml = format!(
        "[commune]\nname_ar = \"جماعة الاختبار\"\nname_latin = \"Commune de test\"\n\n[server]\ndata_dir = {:?}\nlisten = {listen:?}\n\n[printer]\nkind = \"file\"\npath = \"receipts.escpos\"\n\n# The tests' kiosks issue faster than people do.\n[queue]\nkiosk_tickets_per_minute = 10000\n\n",
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
    toml.push_str(&format!("[[accounts]]\nlogin = {:?}\nname = \"Amina\"\nrole = \"officer\"\ninitial_password_hash = {officer_hash:?}\n", OFFICER.0));
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

/// One HTTPS connection reused for request after request (`Content-Length` answers only).
pub struct KeptConnection {
    stream: BufReader<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>,
    lan: Lan,
}

impl KeptConnection {
    pub fn post(&mut self, path: &str, body: &Value) -> std::io::Result<Reply> {
        let body = body.to_string();
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.lan.addr,
            body.len()
        );
        if let Some(cookie) = &self.lan.cookie {
            head.push_str(&format!("Cookie: baom_session={cookie}\r\n"));
        }
        if let Some(csrf) = &self.lan.csrf {
            head.push_str(&format!("X-CSRF-Token: {csrf}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        let s = self.stream.get_mut();
        s.write_all(head.as_bytes())?;
        s.flush()?;
        let mut headers = String::new();
        loop {
            let mut line = String::new();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
            if line == "\r\n" {
                break;
            }
            headers.push_str(&line);
        }
        let status = headers
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let length: usize = headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .ok_or_else(|| std::io::Error::other("an answer without Content-Length"))?;
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body)?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// Percent-encodes a form value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// POSTs a page's form, with the session's CSRF token, as a browser does.
pub fn form(to: &Endpoint, path: &str, fields: &[(&str, &str)]) -> Reply {
    let csrf = match to {
        Endpoint::Lan(lan) => lan.csrf.clone().unwrap_or_default(),
        Endpoint::Unix(_) => String::new(),
    };
    let body = std::iter::once(("csrf", csrf.as_str()))
        .chain(fields.iter().copied())
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    request_with(
        to,
        "POST",
        path,
        Some(body.as_bytes()),
        "application/x-www-form-urlencoded",
    )
    .expect("form answer")
}

impl Reply {
    /// Where a redirect points.
    pub fn location(&self) -> String {
        self.header("location").unwrap_or_default()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The recovery key `baom` printed when it made the dossiers' key.
pub fn recovery_key(banner: &str) -> Option<String> {
    banner.lines().find_map(|l| {
        l.split_once("it is shown only now): ")
            .map(|(_, k)| k.trim().to_owned())
    })
}

/// The supervisor of [`dossier_office`] and their one-time password.
pub const SUPERVISOR: (&str, &str) = ("youssef", "mot-de-passe-du-superviseur");

/// An office with an officer, a supervisor, SANE's test scanner and two douars.
pub fn dossier_office(dir: &Path) -> PathBuf {
    let mut toml = office_config_with(
        dir,
        "127.0.0.1:0",
        2,
        r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#,
        &hash_password(OFFICER.1),
    );
    toml.push_str(&format!(
        "\n[[accounts]]\nlogin = {:?}\nname = \"Youssef\"\nrole = \"supervisor\"\ninitial_password_hash = {:?}\n",
        SUPERVISOR.0,
        hash_password(SUPERVISOR.1)
    ));
    toml.push_str("\n[[douars]]\nname = \"Tinfat\"\nhouseholds = 300\n\n[[douars]]\nname = \"Assaisse\"\nhouseholds = 420\n");
    toml.push_str(
        "\n[scanner]\ndevice = \"test\"\nresolution = 50\noptions = [\"--mode\", \"Gray\"]\n",
    );
    let path = dir.join("baom.toml");
    std::fs::write(&path, toml).expect("config");
    path
}

/// The technician of an office with [`add_technician`], one-time password replaced.
pub const TECHNICIAN: (&str, &str) = ("karim", "mot-de-passe-du-technicien");

/// Adds the [`TECHNICIAN`] account to a configuration file.
pub fn add_technician(config: &Path) {
    let mut toml = std::fs::read_to_string(config).expect("config");
    toml.push_str(&format!(
        "\n[[accounts]]\nlogin = {:?}\nname = \"Karim\"\nrole = \"technician\"\ninitial_password_hash = {:?}\n",
        TECHNICIAN.0,
        hash_password(TECHNICIAN.1)
    ));
    std::fs::write(config, toml).expect("config");
}

/// Logs in as `login`, replacing a one-time `password` with [`NEW_PASSWORD`] (or logging in
/// with it if that was done already).
pub fn log_in(baom: &Baom, login: &str, password: &str) -> Endpoint {
    let lan = baom.lan();
    let session = lan
        .login(login, password, Some(NEW_PASSWORD))
        .or_else(|_| lan.login(login, NEW_PASSWORD, None))
        .unwrap_or_else(|r| panic!("{login} login: {} {}", r.status, r.text()));
    Endpoint::Lan(session)
}

/// A one-row query on a database file of the service (read only), e.g. a count.
pub fn query_i64(db: &Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

/// The supervisor of a [`dossier_office`], one-time password replaced.
pub fn supervisor(baom: &Baom) -> Endpoint {
    let lan = baom.lan();
    let session = lan
        .login(SUPERVISOR.0, SUPERVISOR.1, Some(NEW_PASSWORD))
        .or_else(|_| lan.login(SUPERVISOR.0, NEW_PASSWORD, None))
        .unwrap_or_else(|r| panic!("supervisor login: {} {}", r.status, r.text()));
    Endpoint::Lan(session)
}

/// A certificate authority named `name` and a certificate for `localhost` it signs, as a
/// province's or a commune's server would have: `(authority's PEM, certificate, its key)`.
pub fn localhost_under_new_authority(name: &str) -> (String, rcgen::Certificate, rcgen::KeyPair) {
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("cert");
    (ca_cert.pem(), cert, key)
}

/// The names in a folder, sorted (none if it does not exist).
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
