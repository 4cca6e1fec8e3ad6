//! ESC/POS bytes for the commands receipts use (Epson's reference; every receipt printer since
//! the TM-T88 understands them), and the WPC1252 code page for Latin text.

pub const INIT: &[u8] = b"\x1b@";
/// `ESC t 16`: WPC1252 (Windows Latin 1), which covers French and English.
pub const CODE_PAGE_WPC1252: &[u8] = b"\x1bt\x10";
/// `GS V 66 0`: feed to the cutter and cut (partial cut where the printer has one).
pub const FEED_AND_CUT: &[u8] = b"\x1dVB\x00";

/// `ESC a n`: 0 left, 1 centre, 2 right.
pub fn justify(out: &mut Vec<u8>, n: u8) {
    out.extend_from_slice(&[0x1b, b'a', n]);
}

/// `ESC E n`: emphasis.
pub fn bold(out: &mut Vec<u8>, on: bool) {
    out.extend_from_slice(&[0x1b, b'E', on as u8]);
}

/// `GS ! n`: character size, 1 to 8 times in each direction.
pub fn size(out: &mut Vec<u8>, width: u8, height: u8) {
    let n = ((width.clamp(1, 8) - 1) << 4) | (height.clamp(1, 8) - 1);
    out.extend_from_slice(&[0x1d, b'!', n]);
}

/// `ESC J n`: print and feed `n` dots.
pub fn feed_dots(out: &mut Vec<u8>, n: u8) {
    out.extend_from_slice(&[0x1b, b'J', n]);
}

/// `GS v 0`: a raster image, rows of `stride` bytes, most significant bit leftmost.
pub fn raster(out: &mut Vec<u8>, stride: usize, rows: &[u8]) {
    let height = rows.len().checked_div(stride).unwrap_or(0);
    out.extend_from_slice(&[0x1d, b'v', b'0', 0]);
    out.extend_from_slice(&(stride as u16).to_le_bytes());
    out.extend_from_slice(&(height as u16).to_le_bytes());
    out.extend_from_slice(rows);
}

/// `GS ( k`: a QR code printed by the printer itself (model 2, error correction M).
pub fn native_qr(out: &mut Vec<u8>, data: &[u8], module_dots: u8) {
    let cmd = |out: &mut Vec<u8>, body: &[u8]| {
        out.extend_from_slice(&[0x1d, b'(', b'k']);
        out.extend_from_slice(&(body.len() as u16).to_le_bytes());
        out.extend_from_slice(body);
    };
    cmd(out, &[0x31, 0x41, 0x32, 0x00]);
    cmd(out, &[0x31, 0x43, module_dots.clamp(1, 16)]);
    cmd(out, &[0x31, 0x45, 0x31]);
    let mut store = vec![0x31, 0x50, 0x30];
    store.extend_from_slice(data);
    cmd(out, &store);
    cmd(out, &[0x31, 0x51, 0x30]);
}

/// `text` in WPC1252, or `None` if a character is not in that code page.
pub fn wpc1252(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => Some(c as u32 as u8),
            _ => WPC1252_HIGH
                .iter()
                .position(|h| *h == c)
                .map(|i| 0x80 + i as u8)
                .filter(|b| !matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d)),
        })
        .collect()
}

/// Bytes 0x80 to 0x9f of Windows-1252 (holes as NUL: they never match a real character).
const WPC1252_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘',
    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_fits_wpc1252_and_arabic_does_not() {
        assert_eq!(
            wpc1252("Numéro d’état – 5 €").expect("latin"),
            b"Num\xe9ro d\x92\xe9tat \x96 5 \x80"
        );
        assert!(wpc1252("رقم").is_none());
        assert!(wpc1252("ⵜ").is_none());
        assert!(
            wpc1252("a\nb").is_none(),
            "control characters never reach the printer"
        );
    }

    #[test]
    fn sizes_and_raster_headers() {
        let mut out = Vec::new();
        size(&mut out, 4, 4);
        assert_eq!(out, [0x1d, b'!', 0x33]);
        out.clear();
        raster(&mut out, 2, &[0xff, 0x00, 0x0f, 0xf0]);
        assert_eq!(out, [0x1d, b'v', b'0', 0, 2, 0, 2, 0, 0xff, 0, 0x0f, 0xf0]);
    }
}
