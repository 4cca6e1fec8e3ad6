use super::*;

fn input(language: Language) -> ReceiptInput<'static> {
    let (service, docs): (&str, Vec<&str>) = match language {
        Language::Arabic => (
            "الاستقبال والتوجيه",
            vec!["البطاقة الوطنية للتعريف", "جواز السفر"],
        ),
        Language::Tamazight => ("ⴰⵙⵏⵓⴱⴳ ⴷ ⵓⵙⵏⵎⴰⵍ", vec!["ⴰⵙⵏⴰⴷ ⵏ ⵓⵎⵓⴷⴷⵓ"]),
        Language::French => ("Accueil et orientation", vec!["Carte nationale d'identité"]),
        Language::English => ("Reception and orientation", vec!["Passport"]),
    };
    ReceiptInput {
        commune_ar: "جماعة تالوين",
        commune_latin: "Commune de Taliouine",
        number: "A-012",
        service,
        documents: docs,
        issued: jiff::civil::date(2026, 11, 24).at(10, 32, 0, 0),
        ahead: 3,
        wait_minutes: 25,
        token: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        language,
    }
}

fn options(paper: Paper) -> Options {
    Options {
        paper,
        qr: QrMode::Raster,
    }
}

/// The raster images of a byte stream, found by walking its commands (`GS v 0` headers).
fn rasters(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 8 <= bytes.len() {
        if bytes[i..i + 4] == [0x1d, b'v', b'0', 0] {
            let stride = u16::from_le_bytes([bytes[i + 4], bytes[i + 5]]) as usize;
            let height = u16::from_le_bytes([bytes[i + 6], bytes[i + 7]]) as usize;
            found.push((stride * 8, height));
            i += 8 + stride * height;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn every_language_and_paper_lays_out_within_the_paper() {
    for language in Language::ALL {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let receipt = layout(&input(language), options(paper)).expect("lays out");
            let bytes = receipt.escpos();
            assert!(bytes.starts_with(b"\x1b@\x1bt\x10"), "{language}");
            assert!(bytes.ends_with(escpos::FEED_AND_CUT), "{language}");
            let images = rasters(&bytes);
            assert!(!images.is_empty(), "{language}: the Arabic name at least");
            for (w, h) in images {
                assert!(w <= paper.dots() && h > 0, "{language} {paper:?}: {w}x{h}");
            }
            let preview = receipt.preview();
            assert_eq!(preview.width(), paper.dots());
            assert!(preview.ink() > 1000);
        }
    }
}

#[test]
fn latin_text_is_printer_text_and_arabic_is_drawn() {
    let fr = layout(&input(Language::French), options(Paper::Mm80))
        .expect("fr")
        .escpos();
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(has(&fr, b"A-012"));
    assert!(has(&fr, b"Votre num\xe9ro"));
    assert!(has(&fr, b"Personnes avant vous : 3"));
    assert!(has(&fr, b"- Carte nationale d'identit\xe9"));
    let ar = layout(&input(Language::Arabic), options(Paper::Mm80))
        .expect("ar")
        .escpos();
    // The number stays text (the printer's digits); every Arabic line is an image.
    assert!(has(&ar, b"A-012"));
    assert!(!has(&ar, b"Votre"));
    assert!(rasters(&ar).len() > rasters(&fr).len() + 4);
}

#[test]
fn the_qr_raster_is_in_the_bytes_and_native_qr_is_an_option() {
    let receipt = layout(&input(Language::English), options(Paper::Mm80)).expect("en");
    let qr = qr_bitmap("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 6).expect("qr");
    let (stride, rows) = qr.packed_rows();
    let mut header = vec![0x1d, b'v', b'0', 0];
    header.extend_from_slice(&(stride as u16).to_le_bytes());
    header.extend_from_slice(&(qr.height() as u16).to_le_bytes());
    header.extend_from_slice(&rows);
    let bytes = receipt.escpos();
    assert!(bytes.windows(header.len()).any(|w| w == header.as_slice()));
    assert_eq!(qr_version("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), Ok(2));

    let native = layout(
        &input(Language::English),
        Options {
            paper: Paper::Mm80,
            qr: QrMode::Native,
        },
    )
    .expect("native")
    .escpos();
    assert!(native.windows(3).any(|w| w == b"\x1d(k"));
    assert!(
        native
            .windows(26)
            .any(|w| w == b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    );
    assert!(!native.windows(header.len()).any(|w| w == header.as_slice()));
}

#[test]
fn a_token_that_cannot_be_a_qr_code_is_refused() {
    for bad in ["", "with space", "é", &"A".repeat(65)] {
        let mut i = input(Language::French);
        i.token = bad;
        assert_eq!(
            layout(&i, options(Paper::Mm58)).map(|_| ()),
            Err(ReceiptError::Token(bad.to_owned()))
        );
    }
}

#[test]
fn the_first_in_line_reads_you_are_next() {
    let mut i = input(Language::English);
    i.ahead = 0;
    let bytes = layout(&i, options(Paper::Mm58)).expect("en").escpos();
    assert!(bytes.windows(12).any(|w| w == b"You are next"));
    assert!(!bytes.windows(14).any(|w| w == b"Estimated wait"));
}

#[test]
fn a_word_longer_than_the_paper_is_cut_to_fit() {
    let long = "ⵜⴰⵏⴰⵎⵓⵔⵜⵜⴰⵏⴰⵎⵓⵔⵜⵜⴰⵏⴰⵎⵓⵔⵜⵜⴰⵏⴰⵎⵓⵔⵜⵜⴰⵏⴰⵎⵓⵔⵜⵜⴰⵏⴰⵎⵓⵔⵜ";
    let lines = text::wrap(long, 24.0, false, false, 300.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), long, "nothing lost");
    for l in &lines {
        assert!(text::measure(l, 24.0, false, false) <= 300.0, "{l}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever a configuration file names its commune, services and documents (any script,
    /// controls, emoji, long words), the receipt lays out, every image fits the paper, and no
    /// byte of a name can become a printer command.
    #[test]
    fn any_names_lay_out_within_the_paper(
        commune in "\\PC{0,60}",
        service in "\\PC{0,80}",
        documents in proptest::collection::vec("(\\PC|[\\x00-\\x1f]){0,90}", 0..4),
        lang in 0usize..4,
        narrow in proptest::bool::ANY,
    ) {
        let language = Language::ALL[lang];
        let paper = if narrow { Paper::Mm58 } else { Paper::Mm80 };
        let mut i = input(language);
        i.commune_ar = &commune;
        i.commune_latin = &commune;
        i.service = &service;
        i.documents = documents.iter().map(String::as_str).collect();
        let receipt = layout(&i, options(paper)).expect("lays out");
        let bytes = receipt.escpos();
        for (w, _) in rasters(&bytes) {
            proptest::prop_assert!(w <= paper.dots());
        }
        // Printer text is WPC1252 printables only: no ESC, GS or DLE from a name.
        for name in std::iter::once(service.as_str()).chain(documents.iter().map(String::as_str)) {
            if let Some(encoded) = escpos::wpc1252(name) {
                proptest::prop_assert!(encoded.iter().all(|b| *b >= 0x20));
            }
        }
    }
}

/// A name that starts with a combining mark (nothing for it to sit on) hangs its mark before
/// the line: it is drawn within the paper, not outside the raster (found by the property test).
#[test]
fn a_leading_combining_mark_lays_out() {
    for language in Language::ALL {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let mut i = input(language);
            i.service = "\u{330}k";
            i.commune_ar = "\u{651}\u{64b}";
            let receipt = layout(&i, options(paper)).expect("lays out");
            for (w, _) in rasters(&receipt.escpos()) {
                assert!(w <= paper.dots());
            }
        }
    }
}
