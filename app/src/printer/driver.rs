//! Getting bytes to the printer, and its status back: a file (demo, tests), a USB printer's
//! device file, or a network printer's raw port (9100) with timeouts.
//!
//! Blocking std I/O, called from the print queue's own thread. (The `escpos` crate's drivers were
//! considered: its `FileDriver::open` does not create the file, and the layout here builds its
//! own bytes, so std's files and sockets with explicit timeouts are all that is needed.)

use super::status::{self, PrinterState};
use baom_config::PrinterDriver;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer said it cannot print now.
    #[error("the printer is {}", .0.as_str())]
    NotReady(PrinterState),
    #[error("{0}")]
    Io(String),
}

impl PrintError {
    /// The printer's state this error implies.
    pub fn state(&self) -> PrinterState {
        match self {
            PrintError::NotReady(s) => *s,
            PrintError::Io(_) => PrinterState::Offline,
        }
    }
}

pub struct Driver {
    kind: PrinterDriver,
    data_dir: PathBuf,
}

impl Driver {
    pub fn new(kind: PrinterDriver, data_dir: &Path) -> Driver {
        Driver {
            kind,
            data_dir: data_dir.to_owned(),
        }
    }

    /// Asks the printer for its state.
    pub fn status(&self) -> PrinterState {
        match &self.kind {
            PrinterDriver::File { path } => {
                let path = self.data_dir.join(path);
                match path.parent().map(std::fs::metadata) {
                    Some(Ok(m)) if m.is_dir() => PrinterState::Ready,
                    _ => PrinterState::Offline,
                }
            }
            PrinterDriver::Usb { device } => {
                match std::fs::OpenOptions::new().write(true).open(device) {
                    Ok(_) => PrinterState::Unknown,
                    Err(_) => PrinterState::Offline,
                }
            }
            PrinterDriver::Network {
                address,
                connect_timeout,
                io_timeout,
            } => match connect(address, *connect_timeout, *io_timeout) {
                Ok(mut stream) => network_status(&mut stream),
                Err(_) => PrinterState::Offline,
            },
        }
    }

    /// Sends one receipt. A network printer is asked its state first, on the same connection,
    /// so a printer out of paper is not sent a receipt it would drop or hold.
    pub fn print(&self, bytes: &[u8]) -> Result<PrinterState, PrintError> {
        let io = |e: std::io::Error| PrintError::Io(e.to_string());
        match &self.kind {
            PrinterDriver::File { path } => {
                let path = self.data_dir.join(path);
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| PrintError::Io(format!("{}: {e}", path.display())))?;
                f.write_all(bytes).and_then(|()| f.flush()).map_err(io)?;
                Ok(PrinterState::Ready)
            }
            PrinterDriver::Usb { device } => {
                // Never created: a missing device file means the printer is unplugged.
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(device)
                    .map_err(|e| PrintError::Io(format!("{}: {e}", device.display())))?;
                f.write_all(bytes).and_then(|()| f.flush()).map_err(io)?;
                Ok(PrinterState::Unknown)
            }
            PrinterDriver::Network {
                address,
                connect_timeout,
                io_timeout,
            } => {
                let mut stream = connect(address, *connect_timeout, *io_timeout)?;
                let state = network_status(&mut stream);
                if !matches!(state, PrinterState::Ready | PrinterState::Unknown) {
                    return Err(PrintError::NotReady(state));
                }
                stream
                    .write_all(bytes)
                    .and_then(|()| stream.flush())
                    .map_err(io)?;
                let _ = stream.shutdown(std::net::Shutdown::Write);
                Ok(state)
            }
        }
    }
}

fn connect(
    address: &str,
    connect_timeout: Duration,
    io_timeout: Duration,
) -> Result<TcpStream, PrintError> {
    let addrs = address
        .to_socket_addrs()
        .map_err(|e| PrintError::Io(format!("{address}: {e}")))?;
    let mut last = PrintError::Io(format!("{address}: no address"));
    for a in addrs {
        match TcpStream::connect_timeout(&a, connect_timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(io_timeout))
                    .map_err(|e| PrintError::Io(e.to_string()))?;
                s.set_write_timeout(Some(io_timeout))
                    .map_err(|e| PrintError::Io(e.to_string()))?;
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = PrintError::Io(format!("{address}: {e}")),
        }
    }
    Err(last)
}

/// `DLE EOT 1, 2, 4`, one answer byte each. A printer that does not answer within the I/O
/// timeout is `Unknown` (many ship with status replies off), not offline.
fn network_status(stream: &mut TcpStream) -> PrinterState {
    let mut ask = |request: &[u8]| -> Option<u8> {
        stream.write_all(request).ok()?;
        let mut b = [0u8; 1];
        match stream.read(&mut b) {
            Ok(1) => Some(b[0]),
            _ => None,
        }
    };
    let printer = ask(status::PRINTER_STATUS);
    if printer.is_none() {
        return PrinterState::Unknown;
    }
    let cause = ask(status::OFFLINE_CAUSE);
    let paper = ask(status::PAPER_SENSOR);
    status::decode(printer, cause, paper)
}
