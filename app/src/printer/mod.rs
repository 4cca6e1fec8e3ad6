//! The receipt printer: its drivers ([`driver`]: file, USB device file, network port 9100),
//! its real-time status (`DLE EOT`, decoded in [`status`]), and the print queue ([`queue`]) that
//! prints each kiosk ticket's receipt after the ticket is committed, retries while the printer
//! is out of paper, open or offline, and records what happened for the technician.
//!
//! The receipt itself is laid out by the pure crate `baom-receipt`; [`receipt_for`] gathers
//! what it needs from a ticket and the settings.

pub mod driver;
pub mod queue;
pub mod status;

pub use queue::{PrintQueue, PrinterStatus};
pub use status::PrinterState;

use baom_config::Settings;
use baom_domain::catalogue::Catalogue;
use baom_domain::queue::{Estimate, Ticket};

/// Lays out the receipt of `ticket` (pure: the caller gives the token and estimate).
pub fn receipt_for(
    settings: &Settings,
    catalogue: &Catalogue,
    ticket: &Ticket,
    token: &str,
    estimate: Estimate,
) -> Result<baom_receipt::Receipt, baom_receipt::ReceiptError> {
    let language = ticket.language;
    let service = catalogue
        .services()
        .iter()
        .find(|s| s.letter == ticket.service);
    let number = ticket.number.to_string();
    let input = baom_receipt::ReceiptInput {
        commune_ar: &settings.commune.name_ar,
        commune_latin: &settings.commune.name_latin,
        number: &number,
        service: service.map(|s| s.names.get(language)).unwrap_or(""),
        documents: service
            .map(|s| s.documents.iter().map(|d| d.names.get(language)).collect())
            .unwrap_or_default(),
        issued: ticket
            .issued_at
            .to_zoned_datetime(catalogue.time_zone().clone())
            .datetime(),
        ahead: estimate.ahead,
        wait_minutes: estimate.wait_secs.div_ceil(60),
        token,
        language,
    };
    baom_receipt::layout(
        &input,
        baom_receipt::Options {
            paper: settings.printer.paper,
            qr: settings.printer.qr,
        },
    )
}

/// The receipt of `ticket` as it prints, as a PNG (the desk's and the technician's preview).
pub async fn preview_png(
    settings: std::sync::Arc<Settings>,
    catalogue: std::sync::Arc<Catalogue>,
    ticket: Ticket,
    token: String,
    estimate: Estimate,
) -> Result<Vec<u8>, PreviewError> {
    tokio::task::spawn_blocking(move || {
        let receipt = receipt_for(&settings, &catalogue, &ticket, &token, estimate)?;
        Ok(png(&receipt.preview())?)
    })
    .await
    .map_err(|e| PreviewError::Task(e.to_string()))?
}

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(transparent)]
    Layout(#[from] baom_receipt::ReceiptError),
    #[error(transparent)]
    Png(#[from] png::EncodingError),
    #[error("preview task failed: {0}")]
    Task(String),
}

/// A 1-bit image as PNG bytes (for previews).
pub fn png(bitmap: &baom_receipt::Bitmap) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder =
            png::Encoder::new(&mut out, bitmap.width() as u32, bitmap.height() as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&bitmap.to_grey())?;
    }
    Ok(out)
}
