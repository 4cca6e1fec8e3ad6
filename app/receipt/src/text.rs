//! Text to pixels: bidirectional ordering (unicode-bidi), shaping (rustybuzz) and glyph
//! rasterization (ab_glyph_rasterizer) with the bundled Noto fonts.
//!
//! This is how Arabic (joined, right to left, mixed with digits and Latin words) and Tifinagh
//! reach a printer that can neither join nor reorder them: as a 1-bit image.

use crate::bitmap::Bitmap;
use ab_glyph_rasterizer::{Point, Rasterizer, point};
use rustybuzz::ttf_parser::{GlyphId, OutlineBuilder};
use rustybuzz::{Direction, Face, UnicodeBuffer};
use std::sync::OnceLock;
use unicode_bidi::{BidiInfo, Level};

static NOTO_SANS: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
static NOTO_ARABIC: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Regular.ttf");
static NOTO_ARABIC_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Bold.ttf");
static NOTO_TIFINAGH: &[u8] = include_bytes!("../../fonts/NotoSansTifinagh-Regular.ttf");

/// The bundled faces, parsed once (parsing reads tables from the embedded bytes: no I/O).
struct Faces {
    latin: [Face<'static>; 2],
    arabic: [Face<'static>; 2],
    tifinagh: Face<'static>,
}

fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| {
        let parse = |data: &'static [u8]| {
            // The fonts are compiled in and checked by the tests: a failure here is a build defect.
            Face::from_slice(data, 0).expect("a bundled font parses")
        };
        Faces {
            latin: [parse(NOTO_SANS), parse(NOTO_SANS_BOLD)],
            arabic: [parse(NOTO_ARABIC), parse(NOTO_ARABIC_BOLD)],
            tifinagh: parse(NOTO_TIFINAGH),
        }
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Arabic,
    Tifinagh,
}

fn script_of(c: char) -> Option<Script> {
    match c as u32 {
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Some(Script::Arabic)
        }
        0x2D30..=0x2D7F => Some(Script::Tifinagh),
        _ if c.is_alphanumeric() => Some(Script::Latin),
        // Spaces, punctuation and symbols take the script around them.
        _ => None,
    }
}

fn face(script: Script, bold: bool) -> &'static Face<'static> {
    let f = faces();
    match script {
        Script::Latin => &f.latin[bold as usize],
        Script::Arabic => &f.arabic[bold as usize],
        Script::Tifinagh => &f.tifinagh,
    }
}

/// Whether the bundled fonts can draw `c` (with the font its script uses).
pub fn has_glyph(c: char) -> bool {
    let script = script_of(c).unwrap_or(Script::Latin);
    face(script, false).glyph_index(c).is_some() || faces().latin[0].glyph_index(c).is_some()
}

/// One shaped glyph, placed in pixels from the line's start.
struct Placed {
    face: &'static Face<'static>,
    glyph: GlyphId,
    x: f32,
    y: f32,
}

/// A line of text shaped and ordered for display.
struct Shaped {
    glyphs: Vec<Placed>,
    width: f32,
}

/// Splits a run of one direction into pieces of one font: a character's script picks the font;
/// spaces and punctuation join the piece before, unless that font lacks them (Noto Sans Arabic
/// has no "(" or "•"), in which case Noto Sans draws them.
fn script_pieces(text: &str, fallback: Script, bold: bool) -> Vec<(Script, &str)> {
    let mut pieces: Vec<(Script, usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let inherited = pieces.last().map(|p| p.0).unwrap_or(fallback);
        let mut script = script_of(c).unwrap_or(inherited);
        if !c.is_whitespace() && face(script, bold).glyph_index(c).is_none() {
            script = Script::Latin;
        }
        match pieces.last_mut() {
            Some(last) if last.0 == script => last.2 = end,
            _ => pieces.push((script, i, end)),
        }
    }
    pieces
        .into_iter()
        .map(|(s, a, b)| (s, &text[a..b]))
        .collect()
}

fn shape_line(text: &str, px: f32, bold: bool, rtl: bool) -> Shaped {
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(text, Some(base));
    let mut glyphs = Vec::new();
    let mut pen = 0.0f32;
    let fallback = if rtl { Script::Arabic } else { Script::Latin };
    for para in &info.paragraphs {
        let (levels, runs) = info.visual_runs(para, para.range.clone());
        for run in runs {
            let run_rtl = levels[run.start].is_rtl();
            let mut pieces = script_pieces(&text[run.clone()], fallback, bold);
            if run_rtl {
                pieces.reverse();
            }
            for (script, piece) in pieces {
                let face = face(script, bold);
                let scale = px / face.units_per_em() as f32;
                let mut buffer = UnicodeBuffer::new();
                buffer.push_str(piece);
                buffer.set_direction(if run_rtl {
                    Direction::RightToLeft
                } else {
                    Direction::LeftToRight
                });
                buffer.guess_segment_properties();
                let shaped = rustybuzz::shape(face, &[], buffer);
                for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
                    glyphs.push(Placed {
                        face,
                        glyph: GlyphId(info.glyph_id as u16),
                        x: pen + pos.x_offset as f32 * scale,
                        y: pos.y_offset as f32 * scale,
                    });
                    pen += pos.x_advance as f32 * scale;
                }
            }
        }
    }
    Shaped { glyphs, width: pen }
}

/// The width in pixels `text` takes.
pub fn measure(text: &str, px: f32, bold: bool, rtl: bool) -> f32 {
    shape_line(text, px, bold, rtl).width
}

struct Pen<'r> {
    raster: &'r mut Rasterizer,
    /// The raster's size: every point is kept inside it (a mark with nothing to sit on, first
    /// in a name, hangs before the line's start; the rasterizer must never see it outside).
    size: (f32, f32),
    origin: (f32, f32),
    scale: f32,
    last: Point,
    start: Point,
}

impl Pen<'_> {
    fn at(&self, x: f32, y: f32) -> Point {
        point(
            (self.origin.0 + x * self.scale).clamp(0.0, self.size.0),
            (self.origin.1 - y * self.scale).clamp(0.0, self.size.1),
        )
    }
}

impl OutlineBuilder for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.last = self.at(x, y);
        self.start = self.last;
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.raster.draw_line(self.last, p);
        self.last = p;
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (c, p) = (self.at(x1, y1), self.at(x, y));
        self.raster.draw_quad(self.last, c, p);
        self.last = p;
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (c1, c2, p) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.raster.draw_cubic(self.last, c1, c2, p);
        self.last = p;
    }
    fn close(&mut self) {
        if self.last != self.start {
            self.raster.draw_line(self.last, self.start);
        }
        self.last = self.start;
    }
}

/// Draws one line of text at `px` pixels per em, trimmed to its ink (plus nothing): the caller
/// places it. An empty or blank line gives an empty bitmap.
pub fn render_line(text: &str, px: f32, bold: bool, rtl: bool) -> Bitmap {
    let alpha = render_line_alpha(text, px, bold, rtl);
    let mut bitmap = Bitmap::new(alpha.width, alpha.height);
    for (i, c) in alpha.coverage.iter().enumerate() {
        if *c >= 115 {
            bitmap.set(i % alpha.width, i / alpha.width);
        }
    }
    bitmap.trim()
}

/// A line of text as coverage (0 none, 255 full), for drawing in colour with smooth edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alpha {
    pub width: usize,
    pub height: usize,
    /// The baseline's row: lines drawn at the same `px` share it.
    pub baseline: usize,
    /// Row-major, one byte per pixel.
    pub coverage: Vec<u8>,
}

/// Draws one line of text at `px` pixels per em with its coverage kept, untrimmed: the line's
/// box is as tall as the tallest Arabic marks need, with the baseline at [`Alpha::baseline`].
pub fn render_line_alpha(text: &str, px: f32, bold: bool, rtl: bool) -> Alpha {
    let shaped = shape_line(text, px, bold, rtl);
    // Room for the tallest Arabic marks above and below the baseline.
    let above = (px * 1.3).ceil();
    let below = (px * 0.7).ceil();
    let width = (shaped.width.ceil() as usize + 4).max(1);
    let height = (above + below) as usize;
    let mut raster = Rasterizer::new(width, height);
    for g in &shaped.glyphs {
        let scale = px / g.face.units_per_em() as f32;
        let mut pen = Pen {
            raster: &mut raster,
            size: (width as f32, height as f32),
            origin: (g.x + 2.0, above - g.y),
            scale,
            last: point(0.0, 0.0),
            start: point(0.0, 0.0),
        };
        g.face.outline_glyph(g.glyph, &mut pen);
    }
    let mut coverage = vec![0u8; width * height];
    raster.for_each_pixel(|i, c| {
        coverage[i] = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
    });
    Alpha {
        width,
        height,
        baseline: above as usize,
        coverage,
    }
}

/// Breaks `text` into lines no wider than `max_width` pixels, at spaces (a word longer than a
/// line stays whole and is clipped by the caller's width).
pub fn wrap(text: &str, px: f32, bold: bool, rtl: bool, max_width: f32) -> Vec<String> {
    // Most lines fit: one shaping instead of one per word.
    if measure(text, px, bold, rtl) <= max_width {
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        return if line.is_empty() { vec![] } else { vec![line] };
    }
    // Spaces break Arabic joining and kerning pairs rarely span them, so a line's width is its
    // words' widths plus its spaces': each word is shaped once.
    let space = measure(" ", px, bold, rtl);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut width = 0.0;
    let mut words: Vec<(&str, f32)> = Vec::new();
    for word in text.split_whitespace() {
        let w = measure(word, px, bold, rtl);
        if w <= max_width {
            words.push((word, w));
        } else {
            for piece in split_long(word, px, bold, rtl, max_width) {
                words.push((piece, measure(piece, px, bold, rtl)));
            }
        }
    }
    for (word, w) in words {
        if !current.is_empty() && width + space + w > max_width {
            lines.push(std::mem::take(&mut current));
            width = 0.0;
        }
        if !current.is_empty() {
            current.push(' ');
            width += space;
        }
        current.push_str(word);
        width += w;
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// A word wider than a line (a long compound, a code) is cut into pieces that fit, between
/// characters: better a broken word than one the paper cuts off.
fn split_long(word: &str, px: f32, bold: bool, rtl: bool, max_width: f32) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut last_fit = None;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if measure(&word[start..end], px, bold, rtl) > max_width {
            let cut = last_fit.unwrap_or(end);
            pieces.push(&word[start..cut]);
            start = cut;
        }
        last_fit = Some(end);
    }
    if start < word.len() {
        pieces.push(&word[start..]);
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_font_parses_and_covers_its_script() {
        assert!(faces().arabic[0].glyph_index('ب').is_some());
        assert!(faces().arabic[1].glyph_index('ب').is_some());
        assert!(faces().tifinagh.glyph_index('ⵜ').is_some());
        assert!(faces().latin[1].glyph_index('é').is_some());
    }

    #[test]
    fn arabic_is_joined_and_laid_out_right_to_left() {
        // Joined: "بيت" shapes to contextual forms, so its glyphs differ from the isolated letters'.
        let joined = shape_line("ببب", 24.0, false, true);
        let isolated: Vec<u16> = ["ب", "ب", "ب"]
            .iter()
            .map(|l| shape_line(l, 24.0, false, true).glyphs[0].glyph.0)
            .collect();
        let ids: Vec<u16> = joined.glyphs.iter().map(|g| g.glyph.0).collect();
        assert_eq!(ids.len(), 3);
        assert_ne!(ids, isolated, "initial, medial and final forms");
        // Right to left: in an Arabic paragraph "ب 12" shows the number on the left and the
        // letter on the right, so the first glyph drawn is a digit (Latin font), the last Arabic.
        let mixed = shape_line("ب 12", 24.0, false, true);
        let first = mixed.glyphs.first().expect("glyphs").face;
        let last = mixed.glyphs.last().expect("glyphs").face;
        assert!(std::ptr::eq(first, face(Script::Latin, false)));
        assert!(std::ptr::eq(last, face(Script::Arabic, false)));
    }

    #[test]
    fn punctuation_an_arabic_font_lacks_is_drawn_with_the_latin_font() {
        let line = shape_line("جماعة (تجريبية) •", 24.0, false, true);
        assert!(
            line.glyphs.iter().all(|g| g.glyph.0 != 0),
            "no missing glyph box"
        );
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let text = "Carte nationale d'identité et passeport en cours de validité";
        let lines = wrap(text, 24.0, false, false, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        for l in &lines {
            assert!(measure(l, 24.0, false, false) <= 200.0 || !l.contains(' '));
        }
    }

    #[test]
    fn a_rendered_line_has_ink_and_is_trimmed() {
        let b = render_line("ⴰⵣⵓⵍ", 28.0, false, false);
        assert!(b.width() > 20 && b.height() > 10 && b.ink() > 50);
        assert!(render_line("   ", 28.0, false, false).is_empty());
    }
}
