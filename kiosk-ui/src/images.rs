//! Pictures made from data: the ticket's QR code (its opaque token only) and the scan preview.

use slint::{Image, Rgb8Pixel, Rgba8Pixel, SharedPixelBuffer};

/// The QR code of a token, one pixel per module with the standard 4-module quiet zone; the UI
/// scales it up without smoothing.
pub fn qr(token: &str) -> Option<Image> {
    let code = qrcode::QrCode::new(token.as_bytes()).ok()?;
    let modules = code.width() as u32;
    let side = modules + 8;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let colors = code.to_colors();
    for (i, px) in buffer.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = (i as u32 % side, i as u32 / side);
        let dark = x >= 4
            && y >= 4
            && x < modules + 4
            && y < modules + 4
            && colors[((y - 4) * modules + (x - 4)) as usize] == qrcode::Color::Dark;
        let v = if dark { 0 } else { 255 };
        *px = Rgb8Pixel { r: v, g: v, b: v };
    }
    Some(Image::from_rgb8(buffer))
}

/// Decodes a PNG from the service into pixels the UI can show (any PNG colour type).
pub fn decode_png(bytes: &[u8]) -> Result<SharedPixelBuffer<Rgba8Pixel>, png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info()?;
    let mut data = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut data)?;
    let (w, h) = (info.width, info.height);
    let mut out = SharedPixelBuffer::<Rgba8Pixel>::new(w, h);
    let src = &data[..info.buffer_size()];
    let channels = info.color_type.samples();
    for (px, chunk) in out
        .make_mut_slice()
        .iter_mut()
        .zip(src.chunks_exact(channels))
    {
        *px = match chunk {
            [g] => Rgba8Pixel::new(*g, *g, *g, 255),
            [g, a] => Rgba8Pixel::new(*g, *g, *g, *a),
            [r, g, b] => Rgba8Pixel::new(*r, *g, *b, 255),
            [r, g, b, a] => Rgba8Pixel::new(*r, *g, *b, *a),
            _ => Rgba8Pixel::new(0, 0, 0, 255),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_makes_a_qr_code_and_garbage_is_not_an_image() {
        let img = super::qr("0123456789abcdef0123456789abcdef").expect("qr");
        assert!(img.size().width >= 21 + 8);
        assert!(super::decode_png(b"not a png").is_err());
    }
}
