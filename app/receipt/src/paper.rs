//! A paper for the visitor other than a ticket's receipt: the orientation slip. The commune's
//! name, then one part per language (the visitor's first, then the French beside it for the
//! administrations that read it), each a title and sections of a heading and lines; a rule
//! between the parts. Laid out like the receipts: Latin text that fits the code page as printer
//! text, Arabic (right to left) and Tifinagh drawn with the bundled fonts.

use crate::{Align, Builder, Options, Receipt};
use baom_domain::language::Language;

/// One section: a heading and its lines.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub lines: Vec<String>,
}

/// The paper in one language.
#[derive(Debug, Clone)]
pub struct Part {
    pub language: Language,
    pub title: String,
    pub sections: Vec<Section>,
}

/// What a paper says. Nothing personal belongs on it beyond what its visitor is told.
#[derive(Debug, Clone)]
pub struct PaperInput {
    pub commune_ar: String,
    pub commune_latin: String,
    pub parts: Vec<Part>,
    /// A QR code printed under the commune's name (an appointment's token), with the text
    /// printed under it for those who type it (its short code).
    pub qr: Option<(String, String)>,
}

/// Lays a paper out for the receipt printer.
pub fn paper(input: &PaperInput, options: Options) -> Receipt {
    let width = options.paper.dots();
    let mut b = Builder {
        width,
        rtl: true,
        blocks: Vec::new(),
    };
    b.para(&input.commune_ar, Align::Center, 2, true);
    b.rtl = false;
    b.para(&input.commune_latin, Align::Center, 1, true);
    if let Some((data, shown)) = &input.qr {
        b.feed(8);
        let module = if width >= 576 { 6 } else { 5 };
        // A token too long for a QR code still leaves its text to type.
        if let Ok(bitmap) = crate::qr_bitmap(data, module) {
            b.blocks.push(crate::Block::Image {
                bitmap,
                align: Align::Center,
            });
        }
        b.para(shown, Align::Center, 2, true);
    }
    for (i, part) in input.parts.iter().enumerate() {
        b.feed(16);
        if i > 0 {
            // A rule between the languages: a line of dashes the printer prints as text.
            let cols = width / crate::CELL.0;
            b.rtl = false;
            b.para(&"-".repeat(cols), Align::Left, 1, false);
            b.feed(8);
        }
        b.rtl = part.language.is_rtl();
        let start = if b.rtl { Align::Right } else { Align::Left };
        b.para(&part.title, Align::Center, 2, true);
        for s in &part.sections {
            b.feed(10);
            b.para(&s.heading, start, 1, true);
            for line in &s.lines {
                b.para(line, start, 1, false);
            }
        }
    }
    b.feed(24);
    Receipt {
        width,
        blocks: b.blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Block, Paper, QrMode};

    fn input(language: Language, title: &str, line: &str) -> PaperInput {
        PaperInput {
            qr: None,
            commune_ar: "جماعة تالوين".into(),
            commune_latin: "Commune de Taliouine".into(),
            parts: vec![
                Part {
                    language,
                    title: title.into(),
                    sections: vec![Section {
                        heading: title.into(),
                        lines: vec![line.into()],
                    }],
                },
                Part {
                    language: Language::French,
                    title: "Fiche d'orientation".into(),
                    sections: vec![Section {
                        heading: "Où aller".into(),
                        lines: vec!["Bureau d'état civil, Centre".into()],
                    }],
                },
            ],
        }
    }

    #[test]
    fn arabic_and_tifinagh_are_drawn_and_french_is_printer_text() {
        for (language, title, line) in [
            (Language::Arabic, "ورقة التوجيه", "مكتب الحالة المدنية"),
            (Language::Tamazight, "ⵜⴰⵙⴽⵍⴰ ⵏ ⵓⵎⵏⵉⴷ", "ⴰⵙⵙⴰⵔⴰ"),
        ] {
            let r = paper(
                &input(language, title, line),
                Options {
                    paper: Paper::Mm80,
                    qr: QrMode::Raster,
                },
            );
            let images = r
                .blocks
                .iter()
                .filter(|b| matches!(b, Block::Image { .. }))
                .count();
            assert!(
                images >= 4,
                "{language:?}: the commune and the visitor's part are drawn"
            );
            let text: Vec<&str> = r
                .blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Text { shown, .. } => Some(shown.as_str()),
                    _ => None,
                })
                .collect();
            assert!(text.contains(&"Bureau d'état civil, Centre"), "{text:?}");
            let bytes = r.escpos();
            assert!(bytes.starts_with(&[0x1b, b'@']) && bytes.len() > 1000);
        }
    }
}
