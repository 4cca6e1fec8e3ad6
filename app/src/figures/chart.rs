//! Bar charts as PNG pictures, for the annual report's editable document: a word processor
//! shows a picture where the page draws SVG (`web/pages/charts.rs`). A bar per row, split by
//! the table's columns (women and men), labelled in the reader's language and script: the words
//! are drawn by the receipt crate's text renderer, which shapes Arabic and Tifinagh with the
//! bundled fonts. A hidden or small cell is drawn as nothing, and the row's total is written as
//! the table shows it. Right to left mirrors the picture: labels on the right, bars growing
//! leftwards.

use baom_domain::figures::{Shown, ShownTable};
use baom_receipt::text::render_line;

/// The tables the annual report draws as charts, on the page and in the document.
pub const REPORT_CHARTS: [&str; 5] = [
    "visits.by_month",
    "visits.by_profile",
    "visits.by_need",
    "referrals.by_body",
    "census.households_by_douar",
];

/// A PNG picture and its size in pixels.
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

const WIDTH: usize = 1000;
const ROW: usize = 34;
const LEGEND: usize = 44;
const LABELS: usize = 300;
const GAP: usize = 12;
const VALUES: usize = 110;
const TEXT_PX: f32 = 20.0;
/// The series' colours, as the SVG charts use them.
const COLOURS: [[u8; 3]; 4] = [
    [0x0b, 0x6e, 0x4f],
    [0xc4, 0x9a, 0x3a],
    [0x5b, 0x65, 0x73],
    [0x8a, 0x4b, 0x00],
];
const INK: [u8; 3] = [0x22, 0x22, 0x22];

/// An RGB canvas whose x runs the reading direction's way.
struct Canvas {
    height: usize,
    rtl: bool,
    rgb: Vec<u8>,
}

impl Canvas {
    fn new(height: usize, rtl: bool) -> Canvas {
        Canvas {
            height,
            rtl,
            rgb: vec![0xff; WIDTH * height * 3],
        }
    }

    /// The physical column of `x` (counted from the reading start).
    fn column(&self, x: usize) -> usize {
        if self.rtl { WIDTH - 1 - x } else { x }
    }

    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(WIDTH) {
                let at = (yy * WIDTH + self.column(xx)) * 3;
                self.rgb[at..at + 3].copy_from_slice(&colour);
            }
        }
    }

    /// Writes `text` from `x` (in reading order) over at most `room` pixels, centred on the
    /// line whose top is `y`.
    fn text(&mut self, text: &str, x: usize, y: usize, room: usize) {
        let line = render_line(text, TEXT_PX, false, self.rtl);
        let w = line.width().min(room);
        // The line's start: its left end left to right, its right end right to left.
        let from = if self.rtl { line.width() - w } else { 0 };
        let top = y + ROW.saturating_sub(line.height()) / 2;
        for ly in 0..line.height() {
            for lx in 0..w {
                if line.get(from + lx, ly) {
                    // Right to left, the line's pixels run from its right end.
                    let reading_x = if self.rtl { x + (w - 1 - lx) } else { x + lx };
                    let (px, py) = (self.column(reading_x.min(WIDTH - 1)), top + ly);
                    if py < self.height {
                        let at = (py * WIDTH + px) * 3;
                        self.rgb[at..at + 3].copy_from_slice(&INK);
                    }
                }
            }
        }
    }

    fn png(self) -> Result<Png, png::EncodingError> {
        let mut bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut bytes, WIDTH as u32, self.height as u32);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.write_header()?.write_image_data(&self.rgb)?;
        }
        Ok(Png {
            bytes,
            width: WIDTH as u32,
            height: self.height as u32,
        })
    }
}

/// A bar chart of `t`'s rows, with its rows' and columns' words.
pub fn bars(
    t: &ShownTable,
    row_label: impl Fn(&str) -> String,
    col_label: impl Fn(&str) -> String,
    rtl: bool,
) -> Result<Png, png::EncodingError> {
    let height = LEGEND + ROW * t.rows.len().max(1) + GAP;
    let mut c = Canvas::new(height, rtl);
    // The legend: a swatch and a word per column.
    // The legend shares the width between the columns (five referral states fit).
    let step = (WIDTH / t.cols.len().max(1)).min(240);
    let mut x = 0;
    for (j, col) in t.cols.iter().enumerate() {
        c.fill(x, 12, 20, 20, COLOURS[j % COLOURS.len()]);
        let word = col_label(col);
        c.text(&word, x + 28, 5, step.saturating_sub(36));
        x += step;
    }
    let top = t
        .cells
        .iter()
        .map(|r| r.iter().filter_map(|v| v.value()).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let room = WIDTH - LABELS - GAP - VALUES;
    for (i, row) in t.cells.iter().enumerate() {
        let y = LEGEND + i * ROW;
        c.text(&row_label(&t.rows[i]), 0, y, LABELS);
        let mut x = LABELS + GAP;
        for (j, v) in row.iter().enumerate() {
            if let Shown::Value(v) = v {
                let w = (*v as usize * room).div_ceil(top as usize);
                c.fill(x, y + 6, w, ROW - 12, COLOURS[j % COLOURS.len()]);
                x += w;
            }
        }
        let shown = match &t.row_totals {
            Some(totals) => totals[i],
            None => row[0],
        };
        c.text(&shown.to_string(), x + 8, y, VALUES);
    }
    c.png()
}

#[cfg(test)]
mod tests {
    use super::*;
    use baom_domain::figures::Table;

    fn decode(png: &Png) -> Vec<u8> {
        let decoder = png::Decoder::new(std::io::Cursor::new(&png.bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (png.width, png.height));
        buf
    }

    /// The pixels of `colour` below the legend, as (x, row).
    fn bar_pixels(rgb: &[u8], colour: [u8; 3]) -> Vec<(usize, usize)> {
        rgb.chunks(3)
            .enumerate()
            .filter(|(i, p)| *p == colour && i / WIDTH >= LEGEND)
            .map(|(i, _)| (i % WIDTH, (i / WIDTH - LEGEND) / ROW))
            .collect()
    }

    #[test]
    fn bars_are_as_long_as_their_counts_and_mirror_right_to_left() {
        let mut t = Table::new(
            "visits.by_profile",
            vec!["abroad".into(), "foreigner".into()],
            vec!["female".into(), "male".into()],
        );
        t.add_n("abroad", "female", 40);
        t.add_n("foreigner", "female", 20);
        t.add_n("foreigner", "male", 20);
        let shown = t.shown();
        let room = WIDTH - LABELS - GAP - VALUES;
        for rtl in [false, true] {
            let png = bars(
                &shown,
                |r| {
                    if rtl {
                        format!("ملف {r}")
                    } else {
                        r.to_owned()
                    }
                },
                |c| c.to_owned(),
                rtl,
            )
            .unwrap();
            let rgb = decode(&png);
            // Reading positions: from the start of the reading direction.
            let read = |x: usize| if rtl { WIDTH - 1 - x } else { x };
            let span = |colour, row| {
                let xs: Vec<usize> = bar_pixels(&rgb, colour)
                    .into_iter()
                    .filter(|p| p.1 == row)
                    .map(|p| read(p.0))
                    .collect();
                (*xs.iter().min().unwrap(), *xs.iter().max().unwrap())
            };
            let start = LABELS + GAP;
            // 40 women fill the room; 20 women then 20 men end where they do.
            assert_eq!(span(COLOURS[0], 0), (start, start + room - 1), "rtl {rtl}");
            assert_eq!(span(COLOURS[0], 1), (start, start + room / 2 - 1));
            assert_eq!(span(COLOURS[1], 1), (start + room / 2, start + room - 1));
            // Words are drawn in ink, the rows' before the bars in reading order.
            let ink: Vec<usize> = rgb
                .chunks(3)
                .enumerate()
                .filter(|(i, p)| *p == INK && i / WIDTH >= LEGEND)
                .map(|(i, _)| read(i % WIDTH))
                .collect();
            assert!(ink.iter().any(|x| *x < LABELS), "a row's label");
            assert!(ink.iter().any(|x| *x > start + room), "a row's total");
        }
    }

    #[test]
    fn a_small_cell_draws_no_bar() {
        let mut t = Table::new("x", vec!["a".into()], vec!["count".into()]);
        t.add_n("a", "count", 3);
        let png = bars(&t.shown(), |r| r.to_owned(), |c| c.to_owned(), false).unwrap();
        let rgb = decode(&png);
        assert!(
            bar_pixels(&rgb, COLOURS[0]).is_empty(),
            "a '<5' row has no bar"
        );
    }
}
