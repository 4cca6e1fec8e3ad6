//! The kiosk's only way out: HTTP/1.1 over the service's Unix socket `kiosk.sock`.
//!
//! A deliberately small std client (one request per connection, `Connection: close`), because
//! the kiosk needs five requests and no async runtime. Every answer is checked into typed values;
//! an answer that does not parse is an error, never a guess.
//!
//! Errors split the way the flow needs them: [`ClientError::is_transient`] (socket absent,
//! refused, timed out, `503`/`504`: the service is restarting, show "one moment" and retry) or a
//! refusal with the service's stable `code` (show why, do not retry).

use serde::Deserialize;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

// The languages and four-language names are the domain's own types (a pure crate: no I/O).
pub use baom_domain::{Language, Names};

/// The languages in the order the start screen shows them.
pub const START_ORDER: [Language; 4] = [
    Language::Tamazight,
    Language::Arabic,
    Language::French,
    Language::English,
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Document {
    pub id: String,
    pub names: Names,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Service {
    pub letter: String,
    pub names: Names,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default = "yes")]
    pub open_now: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub commune: Names,
    pub services: Vec<Service>,
}

#[derive(Deserialize)]
struct CatalogueWire {
    commune: CommuneWire,
    services: Vec<Service>,
}

#[derive(Deserialize)]
struct CommuneWire {
    name_ar: String,
    name_latin: String,
}

/// The ticket the service just issued: what the visitor is shown. Nothing personal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IssuedTicket {
    pub number: String,
    pub service: String,
    pub token: String,
    pub ahead: u64,
    pub estimated_wait_s: u64,
    /// `queued`, `printed` or `failed` when the service reports receipts; absent otherwise.
    #[serde(default)]
    pub receipt: Option<String>,
    /// For an appointment's check-in: how the arrival stood (`on_time`, `early`, `late`).
    #[serde(default, rename = "appointment", deserialize_with = "arrival")]
    pub arrival: Option<String>,
}

/// The `appointment` object's `arrival`, read from the ticket's answer.
fn arrival<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<serde_json::Value> = serde::Deserialize::deserialize(d)?;
    Ok(v.and_then(|v| v["arrival"].as_str().map(str::to_owned)))
}

/// The printer's state as `GET /v1/printer` reports it; `Unknown` when the service does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    Ready,
    PaperOut,
    CoverOpen,
    Offline,
    Unknown,
}

impl Printer {
    fn from_state(s: &str) -> Printer {
        match s {
            "ready" => Printer::Ready,
            "paper_out" => Printer::PaperOut,
            "cover_open" => Printer::CoverOpen,
            "offline" => Printer::Offline,
            _ => Printer::Unknown,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the service does not answer on {socket}: {source}")]
    Unreachable {
        socket: PathBuf,
        source: std::io::Error,
    },
    #[error("the service answered {status} {code}: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the service's answer is not understood: {0}")]
    BadAnswer(String),
}

impl ClientError {
    /// Worth retrying: the service is away or restarting.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Refused { status, .. } => matches!(status, 503 | 504),
            ClientError::BadAnswer(_) => false,
        }
    }

    /// The stable code to explain a refusal with.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Unreachable { .. } => "unreachable",
            ClientError::Refused { code, .. } => code,
            ClientError::BadAnswer(_) => "bad_answer",
        }
    }
}

/// A client of the kiosk socket.
#[derive(Debug, Clone)]
pub struct Client {
    socket: PathBuf,
    timeout: Duration,
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    pub fn new(socket: &Path) -> Client {
        Client {
            socket: socket.to_owned(),
            timeout: Duration::from_secs(10),
        }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        timeout: Duration,
    ) -> Result<Reply, ClientError> {
        let unreachable = |source| ClientError::Unreachable {
            socket: self.socket.clone(),
            source,
        };
        let mut stream = UnixStream::connect(&self.socket).map_err(unreachable)?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(self.timeout)))
            .map_err(unreachable)?;
        let body = body.map(|b| b.to_string());
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: kiosk\r\nConnection: close\r\n");
        match &body {
            Some(b) => head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            )),
            None => head.push_str("Content-Length: 0\r\n\r\n"),
        }
        stream.write_all(head.as_bytes()).map_err(unreachable)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(unreachable)?;
        let reply = parse_reply(&raw).ok_or_else(|| {
            ClientError::BadAnswer(format!("{method} {path}: not an HTTP answer"))
        })?;
        if reply.status >= 400 {
            #[derive(Deserialize)]
            struct ApiError {
                code: String,
                message: String,
            }
            let e: ApiError = serde_json::from_slice(&reply.body).unwrap_or(ApiError {
                code: "unknown".into(),
                message: String::from_utf8_lossy(&reply.body).into_owned(),
            });
            return Err(ClientError::Refused {
                status: reply.status,
                code: e.code,
                message: e.message,
            });
        }
        Ok(reply)
    }

    fn json<T: serde::de::DeserializeOwned>(reply: &Reply, what: &str) -> Result<T, ClientError> {
        serde_json::from_slice(&reply.body)
            .map_err(|e| ClientError::BadAnswer(format!("{what}: {e}")))
    }

    pub fn health(&self) -> Result<(), ClientError> {
        self.request("GET", "/v1/health", None, self.timeout)
            .map(|_| ())
    }

    pub fn catalogue(&self) -> Result<Catalogue, ClientError> {
        let reply = self.request("GET", "/v1/catalogue", None, self.timeout)?;
        let wire: CatalogueWire = Self::json(&reply, "catalogue")?;
        Ok(Catalogue {
            // The commune's name: Arabic script for Arabic, Latin script for the others.
            commune: Names {
                ar: wire.commune.name_ar,
                zgh: wire.commune.name_latin.clone(),
                fr: wire.commune.name_latin.clone(),
                en: wire.commune.name_latin,
            },
            services: wire.services,
        })
    }

    /// `GET /v1/printer`; a service without that endpoint (404) means `Unknown`.
    pub fn printer(&self) -> Result<Printer, ClientError> {
        match self.request("GET", "/v1/printer", None, self.timeout) {
            Ok(reply) => {
                let v: serde_json::Value = Self::json(&reply, "printer")?;
                Ok(Printer::from_state(
                    v["state"].as_str().unwrap_or("unknown"),
                ))
            }
            Err(ClientError::Refused { status: 404, .. }) => Ok(Printer::Unknown),
            Err(e) => Err(e),
        }
    }

    pub fn issue(
        &self,
        service: &str,
        priority: bool,
        language: Language,
    ) -> Result<IssuedTicket, ClientError> {
        let body = serde_json::json!({
            "service": service, "priority": priority, "language": language.code()
        });
        let reply = self.request("POST", "/v1/tickets", Some(&body), self.timeout)?;
        Self::json(&reply, "ticket")
    }

    /// Checks in for an appointment with its token or eight digits: a ticket, like [`Client::issue`].
    pub fn check_in(&self, code: &str, language: Language) -> Result<IssuedTicket, ClientError> {
        let body = serde_json::json!({ "code": code, "language": language.code() });
        let reply = self.request(
            "POST",
            "/v1/appointments/check-in",
            Some(&body),
            self.timeout,
        )?;
        Self::json(&reply, "check-in")
    }

    /// Scans one page onto the ticket; returns the scan's id. Scanning takes a while.
    pub fn scan(&self, token: &str) -> Result<u32, ClientError> {
        let reply = self.request(
            "POST",
            &format!("/v1/tickets/{token}/scans"),
            None,
            Duration::from_secs(120),
        )?;
        let v: serde_json::Value = Self::json(&reply, "scan")?;
        v["id"]
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| ClientError::BadAnswer("scan: no id".into()))
    }

    /// The PNG of a scan, to show the visitor.
    pub fn scan_preview(&self, token: &str, id: u32) -> Result<Vec<u8>, ClientError> {
        let reply = self.request(
            "GET",
            &format!("/v1/tickets/{token}/scans/{id}/preview.png"),
            None,
            self.timeout,
        )?;
        Ok(reply.body)
    }

    pub fn feedback(
        &self,
        rating: baom_domain::feedback::Rating,
        reason: Option<baom_domain::feedback::Reason>,
        language: Language,
        service: Option<&str>,
    ) -> Result<(), ClientError> {
        let body = serde_json::json!({
            "rating": rating.as_str(), "reason": reason.map(|r| r.as_str()), "language": language.code(),
            "service": service,
        });
        self.request("POST", "/v1/feedback", Some(&body), self.timeout)
            .map(|_| ())
    }
}

fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = headers.split_whitespace().nth(1)?.parse().ok()?;
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    Some(Reply { status, body })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_plain_and_chunked_and_garbage_is_refused() {
        let r = parse_reply(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}").expect("reply");
        assert_eq!((r.status, r.body.as_slice()), (201, &b"{}"[..]));
        let r = parse_reply(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n",
        )
        .expect("chunked");
        assert_eq!(r.body, b"abc");
        assert!(parse_reply(b"garbage").is_none());
        assert!(
            parse_reply(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_none()
        );
    }

    #[test]
    fn an_absent_socket_is_transient_and_a_refusal_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = Client::new(&dir.path().join("none.sock"))
            .health()
            .unwrap_err();
        assert!(e.is_transient(), "{e}");
        let refused = ClientError::Refused {
            status: 409,
            code: "service_closed".into(),
            message: String::new(),
        };
        assert!(!refused.is_transient());
        assert_eq!(refused.code(), "service_closed");
        assert_eq!(Printer::from_state("paper_out"), Printer::PaperOut);
        assert_eq!(Printer::from_state("on fire"), Printer::Unknown);
    }
}
