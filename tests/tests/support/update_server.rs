//! A stand-in for the update server a box reads where it has a network (no such server is
//! on this machine): a static HTTP/1.1 file server on a port of its own, with byte ranges as
//! web servers answer them, over plain TCP or TLS under an authority made here. It can be
//! told to cut its next answer after so many bytes (a rural link dropping) and notes each
//! request's path and `Range`, so a test can see a download resume where it stopped.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The box's machine kind as the service names it (the images' RAUC compatible).
pub fn machine_kind() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("baom-box-{arch}")
}

/// A file's SHA-256, as a manifest writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Publishes `bytes` as the bundle `name` of `version` in `folder`, with the manifest for this
/// machine kind (as `images/update-bundle` writes it), which is returned.
pub fn publish(folder: &Path, name: &str, version: &str, bytes: &[u8]) -> Value {
    std::fs::create_dir_all(folder).expect("folder");
    std::fs::write(folder.join(name), bytes).expect("bundle");
    let manifest = json!({
        "compatible": machine_kind(), "version": version, "bundle": name,
        "bytes": bytes.len(), "sha256": sha256_hex(bytes),
    });
    write_manifest(folder, &manifest);
    manifest
}

/// Writes (or replaces) the manifest of `folder`.
pub fn write_manifest(folder: &Path, manifest: &Value) {
    std::fs::write(
        folder.join(format!("{}.json", machine_kind())),
        manifest.to_string(),
    )
    .expect("manifest");
}

#[derive(Default)]
struct Knobs {
    /// The next request for a path ending so is cut after so many bytes.
    cut: Option<(String, u64)>,
    /// (path, Range header) of each request, in order.
    seen: Vec<(String, Option<String>)>,
}

pub struct UpdateServer {
    pub port: u16,
    scheme: &'static str,
    knobs: Arc<Mutex<Knobs>>,
    /// The authority of a TLS server's certificate (PEM file), for the box's `[updates] ca`.
    pub ca: Option<PathBuf>,
}

impl UpdateServer {
    /// Serves the files of `root` over plain HTTP on 127.0.0.1.
    pub fn http(root: &Path) -> UpdateServer {
        Self::start(root, None, "http")
    }

    /// Serves the files of `root` over HTTPS for `localhost`, under an authority written to
    /// `dir/update-ca.pem`.
    pub fn https(root: &Path, dir: &Path) -> UpdateServer {
        let (ca_pem, cert, key) =
            baom_e2e::localhost_under_new_authority("Serveur de mises à jour de test");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
        let ca = dir.join("update-ca.pem");
        std::fs::write(&ca, ca_pem).expect("ca");
        let mut server = Self::start(root, Some(Arc::new(config)), "https");
        server.ca = Some(ca);
        server
    }

    fn start(
        root: &Path,
        tls: Option<Arc<rustls::ServerConfig>>,
        scheme: &'static str,
    ) -> UpdateServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let knobs = Arc::new(Mutex::new(Knobs::default()));
        let (root, shared) = (root.to_path_buf(), knobs.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (root, knobs, tls) = (root.clone(), shared.clone(), tls.clone());
                std::thread::spawn(move || {
                    let _ = match tls {
                        None => answer(stream, &root, &knobs),
                        Some(config) => {
                            let Ok(conn) = rustls::ServerConnection::new(config) else {
                                return;
                            };
                            answer(rustls::StreamOwned::new(conn, stream), &root, &knobs)
                        }
                    };
                });
            }
        });
        UpdateServer {
            port,
            scheme,
            knobs,
            ca: None,
        }
    }

    /// The server's folder address, as the box's `[updates] feed` names it.
    pub fn url(&self, folder: &str) -> String {
        let host = if self.scheme == "https" {
            "localhost"
        } else {
            "127.0.0.1"
        };
        format!("{}://{host}:{}/{folder}", self.scheme, self.port)
    }

    /// The next answer for a path ending with `ending` stops after `bytes` of its body, its
    /// connection closed.
    pub fn cut_next(&self, ending: &str, bytes: u64) {
        self.knobs.lock().expect("knobs").cut = Some((ending.to_owned(), bytes));
    }

    /// Each request so far: its path and its `Range` header.
    pub fn seen(&self) -> Vec<(String, Option<String>)> {
        self.knobs.lock().expect("knobs").seen.clone()
    }
}

fn answer<S: Read + Write>(
    mut stream: S,
    root: &Path,
    knobs: &Mutex<Knobs>,
) -> std::io::Result<()> {
    let (path, range) = {
        let mut reader = BufReader::new(&mut stream);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut range = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("range")
            {
                range = Some(value.trim().to_owned());
            }
        }
        (path, range)
    };
    let cut = {
        let mut k = knobs.lock().expect("knobs");
        k.seen.push((path.clone(), range.clone()));
        match k.cut.take() {
            Some((ending, n)) if path.ends_with(&ending) => Some(n),
            other => {
                k.cut = other;
                None
            }
        }
    };
    let file = root.join(path.trim_start_matches('/'));
    let body = match (path.contains(".."), std::fs::read(&file)) {
        (false, Ok(body)) => body,
        _ => {
            let text = b"not found";
            write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                text.len()
            )?;
            stream.write_all(text)?;
            return stream.flush();
        }
    };
    let len = body.len() as u64;
    let from = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<u64>().ok());
    let (head, part) = match from {
        Some(n) if n >= len => {
            write!(
                stream,
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
            return stream.flush();
        }
        Some(n) => (
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {n}-{}/{len}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                len - 1,
                len - n
            ),
            &body[n as usize..],
        ),
        None => (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n"
            ),
            &body[..],
        ),
    };
    stream.write_all(head.as_bytes())?;
    match cut {
        Some(n) => stream.write_all(&part[..(n as usize).min(part.len())])?,
        None => stream.write_all(part)?,
    }
    stream.flush()
}
