//! A project's card: one picture, sized for messaging apps (1080 × 1350, the portrait shape
//! they show whole), that a commune sends around to say what it needs and what it achieved.
//! News travels by WhatsApp in these communes (DOMAIN.md, mission 3).
//!
//! Pure like the receipts: the caller gives the words (already in Arabic and in French) and
//! the amounts; the card draws them with the same fonts and shaping as the receipts, in colour
//! with smooth edges. It holds only what [`CardInput`] holds, and that holds nothing about a
//! person: no contributor, no officer.

use crate::text::{Alpha, render_line_alpha, wrap};

pub const WIDTH: usize = 1080;
pub const HEIGHT: usize = 1350;
const MARGIN: usize = 60;
const GREEN: [u8; 3] = [0x0b, 0x6e, 0x4f];
const INK: [u8; 3] = [0x1f, 0x29, 0x33];
const MUTED: [u8; 3] = [0x55, 0x5f, 0x6b];
const PALE: [u8; 3] = [0xe3, 0xef, 0xe9];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const PAPER: [u8; 3] = [0xfa, 0xf8, 0xf3];

/// What the card says, in the two languages it is written in.
#[derive(Clone, Debug, Default)]
pub struct CardInput {
    pub commune_ar: String,
    pub commune_fr: String,
    pub title_ar: String,
    pub title_fr: String,
    /// Short lines under the titles (the sector and douar, the status), Arabic then French.
    pub facts_ar: Vec<String>,
    pub facts_fr: Vec<String>,
    /// What is needed, a line each (skills, equipment), in the language they were written in.
    pub needs: Vec<String>,
    /// The amounts, in dirhams, and the words around the bar ("found 40 000 of 120 000 MAD").
    pub found: u64,
    pub budget: u64,
    pub money_ar: String,
    pub money_fr: String,
    /// The timeline's steps: the date as shown, what, and whether it is done.
    pub steps: Vec<(String, String, bool)>,
    /// The commune's contact.
    pub contact: String,
}

/// An RGB picture, row-major, three bytes per pixel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Picture {
    fn new(width: usize, height: usize, colour: [u8; 3]) -> Picture {
        Picture {
            width,
            height,
            rgb: colour.repeat(width * height),
        }
    }

    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        for row in y..(y + h).min(self.height) {
            for col in x..(x + w).min(self.width) {
                let i = (row * self.width + col) * 3;
                self.rgb[i..i + 3].copy_from_slice(&colour);
            }
        }
    }

    /// Lays `line`'s coverage over the picture at `(x, y)` in `colour`.
    fn draw(&mut self, line: &Alpha, x: usize, y: usize, colour: [u8; 3]) {
        for row in 0..line.height {
            let py = y + row;
            if py >= self.height {
                break;
            }
            for col in 0..line.width {
                let px = x + col;
                if px >= self.width {
                    break;
                }
                let a = u16::from(line.coverage[row * line.width + col]);
                if a == 0 {
                    continue;
                }
                let i = (py * self.width + px) * 3;
                for (under, ink) in self.rgb[i..i + 3].iter_mut().zip(colour) {
                    *under = ((u16::from(ink) * a + u16::from(*under) * (255 - a)) / 255) as u8;
                }
            }
        }
    }
}

/// Where a block of text sits across the card.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Start,
    End,
}

struct Writer {
    picture: Picture,
    y: usize,
}

impl Writer {
    /// Writes `text` wrapped to the card's width, at most `max_lines` lines (the last one cut
    /// with an ellipsis when more was written), and moves down.
    fn text(&mut self, text: &str, style: (f32, bool, [u8; 3]), rtl: bool, max_lines: usize) {
        let (px, bold, colour) = style;
        let room = (WIDTH - 2 * MARGIN) as f32;
        let mut lines = wrap(text, px, bold, rtl, room);
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                last.push('…');
            }
        }
        let align = if rtl { Align::End } else { Align::Start };
        for line in lines {
            let alpha = render_line_alpha(&line, px, bold, rtl);
            let x = match align {
                Align::Start => MARGIN,
                Align::End => (WIDTH - MARGIN).saturating_sub(alpha.width),
            };
            self.picture.draw(&alpha, x, self.y, colour);
            self.y += (px * 1.55) as usize;
        }
    }

    fn gap(&mut self, dots: usize) {
        self.y += dots;
    }
}

/// Whether a text is written right to left (it holds Arabic letters).
fn is_rtl(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}'))
}

/// Draws the card.
pub fn card(input: &CardInput) -> Picture {
    let mut w = Writer {
        picture: Picture::new(WIDTH, HEIGHT, PAPER),
        y: 0,
    };
    // The commune's band: its name in Arabic at the right, in Latin letters at the left.
    w.picture.fill(0, 0, WIDTH, 150, GREEN);
    let ar = render_line_alpha(&input.commune_ar, 40.0, true, true);
    let fr = render_line_alpha(&input.commune_fr, 34.0, true, false);
    w.picture.draw(
        &ar,
        (WIDTH - MARGIN).saturating_sub(ar.width),
        75usize.saturating_sub(ar.baseline / 2 + 10),
        WHITE,
    );
    w.picture
        .draw(&fr, MARGIN, 75usize.saturating_sub(fr.baseline / 2), WHITE);
    w.y = 190;
    w.text(&input.title_ar, (66.0, true, INK), true, 3);
    w.text(&input.title_fr, (50.0, true, INK), false, 3);
    w.gap(10);
    for fact in &input.facts_ar {
        w.text(fact, (34.0, false, MUTED), true, 1);
    }
    for fact in &input.facts_fr {
        w.text(fact, (30.0, false, MUTED), false, 1);
    }
    // The money: a bar filled as far as what is found goes.
    if input.budget > 0 {
        w.gap(20);
        let bar_width = WIDTH - 2 * MARGIN;
        let filled = ((bar_width as u128 * u128::from(input.found.min(input.budget)))
            / u128::from(input.budget)) as usize;
        w.picture.fill(MARGIN, w.y, bar_width, 36, PALE);
        w.picture.fill(MARGIN, w.y, filled, 36, GREEN);
        w.gap(56);
        w.text(&input.money_ar, (34.0, true, INK), true, 2);
        w.text(&input.money_fr, (30.0, true, INK), false, 2);
    }
    if !input.needs.is_empty() {
        w.gap(16);
        w.picture.fill(MARGIN, w.y, WIDTH - 2 * MARGIN, 3, GREEN);
        w.gap(24);
        for need in input.needs.iter().take(5) {
            if w.y > HEIGHT - 220 {
                break;
            }
            w.text(&format!("• {need}"), (32.0, false, INK), is_rtl(need), 1);
        }
    }
    // The timeline: what is done (green) and what comes (muted), as far as the card has room.
    if !input.steps.is_empty() && w.y < HEIGHT - 260 {
        w.gap(16);
        w.picture.fill(MARGIN, w.y, WIDTH - 2 * MARGIN, 3, GREEN);
        w.gap(24);
        for (on, what, done) in &input.steps {
            if w.y > HEIGHT - 200 {
                break;
            }
            let colour = if *done { GREEN } else { MUTED };
            let line = if is_rtl(what) {
                format!("{what} · {on}")
            } else {
                format!("{on} · {what}")
            };
            w.text(&line, (30.0, *done, colour), is_rtl(what), 1);
        }
    }
    // The contact at the foot, on its own band.
    w.picture.fill(0, HEIGHT - 120, WIDTH, 120, PALE);
    let contact = render_line_alpha(&input.contact, 34.0, true, is_rtl(&input.contact));
    let x = WIDTH.saturating_sub(contact.width) / 2;
    w.picture.draw(&contact, x, HEIGHT - 120 + 14, GREEN);
    w.picture
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CardInput {
        CardInput {
            commune_ar: "جماعة تالوين".into(),
            commune_fr: "Commune de Taliouine".into(),
            title_ar: "بئر لدوار تنفات".into(),
            title_fr: "Un puits pour Tinfat".into(),
            facts_ar: vec!["الماء · تنفات".into()],
            facts_fr: vec!["Eau · Tinfat".into()],
            needs: vec!["ingénieur hydraulicien".into(), "pompe solaire".into()],
            found: 40_000,
            budget: 120_000,
            money_ar: "تم توفير 40 000 من 120 000 درهم".into(),
            money_fr: "40 000 MAD trouvés sur 120 000".into(),
            steps: vec![("2026-09-15".into(), "Choix du volontaire".into(), true)],
            contact: "BAOM · 0528 00 00 00".into(),
        }
    }

    fn at(p: &Picture, x: usize, y: usize) -> [u8; 3] {
        let i = (y * p.width + x) * 3;
        [p.rgb[i], p.rgb[i + 1], p.rgb[i + 2]]
    }

    #[test]
    fn the_card_has_the_messaging_shape_the_band_and_the_bar_filled_as_far_as_found() {
        let p = card(&input());
        assert_eq!(
            (p.width, p.height, p.rgb.len()),
            (1080, 1350, 1080 * 1350 * 3)
        );
        assert_eq!(at(&p, 5, 5), GREEN, "the commune's band");
        assert_eq!(at(&p, 5, HEIGHT - 5), PALE, "the contact's band");
        // The bar: a third found, so green a third of the way and pale after.
        let row = (150..HEIGHT - 120)
            .find(|y| at(&p, MARGIN + 1, *y) == GREEN && at(&p, WIDTH - MARGIN - 2, *y) == PALE)
            .expect("the bar");
        let third = MARGIN + (WIDTH - 2 * MARGIN) / 3;
        assert_eq!(at(&p, third - 3, row), GREEN);
        assert_eq!(at(&p, third + 3, row), PALE);
    }

    #[test]
    fn the_arabic_title_sits_at_the_right_and_the_french_at_the_left() {
        let p = card(&input());
        // Ink (dark pixels) in the Arabic title's rows: on the right half only.
        let dark = |y: usize, xs: std::ops::Range<usize>| {
            xs.into_iter()
                .any(|x| at(&p, x, y)[0] < 0x60 && at(&p, x, y) != GREEN)
        };
        let arabic_rows = 190..260;
        assert!(
            arabic_rows
                .clone()
                .any(|y| dark(y, WIDTH / 2..WIDTH - MARGIN))
        );
        assert!(!arabic_rows.clone().any(|y| dark(y, 0..MARGIN + 100)));
        let french_rows = 300..360;
        assert!(french_rows.clone().any(|y| dark(y, MARGIN..MARGIN + 200)));
    }

    #[test]
    fn no_budget_draws_no_bar_and_long_titles_stop_at_three_lines() {
        let mut i = input();
        i.budget = 0;
        i.found = 0;
        i.title_fr = "un puits ".repeat(60);
        let p = card(&i);
        assert_eq!(
            p.height, HEIGHT,
            "the card keeps its size whatever it holds"
        );
        let bar = (150..HEIGHT - 120)
            .any(|y| at(&p, MARGIN + 1, y) == GREEN && at(&p, WIDTH - MARGIN - 2, y) == PALE);
        assert!(!bar, "no budget, no bar");
        // Three lines of the French title at most: the needs' rule still fits on the card.
        let rule = (150..HEIGHT - 120).any(|y| {
            (MARGIN..WIDTH - MARGIN)
                .step_by(97)
                .all(|x| at(&p, x, y) == GREEN)
        });
        assert!(rule, "the needs below the titles");
    }
}
