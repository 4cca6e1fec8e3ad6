//! Receipt layout: from a ticket and the commune's settings to the ESC/POS bytes a receipt
//! printer prints, and to a preview image of the same receipt.
//!
//! Pure: no I/O, no clock, no randomness. The fonts are compiled in (`include_bytes!`), the time
//! and the token are given. Latin text that fits the printer's WPC1252 code page is sent as text
//! (small, sharp, searchable in a dump); everything else (Arabic, shaped and joined, right to
//! left; Tifinagh; any character outside the code page) is drawn here with the bundled Noto
//! fonts and sent as a raster image (`GS v 0`), as real Arabic receipts are. The QR code is a
//! raster by default (every printer can print one) or the printer's own `GS ( k` on request.
//!
//! Start with [`layout`]; [`Receipt::escpos`] and [`Receipt::preview`] are its two outputs.
//! [`paper::paper`] lays out the other papers a visitor takes away (the orientation slip);
//! [`card::card`] draws a commune project's card, in colour, for messaging apps.

pub mod bitmap;
pub mod card;
pub mod escpos;
mod labels;
pub mod paper;
pub mod text;

use baom_domain::language::Language;
pub use bitmap::Bitmap;
use qrcode::{EcLevel, QrCode};

/// The paper and QR mode are the settings' words (`baom_domain::printer`); the layout draws for them.
pub use baom_domain::printer::{Paper, QrMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub paper: Paper,
    pub qr: QrMode,
}

/// What a receipt says. Nothing personal: the token is opaque, the rest is the queue's.
#[derive(Debug, Clone)]
pub struct ReceiptInput<'a> {
    pub commune_ar: &'a str,
    pub commune_latin: &'a str,
    /// `A-001`.
    pub number: &'a str,
    /// The service's name in the ticket's language.
    pub service: &'a str,
    /// The documents to bring, in the ticket's language.
    pub documents: Vec<&'a str>,
    /// When the ticket was issued, local time.
    pub issued: jiff::civil::DateTime,
    pub ahead: usize,
    pub wait_minutes: u64,
    /// The signed token the QR code carries.
    pub token: &'a str,
    pub language: Language,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReceiptError {
    #[error(
        "the token {0:?} cannot go in a QR code: it must be 1 to 64 printable ASCII characters"
    )]
    Token(String),
    #[error("the QR code cannot be built: {0}")]
    Qr(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left = 0,
    Center = 1,
    Right = 2,
}

/// One piece of a receipt, in printing order.
#[derive(Debug, Clone)]
enum Block {
    /// WPC1252 bytes printed with the printer's font, `scale` times its size.
    Text {
        bytes: Vec<u8>,
        shown: String,
        align: Align,
        scale: u8,
        bold: bool,
    },
    Image {
        bitmap: Bitmap,
        align: Align,
    },
    NativeQr {
        data: Vec<u8>,
        module: u8,
        /// What it will look like, for the preview.
        bitmap: Bitmap,
    },
    Feed(u8),
}

/// A laid-out receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    width: usize,
    blocks: Vec<Block>,
}

/// The printer's Font A cell, in dots.
const CELL: (usize, usize) = (12, 24);
/// Line height of text, in dots (the printer's default line spacing, 1/6 inch at 203 dpi).
const LINE: usize = 30;
const BODY_PX: f32 = 24.0;
const TITLE_PX: f32 = 30.0;

struct Builder {
    width: usize,
    rtl: bool,
    blocks: Vec<Block>,
}

impl Builder {
    /// A paragraph: as printer text if the code page has every character, else drawn.
    fn para(&mut self, text: &str, align: Align, scale: u8, bold: bool) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(bytes) = escpos::wpc1252(text) {
            let cols = (self.width / (CELL.0 * scale as usize)).max(1);
            for line in wrap_chars(text, cols) {
                let bytes = escpos::wpc1252(&line).unwrap_or_else(|| bytes.clone());
                self.blocks.push(Block::Text {
                    bytes,
                    shown: line,
                    align,
                    scale,
                    bold,
                });
            }
        } else {
            let px = if scale > 1 { TITLE_PX } else { BODY_PX } * 1.12;
            let rtl = self.rtl;
            for line in text::wrap(text, px, bold, rtl, (self.width - 8) as f32) {
                let mut bitmap = text::render_line(&line, px, bold, rtl);
                if bitmap.is_empty() {
                    continue;
                }
                if bitmap.width() > self.width {
                    // Wrapping cuts long words; this only guards against a single glyph
                    // wider than the paper. Keep the line's start (the right end in Arabic).
                    let keep = if rtl { bitmap.width() - self.width } else { 0 };
                    bitmap = bitmap.crop(keep, self.width);
                }
                self.blocks.push(Block::Image { bitmap, align });
                self.blocks.push(Block::Feed(6));
            }
        }
    }

    fn feed(&mut self, dots: u8) {
        self.blocks.push(Block::Feed(dots));
    }
}

/// Breaks text into lines of at most `cols` characters, at spaces.
fn wrap_chars(text: &str, cols: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > cols {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The QR code of `token` as a bitmap, `module` dots a module, with the 4-module quiet zone.
pub fn qr_bitmap(token: &str, module: usize) -> Result<Bitmap, ReceiptError> {
    let code = QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M)
        .map_err(|e| ReceiptError::Qr(e.to_string()))?;
    let n = code.width();
    let colors = code.to_colors();
    let side = (n + 8) * module;
    let mut b = Bitmap::new(side, side);
    for y in 0..n {
        for x in 0..n {
            if colors[y * n + x] == qrcode::Color::Dark {
                for dy in 0..module {
                    for dx in 0..module {
                        b.set((x + 4) * module + dx, (y + 4) * module + dy);
                    }
                }
            }
        }
    }
    Ok(b)
}

/// The same QR code as an SVG drawing for a page (one path, no style: the pages' CSP holds),
/// with the four-module quiet zone.
pub fn qr_svg(data: &str) -> Result<String, ReceiptError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| ReceiptError::Qr(e.to_string()))?;
    let n = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for y in 0..n {
        for x in 0..n {
            if colors[y * n + x] == qrcode::Color::Dark {
                path.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let side = n + 8;
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="240" height="240" role="img"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// The QR version (1 to 40) a token needs; the receipts keep it small.
pub fn qr_version(token: &str) -> Result<i16, ReceiptError> {
    let code = QrCode::with_error_correction_level(token.as_bytes(), EcLevel::M)
        .map_err(|e| ReceiptError::Qr(e.to_string()))?;
    match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => Ok(v),
    }
}

/// Lays a receipt out. The order is what a visitor looks for: where they are (the commune),
/// their number, big, the service, when, how long, the code, what to bring, then privacy.
pub fn layout(input: &ReceiptInput<'_>, options: Options) -> Result<Receipt, ReceiptError> {
    if input.token.is_empty()
        || input.token.len() > 64
        || !input.token.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ReceiptError::Token(input.token.to_owned()));
    }
    let labels = labels::labels(input.language);
    let width = options.paper.dots();
    let rtl = input.language.is_rtl();
    let start = if rtl { Align::Right } else { Align::Left };
    let mut b = Builder {
        width,
        rtl,
        blocks: Vec::new(),
    };

    // The commune's name as on its seal, in Arabic, then in Latin script.
    {
        let rtl_before = std::mem::replace(&mut b.rtl, true);
        b.para(input.commune_ar, Align::Center, 2, true);
        b.rtl = rtl_before;
    }
    b.para(input.commune_latin, Align::Center, 1, true);
    b.feed(16);
    b.para(labels.your_number, Align::Center, 1, false);
    b.para(input.number, Align::Center, 4, true);
    b.feed(8);
    b.para(input.service, Align::Center, 2, true);
    b.para(
        &input.issued.strftime("%d/%m/%Y %H:%M").to_string(),
        Align::Center,
        1,
        false,
    );
    b.feed(8);
    if input.ahead == 0 {
        b.para(labels.next, Align::Center, 1, false);
    } else {
        b.para(
            &labels.ahead.replace("{n}", &input.ahead.to_string()),
            Align::Center,
            1,
            false,
        );
        b.para(
            &labels
                .wait
                .replace("{m}", &input.wait_minutes.max(1).to_string()),
            Align::Center,
            1,
            false,
        );
    }
    b.feed(8);
    let module = if width >= 576 { 6 } else { 5 };
    let qr = qr_bitmap(input.token, module)?;
    match options.qr {
        QrMode::Raster => b.blocks.push(Block::Image {
            bitmap: qr,
            align: Align::Center,
        }),
        QrMode::Native => b.blocks.push(Block::NativeQr {
            data: input.token.as_bytes().to_vec(),
            module: module as u8,
            bitmap: qr,
        }),
    }
    if !input.documents.is_empty() {
        b.feed(8);
        b.para(labels.bring, start, 1, true);
        for doc in &input.documents {
            let bullet = if rtl {
                format!("{doc} •")
            } else {
                format!("- {doc}")
            };
            b.para(&bullet, start, 1, false);
        }
    }
    b.feed(16);
    b.para(labels.privacy, Align::Center, 1, false);
    Ok(Receipt {
        width,
        blocks: b.blocks,
    })
}

impl Receipt {
    /// The bytes to send to the printer: initialise, print, feed and cut.
    pub fn escpos(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 * 1024);
        out.extend_from_slice(escpos::INIT);
        out.extend_from_slice(escpos::CODE_PAGE_WPC1252);
        for block in &self.blocks {
            match block {
                Block::Text {
                    bytes,
                    align,
                    scale,
                    bold,
                    ..
                } => {
                    escpos::justify(&mut out, *align as u8);
                    escpos::bold(&mut out, *bold);
                    escpos::size(&mut out, *scale, *scale);
                    out.extend_from_slice(bytes);
                    out.push(b'\n');
                    escpos::size(&mut out, 1, 1);
                    escpos::bold(&mut out, false);
                }
                Block::Image { bitmap, align } => {
                    escpos::justify(&mut out, *align as u8);
                    let (stride, rows) = bitmap.packed_rows();
                    escpos::raster(&mut out, stride, &rows);
                }
                Block::NativeQr { data, module, .. } => {
                    escpos::justify(&mut out, Align::Center as u8);
                    escpos::native_qr(&mut out, data, *module);
                }
                Block::Feed(dots) => escpos::feed_dots(&mut out, *dots),
            }
        }
        escpos::justify(&mut out, 0);
        escpos::feed_dots(&mut out, 48);
        out.extend_from_slice(escpos::FEED_AND_CUT);
        out
    }

    /// What the receipt looks like, dot for dot for images; printer text is drawn with Noto Sans
    /// in its cell size, close to a printer's Font A.
    pub fn preview(&self) -> Bitmap {
        let margin = 16;
        let mut pieces: Vec<(Bitmap, Align, usize)> = Vec::new();
        let mut y = margin;
        for block in &self.blocks {
            match block {
                Block::Text {
                    shown,
                    align,
                    scale,
                    bold,
                    ..
                } => {
                    let s = *scale as usize;
                    let line = text::render_line(shown, (CELL.1 * s) as f32 * 0.8, *bold, false);
                    let cell = CELL.1 * s;
                    let top = y + cell.saturating_sub(line.height()).min(cell / 2);
                    pieces.push((line, *align, top));
                    y += (LINE - CELL.1) + cell;
                }
                Block::Image { bitmap, align } => {
                    pieces.push((bitmap.clone(), *align, y));
                    y += bitmap.height();
                }
                Block::NativeQr { bitmap, .. } => {
                    pieces.push((bitmap.clone(), Align::Center, y));
                    y += bitmap.height();
                }
                Block::Feed(d) => y += *d as usize,
            }
        }
        let mut page = Bitmap::new(self.width, y + margin);
        for (piece, align, top) in pieces {
            let left = match align {
                Align::Left => 0,
                Align::Center => self.width.saturating_sub(piece.width()) / 2,
                Align::Right => self.width.saturating_sub(piece.width()),
            };
            page.draw(&piece, left as isize, top as isize);
        }
        page
    }

    /// Paper width in dots.
    pub fn width(&self) -> usize {
        self.width
    }
}

#[cfg(test)]
mod tests;
