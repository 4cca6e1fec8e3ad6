//! The printer's real-time status: ESC/POS `DLE EOT n` and the one byte each answers.
//!
//! Pure decoding; the drivers send the requests. (Epson's reference, "DLE EOT": every answer has
//! bit 1 and bit 4 set and bits 0 and 7 clear, which tells a status byte from other data.)

use serde::Serialize;

/// `DLE EOT 1`: printer status. Bit 3: offline.
pub const PRINTER_STATUS: &[u8] = &[0x10, 0x04, 1];
/// `DLE EOT 2`: offline cause. Bit 2: cover open; bit 5: stopped for lack of paper; bit 6: error.
pub const OFFLINE_CAUSE: &[u8] = &[0x10, 0x04, 2];
/// `DLE EOT 4`: paper roll sensor. Bits 5 and 6: paper end.
pub const PAPER_SENSOR: &[u8] = &[0x10, 0x04, 4];

/// What the kiosk and the technician are told about the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    Ready,
    PaperOut,
    CoverOpen,
    Offline,
    /// Not known yet, or the printer does not answer status requests (a USB device file, a
    /// printer with status disabled): receipts are still sent.
    Unknown,
}

impl PrinterState {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterState::Ready => "ready",
            PrinterState::PaperOut => "paper_out",
            PrinterState::CoverOpen => "cover_open",
            PrinterState::Offline => "offline",
            PrinterState::Unknown => "unknown",
        }
    }
}

fn valid(b: u8) -> bool {
    b & 0x93 == 0x12
}

/// The state from the answers to `DLE EOT 1`, `2` and `4` (`None`: no answer in time).
pub fn decode(printer: Option<u8>, cause: Option<u8>, paper: Option<u8>) -> PrinterState {
    let (printer, cause, paper) = (
        printer.filter(|b| valid(*b)),
        cause.filter(|b| valid(*b)),
        paper.filter(|b| valid(*b)),
    );
    if paper.is_some_and(|b| b & 0x60 != 0) || cause.is_some_and(|b| b & 0x20 != 0) {
        return PrinterState::PaperOut;
    }
    if cause.is_some_and(|b| b & 0x04 != 0) {
        return PrinterState::CoverOpen;
    }
    match printer {
        Some(b) if b & 0x08 != 0 => PrinterState::Offline,
        Some(_) => PrinterState::Ready,
        None => PrinterState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bytes_decode_as_epson_documents_them() {
        assert_eq!(
            decode(Some(0x12), Some(0x12), Some(0x12)),
            PrinterState::Ready
        );
        assert_eq!(
            decode(Some(0x1a), Some(0x32), Some(0x72)),
            PrinterState::PaperOut
        );
        assert_eq!(
            decode(Some(0x1a), Some(0x16), Some(0x12)),
            PrinterState::CoverOpen
        );
        assert_eq!(
            decode(Some(0x1a), Some(0x12), Some(0x12)),
            PrinterState::Offline
        );
        // Near end (bits 2, 3) still prints.
        assert_eq!(
            decode(Some(0x12), Some(0x12), Some(0x1e)),
            PrinterState::Ready
        );
        assert_eq!(decode(None, None, None), PrinterState::Unknown);
        // Bytes that are not status bytes are not believed.
        assert_eq!(
            decode(Some(0xff), Some(0xff), Some(0xff)),
            PrinterState::Unknown
        );
    }
}
